import { RELATION, type RuleNodeDescriptor } from '@edgewise/plugin-api';
import { ENTITY_TYPE_NAMES, entityTypeName } from './entity-types';

/** "entity type switch": routes by the originator's entity type as the editor names it ("Device", "Entity View" …). */
export const originatorTypeSwitchNode: RuleNodeDescriptor<Record<string, never>> = {
  type: 'core/originator-type-switch',
  category: 'filter',
  name: 'entity type switch',
  description: 'Routes each message by the entity type of its originator: "Device", "Asset", "Entity View", "Customer" and so on.',
  relations: [...Object.values(ENTITY_TYPE_NAMES), RELATION.FAILURE],
  configSchema: { type: 'object', properties: {} },
  defaultConfig: {},
  thingsboardClass: 'org.thingsboard.rule.engine.filter.TbOriginatorTypeSwitchNode',
  icon: 'filter_list',
  create() {
    return {
      onMsg(msg, ctx) {
        ctx.tellNext(msg, entityTypeName(msg.originator.entityType));
      },
    };
  },
};
