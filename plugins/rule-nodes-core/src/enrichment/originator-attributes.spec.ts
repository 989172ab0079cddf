import type { KvRecord } from '@edgewise/plugin-api';
import { createTestNode, InMemoryServices, relationsOf, TEST_DEVICE, testMsg } from '@edgewise/plugin-api/testing';
import { describe, expect, it } from 'vitest';
import { originatorAttributesNode } from './originator-attributes';

async function servicesWithData(): Promise<InMemoryServices> {
  const s = new InMemoryServices();
  await s.attributes.save(TEST_DEVICE, 'CLIENT_SCOPE', { firmware: '1.2.0' }, { ts: 1 });
  await s.attributes.save(TEST_DEVICE, 'SHARED_SCOPE', { interval: 30 }, { ts: 1 });
  await s.attributes.save(TEST_DEVICE, 'SERVER_SCOPE', { threshold: 30.5, config: { mode: 'eco' }, enabled: true }, { ts: 1 });
  // A DOUBLE that happens to be whole, as a device sending 21.0 would have stored it.
  const temperature: KvRecord = { key: 'temperature', type: 'DOUBLE', value: 21, ts: 1700000000000 };
  s.timeseriesStore.set(`${TEST_DEVICE.entityType}:${TEST_DEVICE.id}`, [temperature]);
  return s;
}

const allKeys = {
  clientAttributeNames: ['firmware'],
  sharedAttributeNames: ['interval'],
  serverAttributeNames: ['threshold', 'config', 'enabled'],
  latestTsKeyNames: ['temperature'],
};

describe('originator attributes', () => {
  it('adds attributes with scope prefixes and telemetry to the metadata as ThingsBoard writes them', async () => {
    const node = await createTestNode(originatorAttributesNode, allKeys, { services: await servicesWithData() });
    const [emission] = await node.send(testMsg());
    expect(emission).toMatchObject({ kind: 'next', relation: 'Success' });
    expect(emission.msg.metadata).toEqual({
      deviceName: 'Test Device',
      deviceType: 'default',
      ts: '1700000000000',
      cs_firmware: '1.2.0',
      shared_interval: '30',
      ss_threshold: '30.5',
      ss_config: '{"mode":"eco"}',
      ss_enabled: 'true',
      temperature: '21.0',
    });
    expect(emission.msg.data).toBe('{"temperature":25}');
  });

  it('adds typed values to the message data', async () => {
    const node = await createTestNode(originatorAttributesNode, { ...allKeys, fetchTo: 'DATA' }, { services: await servicesWithData() });
    const [emission] = await node.send(testMsg({ data: { humidity: 40 } }));
    expect(JSON.parse(emission.msg.data)).toEqual({
      humidity: 40,
      cs_firmware: '1.2.0',
      shared_interval: 30,
      ss_threshold: 30.5,
      ss_config: { mode: 'eco' },
      ss_enabled: true,
      temperature: 21,
    });
    expect(emission.msg.metadata).toEqual(testMsg().metadata);
  });

  it('adds latest telemetry with its timestamp when asked', async () => {
    const services = await servicesWithData();
    const toMetadata = await createTestNode(
      originatorAttributesNode,
      { latestTsKeyNames: ['temperature'], getLatestValueWithTs: true },
      { services },
    );
    const [meta] = await toMetadata.send(testMsg());
    expect(meta.msg.metadata.temperature).toBe('{"ts":1700000000000,"value":21.0}');

    const toData = await createTestNode(
      originatorAttributesNode,
      { latestTsKeyNames: ['temperature'], getLatestValueWithTs: true, fetchTo: 'DATA' },
      { services },
    );
    const [data] = await toData.send(testMsg({ data: {} }));
    expect(JSON.parse(data.msg.data)).toEqual({ temperature: { ts: 1700000000000, value: 21 } });
  });

  it('resolves key patterns from metadata and data', async () => {
    const services = new InMemoryServices();
    await services.attributes.save(TEST_DEVICE, 'SERVER_SCOPE', { thermostat_max: 28, zone_b_min: 12 });
    const node = await createTestNode(
      originatorAttributesNode,
      { serverAttributeNames: ['${deviceType}_max', 'zone_$[zone]_min'] },
      { services },
    );
    const [emission] = await node.send(testMsg({ data: { zone: 'b' }, metadata: { deviceType: 'thermostat' } }));
    expect(emission.msg.metadata).toMatchObject({ ss_thermostat_max: '28', ss_zone_b_min: '12' });
  });

  it('fails with what it found and a list of the missing keys', async () => {
    const node = await createTestNode(
      originatorAttributesNode,
      { serverAttributeNames: ['threshold', 'limit'], latestTsKeyNames: ['temperature', 'pressure'] },
      { services: await servicesWithData() },
    );
    const [emission] = await node.send(testMsg());
    expect(emission).toMatchObject({ kind: 'failure' });
    if (emission.kind !== 'failure') return;
    expect(emission.error).toContain('[SERVER_SCOPE]:[limit], [LATEST_TS]:[pressure]');
    expect(emission.error).toContain('tellFailureIfAbsent');
    expect(emission.msg.metadata).toMatchObject({ ss_threshold: '30.5', temperature: '21.0' });
  });

  it('goes on without missing keys when tellFailureIfAbsent is off', async () => {
    const node = await createTestNode(originatorAttributesNode, { serverAttributeNames: ['limit'], tellFailureIfAbsent: false });
    const [emission] = await node.send(testMsg());
    expect(relationsOf([emission])).toEqual(['Success']);
    expect(emission.msg.metadata).toEqual(testMsg().metadata);
  });

  it('fails clearly when values should go into data that is not a JSON object', async () => {
    const node = await createTestNode(originatorAttributesNode, { ...allKeys, fetchTo: 'DATA' }, { services: await servicesWithData() });
    const [emission] = await node.send(testMsg({ data: 'OK', dataType: 'TEXT' }));
    expect(emission).toMatchObject({ kind: 'failure', error: expect.stringMatching(/not a JSON object.*set "fetchTo" to METADATA/) });
  });

  it('upgrades version 0 configurations (fetchToData) to fetchTo', () => {
    const old = { ...allKeys, tellFailureIfAbsent: true };
    expect(originatorAttributesNode.upgrade!(0, { ...old, fetchToData: true })).toEqual({ ...old, fetchTo: 'DATA' });
    expect(originatorAttributesNode.upgrade!(0, { ...old, fetchToData: false })).toEqual({ ...old, fetchTo: 'METADATA' });
    expect(originatorAttributesNode.upgrade!(0, old)).toEqual({ ...old, fetchTo: 'METADATA' });
    expect(() => originatorAttributesNode.upgrade!(0, { ...old, fetchToData: 'maybe' })).toThrow(/set it to true or false/);
  });
});
