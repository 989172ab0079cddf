import type { EntityId, EntityType, Relation } from '@edgewise/plugin-api';
import type { RelationEntity } from './relation.entity';

export const fromIdOf = (r: RelationEntity): EntityId => ({ entityType: r.fromType as EntityType, id: r.fromId });
export const toIdOf = (r: RelationEntity): EntityId => ({ entityType: r.toType as EntityType, id: r.toId });

/** EntityRelation as ThingsBoard serialises it; also the rule-node seam's Relation. */
export const relationJson = (r: RelationEntity): Relation => ({
  from: fromIdOf(r),
  to: toIdOf(r),
  type: r.type,
  typeGroup: r.typeGroup,
  additionalInfo: r.additionalInfo,
});

/** EntityRelationInfo: the relation plus the names of both ends. */
export const relationInfoJson = (r: RelationEntity, fromName: string, toName: string) => ({ ...relationJson(r), fromName, toName });
