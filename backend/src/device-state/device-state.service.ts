import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { DeviceEvents } from '../devices/device-events';
import { DeviceEntity } from '../devices/device.entity';
import { CoreMessages, DeviceRef, DeviceStateJson, DeviceStateMsgType } from '../rule-engine/core-messages';
import { AttributeEvents } from '../telemetry/attribute-events';
import { AttributeWrite, AttributesService } from '../telemetry/attributes.service';
import type { KvEntry } from '../telemetry/kv-entry';

/** What the state service keeps per device (device-api.md §5.1). */
interface DeviceState {
  deviceId: string;
  /** What the state events say about the device (name, label, type, customer, profile), kept current on updates. */
  device: DeviceRef;
  createdTime: number;
  active: boolean;
  lastConnectTime: number;
  lastDisconnectTime: number;
  lastActivityTime: number;
  inactivityAlarmTime: number;
  /** Per-device override (SERVER_SCOPE attribute `inactivityTimeout`), ms; undefined → the configured default. */
  inactivityTimeout?: number;
  openConnections: number;
  /** Newest activity not yet written (written at most every DEVICE_ACTIVITY_REPORT_MS). */
  unsavedActivity?: number;
}

const STATE_KEYS = ['active', 'lastConnectTime', 'lastDisconnectTime', 'lastActivityTime', 'inactivityAlarmTime', 'inactivityTimeout'];

const long = (key: string, value: number): KvEntry => ({ key, type: 'LONG', value });
const bool = (key: string, value: boolean): KvEntry => ({ key, type: 'BOOLEAN', value });

/** The device columns the service reads: its creation time, and what its state events carry. */
const DEVICE_FIELDS = {
  id: true,
  createdTime: true,
  tenantId: true,
  customerId: true,
  name: true,
  label: true,
  type: true,
  deviceProfileId: true,
};

/**
 * Device connectivity: `active`, `lastConnectTime`, `lastDisconnectTime`, `lastActivityTime` and
 * `inactivityAlarmTime` as SERVER_SCOPE attributes, maintained from what transports report, and ThingsBoard's
 * CONNECT_EVENT, DISCONNECT_EVENT, ACTIVITY_EVENT and INACTIVITY_EVENT rule messages when they change. Activity
 * is cheap to report (a map lookup); its writes are batched across devices into one transaction per period,
 * and only a change of state (not every uplink) becomes a message.
 */
