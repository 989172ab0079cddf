import { describe, expect, it } from 'vitest';
import { AlarmEvents } from '../alarms/alarm-events';
import type { AlarmEntity } from '../alarms/alarm.entity';
import type { AppConfig } from '../config/app-config';
import { DeviceEvents } from '../devices/device-events';
import { AttributeEvents } from '../telemetry/attribute-events';
import { TimeseriesEvents } from '../telemetry/timeseries-events';
import { ClusterRelay } from './cluster-relay';
import { alarmsKey, DEVICES_KEY, Notice, NoticeListener } from './notices';
import { SubscriptionRegistry } from './subscription-registry';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** A registry wired to real event emitters, without Redis. */
async function registry() {
  const sources = {
    timeseries: new TimeseriesEvents(),
    attributes: new AttributeEvents(),
    alarms: new AlarmEvents(),
    devices: new DeviceEvents(),
  };
  const relay = new ClusterRelay({ redisUrl: undefined, redisQueuePrefix: 'test' } as unknown as AppConfig);
  const subject = new SubscriptionRegistry(sources.timeseries, sources.attributes, sources.alarms, sources.devices, relay);
  await subject.onModuleInit();
  return { subject, ...sources };
}

/** Records each delivery (one array of notices per call). */
const recorder = () => {
  const deliveries: Notice[][] = [];
  const listener: NoticeListener = { onNotices: (notices) => deliveries.push([...notices]) };
  return { deliveries, listener };
};

describe('SubscriptionRegistry', () => {
  it('has the timeseries source announce exactly the entities someone listens to', async () => {
    const { subject, timeseries } = await registry();
    const a = recorder();
    const b = recorder();
    expect(timeseries.isWatched('e1')).toBe(false);
    subject.add('e1', a.listener);
    subject.add('e1', b.listener);
    expect(timeseries.isWatched('e1')).toBe(true);
    subject.remove('e1', a.listener);
    expect(timeseries.isWatched('e1')).toBe(true);
    subject.remove('e1', b.listener);
    expect(timeseries.isWatched('e1')).toBe(false);
    // Tenant-wide keys are no entities: the timeseries source never sees them.
    subject.add(alarmsKey('t1'), a.listener);
    expect(timeseries.isWatched(alarmsKey('t1'))).toBe(false);
  });

  it('delivers the saves of one event-loop turn together, as text values, to the listeners of that entity only', async () => {
    const { subject, timeseries, attributes } = await registry();
    const watcher = recorder();
    const other = recorder();
    subject.add('e1', watcher.listener);
    subject.add('e2', other.listener);
    timeseries.emit('saved', 'e1', [{ key: 't', ts: 1, type: 'DOUBLE', value: 25 }]);
    timeseries.emit('saved', 'e1', [{ key: 't', ts: 2, type: 'LONG', value: 9007199254740993n }]);
    attributes.emit('saved', 'e1', 'SHARED_SCOPE', [{ key: 'on', type: 'BOOLEAN', value: true }], 5);
    attributes.emit('deleted', 'e1', 'SERVER_SCOPE', ['gone']);
    attributes.emit('saved', 'e3', 'SHARED_SCOPE', [{ key: 'x', type: 'LONG', value: 1 }], 5);
    expect(watcher.deliveries).toEqual([]);
    await nextTurn();
    expect(watcher.deliveries).toEqual([
      [
        { kind: 'timeseries', key: 'e1', entries: [['t', 1, '25.0']] },
        { kind: 'timeseries', key: 'e1', entries: [['t', 2, '9007199254740993']] },
        { kind: 'attributes', key: 'e1', scope: 'SHARED_SCOPE', entries: [['on', 5, 'true']] },
        { kind: 'attributes', key: 'e1', scope: 'SERVER_SCOPE', entries: [['gone', 0, '']] },
      ],
    ]);
    expect(other.deliveries).toEqual([]);
  });

  it('sends one alarm and one device signal per turn, only when watched', async () => {
    const { subject, alarms, devices } = await registry();
    const watcher = recorder();
    const alarm = { tenantId: 't1' } as AlarmEntity;
    alarms.emit('changed', alarm, false);
    await nextTurn();
    subject.add(alarmsKey('t1'), watcher.listener);
    subject.add(DEVICES_KEY, watcher.listener);
    alarms.emit('changed', alarm, false);
    alarms.emit('changed', alarm, true);
    alarms.emit('changed', { tenantId: 't2' } as AlarmEntity, false);
    devices.emit('updated', 'd1');
    devices.emit('deleted', 'd2');
    await nextTurn();
    expect(watcher.deliveries).toEqual([[{ kind: 'alarms', key: alarmsKey('t1') }], [{ kind: 'devices', key: DEVICES_KEY }]]);
  });

  it('keeps delivering to the other listeners when one throws', async () => {
    const { subject, timeseries } = await registry();
    const healthy = recorder();
    subject.add('e1', {
      onNotices: () => {
        throw new Error('boom');
      },
    });
    subject.add('e1', healthy.listener);
    timeseries.emit('saved', 'e1', [{ key: 't', ts: 1, type: 'STRING', value: 'x' }]);
    await nextTurn();
    expect(healthy.deliveries).toHaveLength(1);
  });
});
