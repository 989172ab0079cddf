/**
 * ThingsBoard's `RelationsQuery` setting (change originator, related-entity enrichment …) and how it is run
 * against the relation service.
 */

import type { EntityId, EntityType, Relation, RelationDirection, RuleEngineServices } from '@edgewise/plugin-api';

export interface RelationEntityTypeFilter {
  relationType?: string | null;
  /** Entity types at the far end; empty or absent = any. */
  entityTypes?: EntityType[] | null;
  /** Match relations whose type is NOT `relationType`. */
  negate?: boolean;
}

export interface RelationsQuery {
  direction: RelationDirection;
  /** Levels to follow; 0 or less = all of them. */
  maxLevel: number;
  /** A relation is kept when any filter matches it; no filters = every relation. */
  filters?: RelationEntityTypeFilter[] | null;
  /** Keep only the relations of the deepest level reached on each path. */
  fetchLastLevelOnly?: boolean;
}

export const DEFAULT_RELATIONS_QUERY: RelationsQuery = {
  direction: 'FROM',
  maxLevel: 1,
  filters: [{ relationType: 'Contains', entityTypes: [], negate: false }],
  fetchLastLevelOnly: false,
};

export const relationsQuerySchema = {
  type: 'object',
  title: 'Relations query',
  properties: {
    direction: { type: 'string', enum: ['FROM', 'TO'], title: 'Direction (FROM: the originator is the source of the relations)' },
    maxLevel: { type: 'integer', title: 'Relation levels to follow (0 = all)' },
    fetchLastLevelOnly: { type: 'boolean', title: 'Only the last level' },
    filters: {
      type: ['array', 'null'],
      title: 'Relation filters',
      items: {
        type: 'object',
        properties: {
          relationType: { type: ['string', 'null'], title: 'Relation type' },
          entityTypes: { type: ['array', 'null'], items: { type: 'string' }, title: 'Entity types' },
          negate: { type: 'boolean', title: 'Any relation type except this one' },
        },
      },
    },
  },
  required: ['direction'],
} as const;

const keyOf = (entity: EntityId) => `${entity.entityType}:${entity.id}`;

function matchesAnyFilter(relation: Relation, far: EntityId, filters: readonly RelationEntityTypeFilter[]): boolean {
  return filters.some((filter) => {
    const typeMatches = !filter.relationType || (relation.type === filter.relationType) !== Boolean(filter.negate);
    return typeMatches && (!filter.entityTypes?.length || filter.entityTypes.includes(far.entityType));
  });
}

/**
 * The entities related to `root` by the query, in the order the relation service returns them (nearest
 * levels first). As in ThingsBoard, every user (`COMMON`) relation is followed and the filters apply to
 * the relations found.
 */
export async function findRelatedEntities(services: RuleEngineServices, root: EntityId, query: RelationsQuery): Promise<EntityId[]> {
  const forward = query.direction === 'FROM';
  const near = (r: Relation) => (forward ? r.from : r.to);
  const far = (r: Relation) => (forward ? r.to : r.from);
  // The seam has no "all levels"; a depth no relation graph reaches stands for it.
  const maxLevel = query.maxLevel > 0 ? query.maxLevel : Number.MAX_SAFE_INTEGER;
  let relations = (await services.relations.find({ root, direction: query.direction, maxLevel })).filter((r) => r.typeGroup === 'COMMON');
  if (query.fetchLastLevelOnly) {
    const level = new Map<string, number>([[keyOf(root), 0]]);
    for (const r of relations) if (!level.has(keyOf(far(r)))) level.set(keyOf(far(r)), (level.get(keyOf(near(r))) ?? 0) + 1);
    const expanded = new Set(relations.map((r) => keyOf(near(r))));
    // The last level of a path: the depth limit, or an entity nothing else is related to.
    relations = relations.filter((r) => level.get(keyOf(far(r))) === maxLevel || !expanded.has(keyOf(far(r))));
  }
  const filters = query.filters ?? [];
  return relations.filter((r) => !filters.length || matchesAnyFilter(r, far(r), filters)).map(far);
}
