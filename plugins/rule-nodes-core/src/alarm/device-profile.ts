import type {
  AttributeScope,
  DeviceProfileView,
  EntityFields,
  EntityId,
  RuleMsg,
  RuleNodeContext,
  RuleNodeDescriptor,
  RuleNodeInitContext,
} from '@edgewise/plugin-api';
import { KeyedLock } from '@edgewise/plugin-api';
import { metadataTs } from '../action/message-values';
import { isJsonObject, jsonDataOf, requireJsonData } from '../transformation/msg-data';
import { alarmMsgData } from './alarm-json';
import type { AlarmOutcome } from './alarm-rules/alarm-state';
import { AlarmIo, DeviceAlarmState } from './alarm-rules/device-state';
import { fromKvRecord, KeyValue } from './alarm-rules/key-value';
import { attributeBatch, telemetryBatches } from './alarm-rules/message-values';
import type { ConditionKey } from './alarm-rules/profile-alarms';
import { ProfileRules } from './alarm-rules/profile-rules';

export interface DeviceProfileNodeConfig {
  /** Accepted for ThingsBoard compatibility; rule state is kept in memory only. */
  persistAlarmRulesState: boolean;
  fetchAlarmRulesStateOnStart: boolean;
}

/** How often conditions that hold for a DURATION are checked without new data (ThingsBoard: every minute). */
const HARVEST_INTERVAL_MS = 60_000;
/** How long a device's profile is trusted before it is read again (the seam announces no profile changes). */
const PROFILE_RECHECK_MS = 5_000;
/** Messages that change what the node knows about a device: never taken by the fast path. */
const LIFECYCLE_TYPES = new Set(['ENTITY_DELETED', 'ENTITY_UPDATED', 'ENTITY_ASSIGNED', 'ENTITY_UNASSIGNED']);
/** Attributes of every scope feed ATTRIBUTE keys; later scopes win, as in ThingsBoard. */
const ATTRIBUTE_SCOPES: readonly AttributeScope[] = ['CLIENT_SCOPE', 'SHARED_SCOPE', 'SERVER_SCOPE'];

interface DeviceEntry {
  device: EntityId;
  state: DeviceAlarmState;
  profileId: string;
  customerId: string | null;
  checkedAt: number;
  /** The last message's metadata and queue: alarm messages carry them on, as in ThingsBoard. */
  lastMetadata: Readonly<Record<string, string>>;
  lastQueueName: string | undefined;
}

interface CachedRules {
  profileData: DeviceProfileView['profileData'];
  fingerprint: string;
  rules: ProfileRules;
}

/** The values a device has for ENTITY_FIELD keys. */
function entityFieldValue(fields: EntityFields, key: string): KeyValue | undefined {
  switch (key) {
    case 'name':
      return { type: 'STRING', value: fields.name };
    case 'type':
      return fields.type === undefined ? undefined : { type: 'STRING', value: fields.type };
    case 'label':
      return fields.label === undefined || fields.label === null ? undefined : { type: 'STRING', value: fields.label };
    case 'createdTime':
      return { type: 'LONG', value: fields.createdTime };
    default:
      return undefined;
  }
}

/**
 * The node's memory: one DeviceAlarmState per device seen, built on first sight from the device's profile
 * and the stored values of the keys its rules use. Messages of one device are handled one at a time.
 */
class ProfileAlarmEvaluation {
  private readonly devices = new Map<string, DeviceEntry>();
  private readonly rulesByProfile = new Map<string, CachedRules>();
  private readonly queue = new KeyedLock();
  private readonly harvester: ReturnType<typeof setInterval>;

  constructor(private readonly init: RuleNodeInitContext) {
    this.harvester = setInterval(() => void this.harvestAll(), HARVEST_INTERVAL_MS);
    this.harvester.unref?.();
  }

  onMsg(msg: RuleMsg, ctx: RuleNodeContext): Promise<void> | void {
    if (msg.originator.entityType !== 'DEVICE') return ctx.tellSuccess(msg);
    // Most devices' profiles have no alarm rules: a known, idle one passes straight on (no promise per message).
    const known = this.devices.get(msg.originator.id);
    if (
      known &&
      !known.state.profileRules.alarms.length &&
      !LIFECYCLE_TYPES.has(msg.type) &&
      Date.now() - known.checkedAt < PROFILE_RECHECK_MS &&
      !this.queue.busy(msg.originator.id)
    ) {
      known.lastMetadata = msg.metadata;
      known.lastQueueName = msg.queueName;
      return ctx.tellSuccess(msg);
    }
    return this.queue.run(msg.originator.id, () => this.process(msg, ctx));
  }

