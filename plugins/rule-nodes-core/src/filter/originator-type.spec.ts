import type { EntityType } from '@edgewise/plugin-api';
import { createTestNode, relationsOf, testMsg } from '@edgewise/plugin-api/testing';
import { describe, expect, it } from 'vitest';
import { originatorTypeFilterNode } from './originator-type-filter';
import { originatorTypeSwitchNode } from './originator-type-switch';

const from = (entityType: EntityType) => testMsg({ originator: { entityType, id: '55555555-5555-4555-8555-555555555555' } });

describe('entity type filter', () => {
  it('passes devices by default', async () => {
    const node = await createTestNode(originatorTypeFilterNode);
    expect(relationsOf(await node.send(from('DEVICE')))).toEqual(['True']);
    expect(relationsOf(await node.send(from('ASSET')))).toEqual(['False']);
  });

  it('passes any of the configured types', async () => {
    const node = await createTestNode(originatorTypeFilterNode, { originatorTypes: ['ASSET', 'ENTITY_VIEW'] });
    expect(relationsOf(await node.send(from('ENTITY_VIEW')))).toEqual(['True']);
    expect(relationsOf(await node.send(from('DEVICE')))).toEqual(['False']);
  });
});

describe('entity type switch', () => {
  it.each([
    ['DEVICE', 'Device'],
    ['ASSET', 'Asset'],
    ['ENTITY_VIEW', 'Entity View'],
    ['TENANT', 'Tenant'],
    ['CUSTOMER', 'Customer'],
    ['USER', 'User'],
    ['DASHBOARD', 'Dashboard'],
    ['RULE_CHAIN', 'Rule chain'],
    ['RULE_NODE', 'Rule node'],
    ['ALARM', 'Alarm'],
    ['EDGE', 'Edge'],
  ] as const)('routes %s originators by "%s"', async (type, relation) => {
    const node = await createTestNode(originatorTypeSwitchNode);
    expect(relationsOf(await node.send(from(type)))).toEqual([relation]);
    expect(originatorTypeSwitchNode.relations).toContain(relation);
  });
});
