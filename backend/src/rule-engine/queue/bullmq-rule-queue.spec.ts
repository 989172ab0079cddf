import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AddressInfo, createConnection, createServer, Server, Socket } from 'node:net';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { namedMsg as msg, range, recorder, ruleQueueContract, sleep, until } from '../../../test/rule-queue-testing';
import { BullRuleQueue, BullRuleQueueOptions } from './bullmq-rule-queue';

const LOCK_MS = 1000;

/**
 * A TCP relay to Redis that can be cut: a node behind it that loses it is, for Redis, a node that died (no
 * lock renewals, no acknowledgement).
 */
class CuttableLink {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly target: URL) {}

  async open(): Promise<string> {
    this.server = createServer((client) => {
      const upstream = createConnection(Number(this.target.port || 6379), this.target.hostname);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `redis://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async cut(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
    this.server = null;
  }
}

describe.runIf(!!process.env.REDIS_URL)('BullRuleQueue (Redis at REDIS_URL)', () => {
  const redisUrl = process.env.REDIS_URL!;
  let prefix: string;
  const opened: BullRuleQueue[] = [];

  /** A node of the cluster (a name of its own unless given): its own connections, this test's key prefix. */
  function node(options: Partial<BullRuleQueueOptions> = {}): BullRuleQueue {
    const queue = new BullRuleQueue(nodeOptions(options));
    opened.push(queue);
    return queue;
  }

  function nodeOptions(options: Partial<BullRuleQueueOptions> = {}): BullRuleQueueOptions {
    return { redisUrl, prefix, maxPackSize: 100, lockDurationMs: LOCK_MS, nodeName: `node-${randomBytes(4).toString('hex')}`, ...options };
  }

  /**
   * A node behind a link that is cut once it has taken a pack of a, b, c and is processing it: for Redis, a
   * node that died mid-pack. It is not closed afterwards: its pack never completes, and its connections go
   * with the test file.
   */
  async function nodeThatDiesMidPack(options: Partial<BullRuleQueueOptions> = {}): Promise<void> {
    const link = new CuttableLink(new URL(redisUrl));
    const dying = new BullRuleQueue(nodeOptions({ ...options, redisUrl: await link.open() }));
    const consumer = recorder();
    consumer.hold();
    dying.consume('Main', consumer.handler);
    await Promise.all(['a', 'b', 'c'].map((name) => dying.submit('Main', msg(name))));
    await until(() => consumer.packs.length === 1, 'the pack on the first node');
    await link.cut();
  }

  beforeAll(() => {
    Logger.overrideLogger(false); // the redelivery test logs an error on purpose
  });

  beforeEach(() => {
    prefix = `test-${randomBytes(6).toString('hex')}`;
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((queue) => queue.close()));
  });

  it('resolves submit once the message is in Redis: another node sees it and gets it', async () => {
    const producer = node();
    await producer.submit('Main', msg('kept'));
    const other = node();
    expect(await other.lag('Main')).toBe(1);
    const consumer = recorder();
    other.consume('Main', consumer.handler);
    await until(() => consumer.delivered().length === 1, 'the kept message');
    expect(consumer.delivered()).toEqual(['kept']);
  });

  it('counts the lag in messages, not in packs', async () => {
    const queue = node({ maxPackSize: 10 });
    await Promise.all(range('m', 1, 25).map((name) => queue.submit('Main', msg(name))));
    expect(await queue.lag('Main')).toBe(25);
    const consumer = recorder();
    queue.consume('Main', consumer.handler);
    await until(() => consumer.delivered().length === 25, 'every message');
    expect(await queue.lag('Main')).toBe(0);
  });

  it('removes a pack only once its handler resolved; close waits for the pack in progress', async () => {
    const first = node();
    const consumer = recorder();
    consumer.hold();
    first.consume('Main', consumer.handler);
    await Promise.all(['a', 'b'].map((name) => first.submit('Main', msg(name))));
    await until(() => consumer.packs.length === 1, 'the pack');

    let closed = false;
    const closing = first.close().then(() => (closed = true));
    await sleep(50);
    expect(closed).toBe(false);
    consumer.release();
    await closing;

    // A node started afterwards gets only what is new.
    const next = node();
    const nextConsumer = recorder();
    next.consume('Main', nextConsumer.handler);
    await next.submit('Main', msg('c'));
    await until(() => nextConsumer.delivered().length >= 1, 'the new message');
    await sleep(100);
    expect(nextConsumer.delivered()).toEqual(['c']);
  });

  it('redelivers the pack of a node that died mid-pack to another node after the lock duration', async () => {
    await nodeThatDiesMidPack();
    const survivor = node();
    const survivorConsumer = recorder();
    survivor.consume('Main', survivorConsumer.handler);
    await until(() => survivorConsumer.packs.length === 1, 'the pack on the surviving node', 15_000);
    expect(survivorConsumer.packs).toEqual([['a', 'b', 'c']]);
    // Processed once there, it stays done.
    await sleep(LOCK_MS * 2);
    expect(survivorConsumer.packs).toEqual([['a', 'b', 'c']]);
    expect(await survivor.lag('Main')).toBe(0);
  });

  it('puts the pack a node left in progress back on the queue as soon as that node starts again, without waiting for the lock', async () => {
    const longLock = { lockDurationMs: 60_000, nodeName: 'node-a' };
    await nodeThatDiesMidPack(longLock);
    const other = node({ lockDurationMs: 60_000 });
    const otherConsumer = recorder();
    other.consume('Main', otherConsumer.handler);
    const restarted = node(longLock);
    const restartedConsumer = recorder();
    restarted.consume('Main', restartedConsumer.handler);
    // Back on the queue, the pack goes to whichever consumer asks first — once, long before the 60 s lock.
    await until(() => restartedConsumer.packs.length + otherConsumer.packs.length > 0, 'the pack back on the queue', 5_000);
    await sleep(200);
    expect([...restartedConsumer.packs, ...otherConsumer.packs]).toEqual([['a', 'b', 'c']]);
  });

  it('shares a queue between nodes: each pack goes to exactly one of them', async () => {
    const [one, two] = [node({ maxPackSize: 3 }), node({ maxPackSize: 3 })];
    const [first, second] = [recorder(), recorder()];
    one.consume('Main', async (pack) => (await sleep(5), first.handler(pack)));
    two.consume('Main', async (pack) => (await sleep(5), second.handler(pack)));
    const expected = range('m', 1, 40);
    for (let i = 0; i < expected.length; i += 4) {
      await Promise.all(expected.slice(i, i + 4).map((name) => one.submit('Main', msg(name))));
    }
    await until(() => first.delivered().length + second.delivered().length === expected.length, 'every message');
    expect([...first.delivered(), ...second.delivered()].sort()).toEqual([...expected].sort());
  });

  ruleQueueContract(node);
});
