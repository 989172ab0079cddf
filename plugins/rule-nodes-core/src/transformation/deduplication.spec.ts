import type { EntityId } from '@edgewise/plugin-api';
import { createTestNode, relationsOf, testMsg, type TestNodeHarness } from '@edgewise/plugin-api/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deduplicationNode, type DeduplicationConfig } from './deduplication';

const OTHER_DEVICE: EntityId = { entityType: 'DEVICE', id: '77777777-7777-4777-8777-777777777777' };
const START = 1_700_000_000_000;

/** A message stamped with the (fake) current time, as a device message is. */
const msgNow = (data: object, overrides = {}) => testMsg({ data, metadata: { ts: String(Date.now()) }, ...overrides });

describe('deduplication', () => {
  let node: TestNodeHarness | undefined;
  const build = async (config: Partial<DeduplicationConfig>) =>
    (node = await createTestNode(deduplicationNode, { interval: 10, ...config }));

  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(START);
  });
  afterEach(async () => {
    await node?.destroy();
    node = undefined;
    vi.useRealTimers();
  });

  it('acknowledges every message and hands on the first of an interval, as a new message', async () => {
    const dedup = await build({ strategy: 'FIRST' });
    const first = msgNow({ t: 1 });
    expect(relationsOf(await dedup.send(first))).toEqual(['ack']);
    vi.advanceTimersByTime(3_000);
    expect(relationsOf(await dedup.send(msgNow({ t: 2 })))).toEqual(['ack']);
    vi.advanceTimersByTime(7_000);
    expect(dedup.emissions).toHaveLength(2);
    vi.advanceTimersByTime(1);
    const result = dedup.emissions[2];
    expect(result).toMatchObject({
      kind: 'enqueuedForTellNext',
      relation: 'Success',
      msg: { data: '{"t":1}', originator: first.originator },
    });
    expect(result.msg.id).not.toBe(first.id);
  });

  it('hands on the last message with LAST, on the configured queue', async () => {
    const dedup = await build({ strategy: 'LAST', queueName: 'HighPriority' });
    await dedup.send(msgNow({ t: 1 }));
    vi.advanceTimersByTime(5_000);
    await dedup.send(msgNow({ t: 2 }));
    vi.advanceTimersByTime(5_001);
    expect(dedup.emissions.at(-1)).toMatchObject({
      kind: 'enqueuedForTellNext',
      queueName: 'HighPriority',
      msg: { data: '{"t":2}', queueName: 'HighPriority' },
    });
  });

  it('merges all messages of an interval with ALL', async () => {
    const dedup = await build({ strategy: 'ALL', outMsgType: 'POST_ATTRIBUTES_REQUEST' });
    await dedup.send(msgNow({ t: 1 }));
    await dedup.send(msgNow({ t: 2 }));
    vi.advanceTimersByTime(10_001);
    const [result] = dedup.emissions.filter((e) => e.kind === 'enqueuedForTellNext');
    expect(result.msg).toMatchObject({ type: 'POST_ATTRIBUTES_REQUEST', metadata: { ts: String(START + 10_001) } });
    expect(JSON.parse(result.msg.data)).toEqual([
      { msg: { t: 1 }, metadata: { ts: String(START) } },
      { msg: { t: 2 }, metadata: { ts: String(START) } },
    ]);
  });

  it('keeps originators apart and starts a new interval after one ends', async () => {
    const dedup = await build({ strategy: 'FIRST' });
    await dedup.send(msgNow({ device: 1, n: 1 }));
    await dedup.send(msgNow({ device: 2, n: 1 }, { originator: OTHER_DEVICE }));
    vi.advanceTimersByTime(10_001);
    await dedup.send(msgNow({ device: 1, n: 2 }));
    vi.advanceTimersByTime(10_001);
    const results = dedup.emissions.filter((e) => e.kind === 'enqueuedForTellNext').map((e) => JSON.parse(e.msg.data));
    expect(results).toEqual([
      { device: 1, n: 1 },
      { device: 2, n: 1 },
      { device: 1, n: 2 },
    ]);
  });

  it('fails messages beyond maxPendingMsgs for one originator', async () => {
    const dedup = await build({ maxPendingMsgs: 2 });
    await dedup.send(msgNow({ n: 1 }));
    await dedup.send(msgNow({ n: 2 }));
    const [third] = await dedup.send(msgNow({ n: 3 }));
    expect(third).toMatchObject({ kind: 'failure', error: expect.stringContaining('Max limit of pending messages (2) reached') });
  });

  it('retries handing a result on, then gives up after maxRetries', async () => {
    const dedup = await build({ maxRetries: 1 });
    const attempts: string[] = [];
    dedup.init.enqueueForTellNext = async (msg) => {
      attempts.push(msg.data);
      throw new Error('queue unavailable');
    };
    await dedup.send(msgNow({ n: 1 }));
    await vi.advanceTimersByTimeAsync(10_001);
    expect(attempts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(attempts).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(attempts).toHaveLength(2);
    expect(dedup.logs).toContainEqual({ level: 'warn', message: expect.stringContaining('Deduplication result dropped') });
  });

  it('forgets pending messages and stops its timers when destroyed', async () => {
    const dedup = await build({});
    await dedup.send(msgNow({ n: 1 }));
    await dedup.destroy();
    vi.advanceTimersByTime(60_000);
    expect(relationsOf(dedup.emissions)).toEqual(['ack']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("has ThingsBoard's defaults and keeps a version 0 queue name", () => {
    expect(deduplicationNode.defaultConfig).toMatchObject({ interval: 60, strategy: 'FIRST', maxPendingMsgs: 100, maxRetries: 3 });
    expect(deduplicationNode.upgrade!(0, { interval: 5, strategy: 'ALL', queueName: 'HighPriority' })).toMatchObject({
      queueName: 'HighPriority',
    });
  });

  it('refuses an interval below one second', async () => {
    await expect(build({ interval: 0 })).rejects.toThrow(/Set "interval"/);
  });
});
