/**
 * What "create relation" and "delete relation" share: the target entity (found by name, or the tenant), the
 * relation's direction from the originator, and removing the originator's relations of a type.
 */

import type { EntityId, EntityType, RelationDirection, RuleMsg, RuleNodeContext } from '@edgewise/plugin-api';
import { fillTemplate } from '../transformation/templates';

export const RELATION_TARGET_TYPES = ['TENANT', 'DEVICE', 'ASSET', 'CUSTOMER', 'ENTITY_VIEW', 'DASHBOARD', 'EDGE', 'USER'] as const;
export type RelationTargetType = (typeof RELATION_TARGET_TYPES)[number];

export interface RelationActionConfig {
  /** FROM: the relation goes from the originator to the target; TO: from the target to the originator. */
  direction: RelationDirection;
  /** Relation type (templates allowed). */
  relationType: string;
  entityType: RelationTargetType | null;
  /** Name of the target (title for customers and dashboards, e-mail for users); templates allowed. */
  entityNamePattern: string;
  /** Profile of a device or asset created when missing (templates allowed). */
  entityTypePattern: string | null;
}

/** Relations made by rule nodes belong to the COMMON group, as in ThingsBoard. */
export const COMMON_RELATION_GROUP = 'COMMON';

/** How ThingsBoard names a target in "… doesn't exist!" failures. */
const TARGET_LABEL: Record<Exclude<RelationTargetType, 'TENANT'>, string> = {
  DEVICE: 'Device with name',
  ASSET: 'Asset with name',
  CUSTOMER: 'Customer with title',
  ENTITY_VIEW: 'Entity View with name',
  DASHBOARD: 'Dashboard with title',
  EDGE: 'Edge with name',
  USER: 'User with email',
};

export const relationConfigSchemaProperties = {
  direction: { type: 'string', enum: ['FROM', 'TO'], default: 'FROM', title: 'Direction (FROM: originator → target)' },
  relationType: { type: 'string', minLength: 1, default: 'Contains', title: 'Relation type (templates allowed)' },
  entityType: { type: ['string', 'null'], enum: [...RELATION_TARGET_TYPES, null], title: 'Target entity type' },
  entityNamePattern: { type: 'string', default: '', title: 'Target name, title or e-mail (templates allowed)' },
  entityTypePattern: { type: ['string', 'null'], title: 'Profile name for a created device or asset (templates allowed)' },
};

/** Refuses a configuration whose target type the node cannot look up. */
export function requireTargetType(entityType: unknown): asserts entityType is RelationTargetType {
  if (!(RELATION_TARGET_TYPES as readonly unknown[]).includes(entityType)) {
    throw new Error(
      `Unsupported entity type '${String(entityType)}'! Choose the target entity type: one of ${RELATION_TARGET_TYPES.join(', ')}`,
    );
  }
}

/**
 * The target entity for a message. A missing one is a failure; `createIfMissing` (ThingsBoard's "create new
 * entity if not exists" for devices, assets and customers) is not supported yet because the services cannot
 * create entities, and the failure says so.
 */
export async function findTarget(
  ctx: RuleNodeContext,
  msg: RuleMsg,
  config: RelationActionConfig,
  createIfMissing: boolean,
): Promise<EntityId> {
  const entityType = config.entityType as RelationTargetType;
  if (entityType === 'TENANT') return { entityType: 'TENANT', id: ctx.tenantId };
  const name = fillTemplate(config.entityNamePattern, msg);
  const target = await ctx.services.entities.findByName(entityType as EntityType, name);
  if (target) return target.id;
  const missing = `${TARGET_LABEL[entityType]} '${name}' doesn't exist!`;
  if (createIfMissing && (entityType === 'DEVICE' || entityType === 'ASSET' || entityType === 'CUSTOMER')) {
    throw new Error(`${missing} Creating missing entities is not supported yet: create it first.`);
  }
  throw new Error(`${missing} Check the target name pattern.`);
}

/** The two ends of a relation between the originator and the target, by direction. */
export function relationEnds(direction: RelationDirection, originator: EntityId, target: EntityId): { from: EntityId; to: EntityId } {
  return direction === 'FROM' ? { from: originator, to: target } : { from: target, to: originator };
}

/** Removes the originator's COMMON relations of a type in a direction; false when one had already gone. */
export async function removeRelationsOfType(
  ctx: RuleNodeContext,
  originator: EntityId,
  direction: RelationDirection,
  type: string,
): Promise<boolean> {
  const relations = await ctx.services.relations.find({ root: originator, direction, relationType: type });
  const removed = await Promise.all(
    relations
      .filter((relation) => relation.typeGroup === COMMON_RELATION_GROUP)
      .map((relation) => ctx.services.relations.remove(relation.from, relation.to, relation.type)),
  );
  return removed.every(Boolean);
}

/**
 * Version 0 stored the direction the other way round (together with `entityCacheExpiration`, gone since):
 * such configurations get the opposite direction.
 */
export function upgradeRelationConfig(fromVersion: number, oldConfig: Record<string, unknown>): Record<string, unknown> {
  if (fromVersion >= 1 || !Object.hasOwn(oldConfig, 'entityCacheExpiration')) return oldConfig;
  const { entityCacheExpiration: _gone, ...config } = oldConfig;
  if (config.direction === 'FROM') return { ...config, direction: 'TO' };
  if (config.direction === 'TO') return { ...config, direction: 'FROM' };
  throw new Error(`Cannot upgrade this relation node: its direction is ${JSON.stringify(config.direction)}; set it to FROM or TO`);
}
