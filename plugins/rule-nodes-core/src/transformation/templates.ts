/**
 * ThingsBoard's message templates, shared by every node with a "pattern" setting (topic, URL, e-mail
 * fields, entity names …):
 *
 * - `${key}`   the metadata value of `key`;
 * - `$[key]`   the data value of `key` when the data is a JSON object; `$[a.b]` goes into nested objects;
 * - `${*}`     the whole metadata as a JSON object; `$[*]` the whole data as JSON.
 *
 * As in ThingsBoard, a placeholder that resolves to nothing (missing key, an object or array value, data
 * that is not JSON) stays in the text as written, so a typo shows up in the output instead of vanishing.
 * Unlike ThingsBoard, one pass resolves every placeholder: a value that itself contains `${…}` is never
 * expanded again, and data that is not JSON only leaves `$[…]` unresolved instead of failing the message.
 */

import type { RuleMsg } from '@edgewise/plugin-api';
import { isJsonObject, jsonDataOf } from './msg-data';

export interface TemplateOptions {
  /** Escape substituted values for use inside a JSON string (REST request body templates). */
  escapeJson?: boolean;
}

type TemplateSource = Pick<RuleMsg, 'metadata' | 'data'>;

const PLACEHOLDER = /\$\{(.*?)\}|\$\[(.*?)\]/g;

/** The text of a scalar found at `a.b.c` inside a data object; undefined for anything else. */
function dataValue(data: unknown, path: string): string | undefined {
  let node: unknown = data;
  for (const key of path.split('.')) {
    if (!key || !isJsonObject(node) || !Object.hasOwn(node, key)) return undefined;
    node = node[key];
  }
  if (node === null) return 'null';
  return typeof node === 'object' ? undefined : String(node);
}

const escapeJsonText = (value: string) => JSON.stringify(value).slice(1, -1);

/** Fills `${metadataKey}`, `$[dataKey]`, `${*}` and `$[*]` placeholders from a message. */
export function fillTemplate(template: string, msg: TemplateSource, options: TemplateOptions = {}): string {
  if (!template.includes('$')) return template;
  const escape = options.escapeJson ? escapeJsonText : (value: string) => value;
  return template.replace(PLACEHOLDER, (placeholder, metadataKey: string | undefined, dataPath: string | undefined) => {
    if (metadataKey !== undefined) {
      if (metadataKey === '*') return JSON.stringify(msg.metadata);
      return Object.hasOwn(msg.metadata, metadataKey) ? escape(msg.metadata[metadataKey]) : placeholder;
    }
    const data = jsonDataOf(msg);
    if (data === undefined) return placeholder;
    // The text as the device sent it: re-serializing would round integers beyond 2^53.
    if (dataPath === '*') return msg.data.trim();
    // As in ThingsBoard, keys are looked up only when the data is an object (not inside a top-level array).
    const value = isJsonObject(data) ? dataValue(data, dataPath!) : undefined;
    return value === undefined ? placeholder : escape(value);
  });
}
