import type { EntityId, EntityType, RuleNodeDescriptor, RuleNodeContext } from '@edgewise/plugin-api';
import { RELATION } from '@edgewise/plugin-api';
import { entityTypeName } from './entity-types';

/**
 * A switch that routes by the name of the originator's profile (the relation label is the profile name,
 * case-sensitive). Only originators of `entityType` have such a profile; anything else fails.
 */
function profileSwitch(options: {
  type: string;
  name: string;
  entityType: EntityType;
  thingsboardClass: string;
  profileName(originator: EntityId, ctx: RuleNodeContext): Promise<string | null | undefined>;
}): RuleNodeDescriptor<Record<string, never>> {
  const kind = entityTypeName(options.entityType);
  return {
    type: options.type,
    category: 'filter',
    name: options.name,
    description: `Routes each message by the name of its originating ${kind.toLowerCase()}\u2019s profile (case-sensitive): connect one relation per profile name.`,
    relations: ['default', RELATION.FAILURE],
    customRelations: true,
    configSchema: { type: 'object', properties: {} },
    defaultConfig: {},
    thingsboardClass: options.thingsboardClass,
    icon: 'filter_list',
    create() {
      return {
        async onMsg(msg, ctx) {
          if (msg.originator.entityType !== options.entityType)
            throw new Error(
              `Unsupported originator type: ${entityTypeName(msg.originator.entityType)}! Only ${kind} type is allowed. ` +
                `Route other originators around this node (e.g. with an entity type switch).`,
            );
          const profileName = await options.profileName(msg.originator, ctx);
          if (!profileName)
            throw new Error(
              `${kind} profile for entity id: ${msg.originator.id} wasn't found! The ${kind.toLowerCase()} may have been deleted.`,
            );
          ctx.tellNext(msg, profileName);
        },
      };
    },
  };
}

/** "device profile switch": routes by the device profile name. */
export const deviceProfileSwitchNode = profileSwitch({
  type: 'core/device-profile-switch',
  name: 'device profile switch',
  entityType: 'DEVICE',
  thingsboardClass: 'org.thingsboard.rule.engine.filter.TbDeviceTypeSwitchNode',
  profileName: async (device, ctx) => (await ctx.services.entities.deviceProfileOf(device.id))?.name,
});

/** "asset profile switch": routes by the asset profile name (an asset's `type`). */
export const assetProfileSwitchNode = profileSwitch({
  type: 'core/asset-profile-switch',
  name: 'asset profile switch',
  entityType: 'ASSET',
  thingsboardClass: 'org.thingsboard.rule.engine.filter.TbAssetTypeSwitchNode',
  profileName: async (asset, ctx) => (await ctx.services.entities.get(asset))?.type,
});
