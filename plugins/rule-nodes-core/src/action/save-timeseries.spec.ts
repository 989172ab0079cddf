import { createTestNode, InMemoryServices, relationsOf, TEST_DEVICE, testMsg } from '@edgewise/plugin-api/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { saveTimeseriesNode } from './save-timeseries';

const stored = (services: InMemoryServices) =>
  (services.timeseriesStore.get(`DEVICE:${TEST_DEVICE.id}`) ?? []).map(({ key, value, ts }) => ({ key, value, ts }));

afterEach(() => {
  vi.useRealTimers();
});

describe('save time series', () => {
  it('stores the telemetry at the metadata ts and leaves by Success', async () => {
    const node = await createTestNode(saveTimeseriesNode);
    const msg = testMsg({ data: { temperature: 25, humidity: 40.5 } });
    expect(await node.send(msg)).toEqual([{ kind: 'next', msg, relation: 'Success' }]);
    expect(stored(node.services)).toEqual([
      { key: 'temperature', value: 25, ts: 1_700_000_000_000 },
      { key: 'humidity', value: 40.5, ts: 1_700_000_000_000 },
    ]);
  });

  it('uses the message time without metadata ts, and the server time when told to', async () => {
    const node = await createTestNode(saveTimeseriesNode);
    await node.send(testMsg({ ts: 1_600_000_000_000, metadata: {} }));
    expect(stored(node.services)[0].ts).toBe(1_600_000_000_000);

    vi.useFakeTimers({ now: 1_800_000_000_000 });
    const serverTs = await createTestNode(saveTimeseriesNode, { useServerTs: true });
    await serverTs.send(testMsg());
    expect(stored(serverTs.services)[0].ts).toBe(1_800_000_000_000);
  });

  it('passes the TTL from metadata, else the default, and leaves 0 to the tenant default', async () => {
    const node = await createTestNode(saveTimeseriesNode, { defaultTTL: 3600 });
    const save = vi.spyOn(node.services.timeseries, 'save');
    await node.send(testMsg());
    await node.send(testMsg({ metadata: { ts: '1700000000000', TTL: '60' } }));
    await node.send(testMsg({ metadata: { ts: '1700000000000', TTL: '0' } }));
    expect(save.mock.calls.map((call) => call[3])).toEqual([{ ttlSeconds: 3600 }, { ttlSeconds: 60 }, undefined]);
  });

  it('fails a message whose metadata TTL is not a number', async () => {
    const node = await createTestNode(saveTimeseriesNode);
    const [emission] = await node.send(testMsg({ metadata: { TTL: 'a week' } }));
    expect(emission).toMatchObject({ kind: 'failure', error: expect.stringContaining('Metadata "TTL" must be a whole number') });
    expect(stored(node.services)).toEqual([]);
  });

  it('fails anything but POST_TELEMETRY_REQUEST with ThingsBoard’s message', async () => {
    const node = await createTestNode(saveTimeseriesNode);
    const [emission] = await node.send(testMsg({ type: 'POST_ATTRIBUTES_REQUEST' }));
    expect(emission).toMatchObject({ kind: 'failure', error: expect.stringMatching(/^Unsupported msg type: POST_ATTRIBUTES_REQUEST/) });
  });

  it('fails data that is not telemetry (the service rejects it)', async () => {
    const node = await createTestNode(saveTimeseriesNode);
    expect(relationsOf(await node.send(testMsg({ data: 'not json' })))).toEqual(['Failure']);
  });

  describe('processing settings', () => {
    it('DEDUPLICATE stores the first message of each originator per interval, and lets the others pass', async () => {
      const node = await createTestNode(saveTimeseriesNode, { processingSettings: { type: 'DEDUPLICATE', deduplicationIntervalSecs: 60 } });
      const at = (ts: number, value: number, originator = TEST_DEVICE) =>
        testMsg({ originator, metadata: { ts: String(ts) }, data: { temperature: value } });
      const other = { entityType: 'DEVICE' as const, id: '33333333-3333-4333-8333-333333333333' };
      const emissions = [
        ...(await node.send(at(1_700_000_040_000, 1))),
        ...(await node.send(at(1_700_000_050_000, 2))),
        ...(await node.send(at(1_700_000_050_000, 3, other))),
        ...(await node.send(at(1_700_000_100_000, 4))),
      ];
      expect(relationsOf(emissions)).toEqual(['Success', 'Success', 'Success', 'Success']);
      expect(stored(node.services).map((point) => point.value)).toEqual([1, 4]);
      expect(node.services.timeseriesStore.get(`DEVICE:${other.id}`)?.map((point) => point.value)).toEqual([3]);
    });

    it('ADVANCED with one strategy for all storage actions behaves as that strategy', async () => {
      const skip = { type: 'SKIP' };
      const node = await createTestNode(saveTimeseriesNode, {
        processingSettings: {
          type: 'ADVANCED',
          timeseries: skip,
          latest: skip,
          webSockets: skip,
          calculatedFields: { type: 'ON_EVERY_MESSAGE' },
        },
      });
      expect(relationsOf(await node.send(testMsg()))).toEqual(['Success']);
      expect(stored(node.services)).toEqual([]);
    });

    it('refuses settings it cannot honour, saying what to choose', async () => {
      await expect(createTestNode(saveTimeseriesNode, { processingSettings: { type: 'WEBSOCKETS_ONLY' } })).rejects.toThrow(
        /WEBSOCKETS_ONLY .* not supported yet: choose ON_EVERY_MESSAGE or DEDUPLICATE/,
      );
      const every = { type: 'ON_EVERY_MESSAGE' };
      await expect(
        createTestNode(saveTimeseriesNode, {
          processingSettings: { type: 'ADVANCED', timeseries: every, latest: { type: 'SKIP' }, webSockets: every, calculatedFields: every },
        }),
      ).rejects.toThrow(/different strategies for timeseries, latest, webSockets is not supported yet/);
      await expect(
        createTestNode(saveTimeseriesNode, { processingSettings: { type: 'DEDUPLICATE', deduplicationIntervalSecs: 0 } }),
      ).rejects.toThrow(/deduplication interval must be a whole number of seconds from 1 to 86400, was 0/);
    });
  });

  describe('configuration versions', () => {
    it('takes the configuration of ThingsBoard’s default root chain (version 1) as it is', async () => {
      const config = { defaultTTL: 0, useServerTs: false, processingSettings: { type: 'ON_EVERY_MESSAGE' } };
      const node = await createTestNode(saveTimeseriesNode, config as never);
      expect(relationsOf(await node.send(testMsg()))).toEqual(['Success']);
    });

    it('upgrades version 0: skipLatestPersistence becomes processing settings', () => {
      expect(saveTimeseriesNode.upgrade!(0, { defaultTTL: 10, skipLatestPersistence: false })).toEqual({
        defaultTTL: 10,
        processingSettings: { type: 'ON_EVERY_MESSAGE' },
      });
      expect(saveTimeseriesNode.upgrade!(0, { defaultTTL: 0 })).toEqual({
        defaultTTL: 0,
        processingSettings: { type: 'ON_EVERY_MESSAGE' },
      });
      expect(saveTimeseriesNode.upgrade!(0, { defaultTTL: 0, skipLatestPersistence: 'true' })).toEqual({
        defaultTTL: 0,
        processingSettings: {
          type: 'ADVANCED',
          timeseries: { type: 'ON_EVERY_MESSAGE' },
          latest: { type: 'SKIP' },
          webSockets: { type: 'ON_EVERY_MESSAGE' },
          calculatedFields: { type: 'ON_EVERY_MESSAGE' },
        },
      });
    });
  });
});
