import { RELATION, type RuleNodeDescriptor } from '@edgewise/plugin-api';
import { requireDataObject } from '../enrichment/fetch-to';

export interface CheckFieldsPresenceConfig {
  /** Top-level keys of the message data. */
  messageNames: string[];
  metadataNames: string[];
  /** True: every listed field must be present; false: one is enough. */
  checkAllKeys: boolean;
}

/** "check fields presence": True when the listed data keys and metadata keys are there (all of them, or any). */
export const checkFieldsPresenceNode: RuleNodeDescriptor<CheckFieldsPresenceConfig> = {
  type: 'core/check-fields-presence',
  category: 'filter',
  name: 'check fields presence',
  description:
    'Checks that the listed message fields and metadata keys are present (all of them, or at least one) and routes by True or False.',
  relations: [RELATION.TRUE, RELATION.FALSE, RELATION.FAILURE],
  configSchema: {
    type: 'object',
    properties: {
      messageNames: { type: 'array', title: 'Message field names', items: { type: 'string', minLength: 1 } },
      metadataNames: { type: 'array', title: 'Metadata field names', items: { type: 'string', minLength: 1 } },
      checkAllKeys: { type: 'boolean', title: 'Check that all listed fields are present (off: at least one is enough)' },
    },
    required: ['messageNames', 'metadataNames', 'checkAllKeys'],
  },
  defaultConfig: { messageNames: [], metadataNames: [], checkAllKeys: true },
  thingsboardClass: 'org.thingsboard.rule.engine.filter.TbCheckMessageNode',
  icon: 'filter_list',
  create(config) {
    const { messageNames, metadataNames, checkAllKeys } = config;
    return {
      onMsg(msg, ctx) {
        // The data is only read when message fields are listed, so TEXT messages pass a metadata-only check.
        const data = messageNames.length
          ? requireDataObject(
              msg,
              'this node looks for top-level keys of a JSON object; remove the message field names to check metadata only',
            )
          : {};
        const inData = (name: string) => Object.hasOwn(data, name);
        const inMetadata = (name: string) => Object.hasOwn(msg.metadata, name);
        const present = checkAllKeys
          ? messageNames.every(inData) && metadataNames.every(inMetadata)
          : messageNames.some(inData) || metadataNames.some(inMetadata);
        ctx.tellNext(msg, present ? RELATION.TRUE : RELATION.FALSE);
      },
    };
  },
};
