import type { RuleNodeDescriptor } from '@edgewise/plugin-api';
import { copyOfDataObject, mutableCopy } from './msg-data';
import { keyMatcher, metadataText, MSG_SOURCE_CONFIG_VERSION, msgSourceSchema, upgradeMsgSource, type MsgSource } from './msg-source';

export interface CopyKeysConfig {
  /** Where the key-value pairs come from; they are copied to the other side. */
  copyFrom: MsgSource;
  /** Regular expressions; a key is copied when one of them matches it whole. */
  keys: string[];
}

/** "copy key-value pairs": copies matching keys from data to metadata or the other way round. */
export const copyKeysNode: RuleNodeDescriptor<CopyKeysConfig> = {
  type: 'core/copy-keys',
  category: 'transformation',
  name: 'copy key-value pairs',
  description:
    'Copies the key-value pairs whose keys match the configured names or regular expressions from the message data to its metadata, or from the metadata to the data. Keys not found are skipped.',
  relations: ['Success', 'Failure'],
  configSchema: {
    type: 'object',
    properties: {
      copyFrom: msgSourceSchema('Copy from (the pairs go to the other side)'),
      keys: { type: 'array', items: { type: 'string' }, uniqueItems: true, title: 'Keys (names or regular expressions)' },
    },
    required: ['copyFrom', 'keys'],
  },
  defaultConfig: { copyFrom: 'DATA', keys: [] },
  configVersion: MSG_SOURCE_CONFIG_VERSION,
  upgrade: (fromVersion, oldConfig) => upgradeMsgSource(fromVersion, oldConfig, 'copyFrom', 'fromMetadata'),
  thingsboardClass: 'org.thingsboard.rule.engine.transform.TbCopyKeysNode',
  icon: 'content_copy',
  create(config) {
    const matches = keyMatcher(config.keys);
    return {
      onMsg(msg, ctx) {
        // Like ThingsBoard, the node only works on data that is a JSON object; other messages pass unchanged.
        const data = copyOfDataObject(msg);
        if (!data) return ctx.tellSuccess(msg);
        if (config.copyFrom === 'METADATA') {
          const keys = Object.keys(msg.metadata).filter(matches);
          for (const key of keys) data[key] = msg.metadata[key];
          ctx.tellSuccess(keys.length ? ctx.transformMsg(msg, { data: JSON.stringify(data) }) : msg);
        } else {
          const keys = Object.keys(data).filter(matches);
          const metadata = mutableCopy(msg.metadata);
          for (const key of keys) metadata[key] = metadataText(data[key]);
          ctx.tellSuccess(keys.length ? ctx.transformMsg(msg, { metadata }) : msg);
        }
      },
    };
  },
};
