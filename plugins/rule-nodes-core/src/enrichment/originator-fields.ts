import { RELATION, type RuleNodeDescriptor } from '@edgewise/plugin-api';
import { dataMappingSchema, putEntityFields, requireMapping } from './entity-data';
import { FetchTarget, fetchToSchema, type FetchTo } from './fetch-to';
import { fillTemplate } from '../transformation/templates';

export interface OriginatorFieldsConfig {
  /** Originator field (`name`, `type`, `label`, `email`, `additionalInfo.x` …) → key it gets in the message. */
  dataMapping: Record<string, string>;
  /** Leave out fields whose value is null or empty instead of adding "null" / "". */
  ignoreNullStrings: boolean;
  fetchTo: FetchTo;
}

/** "originator fields": adds fields of the originator entity (name, profile name, label …) to the message. */
export const originatorFieldsNode: RuleNodeDescriptor<OriginatorFieldsConfig> = {
  type: 'core/originator-fields',
  category: 'enrichment',
  name: 'originator fields',
  description:
    'Adds fields of the message originator (name, profile name, label, email, creation time …) to the message or its metadata under the keys you map them to.',
  relations: [RELATION.SUCCESS, RELATION.FAILURE],
  configSchema: {
    type: 'object',
    properties: {
      dataMapping: { ...dataMappingSchema, title: 'Fields mapping (originator field → target key)' },
      ignoreNullStrings: { type: 'boolean', title: 'Skip null or empty values' },
      fetchTo: fetchToSchema,
    },
    required: ['dataMapping', 'fetchTo'],
  },
  defaultConfig: { dataMapping: { name: 'originatorName', type: 'originatorType' }, ignoreNullStrings: false, fetchTo: 'METADATA' },
  configVersion: 1,
  upgrade(fromVersion, oldConfig) {
    if (fromVersion > 0) return oldConfig;
    // Version 0 called the mapping `fieldsMapping` and always wrote to the metadata.
    const { fieldsMapping, ...rest } = oldConfig;
    if (fieldsMapping === undefined)
      throw new Error('the version 0 configuration has no "fieldsMapping"; add it (originator field → target key)');
    return { ...rest, dataMapping: fieldsMapping, fetchTo: 'METADATA' };
  },
  thingsboardClass: 'org.thingsboard.rule.engine.metadata.TbGetOriginatorFieldsNode',
  icon: 'playlist_add',
  create(config) {
    requireMapping(config.dataMapping, 'originator field → target key');
    return {
      async onMsg(msg, ctx) {
        const target = FetchTarget.for(msg, config.fetchTo);
        const mapping = Object.entries(config.dataMapping).map(([field, targetKey]): [string, string] => [
          field,
          fillTemplate(targetKey, msg),
        ]);
        await putEntityFields(ctx, msg.originator, mapping, config.ignoreNullStrings, target);
        ctx.tellSuccess(target.applyTo(msg, ctx));
      },
    };
  },
};
