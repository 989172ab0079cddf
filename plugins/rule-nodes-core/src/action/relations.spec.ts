import type { EntityId } from '@edgewise/plugin-api';
import { createTestNode, InMemoryServices, relationsOf, TEST_DEVICE, TEST_TENANT_ID, testMsg } from '@edgewise/plugin-api/testing';
import { describe, expect, it } from 'vitest';
import { createRelationNode } from './create-relation';
import { deleteRelationNode, type DeleteRelationConfig } from './delete-relation';

const ZONE_A: EntityId = { entityType: 'ASSET', id: 'aaaaaaaa-0000-4000-8000-00000000000a' };
const ZONE_B: EntityId = { entityType: 'ASSET', id: 'bbbbbbbb-0000-4000-8000-00000000000b' };

function servicesWithZones(): InMemoryServices {
  const services = new InMemoryServices();
  services.addEntity({ id: ZONE_A, name: 'Zone A', type: 'zone' });
  services.addEntity({ id: ZONE_B, name: 'Zone B', type: 'zone' });
  return services;
}

const relationList = (services: InMemoryServices) =>
  services.relationStore.map((r) => `${r.from.id} -${r.type}/${r.typeGroup}-> ${r.to.id}`);

describe('create relation', () => {
  it('relates the originator to the entity named by the template (FROM: originator → target)', async () => {
    const node = await createTestNode(
      createRelationNode,
      { entityType: 'ASSET', entityNamePattern: 'Zone ${zone}' },
      { services: servicesWithZones() },
    );
    const msg = testMsg({ metadata: { zone: 'A' } });
    expect(await node.send(msg)).toEqual([{ kind: 'next', msg, relation: 'Success' }]);
    expect(relationList(node.services)).toEqual([`${TEST_DEVICE.id} -Contains/COMMON-> ${ZONE_A.id}`]);

    await node.send(msg);
    expect(node.services.relationStore).toHaveLength(1);
  });

  it('relates the tenant to the originator with direction TO and a templated type', async () => {
    const node = await createTestNode(createRelationNode, { entityType: 'TENANT', direction: 'TO', relationType: '$[kind]' });
    await node.send(testMsg({ data: { kind: 'Manages' } }));
    expect(relationList(node.services)).toEqual([`${TEST_TENANT_ID} -Manages/COMMON-> ${TEST_DEVICE.id}`]);
  });

  it('moves the relation when asked to remove current ones, and can continue as the target', async () => {
    const node = await createTestNode(
      createRelationNode,
      {
        entityType: 'ASSET',
        entityNamePattern: '$[zone]',
        relationType: 'InZone',
        removeCurrentRelations: true,
        changeOriginatorToRelatedEntity: true,
      },
      { services: servicesWithZones() },
    );
    await node.services.relations.save({ from: TEST_DEVICE, to: ZONE_A, type: 'InZone', typeGroup: 'COMMON' });
    await node.services.relations.save({ from: TEST_DEVICE, to: ZONE_A, type: 'Contains', typeGroup: 'COMMON' });
    const [emission] = await node.send(testMsg({ data: { zone: 'Zone B' } }));
    expect(emission).toMatchObject({ kind: 'next', relation: 'Success', msg: { originator: ZONE_B } });
    expect(relationList(node.services)).toEqual([
      `${TEST_DEVICE.id} -Contains/COMMON-> ${ZONE_A.id}`,
      `${TEST_DEVICE.id} -InZone/COMMON-> ${ZONE_B.id}`,
    ]);
  });

  it('fails when the target does not exist, and says creating it is not supported yet', async () => {
    const node = await createTestNode(createRelationNode, { entityType: 'DEVICE', entityNamePattern: 'gateway-7' });
    const [missing] = await node.send(testMsg());
    expect(missing).toMatchObject({ kind: 'failure', error: expect.stringMatching(/^Device with name 'gateway-7' doesn't exist!/) });

    const creating = await createTestNode(createRelationNode, {
      entityType: 'CUSTOMER',
      entityNamePattern: 'ACME',
      createEntityIfNotExists: true,
    });
    const [notSupported] = await creating.send(testMsg());
    expect(notSupported).toMatchObject({
      kind: 'failure',
      error: expect.stringContaining('Creating missing entities is not supported yet'),
    });
  });

  it('refuses to start without a target entity type (ThingsBoard’s default configuration has none)', async () => {
    await expect(createTestNode(createRelationNode)).rejects.toThrow(/Unsupported entity type 'null'! Choose the target entity type/);
    await expect(createTestNode(createRelationNode, { entityType: 'ALARM' as never })).rejects.toThrow(/Unsupported entity type 'ALARM'/);
  });

  it('upgrades version 0, which stored the direction the other way round', () => {
    expect(createRelationNode.upgrade!(0, { direction: 'FROM', entityCacheExpiration: 300, relationType: 'Contains' })).toEqual({
      direction: 'TO',
      relationType: 'Contains',
    });
    expect(createRelationNode.upgrade!(0, { direction: 'TO', relationType: 'Contains' })).toEqual({
      direction: 'TO',
      relationType: 'Contains',
    });
    expect(() => createRelationNode.upgrade!(0, { entityCacheExpiration: 300 })).toThrow(/set it to FROM or TO/);
  });
});

describe('delete relation', () => {
  async function arranged(config: Partial<DeleteRelationConfig>) {
    const node = await createTestNode(deleteRelationNode, config, { services: servicesWithZones() });
    await node.services.relations.save({ from: TEST_DEVICE, to: ZONE_A, type: 'InZone', typeGroup: 'COMMON' });
    await node.services.relations.save({ from: TEST_DEVICE, to: ZONE_B, type: 'InZone', typeGroup: 'COMMON' });
    await node.services.relations.save({ from: TEST_DEVICE, to: ZONE_A, type: 'Contains', typeGroup: 'COMMON' });
    return node;
  }

  it('deletes every relation of the type and direction', async () => {
    const node = await arranged({ relationType: 'InZone' });
    expect(relationsOf(await node.send(testMsg()))).toEqual(['Success']);
    expect(relationList(node.services)).toEqual([`${TEST_DEVICE.id} -Contains/COMMON-> ${ZONE_A.id}`]);
  });

  it('deletes only the relation with the named entity when configured', async () => {
    const node = await arranged({ relationType: 'InZone', deleteForSingleEntity: true, entityType: 'ASSET', entityNamePattern: '${zone}' });
    expect(relationsOf(await node.send(testMsg({ metadata: { zone: 'Zone A' } })))).toEqual(['Success']);
    expect(relationList(node.services)).toEqual([
      `${TEST_DEVICE.id} -InZone/COMMON-> ${ZONE_B.id}`,
      `${TEST_DEVICE.id} -Contains/COMMON-> ${ZONE_A.id}`,
    ]);
    // Nothing left to delete is still a success.
    expect(relationsOf(await node.send(testMsg({ metadata: { zone: 'Zone A' } })))).toEqual(['Success']);
    expect(relationsOf(await node.send(testMsg({ metadata: { zone: 'Zone C' } })))).toEqual(['Failure']);
  });

  it('starts without a target type unless deleting for a single entity', async () => {
    await expect(createTestNode(deleteRelationNode)).resolves.toBeDefined();
    await expect(createTestNode(deleteRelationNode, { deleteForSingleEntity: true })).rejects.toThrow(/Choose the target entity type/);
  });
});
