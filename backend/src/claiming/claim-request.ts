import { PayloadError } from '@edgewise/plugin-api';

/** What a device sends to register for claiming (device-api.md §1.10). */
export interface ClaimRegistration {
  /** The secret the customer must present; empty matches only an empty secret. */
  secretKey: string;
  /** How long the registration stays valid; 0 or less means the configured default. */
  durationMs: number;
}

const EXAMPLE = 'send {"secretKey":"…","durationMs":60000} (both optional) or nothing';

/**
 * Reads a device's claim request as ThingsBoard does: empty text means an empty secret and the default
 * duration; otherwise a JSON object whose `secretKey` has a text form and whose `durationMs` is a number.
 */
export function parseClaimRegistration(payload: string): ClaimRegistration {
  if (payload === '') return { secretKey: '', durationMs: 0 };
  let body: unknown;
  try {
    body = JSON.parse(payload);
  } catch (e) {
    throw new PayloadError(`Invalid JSON in the claim request: ${(e as Error).message}; ${EXAMPLE}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new PayloadError(`A claim request must be a JSON object; ${EXAMPLE}`);
  }
  const { secretKey, durationMs } = body as Record<string, unknown>;
  return { secretKey: secretKeyOf(secretKey), durationMs: durationOf(durationMs) };
}

function secretKeyOf(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new PayloadError(`"secretKey" must be a string; ${EXAMPLE}`);
}

function durationOf(value: unknown): number {
  if (value === undefined) return 0;
  const ms = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new PayloadError(`"durationMs" must be a number of milliseconds; ${EXAMPLE}`);
  return Math.trunc(ms);
}
