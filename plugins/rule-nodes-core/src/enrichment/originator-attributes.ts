import { RELATION, type AttributeScope, type KvRecord, type RuleNodeDescriptor } from '@edgewise/plugin-api';
import { FetchTarget, fetchToFromLegacyFlag, fetchToSchema, type FetchTo } from './fetch-to';
import { fillTemplate } from '../transformation/templates';
import { kvJson, kvWithTsText } from './kv-text';

export interface OriginatorAttributesConfig {
  clientAttributeNames: string[];
  sharedAttributeNames: string[];
  serverAttributeNames: string[];
  latestTsKeyNames: string[];
  /** Leave by Failure (with whatever was found) when a listed key has no value. */
  tellFailureIfAbsent: boolean;
  /** Latest telemetry as `{"ts":…,"value":…}` instead of the bare value. */
  getLatestValueWithTs: boolean;
  fetchTo: FetchTo;
}

/** One group of keys: ThingsBoard's label for it (in the failure text), the prefix its keys get, and what was found. */
interface FetchedGroup {
  label: AttributeScope | 'LATEST_TS';
  prefix: string;
  records: KvRecord[];
  missing: string[];
}

const ATTRIBUTE_SCOPES = [
  { scope: 'CLIENT_SCOPE', prefix: 'cs_', setting: 'clientAttributeNames' },
  { scope: 'SHARED_SCOPE', prefix: 'shared_', setting: 'sharedAttributeNames' },
  { scope: 'SERVER_SCOPE', prefix: 'ss_', setting: 'serverAttributeNames' },
] as const;

const keyListSchema = (title: string) => ({ type: 'array', title, items: { type: 'string', minLength: 1 } });

const missingKeys = (keys: readonly string[], records: readonly KvRecord[]) => keys.filter((key) => !records.some((r) => r.key === key));

/** "originator attributes": adds the originator's attributes (by scope) and latest telemetry to the message. */
export const originatorAttributesNode: RuleNodeDescriptor<OriginatorAttributesConfig> = {
  type: 'core/originator-attributes',
  category: 'enrichment',
  name: 'originator attributes',
  description:
    'Adds attributes (client, shared, server scope) and latest telemetry of the message originator to the message or its metadata, e.g. a threshold to compare against.',
  relations: [RELATION.SUCCESS, RELATION.FAILURE],
  configSchema: {
    type: 'object',
    properties: {
      clientAttributeNames: keyListSchema('Client attributes (added as cs_<key>)'),
      sharedAttributeNames: keyListSchema('Shared attributes (added as shared_<key>)'),
      serverAttributeNames: keyListSchema('Server attributes (added as ss_<key>)'),
      latestTsKeyNames: keyListSchema('Latest telemetry keys'),
      tellFailureIfAbsent: { type: 'boolean', title: 'Tell failure if any of the keys is missing' },
      getLatestValueWithTs: { type: 'boolean', title: 'Fetch latest telemetry with its timestamp ({"ts":…,"value":…})' },
      fetchTo: fetchToSchema,
    },
    required: ['clientAttributeNames', 'sharedAttributeNames', 'serverAttributeNames', 'latestTsKeyNames', 'fetchTo'],
  },
  defaultConfig: {
    clientAttributeNames: [],
    sharedAttributeNames: [],
    serverAttributeNames: [],
    latestTsKeyNames: [],
    tellFailureIfAbsent: true,
    getLatestValueWithTs: false,
    fetchTo: 'METADATA',
  },
  configVersion: 1,
  upgrade: (fromVersion, oldConfig) => (fromVersion === 0 ? fetchToFromLegacyFlag(oldConfig, 'fetchToData') : oldConfig),
  thingsboardClass: 'org.thingsboard.rule.engine.metadata.TbGetAttributesNode',
  icon: 'playlist_add',
  create(config) {
    return {
      async onMsg(msg, ctx) {
        const target = FetchTarget.for(msg, config.fetchTo);
        const keysOf = (names: readonly string[]) => [...new Set(names.map((name) => fillTemplate(name, msg)))];
        const originator = msg.originator;

        const attributeGroups = ATTRIBUTE_SCOPES.map(async ({ scope, prefix, setting }): Promise<FetchedGroup> => {
          const keys = keysOf(config[setting]);
          const records = keys.length ? await ctx.services.attributes.find(originator, scope, keys) : [];
          return { label: scope, prefix, records, missing: missingKeys(keys, records) };
        });
        const telemetryKeys = keysOf(config.latestTsKeyNames);
        const telemetryGroup = (async (): Promise<FetchedGroup> => {
          const records = telemetryKeys.length ? await ctx.services.timeseries.latest(originator, telemetryKeys) : [];
          return { label: 'LATEST_TS', prefix: '', records, missing: missingKeys(telemetryKeys, records) };
        })();
        const groups = await Promise.all([...attributeGroups, telemetryGroup]);

        // Later groups win when two put the same key, in ThingsBoard's order: client, shared, server, telemetry.
        for (const { label, prefix, records } of groups) {
          for (const record of records) {
            if (label === 'LATEST_TS' && config.getLatestValueWithTs)
              target.putText(record.key, kvWithTsText(record), { ts: record.ts, value: kvJson(record) });
            else target.putKv(prefix + record.key, record);
          }
        }
        const enriched = target.applyTo(msg, ctx);
        const absent = groups.filter((g) => g.missing.length);
        if (config.tellFailureIfAbsent && absent.length) {
          const list = absent.map((g) => `[${g.label}]:[${g.missing.join(', ')}]`).join(', ');
          ctx.tellFailure(
            enriched,
            `The following attribute/telemetry keys is not present in the DB: ${list}. ` +
              'Save them for the originator first, or turn off "tellFailureIfAbsent" to continue without them.',
          );
        } else {
          ctx.tellSuccess(enriched);
        }
      },
    };
  },
};