  destroy(): void {
    clearInterval(this.harvester);
    this.devices.clear();
  }

  private async process(msg: RuleMsg, ctx: RuleNodeContext): Promise<void> {
    const deviceId = msg.originator.id;
    if (msg.type === 'ENTITY_DELETED' || (msg.type === 'ENTITY_UPDATED' && this.profileChanged(msg))) {
      this.devices.delete(deviceId);
      return ctx.tellSuccess(msg);
    }
    if (msg.type === 'ENTITY_UPDATED') return ctx.tellSuccess(msg);
    const entry = await this.entryFor(msg.originator);
    if (!entry) {
      this.init.log.info('Device not found (probably deleted): acknowledging the message', { deviceId });
      return ctx.ack(msg);
    }
    entry.lastMetadata = msg.metadata;
    entry.lastQueueName = msg.queueName;
    const outcomes = await this.evaluate(entry, msg);
    await this.announce(entry, outcomes, msg.customerId);
    ctx.tellSuccess(msg);
  }

  /** Applies one message to the device's state (ThingsBoard's DeviceState.process). */
  private async evaluate(entry: DeviceEntry, msg: RuleMsg): Promise<AlarmOutcome[]> {
    const { state } = entry;
    // Most devices' profiles have no alarm rules: their data is not even parsed (customer changes still count).
    if (!state.profileRules.alarms.length && msg.type !== 'ENTITY_ASSIGNED' && msg.type !== 'ENTITY_UNASSIGNED') return [];
    const io = () => this.io(entry);
    switch (msg.type) {
      case 'POST_TELEMETRY_REQUEST':
        return state.onTelemetry(telemetryBatches(requireJsonData(msg, 'telemetry'), metadataTs(msg)), io);
      case 'TIMESERIES_UPDATED': {
        const data = requireJsonData(msg, 'updated timeseries');
        const telemetry = isJsonObject(data) && data.timeseries !== undefined ? data.timeseries : data;
        return state.onTelemetry(telemetryBatches(telemetry, metadataTs(msg)), io);
      }
      case 'ACTIVITY_EVENT':
      case 'INACTIVITY_EVENT':
        if (!msg.metadata.scope) return state.onTelemetry(telemetryBatches(requireJsonData(msg, 'activity state'), metadataTs(msg)), io);
        return state.onAttributes(attributeBatch(requireJsonData(msg, 'activity state'), Date.now()), io);
      case 'POST_ATTRIBUTES_REQUEST':
      case 'ATTRIBUTES_UPDATED':
        return state.onAttributes(attributeBatch(requireJsonData(msg, 'attributes'), Date.now()), io);
      case 'ATTRIBUTES_DELETED': {
        const data = requireJsonData(msg, '{"attributes": [deleted keys]}');
        const keys = isJsonObject(data) && Array.isArray(data.attributes) ? data.attributes.map(String) : [];
        return keys.length ? state.onAttributesDeleted(keys, io) : [];
      }
      case 'ALARM_CLEAR':
      case 'ALARM_ACK':
      case 'ALARM_DELETE':
        this.alarmNotification(entry, msg);
        return [];
      case 'ENTITY_ASSIGNED':
      case 'ENTITY_UNASSIGNED':
        entry.customerId = (await this.init.services.entities.get(entry.device))?.customerId ?? null;
        return [];
      default:
        return [];
    }
  }

  /** Alarms changed by users or other nodes: the state forgets a cleared or deleted alarm, notes an ack. */
  private alarmNotification(entry: DeviceEntry, msg: RuleMsg): void {
    const alarm = jsonDataOf(msg);
    if (!isJsonObject(alarm) || !isJsonObject(alarm.id) || typeof alarm.id.id !== 'string') return;
    const id = alarm.id.id;
    if (msg.type === 'ALARM_CLEAR') entry.state.alarmCleared(id);
    else if (msg.type === 'ALARM_DELETE') entry.state.alarmDeleted(id);
    else entry.state.alarmAcknowledged({ id, acknowledged: alarm.acknowledged === true, ackTs: Number(alarm.ackTs ?? 0) });
  }

