import { isLosslessNumber, LosslessNumber, parse, stringify } from 'lossless-json';

/** A JSON value as read by {@link readJson}: numbers are plain (safe integers) or keep their source text. */
export type JsonNumber = number | LosslessNumber;

/**
 * True when some number literal outside strings has a fraction, an exponent or more than 15 digits —
 * the cases where JSON.parse would lose what §0.1 typing needs (`42.0` vs `42`, int64 precision).
 */
function needsSourceText(text: string): boolean {
  let inString = false;
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      if (++digits > 15) return true;
    } else {
      if (digits > 0 && (c === 0x2e /* . */ || c === 0x65 /* e */ || c === 0x45) /* E */) return true;
      digits = 0;
    }
  }
  return false;
}

/**
 * Parses JSON text. Payloads whose numbers are all short integers take the native JSON.parse fast path
 * (~3x faster); otherwise lossless-json keeps each number's source text as a LosslessNumber.
 * Throws SyntaxError on malformed input.
 */
export function readJson(text: string): unknown {
  return needsSourceText(text) ? parse(text) : JSON.parse(text);
}

/** Compact JSON text of a value from {@link readJson}, keeping number lexemes as written (`1.50` stays `1.50`). */
export const writeJson = (value: unknown): string => stringify(value) ?? 'null';

/** The source text of a number from {@link readJson}. */
export const numberText = (n: JsonNumber): string => (isLosslessNumber(n) ? n.value : String(n));

export const isJsonNumber = (v: unknown): v is JsonNumber => typeof v === 'number' || isLosslessNumber(v);
