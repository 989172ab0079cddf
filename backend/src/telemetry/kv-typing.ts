import { isJsonNumber, JsonNumber, numberText, writeJson } from './json-reader';
import type { KvEntry, KvType, KvValue } from './kv-entry';

/** Why a payload cannot be stored; the message is what the API reports. */
export class KvParseError extends Error {}

export interface KvTypingOptions {
  /** "JSON type cast": numeric strings become LONG/DOUBLE, out-of-range integers become STRING (default true). */
  typeCast?: boolean;
  /** Longest accepted string value; 0 = unlimited (default). */
  maxStringLength?: number;
  /** `drop`: device transports skip null values; `reject`: the REST API refuses them (default). */
  nulls?: 'drop' | 'reject';
}

const MAX_KEY_LENGTH = 255;
const MAX_DOUBLE_SCALE = 16;
/** Bounds the digits a number like `1e999999999` would expand to as a plain STRING. */
const MAX_EXPONENT = 1000;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** Apache commons-lang3 NumberUtils.isParsable: optional `-`, digits, optional fraction; no exponent, `+`, hex or spaces. */
const PARSABLE_STRING = /^-?(\d+(\.\d+)?|\.\d+)$/;
const NUMBER_PARTS = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** A decimal as BigDecimal sees it: sign, unscaled digits and scale (value = digits × 10^-scale). */
interface Decimal {
  negative: boolean;
  digits: string;
  scale: number;
}

function decimalOf(text: string): Decimal {
  const [, sign, int, frac = '', exp = '0'] = NUMBER_PARTS.exec(text)!;
  const digits = (int + frac).replace(/^0+(?=\d)/, '');
  if (Math.abs(Number(exp)) > MAX_EXPONENT)
    throw new KvParseError(`Number ${text} is out of range: exponents beyond ±${MAX_EXPONENT} are not supported`);
  return { negative: sign === '-', digits, scale: frac.length - Number(exp) };
}

/** BigDecimal.stripTrailingZeros().scale(): zero has scale 0. */
function strippedScale({ digits, scale }: Decimal): number {
  if (/^0+$/.test(digits)) return 0;
  const zeros = digits.length - digits.replace(/0+$/, '').length;
  return scale - zeros;
}

/** BigDecimal.toPlainString(). */
function plainString({ negative, digits, scale }: Decimal): string {
  let plain: string;
  if (scale <= 0) plain = digits + '0'.repeat(-scale);
  else if (digits.length > scale) plain = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  else plain = `0.${'0'.repeat(scale - digits.length)}${digits}`;
  return negative ? `-${plain}` : plain;
}

/** Literals that cannot be anything but a LONG (≤ 15 digits) or a DOUBLE (plain decimal, ≤ 16 fraction digits). */
const SHORT_INTEGER = /^-?\d{1,15}$/;
const SHORT_DECIMAL = /^-?\d+\.\d{1,16}$/;

/** ThingsBoard's JsonConverter.parseNumericValue on a number's source text (research notes §7). */
function typeNumber(text: string, typeCast: boolean): { type: KvType; value: KvValue } {
  // Fast paths for what devices almost always send; the general rules below give the same answers.
  if (SHORT_INTEGER.test(text)) return { type: 'LONG', value: Number(text) || 0 }; // `|| 0`: a LONG has no -0
  if (SHORT_DECIMAL.test(text)) return { type: 'DOUBLE', value: Number(text) };
  const decimal = decimalOf(text);
  const plainDecimalLiteral = text.includes('.') && !/[eE]/.test(text);
  if (strippedScale(decimal) <= 0 && !plainDecimalLiteral) {
    const magnitude = BigInt(plainString({ ...decimal, negative: false }).split('.')[0]);
    const integer = decimal.negative ? -magnitude : magnitude;
    if (integer >= INT64_MIN && integer <= INT64_MAX) {
      const asNumber = Number(integer);
      return { type: 'LONG', value: Number.isSafeInteger(asNumber) ? asNumber : integer };
    }
    if (!typeCast) throw new KvParseError('Big integer values are not supported!');
    return { type: 'STRING', value: plainString(decimal) };
  }
  if (decimal.scale <= MAX_DOUBLE_SCALE) return { type: 'DOUBLE', value: Number(text) };
  return { type: 'STRING', value: plainString(decimal) };
}

function typeString(key: string, value: string, options: KvTypingOptions): { type: KvType; value: KvValue } {
  const max = options.maxStringLength ?? 0;
  if (max > 0 && value.length > max) {
    throw new KvParseError(`String value length [${value.length}] for key [${key}] is greater than maximum allowed [${max}]`);
  }
  if ((options.typeCast ?? true) && PARSABLE_STRING.test(value)) {
    try {
      return typeNumber(value, true);
    } catch {
      return { type: 'STRING', value };
    }
  }
  return { type: 'STRING', value };
}

export function validateKey(key: string): void {
  if (key.trim() === '') throw new KvParseError("Key can't be null or empty");
  if (key.length > MAX_KEY_LENGTH) throw new KvParseError(`Validation error: key length must be equal or less than ${MAX_KEY_LENGTH}`);
}

/** Types one JSON value (from readJson) per §0.1; undefined means "dropped" (null on device paths). */
export function typeValue(key: string, value: unknown, options: KvTypingOptions = {}): KvEntry | undefined {
  validateKey(key);
  if (value === null) {
    if (options.nulls === 'drop') return undefined;
    throw new KvParseError("Can't parse value: null");
  }
  if (typeof value === 'boolean') return { key, type: 'BOOLEAN', value };
  // readJson hands out plain numbers only for short integer literals (LONG) and plain decimals with a
  // non-zero fraction (DOUBLE): typed without looking at the text.
  if (typeof value === 'number') return Number.isInteger(value) ? { key, type: 'LONG', value: value || 0 } : { key, type: 'DOUBLE', value };
  if (typeof value === 'string') return withKey(key, typeString(key, value, options));
  if (isJsonNumber(value)) return withKey(key, typeNumber(numberText(value as JsonNumber), options.typeCast ?? true));
  return { key, type: 'JSON', value: writeJson(value) };
}

function withKey(key: string, typed: { type: KvType; value: KvValue }): KvEntry {
  return { key, type: typed.type, value: typed.value };
}

/** Types every member of a JSON object, in member order. */
export function toKvEntries(object: Record<string, unknown>, options: KvTypingOptions = {}): KvEntry[] {
  const entries: KvEntry[] = [];
  for (const key of Object.keys(object)) {
    const entry = typeValue(key, object[key], options);
    if (entry) entries.push(entry);
  }
  return entries;
}

/** A plain JSON object (not an array, not a LosslessNumber). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isJsonNumber(value);
}
