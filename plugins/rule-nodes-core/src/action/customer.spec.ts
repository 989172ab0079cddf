import type { EntityId } from '@edgewise/plugin-api';
import { createTestNode, InMemoryServices, relationsOf, TEST_DEVICE, testMsg } from '@edgewise/plugin-api/testing';
import { describe, expect, it } from 'vitest';
import { assignToCustomerNode } from './assign-to-customer';
import { unassignFromCustomerNode } from './unassign-from-customer';

const ACME: EntityId = { entityType: 'CUSTOMER', id: 'cccccccc-0000-4000-8000-00000000000c' };

function services(): InMemoryServices {
  const arranged = new InMemoryServices();
  arranged.addEntity({ id: ACME, name: 'ACME', title: 'ACME' });
  arranged.addEntity({ id: TEST_DEVICE, name: 'Test Device', type: 'default' });
  return arranged;
}

const customerOfDevice = (node: { services: InMemoryServices }) => node.services.entityStore.get(`DEVICE:${TEST_DEVICE.id}`)?.customerId;

describe('assign to customer', () => {
  it('assigns the originator to the customer named by the template', async () => {
    const node = await createTestNode(assignToCustomerNode, { customerNamePattern: '${customer}' }, { services: services() });
    expect(relationsOf(await node.send(testMsg({ metadata: { customer: 'ACME' } })))).toEqual(['Success']);
    expect(customerOfDevice(node)).toBe(ACME.id);
  });

  it('creates a missing customer only when allowed', async () => {
    const strict = await createTestNode(assignToCustomerNode, { customerNamePattern: 'Globex' }, { services: services() });
    const [failure] = await strict.send(testMsg());
    expect(failure).toMatchObject({ kind: 'failure', error: expect.stringContaining('Globex') });

    const creating = await createTestNode(
      assignToCustomerNode,
      { customerNamePattern: 'Globex', createCustomerIfNotExists: true },
      { services: services() },
    );
    expect(relationsOf(await creating.send(testMsg()))).toEqual(['Success']);
    const globex = [...creating.services.entityStore.values()].find((entity) => entity.name === 'Globex');
    expect(customerOfDevice(creating)).toBe(globex?.id.id);
  });

  it('fails originators that cannot belong to a customer', async () => {
    const node = await createTestNode(assignToCustomerNode, { customerNamePattern: 'ACME' }, { services: services() });
    const [failure] = await node.send(testMsg({ originator: { entityType: 'USER', id: TEST_DEVICE.id } }));
    expect(failure).toMatchObject({
      kind: 'failure',
      error: "Unsupported originator type 'USER'! Only ASSET, DEVICE, ENTITY_VIEW, DASHBOARD, EDGE types are allowed.",
    });
  });

  it('refuses to start without a customer title, and drops version 0’s cache setting', async () => {
    await expect(createTestNode(assignToCustomerNode)).rejects.toThrow(/Set the customer title/);
    expect(assignToCustomerNode.upgrade!(0, { customerNamePattern: 'ACME', customerCacheExpiration: 300 })).toEqual({
      customerNamePattern: 'ACME',
    });
  });
});

describe('unassign from customer', () => {
  it("makes the originator the tenant's own again", async () => {
    const node = await createTestNode(unassignFromCustomerNode, {}, { services: services() });
    node.services.entityStore.get(`DEVICE:${TEST_DEVICE.id}`)!.customerId = ACME.id;
    expect(relationsOf(await node.send(testMsg()))).toEqual(['Success']);
    expect(customerOfDevice(node)).toBeNull();
  });

  it('fails dashboards (not supported yet) and originators without customers', async () => {
    const node = await createTestNode(unassignFromCustomerNode, { customerNamePattern: 'ACME' }, { services: services() });
    const [dashboard] = await node.send(testMsg({ originator: { entityType: 'DASHBOARD', id: TEST_DEVICE.id } }));
    expect(dashboard).toMatchObject({
      kind: 'failure',
      error: expect.stringContaining('Unassigning dashboards from a customer is not supported yet'),
    });
    expect(relationsOf(await node.send(testMsg({ originator: { entityType: 'TENANT', id: TEST_DEVICE.id } })))).toEqual(['Failure']);
  });
});
