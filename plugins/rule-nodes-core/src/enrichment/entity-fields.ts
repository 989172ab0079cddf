import type { EntityFields } from '@edgewise/plugin-api';
import { isJsonObject } from '../transformation/msg-data';

/**
 * An entity's fields as ThingsBoard serialises the entity for field lookups: ids as plain UUID strings,
 * everything else as stored (`name`, `type` — the profile name —, `createdTime`, `additionalInfo` …).
 */
export function entityFieldsJson(entity: EntityFields): Record<string, unknown> {
  return { ...entity, id: entity.id.id };
}

/**
 * A field's value as text (EntityFieldsData.getFieldValue): `a.b` walks into objects, scalars become text,
 * objects become JSON. Null when the entity has no such field, and — with `ignoreNullStrings` — when the
 * value is null or empty.
 */
export function entityFieldText(fields: Record<string, unknown>, path: string, ignoreNullStrings: boolean): string | null {
  let node: unknown = fields;
  for (const key of path.split('.')) {
    if (!isJsonObject(node) || !Object.hasOwn(node, key) || node[key] === undefined) return null;
    node = node[key];
  }
  if (node === null) return ignoreNullStrings ? null : 'null';
  if (typeof node === 'object') return JSON.stringify(node);
  const text = String(node);
  return text === '' && ignoreNullStrings ? null : text;
}
