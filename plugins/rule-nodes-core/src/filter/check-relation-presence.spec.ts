import type { EntityId } from '@edgewise/plugin-api';
import { createTestNode, InMemoryServices, relationsOf, TEST_DEVICE, testMsg } from '@edgewise/plugin-api/testing';
import { describe, expect, it } from 'vitest';
import { checkRelationPresenceNode } from './check-relation-presence';

const BUILDING: EntityId = { entityType: 'ASSET', id: '33333333-3333-4333-8333-333333333333' };
const GATEWAY: EntityId = { entityType: 'DEVICE', id: '44444444-4444-4444-8444-444444444444' };

/** Building --Contains--> test device --Manages--> gateway. */
function services(): InMemoryServices {
  const s = new InMemoryServices();
  s.addEntity({ id: BUILDING, name: 'Building A', type: 'building' });
  s.addEntity({ id: GATEWAY, name: 'Gateway', type: 'gateway' });
  s.relationStore.push({ from: BUILDING, to: TEST_DEVICE, type: 'Contains', typeGroup: 'COMMON' });
  s.relationStore.push({ from: TEST_DEVICE, to: GATEWAY, type: 'Manages', typeGroup: 'COMMON' });
  return s;
}

const single = (entity: EntityId) => ({ checkForSingleEntity: true, entityType: entity.entityType, entityId: entity.id });

describe('check relation presence', () => {
  it('checks a relation from the originator to one entity (FROM)', async () => {
    const s = services();
    const manages = await createTestNode(checkRelationPresenceNode, { ...single(GATEWAY), relationType: 'Manages' }, { services: s });
    expect(relationsOf(await manages.send(testMsg()))).toEqual(['True']);
    const contains = await createTestNode(checkRelationPresenceNode, { ...single(GATEWAY), relationType: 'Contains' }, { services: s });
    expect(relationsOf(await contains.send(testMsg()))).toEqual(['False']);
  });

  it('checks a relation from one entity to the originator (TO)', async () => {
    const s = services();
    const node = await createTestNode(checkRelationPresenceNode, { ...single(BUILDING), direction: 'TO' }, { services: s });
    expect(relationsOf(await node.send(testMsg()))).toEqual(['True']);
    const wrongWay = await createTestNode(checkRelationPresenceNode, { ...single(BUILDING), direction: 'FROM' }, { services: s });
    expect(relationsOf(await wrongWay.send(testMsg()))).toEqual(['False']);
  });

  it('checks for a relation with any entity', async () => {
    const s = services();
    const anyTo = await createTestNode(checkRelationPresenceNode, { checkForSingleEntity: false, direction: 'TO' }, { services: s });
    expect(relationsOf(await anyTo.send(testMsg()))).toEqual(['True']);
    expect(relationsOf(await anyTo.send(testMsg({ originator: GATEWAY })))).toEqual(['False']);
    // Relations the platform keeps for itself (other type groups) do not count.
    s.relationStore.push({ from: TEST_DEVICE, to: GATEWAY, type: 'Contains', typeGroup: 'EDGE' });
    expect(relationsOf(await anyTo.send(testMsg({ originator: GATEWAY })))).toEqual(['False']);
    const anyFrom = await createTestNode(
      checkRelationPresenceNode,
      { checkForSingleEntity: false, relationType: 'Manages' },
      { services: s },
    );
    expect(relationsOf(await anyFrom.send(testMsg()))).toEqual(['True']);
  });

  it('refuses to start without the entity to check, or with one this tenant does not have', async () => {
    await expect(createTestNode(checkRelationPresenceNode)).rejects.toThrow(/Choose the entity/);
    await expect(createTestNode(checkRelationPresenceNode, single(GATEWAY))).rejects.toThrow(/does not exist in this tenant/);
  });

  it('upgrades version 0, which named the direction from the other side', () => {
    const old = { direction: 'FROM', relationType: 'Contains', checkForSingleEntity: false, entityType: null, entityId: null };
    expect(checkRelationPresenceNode.upgrade!(0, old)).toEqual({ ...old, direction: 'TO' });
    expect(checkRelationPresenceNode.upgrade!(0, { ...old, direction: 'TO' })).toMatchObject({ direction: 'FROM' });
    expect(() => checkRelationPresenceNode.upgrade!(0, { relationType: 'Contains' })).toThrow(/set it to FROM or TO/);
  });
});
