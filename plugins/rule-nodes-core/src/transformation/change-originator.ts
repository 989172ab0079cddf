import type { EntityId, EntityType, RuleMsg, RuleNodeContext, RuleNodeDescriptor } from '@edgewise/plugin-api';
import { isJsonObject, jsonDataOf } from './msg-data';
import { DEFAULT_RELATIONS_QUERY, findRelatedEntities, relationsQuerySchema, type RelationsQuery } from './relations-query';
import { fillTemplate } from './templates';

export type OriginatorSource = 'CUSTOMER' | 'TENANT' | 'RELATED' | 'ALARM_ORIGINATOR' | 'ENTITY';

export interface ChangeOriginatorConfig {
  originatorSource: OriginatorSource;
  /** RELATED: how to find the related entity (the first one found wins). */
  relationsQuery: RelationsQuery | null;
  /** ENTITY: the type of the entity looked up by name. */
  entityType: EntityType | null;
  /** ENTITY: its name (a user's e-mail), with `${metadataKey}` / `$[dataKey]` placeholders. */
  entityNamePattern: string | null;
}

/** Entity types "entity by name pattern" can look up, with the words ThingsBoard's errors use for them. */
const NAMED_ENTITY_TYPES: Partial<Record<EntityType, string>> = {
  DEVICE: 'device',
  ASSET: 'asset',
  ENTITY_VIEW: 'entity view',
  EDGE: 'edge',
  USER: 'user',
};

const NOT_FOUND_REASON: Record<OriginatorSource, string> = {
  CUSTOMER: 'is not assigned to a customer (only assigned devices, assets, entity views, users … have one)',
  TENANT: '',
  RELATED: 'has no relation that matches the relations query',
  ALARM_ORIGINATOR: 'is an alarm, but the message data is not that alarm with its "originator"',
  ENTITY: '',
};

function validate(config: ChangeOriginatorConfig): void {
  if (!config.originatorSource) throw new Error('Choose where the new originator comes from ("originatorSource")');
  if (config.originatorSource === 'RELATED' && !config.relationsQuery) {
    throw new Error('Set "relationsQuery": it finds the related entity when the originator source is RELATED');
  }
  if (config.originatorSource === 'ENTITY') {
    if (!config.entityType || !NAMED_ENTITY_TYPES[config.entityType]) {
      throw new Error(`Set "entityType" to one of ${Object.keys(NAMED_ENTITY_TYPES).join(', ')} when the originator source is ENTITY`);
    }
    if (!config.entityNamePattern?.trim()) throw new Error('Set "entityNamePattern": the name of the entity to use as originator');
  }
}

/**
 * The originator of the alarm a message is about. The seam cannot look an alarm up by id, so the alarm comes
 * from the message data, which for alarm messages is the alarm itself (`{"id":…,"originator":{…}}`).
 */
function alarmOriginator(msg: RuleMsg): EntityId | null {
  if (msg.originator.entityType !== 'ALARM') {
    throw new Error(`The originator is a ${msg.originator.entityType}, not an ALARM: "alarm originator" only works on alarm messages`);
  }
  const alarm = jsonDataOf(msg);
  if (!isJsonObject(alarm) || !isJsonObject(alarm.originator)) return null;
  const alarmId = isJsonObject(alarm.id) ? alarm.id.id : alarm.id;
  const { entityType, id } = alarm.originator;
  if (alarmId !== msg.originator.id || typeof entityType !== 'string' || typeof id !== 'string') return null;
  return { entityType: entityType as EntityType, id };
}

async function newOriginator(config: ChangeOriginatorConfig, msg: RuleMsg, ctx: RuleNodeContext): Promise<EntityId | null> {
  switch (config.originatorSource) {
    case 'CUSTOMER': {
      if (msg.originator.entityType === 'CUSTOMER') return msg.originator;
      const customerId = (await ctx.services.entities.get(msg.originator))?.customerId;
      return customerId ? { entityType: 'CUSTOMER', id: customerId } : null;
    }
    case 'TENANT':
      return { entityType: 'TENANT', id: ctx.tenantId };
    case 'RELATED':
      return (await findRelatedEntities(ctx.services, msg.originator, config.relationsQuery!))[0] ?? null;
    case 'ALARM_ORIGINATOR':
      return alarmOriginator(msg);
    case 'ENTITY': {
      const name = fillTemplate(config.entityNamePattern!, msg);
      const entity = await ctx.services.entities.findByName(config.entityType!, name);
      if (!entity) throw new Error(`Failed to find ${NAMED_ENTITY_TYPES[config.entityType!]} with name '${name}'!`);
      return entity.id;
    }
  }
}

/** "change originator": the message continues as if another entity had sent it. */
export const changeOriginatorNode: RuleNodeDescriptor<ChangeOriginatorConfig> = {
  type: 'core/change-originator',
  category: 'transformation',
  name: 'change originator',
  description:
    "Makes another entity the message originator: the originator's customer, the tenant, a related entity, the originator of an alarm, or an entity found by a name pattern.",
  relations: ['Success', 'Failure'],
  configSchema: {
    type: 'object',
    properties: {
      originatorSource: {
        type: 'string',
        enum: ['CUSTOMER', 'TENANT', 'RELATED', 'ALARM_ORIGINATOR', 'ENTITY'],
        title: 'New originator',
      },
      relationsQuery: { ...relationsQuerySchema, type: ['object', 'null'], title: 'Relations query (related entity)' },
      entityType: {
        type: ['string', 'null'],
        enum: [...Object.keys(NAMED_ENTITY_TYPES), null],
        title: 'Entity type (entity by name pattern)',
      },
      entityNamePattern: { type: ['string', 'null'], title: 'Name pattern, e.g. ${deviceName}-asset (entity by name pattern)' },
    },
    required: ['originatorSource'],
  },
  defaultConfig: { originatorSource: 'CUSTOMER', relationsQuery: DEFAULT_RELATIONS_QUERY, entityType: null, entityNamePattern: null },
  thingsboardClass: 'org.thingsboard.rule.engine.transform.TbChangeOriginatorNode',
  icon: 'find_replace',
  create(config) {
    validate(config);
    return {
      async onMsg(msg, ctx) {
        const originator = await newOriginator(config, msg, ctx);
        if (!originator) {
          const { entityType, id } = msg.originator;
          throw new Error(`Failed to find new originator: ${entityType} ${id} ${NOT_FOUND_REASON[config.originatorSource]}`);
        }
        ctx.tellSuccess(ctx.transformMsg(msg, { originator }));
      },
    };
  },
};
