import type { RuleNodeDescriptor } from '@edgewise/plugin-api';
import { copyOfDataObject, mutableCopy } from './msg-data';
import { keyMatcher, MSG_SOURCE_CONFIG_VERSION, msgSourceSchema, upgradeMsgSource, type MsgSource } from './msg-source';

export interface DeleteKeysConfig {
  deleteFrom: MsgSource;
  /** Regular expressions; a key is deleted when one of them matches it whole. */
  keys: string[];
}

/** Deletes the matching keys of an object; undefined when none matched. */
function withoutMatching<T>(object: Record<string, T>, matches: (key: string) => boolean): Record<string, T> | undefined {
  const doomed = Object.keys(object).filter(matches);
  for (const key of doomed) delete object[key];
  return doomed.length ? object : undefined;
}

/** "delete key-value pairs": deletes matching keys from the message data or metadata. */
export const deleteKeysNode: RuleNodeDescriptor<DeleteKeysConfig> = {
  type: 'core/delete-keys',
  category: 'transformation',
  name: 'delete key-value pairs',
  description:
    'Deletes the key-value pairs whose keys match the configured names or regular expressions from the message data or metadata.',
  relations: ['Success', 'Failure'],
  configSchema: {
    type: 'object',
    properties: {
      deleteFrom: msgSourceSchema('Delete from'),
      keys: { type: 'array', items: { type: 'string' }, uniqueItems: true, title: 'Keys (names or regular expressions)' },
    },
    required: ['deleteFrom', 'keys'],
  },
  defaultConfig: { deleteFrom: 'DATA', keys: [] },
  configVersion: MSG_SOURCE_CONFIG_VERSION,
  upgrade: (fromVersion, oldConfig) => upgradeMsgSource(fromVersion, oldConfig, 'deleteFrom', 'dataToFetch'),
  thingsboardClass: 'org.thingsboard.rule.engine.transform.TbDeleteKeysNode',
  icon: 'remove_circle',
  create(config) {
    const matches = keyMatcher(config.keys);
    return {
      onMsg(msg, ctx) {
        if (config.deleteFrom === 'METADATA') {
          const metadata = withoutMatching(mutableCopy(msg.metadata), matches);
          ctx.tellSuccess(metadata ? ctx.transformMsg(msg, { metadata }) : msg);
          return;
        }
        // Data that is not a JSON object passes unchanged, as in ThingsBoard.
        const data = copyOfDataObject(msg);
        const changed = data && withoutMatching(data, matches);
        ctx.tellSuccess(changed ? ctx.transformMsg(msg, { data: JSON.stringify(changed) }) : msg);
      },
    };
  },
};
