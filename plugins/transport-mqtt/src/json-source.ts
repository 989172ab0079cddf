/**
 * Source text of the members of JSON text that is already known to be valid. A gateway message carries many
 * devices' payloads in one document; each device's part goes to the core as the text the gateway wrote, because
 * re-serialising parsed values would lose what typing needs (`42.0` is a DOUBLE, `42` a LONG; large integers).
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

const isWhitespace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

function skipWhitespace(text: string, i: number): number {
  while (i < text.length && isWhitespace(text.charCodeAt(i))) i++;
  return i;
}

/** `i` is at an opening quote; returns the index after the closing one. */
function stringEnd(text: string, i: number): number {
  for (i++; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i + 1;
  }
  return i;
}

/** `i` is at the first character of a value; returns the index after its last. */
function valueEnd(text: string, i: number): number {
  const first = text.charCodeAt(i);
  if (first === QUOTE) return stringEnd(text, i);
  if (first === OPEN_BRACE || first === OPEN_BRACKET) {
    let depth = 0;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) i = stringEnd(text, i) - 1;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && --depth === 0) return i + 1;
    }
    return i;
  }
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || isWhitespace(c)) break;
    i++;
  }
  return i;
}

/**
 * `[key, source text of its value]` for each member of a JSON object, in document order (a repeated key appears
 * each time; put them in a Map to keep the last, as JSON.parse does). `text` must be a valid JSON object.
 */
export function objectMemberSources(text: string): [string, string][] {
  const members: [string, string][] = [];
  let i = skipWhitespace(text, 0) + 1;
  for (;;) {
    i = skipWhitespace(text, i);
    if (i >= text.length || text.charCodeAt(i) === CLOSE_BRACE) return members;
    const keyEnd = stringEnd(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    const valueStart = skipWhitespace(text, skipWhitespace(text, keyEnd) + 1); // past the colon
    const end = valueEnd(text, valueStart);
    members.push([key, text.slice(valueStart, end)]);
    i = skipWhitespace(text, end);
    if (text.charCodeAt(i) === COMMA) i++;
  }
}

/** The source text of each element of a JSON array. `text` must be a valid JSON array. */
export function arrayElementSources(text: string): string[] {
  const elements: string[] = [];
  let i = skipWhitespace(text, 0) + 1;
  for (;;) {
    i = skipWhitespace(text, i);
    if (i >= text.length || text.charCodeAt(i) === CLOSE_BRACKET) return elements;
    const end = valueEnd(text, i);
    elements.push(text.slice(i, end));
    i = skipWhitespace(text, end);
    if (text.charCodeAt(i) === COMMA) i++;
  }
}

/** JSON object text from members given as `[key, value source]`. */
export const objectFromSources = (members: Iterable<[string, string]>): string =>
  `{${Array.from(members, ([key, source]) => `${JSON.stringify(key)}:${source}`).join(',')}}`;
