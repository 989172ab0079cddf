import { Logger } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { namedMsg as msg, range, recorder, ruleQueueContract, sleep, until } from '../../../test/rule-queue-testing';
import { LocalRuleQueue, LocalRuleQueueOptions } from './local-rule-queue';

let dataDir: string;
const opened: LocalRuleQueue[] = [];

function open(options: Partial<LocalRuleQueueOptions> = {}): LocalRuleQueue {
  const queue = new LocalRuleQueue({ dataDir, maxPackSize: 100, maxBuffered: 1000, ...options });
  opened.push(queue);
  return queue;
}

async function closeAll(): Promise<void> {
  await Promise.all(opened.splice(0).map((queue) => queue.close().catch(() => undefined)));
}

beforeAll(() => {
  Logger.overrideLogger(false); // the redelivery test logs an error on purpose
});

afterEach(async () => {
  await closeAll();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('LocalRuleQueue', () => {
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'edgewise-rule-queue-'));
  });

  it('resolves submit once the message is committed: a process that dies right after still has it', async () => {
    const first = open();
    await first.submit('Main', msg('kept'));
    // No close (no drain): a second queue on the same file stands for the restarted process.
    const restarted = open();
    const consumer = recorder();
    restarted.consume('Main', consumer.handler);
    await until(() => consumer.delivered().length === 1, 'the kept message');
    expect(consumer.delivered()).toEqual(['kept']);
  });

  it('delivers messages kept from before a restart first, then new ones, in order', async () => {
    const before = open();
    await Promise.all(['old1', 'old2'].map((name) => before.submit('Main', msg(name))));
    await before.close();
    const after = open();
    await after.submit('Main', msg('new1'));
    const consumer = recorder();
    after.consume('Main', consumer.handler);
    await after.submit('Main', msg('new2'));
    await until(() => consumer.delivered().length === 4, 'four messages');
    expect(consumer.delivered()).toEqual(['old1', 'old2', 'new1', 'new2']);
  });

  it('deletes a pack only after its handler resolved: closed and reopened before that, the pack comes again', async () => {
    const first = open();
    const firstConsumer = recorder();
    firstConsumer.hold();
    first.consume('Main', firstConsumer.handler);
    await Promise.all(['a', 'b', 'c'].map((name) => first.submit('Main', msg(name))));
    await until(() => firstConsumer.packs.length === 1, 'the first pack');
    expect(firstConsumer.packs).toEqual([['a', 'b', 'c']]);

    // Stop while the pack is in progress and start again on the same data before it has finished.
    const closing = first.close();
    const reopened = open();
    const secondConsumer = recorder();
    reopened.consume('Main', secondConsumer.handler);
    await until(() => secondConsumer.packs.length === 1, 'the pack delivered again');
    expect(secondConsumer.packs).toEqual([['a', 'b', 'c']]);

    // close() waited for the pack in progress.
    let closed = false;
    void closing.then(() => (closed = true));
    await sleep(20);
    expect(closed).toBe(false);
    firstConsumer.release();
    await closing;

    // Both handlers resolved: nothing is left for a third start.
    await reopened.close();
    const third = open();
    const thirdConsumer = recorder();
    third.consume('Main', thirdConsumer.handler);
    await third.submit('Main', msg('d'));
    await until(() => thirdConsumer.delivered().length >= 1, 'the new message');
    expect(thirdConsumer.delivered()).toEqual(['d']);
  });

  it('finishes the pack in progress on close and does not deliver it again', async () => {
    const first = open();
    const consumer = recorder();
    consumer.hold();
    first.consume('Main', consumer.handler);
    await first.submit('Main', msg('a'));
    await until(() => consumer.packs.length === 1, 'the pack');
    const closing = first.close();
    consumer.release();
    await closing;
    const reopened = open();
    expect(await reopened.lag('Main')).toBe(0);
  });

  it('reads from the file once more than maxBuffered wait, and loses or repeats nothing', async () => {
    const queue = open({ maxPackSize: 7, maxBuffered: 10 });
    const consumer = recorder();
    consumer.hold();
    queue.consume('Main', consumer.handler);
    await queue.submit('Main', msg('m1'));
    await until(() => consumer.packs.length === 1, 'the first pack');
    // While the consumer is busy, far more than maxBuffered pile up.
    const backlog = range('m', 2, 60);
    await Promise.all(backlog.map((name) => queue.submit('Main', msg(name))));
    expect(await queue.lag('Main')).toBe(59);
    consumer.release();
    await until(() => consumer.delivered().length === 60, 'the backlog');
    // Caught up, new messages flow again.
    await Promise.all(range('m', 61, 65).map((name) => queue.submit('Main', msg(name))));
    await until(() => consumer.delivered().length === 65, 'the messages after the backlog');
    expect(consumer.delivered()).toEqual(range('m', 1, 65));
    expect(await queue.lag('Main')).toBe(0);
  });

  it('delivers a message submitted while its pack fails after the pack delivered again', async () => {
    const queue = open();
    const consumer = recorder();
    consumer.hold();
    queue.consume('Main', consumer.handler);
    await Promise.all(['a', 'b'].map((name) => queue.submit('Main', msg(name))));
    await until(() => consumer.packs.length === 1, 'the pack');
    await queue.submit('Main', msg('c'));
    consumer.fail(new Error('the database went away'));
    await until(() => consumer.delivered().length >= 5, 'the pack again');
    expect(consumer.delivered()).toEqual(['a', 'b', 'a', 'b', 'c']);
  });

  it('keeps the messages of a queue nobody consumes across a restart, and none of those consumed', async () => {
    const queue = open();
    const main = recorder();
    queue.consume('Main', main.handler);
    await queue.submit('Main', msg('main1'));
    await until(() => main.delivered().length === 1, 'the Main message');
    await queue.submit('Unconsumed', msg('later'));
    await queue.close();
    const reopened = open();
    const later = recorder();
    reopened.consume('Unconsumed', later.handler);
    await until(() => later.delivered().length === 1, 'the unconsumed queue');
    expect(later.delivered()).toEqual(['later']);
    expect(await reopened.lag('Main')).toBe(0);
  });

  ruleQueueContract(open);
});
