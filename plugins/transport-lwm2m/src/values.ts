/**
 * Resource values in memory, typed by the resource's model type, and their conversions: from the loose JSON
 * an RPC or a shared attribute carries, and to the JSON typing of telemetry (ThingsBoard's
 * LwM2mTransportServerHelper: INTEGER → LONG, FLOAT → DOUBLE, BOOLEAN, everything else a string).
 */
import type { ResourceType } from './object-model';
import { formatPath, type Lwm2mPath } from './paths';

/**
 * STRING/CORELNK → string; INTEGER/UNSIGNED_INTEGER/TIME → number (bigint past 2^53); FLOAT → number;
 * BOOLEAN → boolean; OPAQUE → Uint8Array; OBJLNK → `"objectId:instanceId"`.
 */
export type Lwm2mValue = string | number | bigint | boolean | Uint8Array;

/** One value at a resource path (`/3/0/9`) or resource-instance path (`/3/0/6/1`). */
export interface ResourceValue {
  path: Lwm2mPath;
  type: ResourceType;
  value: Lwm2mValue;
}

export class ValueError extends Error {
  override readonly name = 'ValueError';
}

const INTEGER_TEXT = /^[-+]?\d+$/;

function toInteger(value: unknown, path: string): number | bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && INTEGER_TEXT.test(value.trim())) {
    const big = BigInt(value.trim());
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  }
  throw new ValueError(`Value ${JSON.stringify(value)} for ${path} must be an integer`);
}

const hexOrBase64 = (text: string): Uint8Array =>
  /^([0-9a-fA-F]{2})*$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');

/**
 * A JSON value (RPC param, shared attribute) as the resource's type wants it, with ThingsBoard's leniency:
 * numbers in strings, `"true"`/`1` for booleans, hex or Base64 text for opaque, `"3:0"` or `"/3/0"` for links.
 */
export function coerceValue(value: unknown, type: ResourceType, path: Lwm2mPath): Lwm2mValue {
  const where = formatPath(path);
  if (value === null || value === undefined) throw new ValueError(`A value for ${where} is required`);
  switch (type) {
    case 'INTEGER':
    case 'UNSIGNED_INTEGER':
    case 'TIME': {
      const integer = toInteger(value, where);
      if (type === 'UNSIGNED_INTEGER' && integer < 0) throw new ValueError(`Value ${integer} for ${where} must not be negative`);
      return integer;
    }
    case 'FLOAT': {
      const number = typeof value === 'string' ? Number(value.trim()) : value;
      if (typeof number !== 'number' || !Number.isFinite(number) || (typeof value === 'string' && value.trim() === ''))
        throw new ValueError(`Value ${JSON.stringify(value)} for ${where} must be a number`);
      return number;
    }
    case 'BOOLEAN':
      if (value === true || value === false) return value;
      if (value === 1 || value === 0) return value === 1;
      if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
      throw new ValueError(`Value ${JSON.stringify(value)} for ${where} must be true or false`);
    case 'OPAQUE':
      if (value instanceof Uint8Array) return value;
      if (typeof value === 'string') return hexOrBase64(value);
      throw new ValueError(`Value for ${where} must be hex or Base64 text`);
    case 'OBJLNK': {
      const match = typeof value === 'string' ? /^\/?(\d+)[:/](\d+)$/.exec(value.trim()) : null;
      if (!match) throw new ValueError(`Value ${JSON.stringify(value)} for ${where} must be an object link like "3:0"`);
      return `${match[1]}:${match[2]}`;
    }
    default:
      if (typeof value === 'object') return JSON.stringify(value);
      return String(value);
  }
}

/**
 * The JSON text of a value as telemetry/attribute value: integers as JSON integers, floats always with a
 * fraction (`25.0` stays a DOUBLE), booleans, and strings for the rest (opaque as hex, like ThingsBoard).
 */
export function telemetryJson(value: Lwm2mValue, type: ResourceType): string {
  switch (type) {
    case 'INTEGER':
    case 'UNSIGNED_INTEGER':
    case 'TIME':
      return String(value);
    case 'FLOAT': {
      const number = Number(value);
      if (!Number.isFinite(number)) return JSON.stringify(String(number));
      return Number.isInteger(number) && !/e/i.test(String(number)) ? `${number}.0` : String(number);
    }
    case 'BOOLEAN':
      return value ? 'true' : 'false';
    default:
      return JSON.stringify(displayText(value));
  }
}

/** A value as plain text: opaque as hex, the rest as written. */
export function displayText(value: Lwm2mValue): string {
  return value instanceof Uint8Array ? Buffer.from(value).toString('hex') : String(value);
}

/** A value as typed JSON for RPC replies (numbers stay numbers, opaque is hex text). */
export function jsonValue(value: Lwm2mValue): string | number | boolean {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (typeof value === 'bigint') return value.toString();
  return value;
}
