import type { AttributeScope, RuleNodeDescriptor } from '@edgewise/plugin-api';
import { fillTemplate } from '../transformation/templates';
import { attributeScopeSchema, enqueueAttributesEvent, scopeOf } from './attribute-scopes';
import { isTrueText } from './message-values';

export interface DeleteAttributesConfig {
  scope: AttributeScope;
  /** Keys to delete; each may be a template (`${metadataKey}`, `$[dataKey]`). */
  keys: string[];
  /** Queue an ATTRIBUTES_DELETED event after deleting. */
  sendAttributesDeletedNotification: boolean;
  /** Tell the device about deleted SHARED_SCOPE attributes (metadata `notifyDevice: true` does too). */
  notifyDevice: boolean;
}

/** "delete attributes": deletes attributes of the message's originator by key. */
export const deleteAttributesNode: RuleNodeDescriptor<DeleteAttributesConfig> = {
  type: 'core/delete-attributes',
  category: 'action',
  name: 'delete attributes',
  description:
    'Deletes the listed attribute keys (templates allowed) from the originator in the configured scope; missing keys are ignored.',
  relations: ['Success', 'Failure'],
  configSchema: {
    type: 'object',
    properties: {
      scope: attributeScopeSchema,
      keys: { type: 'array', items: { type: 'string' }, default: [], title: 'Attribute keys (templates allowed)' },
      sendAttributesDeletedNotification: { type: 'boolean', default: false, title: 'Send attributes deleted notification' },
      notifyDevice: { type: 'boolean', default: false, title: 'Notify the device (shared attributes)' },
    },
    required: ['scope', 'keys'],
  },
  defaultConfig: { scope: 'SERVER_SCOPE', keys: [], sendAttributesDeletedNotification: false, notifyDevice: false },
  thingsboardClass: 'org.thingsboard.rule.engine.telemetry.TbMsgDeleteAttributesNode',
  icon: 'remove_circle',
  create(config) {
    const keyTemplates = config.keys ?? [];
    return {
      async onMsg(msg, ctx) {
        const keys = [...new Set(keyTemplates.map((template) => fillTemplate(template, msg)))].filter((key) => key.trim() !== '');
        if (!keys.length) {
          ctx.tellSuccess(msg);
          return;
        }
        const scope = scopeOf(msg, config.scope);
        const notifyDevice = scope === 'SHARED_SCOPE' && (config.notifyDevice || isTrueText(msg.metadata.notifyDevice));
        await ctx.services.attributes.remove(msg.originator, scope, keys, { notifyDevice });
        if (config.sendAttributesDeletedNotification) {
          await enqueueAttributesEvent(ctx, msg, 'ATTRIBUTES_DELETED', scope, JSON.stringify({ attributes: keys }));
        }
        ctx.tellSuccess(msg);
      },
    };
  },
};
