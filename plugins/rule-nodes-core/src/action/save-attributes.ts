import type { AttributeScope, EntityId, RuleNodeContext, RuleNodeDescriptor } from '@edgewise/plugin-api';
import { mutableCopy } from '../transformation/msg-data';
import { attributeScopeSchema, enqueueAttributesEvent, scopeOf } from './attribute-scopes';
import { storesSameValue } from './attribute-values';
import { isTrueText, metadataTs, requireDataObject, unsupportedMsgType } from './message-values';
import { ON_EVERY_MESSAGE, processingSettingsSchema, skipRuleOf, type ProcessingSettings } from './processing-settings';

export interface SaveAttributesConfig {
  processingSettings: ProcessingSettings;
  scope: AttributeScope;
  /** Always push SHARED_SCOPE changes to the device, whatever metadata `notifyDevice` says. */
  notifyDevice: boolean;
  /** Queue an ATTRIBUTES_UPDATED event for SHARED_SCOPE and SERVER_SCOPE saves. */
  sendAttributesUpdatedNotification: boolean;
  updateAttributesOnlyOnValueChange: boolean;
}

/**
 * Version 1 may hold booleans as text ("true"); ThingsBoard reads such text as Jackson's asBoolean does and
 * fills a missing value with the old behaviour's default.
 */
function booleanSetting(value: unknown, ifMissing: boolean): unknown {
  if (value === undefined || value === null) return ifMissing;
  if (typeof value !== 'string') return value;
  const text = value.trim();
  return text === 'true' ? true : text === 'false' ? false : ifMissing;
}

/** The attributes whose stored value differs (or that are not stored yet); the same object when all do. */
async function changedAttributes(
  ctx: RuleNodeContext,
  entity: EntityId,
  scope: AttributeScope,
  attributes: Readonly<Record<string, unknown>>,
): Promise<Readonly<Record<string, unknown>>> {
  const keys = Object.keys(attributes);
  const stored = await ctx.services.attributes.find(entity, scope, keys);
  const unchanged = stored.filter((record) => Object.hasOwn(attributes, record.key) && storesSameValue(attributes[record.key], record));
  if (!unchanged.length) return attributes;
  const changed = mutableCopy(attributes);
  for (const record of unchanged) delete changed[record.key];
  return changed;
}

/** "save attributes": stores the attributes of a POST_ATTRIBUTES_REQUEST in a scope of its originator. */
export const saveAttributesNode: RuleNodeDescriptor<SaveAttributesConfig> = {
  type: 'core/save-attributes',
  category: 'action',
  name: 'save attributes',
  description:
    "Stores the message's attributes for its originator in the configured scope (metadata `scope` may override it), " +
    'optionally only when values change, and pushes shared attributes to the device.',
  relations: ['Success', 'Failure'],
  configSchema: {
    type: 'object',
    properties: {
      processingSettings: processingSettingsSchema(['attributes', 'webSockets', 'calculatedFields']),
      scope: attributeScopeSchema,
      notifyDevice: { type: 'boolean', default: false, title: 'Force notification to the device' },
      sendAttributesUpdatedNotification: { type: 'boolean', default: false, title: 'Send attributes updated notification' },
      updateAttributesOnlyOnValueChange: { type: 'boolean', default: true, title: 'Save attributes only if the value changes' },
    },
    required: ['processingSettings', 'scope'],
  },
  defaultConfig: {
    processingSettings: ON_EVERY_MESSAGE,
    scope: 'SERVER_SCOPE',
    notifyDevice: false,
    sendAttributesUpdatedNotification: false,
    updateAttributesOnlyOnValueChange: true,
  },
  configVersion: 3,
  upgrade(fromVersion, oldConfig) {
    const config = { ...oldConfig };
    // Version 0 always saved: nodes from then keep doing so.
    if (fromVersion < 1 && !Object.hasOwn(config, 'updateAttributesOnlyOnValueChange')) config.updateAttributesOnlyOnValueChange = false;
    if (fromVersion < 2) {
      // Before version 2 the device was notified unless told otherwise.
      config.notifyDevice = booleanSetting(config.notifyDevice, true);
      config.sendAttributesUpdatedNotification = booleanSetting(config.sendAttributesUpdatedNotification, false);
      config.updateAttributesOnlyOnValueChange = booleanSetting(config.updateAttributesOnlyOnValueChange, true);
    }
    if (fromVersion < 3) config.processingSettings = ON_EVERY_MESSAGE;
    return config;
  },
  thingsboardClass: 'org.thingsboard.rule.engine.telemetry.TbMsgAttributesNode',
  icon: 'file_upload',
  create(config) {
    // Calculated fields do not exist here, so their strategy does not matter.
    const skips = skipRuleOf(config.processingSettings, ['attributes', 'webSockets']);
    return {
      async onMsg(msg, ctx) {
        if (msg.type !== 'POST_ATTRIBUTES_REQUEST') {
          ctx.tellFailure(msg, unsupportedMsgType(msg, 'POST_ATTRIBUTES_REQUEST'));
          return;
        }
        const attributes = requireDataObject(msg, 'save attributes expects {"key": value, …}');
        if (!Object.keys(attributes).length || skips(metadataTs(msg), msg.originator.id)) {
          ctx.tellSuccess(msg);
          return;
        }
        const scope = scopeOf(msg, config.scope);
        const toSave = config.updateAttributesOnlyOnValueChange
          ? await changedAttributes(ctx, msg.originator, scope, attributes)
          : attributes;
        if (!Object.keys(toSave).length) {
          ctx.tellSuccess(msg);
          return;
        }
        // Metadata without `notifyDevice` notifies, as ThingsBoard nodes always did before the setting existed.
        const notifyFromMetadata =
          msg.metadata.notifyDevice === undefined || msg.metadata.notifyDevice === '' || isTrueText(msg.metadata.notifyDevice);
        // The message's own text when nothing was left out keeps its exact numbers (25.0 stays a DOUBLE).
        await ctx.services.attributes.save(msg.originator, scope, toSave === attributes ? msg.data : toSave, {
          notifyDevice: config.notifyDevice || notifyFromMetadata,
        });
        if (config.sendAttributesUpdatedNotification && scope !== 'CLIENT_SCOPE') {
          await enqueueAttributesEvent(ctx, msg, 'ATTRIBUTES_UPDATED', scope, JSON.stringify(toSave));
        }
        ctx.tellSuccess(msg);
      },
    };
  },
};