@Injectable()
export class DeviceStateService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('DeviceState');
  private readonly states = new Map<string, DeviceState>();
  private readonly loading = new Map<string, Promise<DeviceState | undefined>>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly onDeviceDeleted = (deviceId: string) => void this.states.delete(deviceId);
  private readonly onDeviceUpdated = (deviceId: string) => {
    if (this.states.has(deviceId)) void this.refreshDevice(deviceId);
  };
  private readonly onAttributesSaved = (entityId: string, scope: string, entries: readonly KvEntry[]) => {
    const state = this.states.get(entityId);
    const timeout = entries.find((e) => e.key === 'inactivityTimeout');
    if (scope !== 'SERVER_SCOPE' || !state || !timeout) return;
    state.inactivityTimeout = validTimeout(timeout.value);
    void this.checkInactivity([state]);
  };
  private readonly onAttributesDeleted = (entityId: string, scope: string, keys: readonly string[]) => {
    const state = this.states.get(entityId);
    if (scope === 'SERVER_SCOPE' && state && keys.includes('inactivityTimeout')) state.inactivityTimeout = undefined;
  };

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly db: DataSource,
    private readonly attributes: AttributesService,
    private readonly attributeEvents: AttributeEvents,
    private readonly deviceEvents: DeviceEvents,
    private readonly messages: CoreMessages,
  ) {
    deviceEvents.on('deleted', this.onDeviceDeleted);
    deviceEvents.on('updated', this.onDeviceUpdated);
    attributeEvents.on('saved', this.onAttributesSaved);
    attributeEvents.on('deleted', this.onAttributesDeleted);
  }

  /** Devices that were active when the server stopped are watched again, so they can time out. */
  async onApplicationBootstrap(): Promise<void> {
    const rows = await this.db.query(
      this.db.options.type === 'postgres'
        ? `SELECT entity_id FROM attribute_kv WHERE attribute_scope = 'SERVER_SCOPE' AND attribute_key = 'active' AND bool_v = true`
        : `SELECT entity_id FROM attribute_kv WHERE attribute_scope = 'SERVER_SCOPE' AND attribute_key = 'active' AND bool_v = 1`,
    );
    for (const row of rows as { entity_id: string }[]) await this.load(row.entity_id);
    this.timers.push(setInterval(() => void this.flushActivity(), this.config.deviceActivityReportMs).unref());
    this.timers.push(
      setInterval(() => void this.checkInactivity([...this.states.values()]), this.config.deviceStateCheckIntervalMs).unref(),
    );
  }

  async onModuleDestroy(): Promise<void> {
    this.timers.forEach(clearInterval);
    this.deviceEvents.off('deleted', this.onDeviceDeleted);
    this.deviceEvents.off('updated', this.onDeviceUpdated);
    this.attributeEvents.off('saved', this.onAttributesSaved);
    this.attributeEvents.off('deleted', this.onAttributesDeleted);
    await this.flushActivity();
  }

  /** A lasting connection opened (MQTT CONNECT accepted, CoAP observe …); also counts as activity. */
  async connected(deviceId: string, ts = Date.now()): Promise<void> {
    const state = await this.load(deviceId);
    if (!state) return;
    state.openConnections++;
    if (state.openConnections === 1 && ts > state.lastConnectTime) {
      state.lastConnectTime = ts;
      await this.write(state, [long('lastConnectTime', ts)]);
      this.report(state, 'CONNECT_EVENT');
    }
    this.activity(deviceId, ts);
  }

  /** A lasting connection closed; the device is disconnected when its last one closes. */
  async disconnected(deviceId: string, ts = Date.now()): Promise<void> {
    const state = await this.load(deviceId);
    if (!state) return;
    state.openConnections = Math.max(0, state.openConnections - 1);
    if (state.openConnections === 0 && ts > state.lastDisconnectTime) {
      state.lastDisconnectTime = ts;
      await this.write(state, [long('lastDisconnectTime', ts)]);
      this.report(state, 'DISCONNECT_EVENT');
    }
  }

  /** The device did something. Called on every uplink, so it does no I/O unless the device wakes up. */
  activity(deviceId: string, ts = Date.now()): void {
    const state = this.states.get(deviceId);
    if (!state) {
      void this.load(deviceId).then((loaded) => loaded && this.activity(deviceId, ts));
      return;
    }
    if (ts <= (state.unsavedActivity ?? state.lastActivityTime)) return;
    if (!state.active) {
      state.active = true;
      state.lastActivityTime = ts;
      state.unsavedActivity = undefined;
      const entries = [bool('active', true), long('lastActivityTime', ts)];
      // Late activity (not after the inactivity it would end) clears the inactivity alarm time (device-api.md §5.1).
      if (ts <= state.inactivityAlarmTime) {
        state.inactivityAlarmTime = 0;
        entries.push(long('inactivityAlarmTime', 0));
      }
      void this.write(state, entries).then(() => this.report(state, 'ACTIVITY_EVENT'));
      return;
    }
    state.unsavedActivity = ts;
  }

  private async flushActivity(): Promise<void> {
    const writes: AttributeWrite[] = [];
    for (const state of this.states.values()) {
      if (state.unsavedActivity === undefined) continue;
      state.lastActivityTime = state.unsavedActivity;
      state.unsavedActivity = undefined;
      writes.push({
        entityId: state.deviceId,
        scope: 'SERVER_SCOPE',
        entries: [long('lastActivityTime', state.lastActivityTime)],
        ts: Date.now(),
      });
    }
    await this.saveLogged(writes);
  }

  /** Active devices silent for their timeout (and older than it) become inactive (device-api.md §5.2). */
  private async checkInactivity(states: DeviceState[]): Promise<void> {
    const now = Date.now();
    const writes: AttributeWrite[] = [];
    const inactive: DeviceState[] = [];
    for (const state of states) {
      const timeout = state.inactivityTimeout ?? this.config.deviceInactivityTimeoutMs;
      const lastActivity = state.unsavedActivity ?? state.lastActivityTime;
      if (!state.active || now < lastActivity + timeout || now < state.createdTime + timeout) continue;
      state.active = false;
      state.inactivityAlarmTime = now;
      inactive.push(state);
      writes.push({
        entityId: state.deviceId,
        scope: 'SERVER_SCOPE',
        entries: [bool('active', false), long('inactivityAlarmTime', now)],
        ts: now,
      });
    }
    await this.saveLogged(writes);
    for (const state of inactive) this.report(state, 'INACTIVITY_EVENT');
  }

  /** Tells the rule engine about a state change (never waited for: the device's request does not depend on it). */
  private report(state: DeviceState, type: DeviceStateMsgType): void {
    const json: DeviceStateJson = {
      active: state.active,
      lastConnectTime: state.lastConnectTime,
      lastActivityTime: state.unsavedActivity ?? state.lastActivityTime,
      lastDisconnectTime: state.lastDisconnectTime,
      lastInactivityAlarmTime: state.inactivityAlarmTime,
      inactivityTimeout: state.inactivityTimeout ?? this.config.deviceInactivityTimeoutMs,
    };
    // As in ThingsBoard, the connect event leaves out `active`: the device's activity is settled after it.
    if (type === 'CONNECT_EVENT') delete json.active;
    void this.messages.deviceState(type, state.device, json);
  }

  private write(state: DeviceState, entries: KvEntry[]): Promise<void> {
    return this.saveLogged([{ entityId: state.deviceId, scope: 'SERVER_SCOPE', entries, ts: Date.now() }]);
  }

  /** State writes never fail the device's request; a failure is logged and the next report retries. */
  private async saveLogged(writes: AttributeWrite[]): Promise<void> {
    if (!writes.length) return;
    try {
      await this.attributes.saveMany(writes);
    } catch (e) {
      this.logger.error(`device state not saved for ${writes.length} device(s): ${(e as Error).message}`);
    }
  }

  private load(deviceId: string): Promise<DeviceState | undefined> {
    const cached = this.states.get(deviceId);
    if (cached) return Promise.resolve(cached);
    let loading = this.loading.get(deviceId);
    if (!loading) {
      loading = this.read(deviceId).finally(() => this.loading.delete(deviceId));
      this.loading.set(deviceId, loading);
    }
    return loading;
  }

  private async read(deviceId: string): Promise<DeviceState | undefined> {
    const device = await this.db.getRepository(DeviceEntity).findOne({ where: { id: deviceId }, select: DEVICE_FIELDS });
    if (!device) return undefined;
    const stored = new Map((await this.attributes.find(deviceId, 'SERVER_SCOPE', STATE_KEYS)).map((a) => [a.key, a.value]));
    const state: DeviceState = {
      deviceId,
      device,
      createdTime: device.createdTime,
      active: stored.get('active') === true,
      lastConnectTime: Number(stored.get('lastConnectTime') ?? 0),
      lastDisconnectTime: Number(stored.get('lastDisconnectTime') ?? 0),
      lastActivityTime: Number(stored.get('lastActivityTime') ?? 0),
      inactivityAlarmTime: Number(stored.get('inactivityAlarmTime') ?? 0),
      inactivityTimeout: validTimeout(stored.get('inactivityTimeout')),
      openConnections: 0,
    };
    this.states.set(deviceId, state);
    return state;
  }

  /** A renamed, relabelled, reassigned or re-profiled device: later state events say so. */
  private async refreshDevice(deviceId: string): Promise<void> {
    try {
      const device = await this.db.getRepository(DeviceEntity).findOne({ where: { id: deviceId }, select: DEVICE_FIELDS });
      const state = this.states.get(deviceId);
      if (device && state) state.device = device;
    } catch (e) {
      this.logger.error(`device ${deviceId} not re-read after its update; its state events keep the old name: ${(e as Error).message}`);
    }
  }
}

/** Values ≤ 0 or not numeric mean "use the default" (device-api.md §5.1). */
function validTimeout(value: unknown): number | undefined {
  const n = typeof value === 'number' || typeof value === 'bigint' ? Number(value) : typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}
