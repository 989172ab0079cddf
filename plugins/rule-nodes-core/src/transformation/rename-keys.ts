import type { RuleNodeDescriptor } from '@edgewise/plugin-api';
import { copyOfDataObject, mutableCopy } from './msg-data';
import { MSG_SOURCE_CONFIG_VERSION, msgSourceSchema, upgradeMsgSource, type MsgSource } from './msg-source';

export interface RenameKeysConfig {
  renameIn: MsgSource;
  /** Current key → new key. */
  renameKeysMapping: Record<string, string>;
}

/** Renames keys of an object in place of the same pairs, in mapping order; keys that are absent are skipped. */
function renamed<T>(object: Record<string, T>, mapping: Record<string, string>): Record<string, T> | undefined {
  let changed = false;
  for (const [from, to] of Object.entries(mapping)) {
    if (!Object.hasOwn(object, from) || from === to) continue;
    object[to] = object[from];
    delete object[from];
    changed = true;
  }
  return changed ? object : undefined;
}

/** "rename keys": renames keys of the message data or metadata. */
export const renameKeysNode: RuleNodeDescriptor<RenameKeysConfig> = {
  type: 'core/rename-keys',
  category: 'transformation',
  name: 'rename keys',
  description: 'Renames keys of the message data or metadata by a mapping of current to new names; keys not present are skipped.',
  relations: ['Success', 'Failure'],
  configSchema: {
    type: 'object',
    properties: {
      renameIn: msgSourceSchema('Rename keys in'),
      renameKeysMapping: {
        type: 'object',
        additionalProperties: { type: 'string', minLength: 1 },
        minProperties: 1,
        title: 'Current key name → new key name',
      },
    },
    required: ['renameIn', 'renameKeysMapping'],
  },
  defaultConfig: { renameIn: 'DATA', renameKeysMapping: { temperatureCelsius: 'temperature' } },
  configVersion: MSG_SOURCE_CONFIG_VERSION,
  upgrade: (fromVersion, oldConfig) => upgradeMsgSource(fromVersion, oldConfig, 'renameIn', 'fromMetadata'),
  thingsboardClass: 'org.thingsboard.rule.engine.transform.TbRenameKeysNode',
  icon: 'find_replace',
  create(config) {
    if (!config.renameKeysMapping || !Object.keys(config.renameKeysMapping).length) {
      throw new Error('Add at least one key to rename to "renameKeysMapping"');
    }
    return {
      onMsg(msg, ctx) {
        if (config.renameIn === 'METADATA') {
          const metadata = renamed(mutableCopy(msg.metadata), config.renameKeysMapping);
          ctx.tellSuccess(metadata ? ctx.transformMsg(msg, { metadata }) : msg);
          return;
        }
        // Data that is not a JSON object has no keys to rename: it passes unchanged, as in ThingsBoard.
        const data = copyOfDataObject(msg);
        const changed = data && renamed(data, config.renameKeysMapping);
        ctx.tellSuccess(changed ? ctx.transformMsg(msg, { data: JSON.stringify(changed) }) : msg);
      },
    };
  },
};
