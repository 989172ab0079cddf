import type { EntityId } from '@edgewise/plugin-api';
import { createTestNode, InMemoryServices, relationsOf, TEST_DEVICE, TEST_TENANT_ID, testMsg } from '@edgewise/plugin-api/testing';
import { describe, expect, it } from 'vitest';
import { customerAttributesNode } from './customer-attributes';
import { relatedEntityDataNode } from './related-entity-data';
import { tenantAttributesNode } from './tenant-attributes';

const CUSTOMER: EntityId = { entityType: 'CUSTOMER', id: '77777777-7777-4777-8777-777777777777' };
const TENANT: EntityId = { entityType: 'TENANT', id: TEST_TENANT_ID };
const FLOOR: EntityId = { entityType: 'ASSET', id: '88888888-8888-4888-8888-888888888888' };
const BUILDING: EntityId = { entityType: 'ASSET', id: '99999999-9999-4999-8999-999999999999' };

/** Building --Contains--> floor --Contains--> test device (assigned to a customer). */
async function world(): Promise<InMemoryServices> {
  const s = new InMemoryServices();
  s.addEntity({ id: TEST_DEVICE, name: 'Thermo 1', type: 'thermostat', customerId: CUSTOMER.id });
  s.addEntity({ id: CUSTOMER, name: 'ACME', title: 'ACME' });
  s.addEntity({ id: FLOOR, name: 'Floor 2', type: 'floor', label: 'Second floor' });
  s.addEntity({ id: BUILDING, name: 'HQ', type: 'building' });
  await s.attributes.save(CUSTOMER, 'SERVER_SCOPE', { alarmThreshold: 40 });
  await s.attributes.save(TENANT, 'SERVER_SCOPE', { alarmThreshold: 50, timezone: 'Europe/Kyiv' });
  await s.attributes.save(FLOOR, 'SERVER_SCOPE', { serialNumber: 'FL-2' });
  await s.attributes.save(BUILDING, 'SERVER_SCOPE', { serialNumber: 'HQ-1', address: 'Main St 1' });
  await s.timeseries.save(CUSTOMER, '{"energy":12.5}', 1700000000000);
  await s.relations.save({ from: BUILDING, to: FLOOR, type: 'Contains', typeGroup: 'COMMON' });
  await s.relations.save({ from: FLOOR, to: TEST_DEVICE, type: 'Contains', typeGroup: 'COMMON' });
  return s;
}

describe('customer attributes', () => {
  it("adds the originator's customer attributes to the metadata", async () => {
    const node = await createTestNode(customerAttributesNode, {}, { services: await world() });
    const [emission] = await node.send(testMsg());
    expect(relationsOf([emission])).toEqual(['Success']);
    expect(emission.msg.metadata).toMatchObject({ threshold: '40' });
  });

  it('adds latest telemetry into the data, and uses a customer originator itself', async () => {
    const config = { dataMapping: { energy: 'customerEnergy' }, dataToFetch: 'LATEST_TELEMETRY', fetchTo: 'DATA' } as const;
    const node = await createTestNode(customerAttributesNode, config, { services: await world() });
    const [emission] = await node.send(testMsg({ originator: CUSTOMER, data: {} }));
    expect(JSON.parse(emission.msg.data)).toEqual({ customerEnergy: 12.5 });
  });

  it('fails for originators without a customer', async () => {
    const services = await world();
    services.entityStore.get(`DEVICE:${TEST_DEVICE.id}`)!.customerId = null;
    const node = await createTestNode(customerAttributesNode, {}, { services });
    expect(await node.send(testMsg())).toMatchObject([{ kind: 'failure', error: expect.stringContaining('not assigned to any customer') }]);
  });

  it('refuses FIELDS, which only the related entity node supports', async () => {
    await expect(createTestNode(customerAttributesNode, { dataToFetch: 'FIELDS' })).rejects.toThrow(
      /supports ATTRIBUTES, LATEST_TELEMETRY/,
    );
  });

  it('upgrades version 0 (attrMapping + telemetry flag)', () => {
    expect(customerAttributesNode.upgrade!(0, { attrMapping: { temp: 'tempLimit' }, telemetry: true })).toEqual({
      dataMapping: { temp: 'tempLimit' },
      dataToFetch: 'LATEST_TELEMETRY',
      fetchTo: 'METADATA',
    });
    expect(customerAttributesNode.upgrade!(0, { attrMapping: {}, telemetry: false })).toMatchObject({ dataToFetch: 'ATTRIBUTES' });
    expect(() => customerAttributesNode.upgrade!(0, { telemetry: false })).toThrow(/attrMapping/);
  });
});

