import { createTestNode, InMemoryServices, relationsOf, TEST_DEVICE, TEST_TENANT_ID } from '@edgewise/plugin-api/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { generatorNode } from './generator';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Counts up from the previous message's `n`. */
const COUNTER = 'return {msg: {n: (prevMsg.n || 0) + 1}, metadata: {previousType: prevMsgType}, msgType: "POST_TELEMETRY_REQUEST"};';

describe('generator', () => {
  it('queues what its script returns every period, by Success, from the rule node', async () => {
    const node = await createTestNode(generatorNode, { periodInSeconds: 2 }, { nodeId: '33333333-3333-4333-8333-333333333333' });
    await vi.advanceTimersByTimeAsync(1999);
    expect(node.emissions).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(node.emissions).toMatchObject([
      {
        kind: 'enqueuedForTellNext',
        relation: 'Success',
        msg: {
          type: 'POST_TELEMETRY_REQUEST',
          originator: { entityType: 'RULE_NODE', id: '33333333-3333-4333-8333-333333333333' },
          metadata: { data: '40' },
          data: '{"temp":42,"humidity":77}',
        },
      },
    ]);
    await node.destroy();
  });

  it('hands each run the previous generated message', async () => {
    const node = await createTestNode(generatorNode, { scriptLang: 'JS', jsScript: COUNTER });
    await vi.advanceTimersByTimeAsync(3000);
    expect(node.emissions.map((e) => [e.msg.data, e.msg.metadata.previousType])).toEqual([
      ['{"n":1}', ''],
      ['{"n":2}', 'POST_TELEMETRY_REQUEST'],
      ['{"n":3}', 'POST_TELEMETRY_REQUEST'],
    ]);
    await node.destroy();
  });

  it('stops after msgCount messages', async () => {
    const node = await createTestNode(generatorNode, { msgCount: 2, scriptLang: 'JS', jsScript: COUNTER });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(node.emissions.map((e) => e.msg.data)).toEqual(['{"n":1}', '{"n":2}']);
  });

  it('stops when destroyed', async () => {
    const node = await createTestNode(generatorNode);
    await vi.advanceTimersByTimeAsync(1000);
    await node.destroy();
    await vi.advanceTimersByTimeAsync(5000);
    expect(node.emissions).toHaveLength(1);
  });

  it('sends a failing run by Failure with the error and keeps its schedule', async () => {
    const node = await createTestNode(generatorNode, {
      scriptLang: 'JS',
      jsScript: 'if (!prevMsg.n) return {msg: {n: 1}}; throw new Error("no more data");',
    });
    await vi.advanceTimersByTimeAsync(3000);
    expect(relationsOf(node.emissions)).toEqual(['enqueuedForTellNext', 'enqueuedForTellNext', 'enqueuedForTellNext']);
    expect(node.emissions.map((e) => e.kind === 'enqueuedForTellNext' && e.relation)).toEqual(['Success', 'Failure', 'Failure']);
    expect(node.emissions[1].msg).toMatchObject({ type: 'GENERATOR_NODE_SELF_MSG', metadata: { error: 'no more data' } });
    expect(node.logs).toContainEqual({ level: 'error', message: 'generator: the script failed: no more data' });
    await node.destroy();
  });

  it('originates from the tenant or from an existing entity of the tenant', async () => {
    const tenantNode = await createTestNode(generatorNode, { originatorType: 'TENANT' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(tenantNode.emissions[0].msg.originator).toEqual({ entityType: 'TENANT', id: TEST_TENANT_ID });
    await tenantNode.destroy();

    const services = new InMemoryServices();
    const config = { originatorType: 'DEVICE' as const, originatorId: TEST_DEVICE.id };
    await expect(createTestNode(generatorNode, config, { services })).rejects.toThrow(/does not exist in this tenant/);
    services.addEntity({ id: TEST_DEVICE, name: 'Thermostat' });
    const deviceNode = await createTestNode(generatorNode, config, { services });
    await vi.advanceTimersByTimeAsync(1000);
    expect(deviceNode.emissions[0].msg.originator).toEqual(TEST_DEVICE);
    await deviceNode.destroy();
  });

  it('refuses originators it cannot use', async () => {
    await expect(createTestNode(generatorNode, { originatorType: 'DEVICE', originatorId: ' ' })).rejects.toThrow(
      'Originator entity must be selected (originatorId is empty)',
    );
    await expect(createTestNode(generatorNode, { originatorType: 'ALARM' })).rejects.toThrow(/^Originator type 'ALARM' is not supported/);
  });

  it('upgrades configurations of older ThingsBoard versions', () => {
    expect(generatorNode.upgrade!(0, { msgCount: 0, periodInSeconds: 5, jsScript: COUNTER, queueName: 'Main' })).toEqual({
      msgCount: 0,
      periodInSeconds: 5,
      jsScript: COUNTER,
      scriptLang: 'JS',
      originatorType: 'RULE_NODE',
    });
    const withOriginator = { originatorType: 'DEVICE', originatorId: TEST_DEVICE.id, scriptLang: 'TBEL' };
    expect(generatorNode.upgrade!(1, withOriginator)).toEqual(withOriginator);
  });
});
