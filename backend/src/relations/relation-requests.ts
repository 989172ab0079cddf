import type { EntityId, EntityType, RelationDirection } from '@edgewise/plugin-api';
import type { JsonObject } from '../database/column-transformers';
import { ApiError } from '../errors/api-error';
import { parseEntityId, parseEntityType } from './entity-directory';
import { RELATION_TYPE_GROUPS, RelationTypeGroup } from './relation.entity';

const TYPE_MAX = 255;

/** The identifying part of a relation. */
export interface RelationKey {
  from: EntityId;
  to: EntityId;
  type: string;
  typeGroup: RelationTypeGroup;
}

export interface RelationInput extends RelationKey {
  additionalInfo: JsonObject | null;
}

/** One `filters` entry of an EntityRelationsQuery: a relation matches when any entry does. */
export interface RelationFilter {
  relationType?: string;
  entityTypes?: readonly string[];
  negate?: boolean;
}

/** ThingsBoard's EntityRelationsQuery, checked. */
export interface RelationsQuery {
  root: EntityId;
  direction: RelationDirection;
  typeGroup: RelationTypeGroup;
  /** 0 or less: every level. */
  maxLevel: number;
  fetchLastLevelOnly: boolean;
  filters: RelationFilter[];
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A type group from a body: absent means COMMON, anything else must be one of ThingsBoard's groups. */
function parseTypeGroup(raw: unknown): RelationTypeGroup {
  if (raw === undefined || raw === null || raw === '') return 'COMMON';
  if (typeof raw !== 'string' || !(RELATION_TYPE_GROUPS as readonly string[]).includes(raw))
    throw ApiError.badRequest(`Relation type group ${JSON.stringify(raw)} is not supported: use one of ${RELATION_TYPE_GROUPS.join(', ')}`);
  return raw as RelationTypeGroup;
}

/** In query parameters ThingsBoard silently falls back to COMMON for a blank or unknown group. */
export const queryTypeGroup = (raw: string | undefined): RelationTypeGroup =>
  (RELATION_TYPE_GROUPS as readonly string[]).includes(raw ?? '') ? (raw as RelationTypeGroup) : 'COMMON';

function parseEnd(raw: unknown, end: 'from' | 'to'): EntityId {
  if (!isObject(raw)) throw ApiError.badRequest(`Relation should contain ${end} entity!`);
  return parseEntityId(raw.entityType, raw.id, `'${end}' entity`);
}

export function parseRelationType(raw: unknown): string {
  if (typeof raw !== 'string' || raw === '') throw ApiError.badRequest('Relation type should be specified!');
  if (raw.length > TYPE_MAX) throw ApiError.badRequest(`Validation error: type length must be equal or less than ${TYPE_MAX}`);
  return raw;
}

/** An EntityRelation body (POST /api/relation) with ThingsBoard's validation messages. */
export function parseRelation(body: unknown): RelationInput {
  if (!isObject(body)) throw ApiError.badRequest('Relation should be a JSON object: {"from", "to", "type", "typeGroup"}');
  const from = parseEnd(body.from, 'from');
  const to = parseEnd(body.to, 'to');
  const type = parseRelationType(body.type);
  const additionalInfo = body.additionalInfo === undefined ? null : (body.additionalInfo as JsonObject | null);
  return { from, to, type, typeGroup: parseTypeGroup(body.typeGroup), additionalInfo };
}

/** The relation named by query parameters (`fromId`, `fromType`, `relationType`, `relationTypeGroup`, `toId`, `toType`). */
export function relationKeyFromQuery(query: Record<string, string | undefined>): RelationKey {
  for (const name of ['fromId', 'fromType', 'relationType', 'toId', 'toType'])
    if (!query[name]) throw ApiError.badRequest(`Required request parameter '${name}' is not present`);
  return {
    from: parseEntityId(query.fromType, query.fromId, "'from' entity"),
    to: parseEntityId(query.toType, query.toId, "'to' entity"),
    type: parseRelationType(query.relationType),
    typeGroup: queryTypeGroup(query.relationTypeGroup),
  };
}

function parseFilter(raw: unknown, index: number): RelationFilter {
  if (!isObject(raw)) throw ApiError.badRequest(`filters[${index}] should be an object: {"relationType", "entityTypes"}`);
  const { relationType, entityTypes, negate } = raw;
  if (relationType !== undefined && relationType !== null && typeof relationType !== 'string')
    throw ApiError.badRequest(`filters[${index}].relationType should be text`);
  if (entityTypes !== undefined && entityTypes !== null) {
    if (!Array.isArray(entityTypes)) throw ApiError.badRequest(`filters[${index}].entityTypes should be a list such as ["DEVICE"]`);
    entityTypes.forEach((type) => parseEntityType(type, `filters[${index}].entityTypes`));
  }
  return {
    relationType: relationType || undefined,
    entityTypes: (entityTypes as string[] | null | undefined) ?? undefined,
    negate: negate === true,
  };
}

/** An EntityRelationsQuery body (POST /api/relations, /api/relations/info). */
export function parseRelationsQuery(body: unknown): RelationsQuery {
  if (!isObject(body) || !isObject(body.parameters))
    throw ApiError.badRequest('The query should have "parameters": {"rootId", "rootType", "direction", "maxLevel", …}');
  if (!Array.isArray(body.filters)) throw ApiError.badRequest('The query should have "filters": a list, possibly empty');
  const p = body.parameters;
  const root = parseEntityId(p.rootType, p.rootId, 'root entity');
  if (p.direction !== 'FROM' && p.direction !== 'TO')
    throw ApiError.badRequest(`parameters.direction should be FROM or TO, got ${JSON.stringify(p.direction)}`);
  const maxLevel = p.maxLevel === undefined || p.maxLevel === null ? 1 : p.maxLevel;
  if (typeof maxLevel !== 'number' || !Number.isInteger(maxLevel))
    throw ApiError.badRequest(`parameters.maxLevel should be a whole number (0 for every level), got ${JSON.stringify(p.maxLevel)}`);
  return {
    root,
    direction: p.direction,
    typeGroup: parseTypeGroup(p.relationTypeGroup),
    maxLevel,
    fetchLastLevelOnly: p.fetchLastLevelOnly === true,
    filters: body.filters.map(parseFilter),
  };
}

/** ThingsBoard's filter rule: any filter matches on the relation type (or its negation) and the far end's type. */
export function matchesFilters(filters: readonly RelationFilter[], type: string, farType: EntityType): boolean {
  if (!filters.length) return true;
  return filters.some(
    (f) =>
      (!f.relationType || (f.relationType === type) !== Boolean(f.negate)) && (!f.entityTypes?.length || f.entityTypes.includes(farType)),
  );
}
