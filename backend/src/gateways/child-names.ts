import { PayloadError } from '@edgewise/plugin-api';

/** Longest device name and device type (profile name): the `varchar(255)` of their columns, counted in characters. */
export const CHILD_NAME_MAX_CHARS = 255;

/** ThingsBoard's type for a child connected without one (device-api.md §4.2). */
export const DEFAULT_CHILD_TYPE = 'default';

/**
 * A child device name as a gateway sent it, checked before anything is looked up or created. Names are kept
 * exactly as sent (no trimming): the gateway addresses the device by that text in every later message.
 */
export function checkChildName(name: string): string {
  if (!name.trim()) throw new PayloadError('Device name is empty: send the child device name in "device" (or as the key)');
  checkStoredText(name, 'Device name');
  return name;
}

/** The device type (profile name) of a child connect; absent or blank → `default`. */
export function childType(type: string | undefined): string {
  const trimmed = type?.trim();
  if (!trimmed) return DEFAULT_CHILD_TYPE;
  checkStoredText(trimmed, 'Device type');
  return trimmed;
}

function checkStoredText(text: string, what: string): void {
  const chars = [...text].length;
  if (chars > CHILD_NAME_MAX_CHARS)
    throw new PayloadError(`${what} is ${chars} characters long; use at most ${CHILD_NAME_MAX_CHARS} characters`);
  // PostgreSQL text cannot hold NUL, so such a name could be created on SQLite only: refused everywhere alike.
  if (text.includes('\u0000')) throw new PayloadError(`${what} contains a NUL character; remove it`);
}
