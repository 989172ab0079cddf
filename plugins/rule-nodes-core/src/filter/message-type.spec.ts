import { MSG_TYPE_RELATIONS, type MsgType } from '@edgewise/plugin-api';
import { createTestNode, relationsOf, testMsg } from '@edgewise/plugin-api/testing';
import { describe, expect, it } from 'vitest';
import { messageTypeFilterNode } from './message-type-filter';
import { messageTypeSwitchNode } from './message-type-switch';

describe('message type switch', () => {
  it.each(Object.entries(MSG_TYPE_RELATIONS))('routes %s by "%s"', async (type, relation) => {
    const node = await createTestNode(messageTypeSwitchNode);
    expect(relationsOf(await node.send(testMsg({ type })))).toEqual([relation]);
  });

  it('routes custom message types by Other', async () => {
    const node = await createTestNode(messageTypeSwitchNode);
    expect(relationsOf(await node.send(testMsg({ type: 'MY_CUSTOM_TYPE' })))).toEqual(['Other']);
  });

  it('offers every connection label once, plus Other and Failure', () => {
    const { relations } = messageTypeSwitchNode;
    expect(relations).toEqual(
      expect.arrayContaining(['Post telemetry', 'RPC Request from Device', 'Alarm Acknowledged', 'Other', 'Failure']),
    );
    expect(new Set(relations).size).toBe(relations.length);
    for (const type of Object.keys(MSG_TYPE_RELATIONS) as MsgType[]) expect(relations).toContain(MSG_TYPE_RELATIONS[type]);
  });
});

describe('message type filter', () => {
  it('lets telemetry, attributes and device RPC through by default', async () => {
    const node = await createTestNode(messageTypeFilterNode);
    for (const type of ['POST_TELEMETRY_REQUEST', 'POST_ATTRIBUTES_REQUEST', 'TO_SERVER_RPC_REQUEST'])
      expect(relationsOf(await node.send(testMsg({ type })))).toEqual(['True']);
    expect(relationsOf(await node.send(testMsg({ type: 'CONNECT_EVENT' })))).toEqual(['False']);
  });

  it('matches custom types exactly', async () => {
    const node = await createTestNode(messageTypeFilterNode, { messageTypes: ['BATTERY_LOW'] });
    expect(relationsOf(await node.send(testMsg({ type: 'BATTERY_LOW' })))).toEqual(['True']);
    expect(relationsOf(await node.send(testMsg({ type: 'battery_low' })))).toEqual(['False']);
    expect(relationsOf(await node.send(testMsg()))).toEqual(['False']);
  });
});
