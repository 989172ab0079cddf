import {
  RELATION,
  type EntityId,
  type JsonSchema,
  type KvRecord,
  type RuleMsg,
  type RuleNodeContext,
  type RuleNodeDescriptor,
} from '@edgewise/plugin-api';
import { entityFieldsJson, entityFieldText } from './entity-fields';
import { FetchTarget, fetchToSchema, type FetchTo } from './fetch-to';
import { fillTemplate } from '../transformation/templates';

/** What a mapping-based enrichment node reads from the entity it found. */
export type DataToFetch = 'ATTRIBUTES' | 'LATEST_TELEMETRY' | 'FIELDS';

/** Configuration shared by the customer, tenant and related-entity data nodes (ThingsBoard's TbGetEntityDataNodeConfiguration). */
export interface EntityDataConfig {
  /** Source key (attribute, telemetry key or field) → key it gets in the message; both may use ${…}/$[…] patterns. */
  dataMapping: Record<string, string>;
  dataToFetch: DataToFetch;
  fetchTo: FetchTo;
}

export const dataMappingSchema = {
  type: 'object',
  title: 'Data mapping (source key → target key)',
  description: 'Keys may use ${metadataKey} and $[dataKey] patterns',
  additionalProperties: { type: 'string', minLength: 1 },
  minProperties: 1,
} as const;

/** Refuses an empty mapping (the node would add nothing); `pair` says what maps to what, for the message. */
export function requireMapping(mapping: Record<string, string> | null | undefined, pair: string): void {
  if (!Object.keys(mapping ?? {}).length) throw new Error(`Add at least one entry to "dataMapping" (${pair})`);
}

/**
 * Configuration version 0 → 1: `attrMapping` became `dataMapping`, the boolean `telemetry`
 * became `dataToFetch` (true → LATEST_TELEMETRY, false → ATTRIBUTES), and values still go to the metadata.
 */
function upgradeEntityDataConfig(fromVersion: number, oldConfig: Record<string, unknown>): Record<string, unknown> {
  if (fromVersion > 0) return oldConfig;
  const { attrMapping, telemetry, ...rest } = oldConfig;
  if (attrMapping === undefined) throw new Error('the version 0 configuration has no "attrMapping"; add it (source key → target key)');
  const dataToFetch = { true: 'LATEST_TELEMETRY', false: 'ATTRIBUTES' }[String(telemetry)];
  if (!dataToFetch) throw new Error(`"telemetry" is ${JSON.stringify(telemetry)}; set it to true or false`);
  return { ...rest, dataMapping: attrMapping, dataToFetch, fetchTo: 'METADATA' };
}

/**
 * Adds fields of `entity` to `target` by a source field → target key mapping; fields the entity lacks (and,
 * with `ignoreNullStrings`, null or empty ones) are left out.
 */
export async function putEntityFields(
  ctx: RuleNodeContext,
  entity: EntityId,
  mapping: Iterable<[string, string]>,
  ignoreNullStrings: boolean,
  target: FetchTarget,
): Promise<void> {
  const found = await ctx.services.entities.get(entity);
  if (!found) throw new Error(`${entity.entityType} ${entity.id} not found: it may have been deleted`);
  const fields = entityFieldsJson(found);
  for (const [source, targetKey] of mapping) {
    const value = entityFieldText(fields, source, ignoreNullStrings);
    if (value !== null) target.putText(targetKey, value);
  }
}

/**
 * Adds the mapped data of `entity` to the message and sends it by Success. Attributes are read from the
 * server scope; missing keys are simply not added.
 */
async function addMappedData(
  msg: RuleMsg,
  ctx: RuleNodeContext,
  entity: EntityId,
  config: EntityDataConfig,
  target: FetchTarget,
): Promise<void> {
  const pattern = (template: string) => fillTemplate(template, msg);
  if (config.dataToFetch === 'FIELDS') {
    // As in ThingsBoard, field names are taken literally; only target keys are patterns.
    const mapping = Object.entries(config.dataMapping).map(([field, targetKey]): [string, string] => [field, pattern(targetKey)]);
    await putEntityFields(ctx, entity, mapping, true, target);
  } else {
    const targetKeyOf = new Map(Object.entries(config.dataMapping).map(([source, targetKey]) => [pattern(source), pattern(targetKey)]));
    const sourceKeys = [...targetKeyOf.keys()];
    const records: KvRecord[] =
      config.dataToFetch === 'ATTRIBUTES'
        ? await ctx.services.attributes.find(entity, 'SERVER_SCOPE', sourceKeys)
        : await ctx.services.timeseries.latest(entity, sourceKeys);
    for (const record of records) target.putKv(targetKeyOf.get(record.key)!, record);
  }
  ctx.tellSuccess(target.applyTo(msg, ctx));
}

/**
 * A node that finds one entity for each message (the originator's customer, the tenant, a related entity)
 * and adds its mapped data: ThingsBoard's TbAbstractGetEntityDataNode family, configuration version 1.
 */
export function entityDataNode<C extends EntityDataConfig>(spec: {
  type: string;
  name: string;
  description: string;
  thingsboardClass: string;
  supported: readonly DataToFetch[];
  defaultConfig: C;
  /** Settings beyond EntityDataConfig, as JSON Schema properties (all required). */
  extraProperties?: Record<string, JsonSchema>;
  /** The entity whose data to add; throws a clear error when there is none. */
  findEntity(msg: RuleMsg, ctx: RuleNodeContext, config: C): Promise<EntityId>;
}): RuleNodeDescriptor<C> {
  const extra = spec.extraProperties ?? {};
  return {
    type: spec.type,
    category: 'enrichment',
    name: spec.name,
    description: spec.description,
    relations: [RELATION.SUCCESS, RELATION.FAILURE],
    configSchema: {
      type: 'object',
      properties: {
        ...extra,
        dataToFetch: { type: 'string', enum: spec.supported, title: 'Data to fetch' },
        dataMapping: dataMappingSchema,
        fetchTo: fetchToSchema,
      },
      required: [...Object.keys(extra), 'dataToFetch', 'dataMapping', 'fetchTo'],
    },
    defaultConfig: spec.defaultConfig,
    configVersion: 1,
    upgrade: upgradeEntityDataConfig,
    thingsboardClass: spec.thingsboardClass,
    icon: 'playlist_add',
    create(config) {
      requireMapping(config.dataMapping, 'source key → target key');
      if (!spec.supported.includes(config.dataToFetch))
        throw new Error(`"dataToFetch" is ${JSON.stringify(config.dataToFetch)}; this node supports ${spec.supported.join(', ')}`);
      return {
        async onMsg(msg, ctx) {
          // Made first, as in ThingsBoard: data that cannot take the values fails before any lookup.
          const target = FetchTarget.for(msg, config.fetchTo);
          const entity = await spec.findEntity(msg, ctx, config);
          await addMappedData(msg, ctx, entity, config, target);
        },
      };
    },
  };
}
