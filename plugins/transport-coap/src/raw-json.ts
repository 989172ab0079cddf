/**
 * The core hands over attribute JSON with values in their stored types (`42.0` stays a DOUBLE, big integers
 * keep every digit). Where the CoAP API needs another shape of the same data (the shared attributes alone as a
 * flat object, §3.4; updates merged while a device sleeps), members are moved as raw text, never re-encoded:
 * `JSON.parse` + `JSON.stringify` would turn `42.0` into `42`.
 */

/** A member of a JSON object: its name and its value exactly as written. */
export type RawMember = [name: string, rawValue: string];

/** The members of a JSON object text; undefined when the text is not a JSON object. */
export function objectMembers(text: string): RawMember[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  // The text is valid JSON from here on: the scan only has to find where each value ends.
  const members: RawMember[] = [];
  let at = skipSpace(text, text.indexOf('{') + 1);
  while (text[at] === '"') {
    const nameEnd = endOfString(text, at);
    const name = JSON.parse(text.slice(at, nameEnd)) as string;
    const valueStart = skipSpace(text, skipSpace(text, nameEnd) + 1); // past the colon
    const valueEnd = endOfValue(text, valueStart);
    members.push([name, text.slice(valueStart, valueEnd)]);
    at = skipSpace(text, valueEnd);
    if (text[at] === ',') at = skipSpace(text, at + 1);
  }
  return members;
}

/** A JSON object text of raw members (the inverse of objectMembers). */
export function objectText(members: readonly RawMember[]): string {
  return `{${members.map(([name, value]) => `${JSON.stringify(name)}:${value}`).join(',')}}`;
}

function skipSpace(text: string, at: number): number {
  while (at < text.length && ' \t\r\n'.includes(text[at])) at++;
  return at;
}

/** `at` is an opening quote; returns the index after the closing one. */
function endOfString(text: string, at: number): number {
  for (let i = at + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i + 1;
  }
  return text.length;
}

function endOfValue(text: string, at: number): number {
  if (text[at] === '"') return endOfString(text, at);
  if (text[at] !== '{' && text[at] !== '[') {
    let end = at;
    while (end < text.length && !',}] \t\r\n'.includes(text[end])) end++;
    return end;
  }
  let depth = 0;
  for (let i = at; i < text.length; i++) {
    const c = text[i];
    if (c === '"') i = endOfString(text, i) - 1;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return text.length;
}
