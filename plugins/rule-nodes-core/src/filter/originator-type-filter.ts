import { RELATION, type EntityType, type RuleNodeDescriptor } from '@edgewise/plugin-api';
import { entityTypeSchema } from './entity-types';

export interface OriginatorTypeFilterConfig {
  originatorTypes: EntityType[];
}

/** "entity type filter": True when the originator is of one of the configured entity types. */
export const originatorTypeFilterNode: RuleNodeDescriptor<OriginatorTypeFilterConfig> = {
  type: 'core/originator-type-filter',
  category: 'filter',
  name: 'entity type filter',
  description:
    'Sends the message by True when its originator is of one of the selected entity types (device, asset …), otherwise by False.',
  relations: [RELATION.TRUE, RELATION.FALSE, RELATION.FAILURE],
  configSchema: {
    type: 'object',
    properties: {
      originatorTypes: { type: 'array', title: 'Originator types', items: entityTypeSchema, uniqueItems: true },
    },
    required: ['originatorTypes'],
  },
  defaultConfig: { originatorTypes: ['DEVICE'] },
  thingsboardClass: 'org.thingsboard.rule.engine.filter.TbOriginatorTypeFilterNode',
  icon: 'filter_list',
  create(config) {
    const accepted = new Set<string>(config.originatorTypes);
    return {
      onMsg(msg, ctx) {
        ctx.tellNext(msg, accepted.has(msg.originator.entityType) ? RELATION.TRUE : RELATION.FALSE);
      },
    };
  },
};
