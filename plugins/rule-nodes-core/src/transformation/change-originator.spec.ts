import type { EntityId } from '@edgewise/plugin-api';
import { createTestNode, InMemoryServices, TEST_DEVICE, TEST_TENANT_ID, testMsg } from '@edgewise/plugin-api/testing';
import { describe, expect, it } from 'vitest';
import { changeOriginatorNode, type ChangeOriginatorConfig } from './change-originator';

const CUSTOMER: EntityId = { entityType: 'CUSTOMER', id: '33333333-3333-4333-8333-333333333333' };
const BUILDING: EntityId = { entityType: 'ASSET', id: '44444444-4444-4444-8444-444444444444' };
const FLOOR: EntityId = { entityType: 'ASSET', id: '55555555-5555-4555-8555-555555555555' };

async function run(config: Partial<ChangeOriginatorConfig>, msg = testMsg(), services = new InMemoryServices()) {
  const node = await createTestNode(changeOriginatorNode, config, { services });
  return node.send(msg);
}

describe('change originator', () => {
  it("uses the originator's customer by default", async () => {
    const services = new InMemoryServices();
    services.addEntity({ id: TEST_DEVICE, name: 'Test Device', customerId: CUSTOMER.id });
    const msg = testMsg();
    const [out] = await run({}, msg, services);
    expect(out).toMatchObject({ kind: 'next', relation: 'Success', msg: { id: msg.id, originator: CUSTOMER, data: msg.data } });
  });

  it('fails when the originator has no customer', async () => {
    const services = new InMemoryServices();
    services.addEntity({ id: TEST_DEVICE, name: 'Test Device' });
    const [out] = await run({ originatorSource: 'CUSTOMER' }, testMsg(), services);
    expect(out).toMatchObject({
      kind: 'failure',
      error: expect.stringMatching(/Failed to find new originator: DEVICE .* is not assigned to a customer/),
    });
  });

  it('uses the tenant', async () => {
    const [out] = await run({ originatorSource: 'TENANT' });
    expect(out.msg.originator).toEqual({ entityType: 'TENANT', id: TEST_TENANT_ID });
  });

  it('uses the first related entity that the relations query finds', async () => {
    const services = new InMemoryServices();
    services.relationStore.push(
      { from: BUILDING, to: FLOOR, type: 'Contains', typeGroup: 'COMMON' },
      { from: FLOOR, to: TEST_DEVICE, type: 'Contains', typeGroup: 'COMMON' },
      { from: CUSTOMER, to: TEST_DEVICE, type: 'Manages', typeGroup: 'COMMON' },
    );
    const query = (maxLevel: number, relationType: string, extra = {}) => ({
      originatorSource: 'RELATED' as const,
      relationsQuery: { direction: 'TO' as const, maxLevel, filters: [{ relationType, entityTypes: [] }], ...extra },
    });
    expect((await run(query(1, 'Contains'), testMsg(), services))[0].msg.originator).toEqual(FLOOR);
    expect((await run(query(1, 'Manages'), testMsg(), services))[0].msg.originator).toEqual(CUSTOMER);
    expect((await run(query(2, 'Contains', { fetchLastLevelOnly: true }), testMsg(), services))[0].msg.originator).toEqual(BUILDING);
    const negated = {
      originatorSource: 'RELATED' as const,
      relationsQuery: { direction: 'TO' as const, maxLevel: 1, filters: [{ relationType: 'Contains', negate: true }] },
    };
    expect((await run(negated, testMsg(), services))[0].msg.originator).toEqual(CUSTOMER);
    const none = await run(
      { ...query(1, 'Contains'), relationsQuery: { direction: 'FROM', maxLevel: 1, filters: [] } },
      testMsg(),
      services,
    );
    expect(none[0]).toMatchObject({ kind: 'failure', error: expect.stringContaining('has no relation that matches the relations query') });
  });

  it("uses an alarm message's alarm originator", async () => {
    const alarmId = '66666666-6666-4666-8666-666666666666';
    const alarm = testMsg({
      type: 'ALARM_ACK',
      originator: { entityType: 'ALARM', id: alarmId },
      data: { id: { entityType: 'ALARM', id: alarmId }, type: 'High temperature', originator: TEST_DEVICE },
    });
    const [out] = await run({ originatorSource: 'ALARM_ORIGINATOR' }, alarm);
    expect(out.msg.originator).toEqual(TEST_DEVICE);
    const [wrong] = await run({ originatorSource: 'ALARM_ORIGINATOR' }, testMsg());
    expect(wrong).toMatchObject({ kind: 'failure', error: expect.stringContaining('not an ALARM') });
  });

  it('finds an entity by a name pattern filled from the message', async () => {
    const services = new InMemoryServices();
    services.addEntity({ id: BUILDING, name: 'Test Device-building' });
    const config = { originatorSource: 'ENTITY' as const, entityType: 'ASSET' as const, entityNamePattern: '${deviceName}-$[site]' };
    const [out] = await run(config, testMsg({ data: { site: 'building' } }), services);
    expect(out.msg.originator).toEqual(BUILDING);
    const [missing] = await run(config, testMsg({ data: { site: 'garage' } }), services);
    expect(missing).toMatchObject({ kind: 'failure', error: "Failed to find asset with name 'Test Device-garage'!" });
  });

  it('refuses incomplete configurations when built', async () => {
    await expect(createTestNode(changeOriginatorNode, { originatorSource: 'RELATED', relationsQuery: null })).rejects.toThrow(
      /Set "relationsQuery"/,
    );
    await expect(createTestNode(changeOriginatorNode, { originatorSource: 'ENTITY', entityType: 'DEVICE' })).rejects.toThrow(
      /Set "entityNamePattern"/,
    );
    await expect(
      createTestNode(changeOriginatorNode, { originatorSource: 'ENTITY', entityType: 'TENANT', entityNamePattern: 'x' }),
    ).rejects.toThrow(/"entityType" to one of DEVICE, ASSET, ENTITY_VIEW, EDGE, USER/);
  });

  it("has ThingsBoard's default configuration", () => {
    expect(changeOriginatorNode.defaultConfig).toEqual({
      originatorSource: 'CUSTOMER',
      relationsQuery: {
        direction: 'FROM',
        maxLevel: 1,
        filters: [{ relationType: 'Contains', entityTypes: [], negate: false }],
        fetchLastLevelOnly: false,
      },
      entityType: null,
      entityNamePattern: null,
    });
  });
});
