/**
 * A typed value as alarm rules see it (ThingsBoard's EntityKeyValue), and the conversions predicates apply
 * to it: a number compares with numbers, `"true"` with booleans, and so on, exactly as in ThingsBoard.
 */

import { javaDoubleToString, type KvRecord } from '@edgewise/plugin-api';

export type KeyValue =
  | { type: 'STRING'; value: string }
  | { type: 'LONG'; value: number }
  | { type: 'DOUBLE'; value: number }
  | { type: 'BOOLEAN'; value: boolean }
  /** JSON text. */
  | { type: 'JSON'; value: string };

/** A value from message data: integers are LONG, other numbers DOUBLE, objects and arrays JSON. Null → undefined. */
export function fromJsonValue(value: unknown): KeyValue | undefined {
  switch (typeof value) {
    case 'string':
      return { type: 'STRING', value };
    case 'boolean':
      return { type: 'BOOLEAN', value };
    case 'number':
      return { type: Number.isInteger(value) ? 'LONG' : 'DOUBLE', value };
    case 'object':
      return value === null ? undefined : { type: 'JSON', value: JSON.stringify(value) };
    default:
      return undefined;
  }
}

/** A stored attribute or latest telemetry value. */
export function fromKvRecord(record: KvRecord): KeyValue {
  switch (record.type) {
    case 'LONG':
    case 'DOUBLE':
      return { type: record.type, value: Number(record.value) };
    case 'BOOLEAN':
      return { type: 'BOOLEAN', value: Boolean(record.value) };
    case 'STRING':
    case 'JSON':
      return { type: record.type, value: String(record.value) };
  }
}

export const sameValue = (a: KeyValue | undefined, b: KeyValue | undefined): boolean => a?.type === b?.type && a?.value === b?.value;

const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[dDfF]?$/;
const LONG_TEXT = /^[+-]?\d{1,19}$/;

/** Java's Double.parseDouble (surrounding blanks allowed); undefined when the text is not a number. */
function parseDouble(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === 'NaN') return NaN;
  if (/^[+-]?Infinity$/.test(trimmed)) return trimmed.startsWith('-') ? -Infinity : Infinity;
  return NUMBER_TEXT.test(trimmed) ? Number(trimmed.replace(/[dDfF]$/, '')) : undefined;
}

export function asDouble(kv: KeyValue): number | undefined {
  switch (kv.type) {
    case 'LONG':
    case 'DOUBLE':
      return kv.value;
    case 'BOOLEAN':
      return kv.value ? 1 : 0;
    case 'STRING':
    case 'JSON':
      return parseDouble(kv.value);
  }
}

/** Java's Long.parseLong for text; doubles are truncated. */
export function asLong(kv: KeyValue): number | undefined {
  switch (kv.type) {
    case 'LONG':
      return kv.value;
    case 'DOUBLE':
      return Math.trunc(kv.value);
    case 'BOOLEAN':
      return kv.value ? 1 : 0;
    case 'STRING':
    case 'JSON':
      return LONG_TEXT.test(kv.value) ? Number(kv.value) : undefined;
  }
}

/** Numbers are true when positive; text is true only when it says "true" (any case), as Boolean.parseBoolean. */
export function asBoolean(kv: KeyValue): boolean {
  switch (kv.type) {
    case 'LONG':
    case 'DOUBLE':
      return kv.value > 0;
    case 'BOOLEAN':
      return kv.value;
    case 'STRING':
    case 'JSON':
      return kv.value.toLowerCase() === 'true';
  }
}

/** The value as text, the way ThingsBoard prints it (DOUBLE in Java's layout: `25.0`). */
export function asText(kv: KeyValue): string {
  return kv.type === 'DOUBLE' ? javaDoubleToString(kv.value) : String(kv.value);
}