  /** A device update that moved the device to another profile. */
  private profileChanged(msg: RuleMsg): boolean {
    const entry = this.devices.get(msg.originator.id);
    const device = jsonDataOf(msg);
    if (!entry || !isJsonObject(device) || !isJsonObject(device.deviceProfileId)) return false;
    return device.deviceProfileId.id !== entry.profileId;
  }

  /** The device's state; built on first sight, refreshed when its profile's rules changed. Undefined: no such device. */
  private async entryFor(device: EntityId): Promise<DeviceEntry | undefined> {
    const existing = this.devices.get(device.id);
    const now = Date.now();
    if (existing && now - existing.checkedAt < PROFILE_RECHECK_MS) return existing;
    const profile = await this.init.services.entities.deviceProfileOf(device.id);
    if (!profile) {
      this.devices.delete(device.id);
      return undefined;
    }
    const rules = this.rulesOf(profile);
    if (existing && existing.profileId === profile.id) {
      existing.checkedAt = now;
      if (existing.state.profileRules !== rules) {
        const added = existing.state.setRules(rules);
        await this.seed(
          existing,
          added.map((id) => rules.keys.get(id)!),
        );
      }
      return existing;
    }
    const fields = await this.init.services.entities.get(device);
    const entry: DeviceEntry = {
      device,
      state: new DeviceAlarmState(device, rules),
      profileId: profile.id,
      customerId: fields?.customerId ?? null,
      checkedAt: now,
      lastMetadata: {},
      lastQueueName: undefined,
    };
    await this.seed(entry, [...rules.keys.values()], fields);
    this.devices.set(device.id, entry);
    return entry;
  }

  /** The profile's rules, read once per version of its alarm settings (shared by the devices of the profile). */
  private rulesOf(profile: DeviceProfileView): ProfileRules {
    const cached = this.rulesByProfile.get(profile.id);
    if (cached?.profileData === profile.profileData) return cached.rules;
    const fingerprint = JSON.stringify(profile.profileData.alarms ?? null);
    if (cached?.fingerprint === fingerprint) {
      cached.profileData = profile.profileData;
      return cached.rules;
    }
    const rules = new ProfileRules(profile.profileData);
    this.rulesByProfile.set(profile.id, { profileData: profile.profileData, fingerprint, rules });
    return rules;
  }

  /** Loads the stored values of the given keys: latest telemetry, attributes of all scopes, entity fields. */
  private async seed(entry: DeviceEntry, keys: readonly ConditionKey[], fields?: EntityFields | null): Promise<void> {
    const { services } = this.init;
    const { device, state } = entry;
    const named = (type: string) => keys.filter((k) => k.type === type).map((k) => k.key);
    const tsKeys = named('TIME_SERIES');
    if (tsKeys.length) {
      for (const record of await services.timeseries.latest(device, tsKeys))
        state.seed({ type: 'TIME_SERIES', key: record.key }, record.ts, fromKvRecord(record));
    }
    const attributeKeys = named('ATTRIBUTE');
    if (attributeKeys.length) {
      for (const scope of ATTRIBUTE_SCOPES) {
        for (const record of await services.attributes.find(device, scope, attributeKeys)) {
          state.seed({ type: 'ATTRIBUTE', key: record.key }, record.ts, fromKvRecord(record));
        }
      }
    }
    const fieldKeys = named('ENTITY_FIELD');
    const entity = fieldKeys.length ? (fields ?? (await services.entities.get(device))) : null;
    if (!entity) return;
    for (const key of fieldKeys) {
      const value = entityFieldValue(entity, key);
      if (value) state.seed({ type: 'ENTITY_FIELD', key }, entity.createdTime, value);
    }
  }

