import type { RuleNodeDescriptor } from '@edgewise/plugin-api';
import { fillTemplate } from '../transformation/templates';
import {
  findTarget,
  relationConfigSchemaProperties,
  relationEnds,
  removeRelationsOfType,
  requireTargetType,
  upgradeRelationConfig,
  type RelationActionConfig,
} from './relation-target';

export interface DeleteRelationConfig extends RelationActionConfig {
  /** Delete only the relation with one target entity; otherwise every relation of the type and direction. */
  deleteForSingleEntity: boolean;
}

/** "delete relation": deletes the originator's relations of a type, with one entity or with all. */
export const deleteRelationNode: RuleNodeDescriptor<DeleteRelationConfig> = {
  type: 'core/delete-relation',
  category: 'action',
  name: 'delete relation',
  description: 'Deletes relations of the configured type and direction between the originator and one named entity, or all such relations.',
  relations: ['Success', 'Failure'],
  configSchema: {
    type: 'object',
    properties: {
      deleteForSingleEntity: { type: 'boolean', default: false, title: 'Delete the relation with a specific entity only' },
      ...relationConfigSchemaProperties,
    },
    required: ['direction', 'relationType'],
  },
  defaultConfig: {
    deleteForSingleEntity: false,
    direction: 'FROM',
    relationType: 'Contains',
    entityType: null,
    entityNamePattern: '',
    entityTypePattern: null,
  },
  configVersion: 1,
  upgrade: upgradeRelationConfig,
  thingsboardClass: 'org.thingsboard.rule.engine.action.TbDeleteRelationNode',
  icon: 'remove_circle',
  create(config) {
    if (config.deleteForSingleEntity) requireTargetType(config.entityType);
    return {
      async onMsg(msg, ctx) {
        const type = fillTemplate(config.relationType, msg);
        let deleted: boolean;
        if (config.deleteForSingleEntity) {
          const target = await findTarget(ctx, msg, config, false);
          const { from, to } = relationEnds(config.direction, msg.originator, target);
          // A relation that does not exist counts as deleted, as in ThingsBoard.
          deleted = !(await ctx.services.relations.exists(from, to, type)) || (await ctx.services.relations.remove(from, to, type));
        } else {
          deleted = await removeRelationsOfType(ctx, msg.originator, config.direction, type);
        }
        if (deleted) ctx.tellSuccess(msg);
        else ctx.tellFailure(msg, 'Failed to delete relation(s) with originator! (another change removed them meanwhile; retry if needed)');
      },
    };
  },
};
