import {
  RELATION,
  type EntityId,
  type EntityType,
  type RelationDirection,
  type RuleNodeContext,
  type RuleNodeDescriptor,
} from '@edgewise/plugin-api';
import { ENTITY_TYPES } from './entity-types';

export interface CheckRelationPresenceConfig {
  /** FROM: relations from the originator to other entities; TO: relations from other entities to it. */
  direction: RelationDirection;
  /** Check for a relation with one given entity (entityType + entityId) instead of with any entity. */
  checkForSingleEntity: boolean;
  entityType: EntityType | null;
  entityId: string | null;
  relationType: string;
}

/** "check relation presence": True when the originator has a relation of the type (with one entity, or any). */
export const checkRelationPresenceNode: RuleNodeDescriptor<CheckRelationPresenceConfig> = {
  type: 'core/check-relation-presence',
  category: 'filter',
  name: 'check relation presence',
  description:
    'Routes by True when the originator has a relation of the configured type and direction, to one chosen entity or to any entity; otherwise by False.',
  relations: [RELATION.TRUE, RELATION.FALSE, RELATION.FAILURE],
  configSchema: {
    type: 'object',
    properties: {
      direction: {
        type: 'string',
        enum: ['FROM', 'TO'],
        title: 'Direction',
        description: 'FROM: the originator is the relation\u2019s source; TO: the originator is its target',
      },
      relationType: { type: 'string', title: 'Relation type', minLength: 1 },
      checkForSingleEntity: { type: 'boolean', title: 'Check relation to a specific entity' },
      entityType: { type: ['string', 'null'], enum: [...ENTITY_TYPES, null], title: 'Entity type' },
      entityId: { type: ['string', 'null'], title: 'Entity id' },
    },
    required: ['direction', 'relationType', 'checkForSingleEntity'],
  },
  defaultConfig: { direction: 'FROM', entityId: null, entityType: null, relationType: 'Contains', checkForSingleEntity: true },
  configVersion: 1,
  upgrade(fromVersion, oldConfig) {
    if (fromVersion > 0) return oldConfig;
    // Version 0 named the direction from the other entity's side; version 1 names it from the originator's.
    const flipped = { FROM: 'TO', TO: 'FROM' }[String(oldConfig.direction)];
    if (!flipped) throw new Error(`"direction" is ${JSON.stringify(oldConfig.direction)}; set it to FROM or TO`);
    return { ...oldConfig, direction: flipped };
  },
  thingsboardClass: 'org.thingsboard.rule.engine.filter.TbCheckRelationNode',
  icon: 'filter_list',
  async create(config, init) {
    const { direction, relationType } = config;
    let singleEntity: EntityId | null = null;
    if (config.checkForSingleEntity) {
      if (!config.entityType || !config.entityId)
        throw new Error('Choose the entity to check the relation with (entityType and entityId), or turn off "checkForSingleEntity"');
      singleEntity = { entityType: config.entityType, id: config.entityId };
      if (!(await init.services.entities.get(singleEntity)))
        throw new Error(
          `${config.entityType} ${config.entityId} does not exist in this tenant: choose an existing entity to check the relation with`,
        );
    }
    const hasRelation = async (originator: EntityId, ctx: RuleNodeContext): Promise<boolean> => {
      if (singleEntity) {
        const [from, to] = direction === 'FROM' ? [originator, singleEntity] : [singleEntity, originator];
        return ctx.services.relations.exists(from, to, relationType);
      }
      // Like ThingsBoard, only user relations (group COMMON) count, not the platform's own.
      const found = await ctx.services.relations.find({ root: originator, direction, relationType, maxLevel: 1 });
      return found.some((relation) => relation.typeGroup === 'COMMON');
    };
    return {
      async onMsg(msg, ctx) {
        const related = await hasRelation(msg.originator, ctx);
        ctx.tellNext(msg, related ? RELATION.TRUE : RELATION.FALSE);
      },
    };
  },
};
