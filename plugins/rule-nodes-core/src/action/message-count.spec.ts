import { hostname } from 'node:os';
import { createTestNode, relationsOf, TEST_TENANT_ID, testMsg } from '@edgewise/plugin-api/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { messageCountNode } from './message-count';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('message count', () => {
  it('ends each message and emits the count every interval as telemetry of the tenant', async () => {
    const node = await createTestNode(messageCountNode, { interval: 2, telemetryPrefix: 'ingress' });
    const messages = [testMsg(), testMsg(), testMsg()];
    for (const msg of messages) expect(await node.send(msg)).toEqual([{ kind: 'ack', msg }]);

    await vi.advanceTimersByTimeAsync(2000);
    const [first] = node.emissions.slice(3);
    expect(first).toMatchObject({
      kind: 'enqueuedForTellNext',
      relation: 'Success',
      msg: {
        type: 'POST_TELEMETRY_REQUEST',
        originator: { entityType: 'TENANT', id: TEST_TENANT_ID },
        metadata: { delta: '2000' },
        data: JSON.stringify({ [`ingress_${hostname()}`]: 3 }),
      },
    });

    await node.send(testMsg());
    await vi.advanceTimersByTimeAsync(2000);
    await vi.advanceTimersByTimeAsync(2000);
    expect(node.emissions.slice(5).map((emission) => JSON.parse(emission.msg.data))).toEqual([
      { [`ingress_${hostname()}`]: 1 },
      { [`ingress_${hostname()}`]: 0 },
    ]);
    await node.destroy();
  });

  it('stops counting when destroyed', async () => {
    const node = await createTestNode(messageCountNode);
    await node.destroy();
    await vi.advanceTimersByTimeAsync(5000);
    expect(relationsOf(node.emissions)).toEqual([]);
  });

  it('refuses an interval below one second', async () => {
    await expect(createTestNode(messageCountNode, { interval: 0 })).rejects.toThrow(
      /interval must be a whole number of seconds, at least 1/,
    );
  });
});
