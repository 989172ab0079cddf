/**
 * "Save attributes only if the value changes": whether a value from a message would store the same typed
 * value as the one already stored. Follows ThingsBoard's typing (numeric strings are stored as numbers,
 * integers as LONG, other numbers as DOUBLE). Where JSON.parse has lost the difference (`25.0` arrives as 25),
 * it answers "changed", so the doubt costs one write, never a lost update.
 */

import type { KvRecord } from '@edgewise/plugin-api';

/** Strings ThingsBoard stores as numbers (commons-lang NumberUtils.isParsable). */
const NUMERIC_TEXT = /^-?(\d+(\.\d+)?|\.\d+)$/;
const INTEGER_TEXT = /^-?\d+$/;

function sameLong(value: unknown, stored: KvRecord['value']): boolean {
  if (typeof stored !== 'number' && typeof stored !== 'bigint') return false;
  if (typeof value === 'number') return Number.isInteger(value) && BigInt(value) === BigInt(stored);
  return typeof value === 'string' && INTEGER_TEXT.test(value) && BigInt(value) === BigInt(stored);
}

function sameDouble(value: unknown, stored: KvRecord['value']): boolean {
  if (typeof value === 'number') return !Number.isInteger(value) && value === stored;
  return typeof value === 'string' && NUMERIC_TEXT.test(value) && !INTEGER_TEXT.test(value) && Number(value) === stored;
}

export function storesSameValue(value: unknown, stored: KvRecord): boolean {
  switch (stored.type) {
    case 'BOOLEAN':
      return value === stored.value;
    case 'LONG':
      return sameLong(value, stored.value);
    case 'DOUBLE':
      return sameDouble(value, stored.value);
    case 'STRING':
      return typeof value === 'string' && !NUMERIC_TEXT.test(value) && value === stored.value;
    case 'JSON':
      return typeof value === 'object' && value !== null && JSON.stringify(value) === stored.value;
    default:
      return false;
  }
}