  /** The alarm service and the SERVER_SCOPE attributes of the device's customer and tenant the rules read. */
  private async io(entry: DeviceEntry): Promise<AlarmIo> {
    const { customer, tenant } = entry.state.profileRules.ownerKeys;
    const { attributes } = this.init.services;
    const load = async (owner: EntityId | null, keys: ReadonlySet<string>) => {
      const values = new Map<string, KeyValue>();
      if (owner && keys.size)
        for (const record of await attributes.find(owner, 'SERVER_SCOPE', [...keys])) values.set(record.key, fromKvRecord(record));
      return values;
    };
    const ofCustomer = await load(entry.customerId ? { entityType: 'CUSTOMER', id: entry.customerId } : null, customer);
    const ofTenant = await load({ entityType: 'TENANT', id: this.init.tenantId }, tenant);
    return { alarms: this.init.services.alarms, owners: { customer: (key) => ofCustomer.get(key), tenant: (key) => ofTenant.get(key) } };
  }

  /** Each changed alarm continues from this node, by its relation, as a new ALARM message. */
  private async announce(entry: DeviceEntry, outcomes: readonly AlarmOutcome[], customerId: string | null): Promise<void> {
    for (const outcome of outcomes) {
      const msg = this.init.newMsg({
        type: 'ALARM',
        originator: entry.device,
        customerId,
        metadata: { ...entry.lastMetadata, ...outcome.metadata },
        data: alarmMsgData(outcome.alarm, this.init.tenantId, entry.customerId),
        ...(entry.lastQueueName ? { queueName: entry.lastQueueName } : {}),
      });
      await this.init.enqueueForTellNext(msg, outcome.relation);
    }
  }

  private async harvestAll(): Promise<void> {
    await Promise.all(
      [...this.devices.keys()].map((deviceId) =>
        this.queue
          .run(deviceId, async () => {
            const entry = this.devices.get(deviceId);
            if (entry) await this.announce(entry, await entry.state.harvest(Date.now(), () => this.io(entry)), null);
          })
          .catch((error: Error) => this.init.log.warn(`Periodic alarm rule check failed: ${error.message}`, { deviceId })),
      ),
    );
  }
}

/**
 * "device profile" (ThingsBoard's TbDeviceProfileNode): evaluates the alarm rules of the originator device's
 * profile on every message — raising, updating and clearing alarms — and passes the message on by `Success`.
 * Each changed alarm leaves as a new ALARM message by `Alarm Created`, `Alarm Updated`, `Alarm Severity
 * Updated` or `Alarm Cleared`. Rule progress (REPEATING counts, DURATION time) lives in memory only and starts
 * over when Edgewise restarts.
 */
export const deviceProfileNode: RuleNodeDescriptor<DeviceProfileNodeConfig> = {
  type: 'core/device-profile',
  category: 'action',
  name: 'device profile',
  description: "Creates and clears alarms from the alarm rules of the originator device's profile.",
  relations: ['Alarm Created', 'Alarm Updated', 'Alarm Severity Updated', 'Alarm Cleared', 'Success', 'Failure'],
  customRelations: true,
  configSchema: {
    type: 'object',
    properties: {
      persistAlarmRulesState: { type: 'boolean', title: 'Persist alarm rule state (not supported: state is kept in memory)' },
      fetchAlarmRulesStateOnStart: { type: 'boolean', title: 'Fetch alarm rule state on start (not supported: state is kept in memory)' },
    },
  },
  defaultConfig: { persistAlarmRulesState: false, fetchAlarmRulesStateOnStart: false },
  configVersion: 1,
  upgrade(fromVersion, oldConfig) {
    // Version 1: state that is not persisted cannot be fetched on start.
    if (fromVersion === 0 && 'persistAlarmRulesState' in oldConfig && String(oldConfig.persistAlarmRulesState) !== 'true') {
      return { ...oldConfig, fetchAlarmRulesStateOnStart: false };
    }
    return oldConfig;
  },
  thingsboardClass: 'org.thingsboard.rule.engine.profile.TbDeviceProfileNode',
  icon: 'notifications_active',
  create(config, init) {
    if (config.persistAlarmRulesState) {
      init.log.warn(
        'persistAlarmRulesState is on, but Edgewise keeps alarm rule state in memory only: REPEATING counts and DURATION progress start over after a restart',
      );
    }
    const evaluation = new ProfileAlarmEvaluation(init);
    return {
      onMsg: (msg, ctx) => evaluation.onMsg(msg, ctx),
      destroy: () => evaluation.destroy(),
    };
  },
};
