/**
 * Reading a message's data as JSON, shared by the nodes of this library. A message is immutable and
 * several steps often read the same one (templates, key filters), so the parse is kept per message object.
 */

import type { RuleMsg } from '@edgewise/plugin-api';

type DataSource = Pick<RuleMsg, 'data'>;

const NOT_JSON = Symbol('not JSON');
const parsed = new WeakMap<DataSource, unknown>();

function parseOnce(msg: DataSource): unknown {
  if (parsed.has(msg)) return parsed.get(msg);
  let value: unknown;
  try {
    value = JSON.parse(msg.data);
  } catch {
    value = NOT_JSON;
  }
  parsed.set(msg, value);
  return value;
}

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The data parsed as JSON, or undefined when it is not JSON. Treat the result as read-only (it is shared). */
export function jsonDataOf(msg: DataSource): unknown {
  const value = parseOnce(msg);
  return value === NOT_JSON ? undefined : value;
}

/** The data parsed as JSON; throws an error that says what the node expected when it is not JSON. */
export function requireJsonData(msg: DataSource, expected: string): unknown {
  const value = parseOnce(msg);
  if (value === NOT_JSON)
    throw new Error(`Message data is not valid JSON: ${expected} (data starts with ${JSON.stringify(msg.data.slice(0, 40))})`);
  return value;
}

/**
 * A changeable copy of a key-value object. It has no prototype, so keys taken from messages (even
 * `__proto__`) are always plain keys.
 */
export function mutableCopy<T>(record: Readonly<Record<string, T>>): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, record);
}

/** A changeable copy of the data when it is a JSON object; undefined for any other data. */
export function copyOfDataObject(msg: DataSource): Record<string, unknown> | undefined {
  const value = parseOnce(msg);
  return isJsonObject(value) ? mutableCopy(value) : undefined;
}
