import type { RuleNodeDescriptor } from '@edgewise/plugin-api';
import { fillTemplate } from '../transformation/templates';
import {
  COMMON_RELATION_GROUP,
  findTarget,
  relationConfigSchemaProperties,
  relationEnds,
  removeRelationsOfType,
  requireTargetType,
  upgradeRelationConfig,
  type RelationActionConfig,
} from './relation-target';

export interface CreateRelationConfig extends RelationActionConfig {
  createEntityIfNotExists: boolean;
  /** Remove the originator's other relations of this type and direction first (e.g. "in geofence"). */
  removeCurrentRelations: boolean;
  /** Continue with the target entity as the message's originator. */
  changeOriginatorToRelatedEntity: boolean;
}

/** "create relation": relates the originator to an entity found by name (or the tenant). */
export const createRelationNode: RuleNodeDescriptor<CreateRelationConfig> = {
  type: 'core/create-relation',
  category: 'action',
  name: 'create relation',
  description: 'Finds the target entity by type and name and creates a relation of the configured type and direction with the originator.',
  relations: ['Success', 'Failure'],
  configSchema: {
    type: 'object',
    properties: {
      ...relationConfigSchemaProperties,
      createEntityIfNotExists: { type: 'boolean', default: false, title: 'Create a new entity if it does not exist (not supported yet)' },
      removeCurrentRelations: { type: 'boolean', default: false, title: 'Remove current relations of this type first' },
      changeOriginatorToRelatedEntity: { type: 'boolean', default: false, title: 'Change the originator to the target entity' },
    },
    required: ['direction', 'relationType', 'entityType'],
  },
  defaultConfig: {
    direction: 'FROM',
    relationType: 'Contains',
    entityType: null,
    entityNamePattern: '',
    entityTypePattern: null,
    createEntityIfNotExists: false,
    removeCurrentRelations: false,
    changeOriginatorToRelatedEntity: false,
  },
  configVersion: 1,
  upgrade: upgradeRelationConfig,
  thingsboardClass: 'org.thingsboard.rule.engine.action.TbCreateRelationNode',
  icon: 'add_circle',
  create(config) {
    requireTargetType(config.entityType);
    return {
      async onMsg(msg, ctx) {
        const target = await findTarget(ctx, msg, config, config.createEntityIfNotExists);
        const type = fillTemplate(config.relationType, msg);
        if (config.removeCurrentRelations) await removeRelationsOfType(ctx, msg.originator, config.direction, type);
        const { from, to } = relationEnds(config.direction, msg.originator, target);
        // An existing relation is left as it is (saving would overwrite its additionalInfo).
        if (!(await ctx.services.relations.exists(from, to, type))) {
          await ctx.services.relations.save({ from, to, type, typeGroup: COMMON_RELATION_GROUP });
        }
        ctx.tellSuccess(config.changeOriginatorToRelatedEntity ? ctx.transformMsg(msg, { originator: target }) : msg);
      },
    };
  },
};
