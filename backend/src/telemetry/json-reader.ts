import { isLosslessNumber, LosslessNumber, parse, stringify } from 'lossless-json';

/**
 * A number as read by {@link readJson}: a plain number (an integer literal when integral, a decimal literal
 * otherwise) or a LosslessNumber keeping its source text.
 */
export type JsonNumber = number | LosslessNumber;

/** Deeper JSON is refused: everything that walks a parsed value (typing, writing back) recurses. */
const MAX_DEPTH = 1000;

/**
 * Throws SyntaxError for JSON nested deeper than MAX_DEPTH. True when some number literal outside strings is one JSON.parse would lose something from: what §0.1
 * typing needs (`42.0` is a DOUBLE, `42` a LONG; int64 precision beyond 15 digits; more than 16 fraction
 * digits stay text) or how a JSON-typed value is written back (`1.50` stays `1.50`, `0.0000001` is not
 * `1e-7`, `-0` is not `0`). So the fast path takes integers and decimals that `String(Number(text))` writes exactly as sent.
 */
function needsSourceText(text: string): boolean {
  let depth = 0;
  let needs = false;
  let inString = false;
  let digits = 0;
  let inFraction = false;
  let zeroInteger = false;
  let fractionDigits = 0;
  let leadingFractionZeros = 0;
  let lastDigitZero = false;
  const fractionLoses = () => lastDigitZero || fractionDigits > 16 || (zeroInteger && leadingFractionZeros >= 6);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    if (c >= 0x30 && c <= 0x39) {
      if (++digits > 15) needs = true;
      lastDigitZero = c === 0x30;
      if (inFraction && fractionDigits++ === leadingFractionZeros && lastDigitZero) leadingFractionZeros++;
      continue;
    }
    if (digits > 0 && (c === 0x65 /* e */ || c === 0x45) /* E */) needs = true;
    if (inFraction && fractionLoses()) needs = true;
    inFraction = digits > 0 && c === 0x2e; /* . */
    if (inFraction) {
      zeroInteger = digits === 1 && lastDigitZero;
      fractionDigits = leadingFractionZeros = 0;
      continue;
    }
    digits = 0;
    if (c === 0x22) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > MAX_DEPTH) throw new SyntaxError(`JSON nested deeper than ${MAX_DEPTH} levels`);
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
    // `-0` would be written back as `0`.
    else if (c === 0x2d /* - */ && text.charCodeAt(i + 1) === 0x30 && !/[\d.]/.test(text.charAt(i + 2))) needs = true;
  }
  return needs || (inFraction && fractionLoses());
}

/**
 * Parses JSON text. Payloads whose numbers JSON.parse reads without loss for §0.1 typing (short integers,
 * plain decimals) take the native fast path (~3x faster); otherwise lossless-json keeps each number's
 * source text as a LosslessNumber.
 * Throws SyntaxError on malformed input and on nesting deeper than MAX_DEPTH.
 */
export function readJson(text: string): unknown {
  return needsSourceText(text) ? parse(text) : JSON.parse(text);
}

/** Compact JSON text of a value from {@link readJson}, keeping number lexemes as written (`1.50` stays `1.50`). */
export const writeJson = (value: unknown): string => stringify(value) ?? 'null';

/** The source text of a number from {@link readJson}. */
export const numberText = (n: JsonNumber): string => (isLosslessNumber(n) ? n.value : String(n));

export const isJsonNumber = (v: unknown): v is JsonNumber => typeof v === 'number' || isLosslessNumber(v);
