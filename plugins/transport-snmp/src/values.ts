/**
 * SNMP values to and from the JSON the core takes, with ThingsBoard's rules (device-api.md §7.1, its PduService):
 * a value is first rendered as text the way SNMP4J renders it, then converted by the mapping's data type.
 */
import { ObjectType, type Varbind } from 'net-snmp';
import type { DataType, SnmpMapping } from './configuration';

/** A value that does not convert to its mapping's data type (fails the response unless type-cast errors are ignored). */
export class TypeCastError extends Error {
  override readonly name = 'TypeCastError';
}

const INTEGER_TYPES = new Set<number>([ObjectType.Integer, ObjectType.Counter, ObjectType.Gauge, ObjectType.TimeTicks]);
/** Exception values (and Null) carry no value: ThingsBoard skips them. */
const NO_VALUE_TYPES = new Set<number>([ObjectType.Null, ObjectType.NoSuchObject, ObjectType.NoSuchInstance, ObjectType.EndOfMibView]);

/** SNMP4J's rendering of TimeTicks, `[N day(s), ]h:mm:ss.cc`, which ThingsBoard stores for STRING mappings. */
function timeTicksText(ticks: number): string {
  const days = Math.floor(ticks / 8_640_000);
  const hours = Math.floor((ticks % 8_640_000) / 360_000);
  const minutes = Math.floor((ticks % 360_000) / 6_000);
  const seconds = Math.floor((ticks % 6_000) / 100);
  const hundredths = ticks % 100;
  const two = (n: number) => String(n).padStart(2, '0');
  const dayPart = days === 0 ? '' : days === 1 ? '1 day, ' : `${days} days, `;
  return `${dayPart}${hours}:${two(minutes)}:${two(seconds)}.${two(hundredths)}`;
}

const decoder = new TextDecoder('utf-8', { fatal: true });
/** Control characters other than tab, line feed, vertical tab, form feed and carriage return make octets binary. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is looked for
const BINARY = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f]/;

/**
 * Octets as text when they are text, else as colon-separated hex (`0a:1b:ff`, SNMP4J's rendering). SNMP4J only
 * accepts ASCII as text; Edgewise also keeps valid UTF-8 text readable.
 */
function octetsText(octets: Buffer): string {
  let text: string;
  try {
    text = decoder.decode(octets);
  } catch {
    return hex(octets);
  }
  return BINARY.test(text) ? hex(octets) : text;
}

const hex = (octets: Buffer) => [...octets].map((b) => b.toString(16).padStart(2, '0')).join(':');

const unsigned64 = (octets: Buffer) => (octets.length ? BigInt(`0x${octets.toString('hex')}`) : 0n).toString();

/** The varbind's value as text, or undefined when it has none (Null, noSuchObject, noSuchInstance, endOfMibView). */
export function valueText(varbind: Varbind): string | undefined {
  if (NO_VALUE_TYPES.has(varbind.type as number) || varbind.value === null || varbind.value === undefined) return undefined;
  const { type, value } = varbind;
  if (type === ObjectType.TimeTicks) return timeTicksText(Number(value));
  if (type === ObjectType.Counter64 && Buffer.isBuffer(value)) return unsigned64(value);
  if (Buffer.isBuffer(value)) return octetsText(value);
  return String(value);
}

/** Plain decimal numbers (a comma as decimal separator is accepted, as in ThingsBoard), as a JSON number literal. */
const NUMBER = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

function numberLiteral(text: string): string | undefined {
  const match = NUMBER.exec(text.trim().replace(',', '.'));
  if (!match) return undefined;
  const [, sign, whole, fraction, exponent] = match;
  if (!whole && !fraction) return undefined;
  // Keeping the text's own form keeps ThingsBoard's typing: "42" is a LONG, "42.0" a DOUBLE, "1e3" a LONG.
  const integer = whole.replace(/^0+(?=\d)/, '') || '0';
  return `${sign === '-' ? '-' : ''}${integer}${fraction !== undefined ? `.${fraction || '0'}` : ''}${exponent ? `e${exponent}` : ''}`;
}

/**
 * The JSON literal of a response value for its mapping: STRING and JSON give a JSON string; LONG and DOUBLE a number
 * (SNMP integers, counters and TimeTicks as their number; text when it is a plain number); BOOLEAN only the texts
 * true/false. Edgewise differs from ThingsBoard for TimeTicks mapped to LONG/DOUBLE: ThingsBoard tries to parse their
 * `h:mm:ss.cc` rendering and fails; the number of hundredths of a second is what anyone mapping them to a number wants.
 */
export function jsonValue(dataType: DataType, varbind: Varbind, text: string): string {
  switch (dataType) {
    case 'STRING':
    case 'JSON':
      return JSON.stringify(text);
    case 'LONG':
    case 'DOUBLE': {
      if (INTEGER_TYPES.has(varbind.type as number)) return String(varbind.value);
      const literal = numberLiteral(text);
      if (literal === undefined) throw new TypeCastError(`'${text}' can't be parsed as number`);
      return literal;
    }
    case 'BOOLEAN': {
      const lower = text.toLowerCase();
      if (lower !== 'true' && lower !== 'false') throw new TypeCastError(`Can't parse '${text}' as boolean`);
      return lower;
    }
  }
}

export interface MappedResponse {
  /** JSON object text of the converted values, `{}` when none mapped. */
  json: string;
  count: number;
  /** Values dropped because they did not convert (only when type-cast errors are ignored). */
  dropped: string[];
}

/**
 * The response varbinds that have a mapping, converted and joined into one JSON object. A value that does not
 * convert throws TypeCastError, unless `ignoreTypeCastErrors`: then only that key is left out.
 */
export function mapResponse(varbinds: readonly Varbind[], mappings: readonly SnmpMapping[], ignoreTypeCastErrors: boolean): MappedResponse {
  const byOid = new Map<string, SnmpMapping[]>();
  for (const mapping of mappings) byOid.set(mapping.oid, [...(byOid.get(mapping.oid) ?? []), mapping]);
  const members: string[] = [];
  const dropped: string[] = [];
  for (const varbind of varbinds) {
    const text = valueText(varbind);
    if (text === undefined) continue;
    for (const mapping of byOid.get(varbind.oid) ?? []) {
      try {
        members.push(`${JSON.stringify(mapping.key)}:${jsonValue(mapping.dataType, varbind, text)}`);
      } catch (e) {
        if (!(e instanceof TypeCastError) || !ignoreTypeCastErrors) throw e;
        dropped.push(mapping.key);
      }
    }
  }
  return { json: `{${members.join(',')}}`, count: members.length, dropped };
}

const INT32 = /^[+-]?\d+$/;

/**
 * The varbind a SET sends for a value (ThingsBoard's PduService): a LONG mapping whose text is a 32-bit integer goes
 * as an INTEGER, everything else as an OCTET STRING of the text.
 */
export function setVarbind(mapping: SnmpMapping, text: string): Varbind {
  if (mapping.dataType === 'LONG' && INT32.test(text)) {
    const value = Number(text);
    if (value >= -2_147_483_648 && value <= 2_147_483_647) return { oid: mapping.oid, type: ObjectType.Integer, value };
  }
  return { oid: mapping.oid, type: ObjectType.OctetString, value: text };
}
