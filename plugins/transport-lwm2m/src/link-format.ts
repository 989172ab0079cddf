/**
 * CoRE Link Format (RFC 6690) as LwM2M uses it: the object links of a Register/Update payload
 * (`</>;rt="oma.lwm2m";ct=110,</1/0>,</3>;ver=1.2,</3/0>`) and Discover answers. Written here because no
 * maintained npm package parses it; the grammar is small (links separated by commas, `;`-separated
 * attributes whose values are tokens or quoted strings).
 */

export interface Link {
  /** The URI between `<` and `>`, e.g. `/3/0`. */
  uri: string;
  /** Attribute values without quotes; an attribute without value maps to `''`. */
  attributes: Record<string, string>;
}

export class LinkFormatError extends Error {
  override readonly name = 'LinkFormatError';
}

/** Parses a link-format document; throws LinkFormatError naming the position of the first fault. */
export function parseLinks(text: string): Link[] {
  const links: Link[] = [];
  let i = 0;
  const fail = (what: string): never => {
    throw new LinkFormatError(`Invalid CoRE link format at character ${i}: ${what} (expected e.g. </3/0>,</3303>;ver=1.1)`);
  };
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  skipSpace();
  if (i === text.length) return links;
  for (;;) {
    skipSpace();
    if (text[i] !== '<') fail('a link must start with <');
    const end = text.indexOf('>', i);
    if (end < 0) fail('missing >');
    const link: Link = { uri: text.slice(i + 1, end), attributes: {} };
    i = end + 1;
    skipSpace();
    while (text[i] === ';') {
      i++;
      const nameMatch = /^[A-Za-z0-9!#$&+\-.^_`|~]+/.exec(text.slice(i));
      if (!nameMatch) fail('an attribute name is missing');
      const name = nameMatch![0];
      i += name.length;
      let value = '';
      if (text[i] === '=') {
        i++;
        if (text[i] === '"') {
          const close = text.indexOf('"', i + 1);
          if (close < 0) fail('unterminated quoted value');
          value = text.slice(i + 1, close);
          i = close + 1;
        } else {
          const tokenMatch = /^[^,;\s]*/.exec(text.slice(i))!;
          value = tokenMatch[0];
          i += value.length;
        }
      }
      link.attributes[name] = value;
      skipSpace();
    }
    links.push(link);
    skipSpace();
    if (i === text.length) return links;
    if (text[i] !== ',') fail('links must be separated by ","');
    i++;
  }
}

/** Serialises links; values that are not plain numbers are quoted (`rt="oma.lwm2m"`, `ver=1.1`). */
export function formatLinks(links: readonly Link[]): string {
  return links
    .map(
      (link) =>
        `<${link.uri}>` +
        Object.entries(link.attributes)
          .map(([name, value]) => (value === '' ? `;${name}` : /^[0-9.]+$/.test(value) ? `;${name}=${value}` : `;${name}="${value}"`))
          .join(''),
    )
    .join(',');
}
