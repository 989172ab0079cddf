import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { AlarmEntity } from '../alarms/alarm.entity';
import { AlarmEvents } from '../alarms/alarm-events';
import { DeviceEvents } from '../devices/device-events';
import { AttributeEvents } from '../telemetry/attribute-events';
import type { AttributeScope, KvEntry, TsKvEntry } from '../telemetry/kv-entry';
import { valueAsString } from '../telemetry/kv-json';
import { TimeseriesEvents } from '../telemetry/timeseries-events';
import { ClusterRelay } from './cluster-relay';
import { alarmsKey, DEVICES_KEY, isEntityKey, Notice, NoticeListener } from './notices';

/**
 * Who listens to which key, and the path from the storage services to them.
 *
 * Saves reach here only for watched keys (an entity with a subscriber on this or another node): timeseries
 * through `TimeseriesEvents`, which checks a Set before anything else, attributes and alarms after a Map lookup.
 * Notices of one event-loop turn are delivered together on the next one (`setImmediate`), so a burst of saves
 * for one entity becomes one update per subscription, and one Redis message per interested node.
 */
@Injectable()
export class SubscriptionRegistry implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('WebSocketSubscriptions');
  private readonly listeners = new Map<string, Set<NoticeListener>>();
  private pending: Notice[] = [];
  /** Alarm and device notices only say "something changed": one per key and batch is enough. */
  private pendingSignals = new Set<string>();
  private flushScheduled = false;

  constructor(
    private readonly timeseriesEvents: TimeseriesEvents,
    private readonly attributeEvents: AttributeEvents,
    private readonly alarmEvents: AlarmEvents,
    private readonly deviceEvents: DeviceEvents,
    private readonly relay: ClusterRelay,
  ) {}

  async onModuleInit(): Promise<void> {
    this.timeseriesEvents.on('saved', this.onTimeseriesSaved);
    this.attributeEvents.on('saved', this.onAttributesSaved);
    this.attributeEvents.on('deleted', this.onAttributesDeleted);
    this.alarmEvents.on('changed', this.onAlarmChanged);
    this.deviceEvents.on('updated', this.onDeviceChanged);
    this.deviceEvents.on('deleted', this.onDeviceChanged);
    await this.relay.start({
      deliver: (notices) => this.dispatch(notices),
      remoteInterestChanged: (key) => this.interestChanged(key),
      localKeys: () => this.listeners.keys(),
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.timeseriesEvents.off('saved', this.onTimeseriesSaved);
    this.attributeEvents.off('saved', this.onAttributesSaved);
    this.attributeEvents.off('deleted', this.onAttributesDeleted);
    this.alarmEvents.off('changed', this.onAlarmChanged);
    this.deviceEvents.off('updated', this.onDeviceChanged);
    this.deviceEvents.off('deleted', this.onDeviceChanged);
    await this.relay.stop();
  }

  add(key: string, listener: NoticeListener): void {
    let set = this.listeners.get(key);
    if (!set) {
      this.listeners.set(key, (set = new Set()));
      this.interestChanged(key);
      this.relay.announce(key, true);
    }
    set.add(listener);
  }

  remove(key: string, listener: NoticeListener): void {
    const set = this.listeners.get(key);
    if (!set?.delete(listener) || set.size > 0) return;
    this.listeners.delete(key);
    this.interestChanged(key);
    this.relay.announce(key, false);
  }

  /** Someone on this or another node listens to `key`. */
  isWatched(key: string): boolean {
    return this.listeners.has(key) || this.relay.remoteWants(key);
  }

  /** Queues a notice for the next delivery. */
  publish(notice: Notice): void {
    if (notice.kind === 'alarms' || notice.kind === 'devices') {
      if (this.pendingSignals.has(notice.key)) return;
      this.pendingSignals.add(notice.key);
    }
    this.pending.push(notice);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(this.flush);
  }

  private readonly flush = () => {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    this.pendingSignals = new Set();
    this.dispatch(batch);
    this.relay.forward(batch);
  };

  /** Hands each local listener the notices for its key, in order. */
  private dispatch(notices: readonly Notice[]): void {
    const byKey = new Map<string, Notice[]>();
    for (const notice of notices) {
      if (!this.listeners.has(notice.key)) continue;
      let list = byKey.get(notice.key);
      if (!list) byKey.set(notice.key, (list = []));
      list.push(notice);
    }
    for (const [key, list] of byKey) {
      for (const listener of [...(this.listeners.get(key) ?? [])]) {
        try {
          listener.onNotices(list);
        } catch (e) {
          this.logger.error({ msg: `a live update for ${key} failed`, err: e });
        }
      }
    }
  }

  /** Keeps TimeseriesEvents' watch list equal to the entities watched here or on other nodes. */
  private interestChanged(key: string): void {
    if (!isEntityKey(key)) return;
    if (this.isWatched(key)) this.timeseriesEvents.watch(key);
    else this.timeseriesEvents.unwatch(key);
  }

  /** TimeseriesEvents only announces watched entities. Listeners must never make a save fail. */
  private readonly onTimeseriesSaved = (entityId: string, points: readonly TsKvEntry[]) => {
    try {
      this.publish({ kind: 'timeseries', key: entityId, entries: points.map((p) => [p.key, p.ts, valueAsString(p)]) });
    } catch (e) {
      this.logger.error({ msg: 'could not queue a live timeseries update', err: e });
    }
  };

  private readonly onAttributesSaved = (entityId: string, scope: AttributeScope, entries: readonly KvEntry[], lastUpdateTs: number) => {
    if (!this.isWatched(entityId)) return;
    this.publish({ kind: 'attributes', key: entityId, scope, entries: entries.map((e) => [e.key, lastUpdateTs, valueAsString(e)]) });
  };

  /** Deleted keys as ThingsBoard announces them: ts 0 and an empty value. */
  private readonly onAttributesDeleted = (entityId: string, scope: AttributeScope, keys: readonly string[]) => {
    if (!this.isWatched(entityId)) return;
    this.publish({ kind: 'attributes', key: entityId, scope, entries: keys.map((key) => [key, 0, '']) });
  };

  private readonly onAlarmChanged = (alarm: AlarmEntity) => {
    const key = alarmsKey(alarm.tenantId);
    if (this.isWatched(key)) this.publish({ kind: 'alarms', key });
  };

  private readonly onDeviceChanged = () => {
    if (this.isWatched(DEVICES_KEY)) this.publish({ kind: 'devices', key: DEVICES_KEY });
  };
}
