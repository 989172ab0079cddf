import { createTestNode, relationsOf, testMsg } from '@edgewise/plugin-api/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { delayNode } from './delay';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('delay (deprecated)', () => {
  it('ends the original at once and hands a copy on by Success after the period', async () => {
    const node = await createTestNode(delayNode, { periodInSeconds: 10 });
    const msg = testMsg({ metadata: { deviceName: 'd1' }, data: { temperature: 30 } });
    expect(await node.send(msg)).toEqual([{ kind: 'ack', msg }]);

    await vi.advanceTimersByTimeAsync(9_999);
    expect(node.emissions).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    const [, released] = node.emissions;
    expect(released).toMatchObject({
      kind: 'enqueuedForTellNext',
      relation: 'Success',
      msg: { type: msg.type, originator: msg.originator, metadata: msg.metadata, data: msg.data, queueName: 'Main' },
    });
    expect(released.msg.id).not.toBe(msg.id);
  });

  it('takes the period from the message when configured', async () => {
    const node = await createTestNode(delayNode, { useMetadataPeriodInSecondsPatterns: true, periodInSecondsPattern: '${delay}' });
    await node.send(testMsg({ metadata: { delay: '3' } }));
    await vi.advanceTimersByTimeAsync(3_000);
    expect(relationsOf(node.emissions)).toEqual(['ack', 'enqueuedForTellNext']);

    const [failure] = await node.send(testMsg({ metadata: { delay: 'later' } }));
    expect(failure).toMatchObject({
      kind: 'failure',
      error: expect.stringContaining('Can\'t parse period in seconds from metadata using pattern: ${delay} (it gave "later"'),
    });
  });

  it('fails messages over the pending limit', async () => {
    const node = await createTestNode(delayNode, { maxPendingMsgs: 1 });
    await node.send(testMsg());
    const [failure] = await node.send(testMsg());
    expect(failure).toMatchObject({ kind: 'failure', error: expect.stringMatching(/^Max limit of pending messages reached!/) });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(relationsOf(await node.send(testMsg()))).toEqual(['ack']);
  });

  it('drops held messages when destroyed', async () => {
    const node = await createTestNode(delayNode);
    await node.send(testMsg());
    await node.destroy();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(relationsOf(node.emissions)).toEqual(['ack']);
  });

  it('refuses a per-message period without a pattern', async () => {
    await expect(createTestNode(delayNode, { useMetadataPeriodInSecondsPatterns: true })).rejects.toThrow(/Set the period pattern/);
  });
});