describe('tenant attributes', () => {
  it("adds the tenant's attributes, with patterns in the mapping", async () => {
    const dataMapping = { alarmThreshold: '${deviceType}Threshold', timezone: 'tz' };
    const node = await createTestNode(tenantAttributesNode, { dataMapping }, { services: await world() });
    const [emission] = await node.send(testMsg({ metadata: { deviceType: 'thermostat' } }));
    expect(emission.msg.metadata).toEqual({ deviceType: 'thermostat', thermostatThreshold: '50', tz: 'Europe/Kyiv' });
  });

  it('fails clearly when the data is not a JSON object and values should go there', async () => {
    const node = await createTestNode(tenantAttributesNode, { fetchTo: 'DATA' }, { services: await world() });
    expect(await node.send(testMsg({ data: [1, 2] }))).toMatchObject([
      { kind: 'failure', error: expect.stringContaining('not a JSON object') },
    ]);
  });

  it('upgrades version 0 like the customer node', () => {
    expect(tenantAttributesNode.upgrade!(0, { attrMapping: { a: 'b' }, telemetry: 'false' })).toMatchObject({
      dataToFetch: 'ATTRIBUTES',
      fetchTo: 'METADATA',
    });
  });
});

describe('related entity data', () => {
  const towardsAssets = (maxLevel: number, extra: object = {}) => ({
    relationsQuery: {
      direction: 'TO' as const,
      maxLevel,
      filters: [{ relationType: 'Contains', entityTypes: ['ASSET' as const] }],
      ...extra,
    },
  });

  it('adds attributes of the entity the originator is related to', async () => {
    const node = await createTestNode(relatedEntityDataNode, towardsAssets(1), { services: await world() });
    const [emission] = await node.send(testMsg());
    expect(emission.msg.metadata).toMatchObject({ sn: 'FL-2' });
  });

  it('adds fields of the related entity, skipping empty ones', async () => {
    const config = {
      ...towardsAssets(1),
      dataToFetch: 'FIELDS' as const,
      dataMapping: { name: 'floorName', label: 'floorLabel', title: 't' },
    };
    const node = await createTestNode(relatedEntityDataNode, config, { services: await world() });
    const [emission] = await node.send(testMsg());
    expect(emission.msg.metadata).toMatchObject({ floorName: 'Floor 2', floorLabel: 'Second floor' });
    expect(emission.msg.metadata).not.toHaveProperty('t');
  });

  it('uses the nearest match within maxLevel, or one at the last level when asked', async () => {
    const services = await world();
    const twoLevels = await createTestNode(relatedEntityDataNode, towardsAssets(2), { services });
    expect((await twoLevels.send(testMsg()))[0].msg.metadata).toMatchObject({ sn: 'FL-2' });

    const lastLevel = await createTestNode(relatedEntityDataNode, towardsAssets(2, { fetchLastLevelOnly: true }), { services });
    expect((await lastLevel.send(testMsg()))[0].msg.metadata).toMatchObject({ sn: 'HQ-1' });
  });

  it('goes through relations of other types to reach a filtered one, as ThingsBoard does', async () => {
    const services = await world();
    const ROOM: EntityId = { entityType: 'ASSET', id: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa' };
    await services.attributes.save(ROOM, 'SERVER_SCOPE', { serialNumber: 'R-9' });
    await services.relations.save({ from: TEST_DEVICE, to: GATEWAY_LIKE, type: 'Manages', typeGroup: 'COMMON' });
    await services.relations.save({ from: GATEWAY_LIKE, to: ROOM, type: 'Contains', typeGroup: 'COMMON' });
    const query = { direction: 'FROM' as const, maxLevel: 2, filters: [{ relationType: 'Contains', entityTypes: [] }] };
    const node = await createTestNode(relatedEntityDataNode, { relationsQuery: query }, { services });
    expect((await node.send(testMsg()))[0].msg.metadata).toMatchObject({ sn: 'R-9' });
  });

  it('fails when no entity matches the query', async () => {
    const node = await createTestNode(relatedEntityDataNode, {}, { services: await world() });
    expect(await node.send(testMsg())).toMatchObject([
      { kind: 'failure', error: expect.stringContaining('Failed to find related entity') },
    ]);
  });

  it('upgrades version 0 and keeps the relations query', () => {
    const relationsQuery = { direction: 'FROM', maxLevel: 1, filters: [{ relationType: 'Contains', entityTypes: [] }] };
    expect(relatedEntityDataNode.upgrade!(0, { relationsQuery, attrMapping: { serialNumber: 'sn' }, telemetry: false })).toEqual({
      relationsQuery,
      dataMapping: { serialNumber: 'sn' },
      dataToFetch: 'ATTRIBUTES',
      fetchTo: 'METADATA',
    });
  });
});

const GATEWAY_LIKE: EntityId = { entityType: 'DEVICE', id: 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb' };
