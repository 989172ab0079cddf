import { testMsg } from '@edgewise/plugin-api/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ProcessingStrategy, SubmitStrategy } from '../queues/queue.entity';
import { MsgTracker } from './msg-tracker';
import { MsgStarter, PackProcessor, QueueProcessingSettings } from './pack-processor';
import type { QueuedMsg } from './queued-msg';

/** What the fake engine does with one run of a message: complete at once, fail at once, never end, or later. */
type Outcome = 'ok' | 'fail' | 'hang' | { afterMs: number; fail?: boolean };

/** A message named `name` (its id) from `originator` of `tenant`. */
function item(name: string, originator = 'device-1', tenant = 'tenant-1'): QueuedMsg {
  return { tenantId: tenant, msg: testMsg({ id: name, originator: { entityType: 'DEVICE', id: originator } }) };
}

const nameOf = (queued: QueuedMsg) => queued.msg.id;

function settings(
  options: { submit?: Partial<SubmitStrategy>; processing?: Partial<ProcessingStrategy>; timeoutMs?: number } = {},
): QueueProcessingSettings {
  return {
    name: 'Test',
    packProcessingTimeout: options.timeoutMs ?? 2000,
    submitStrategy: { type: 'BURST', batchSize: 1000, ...options.submit },
    processingStrategy: {
      type: 'SKIP_ALL_FAILURES',
      retries: 3,
      failurePercentage: 0,
      pauseBetweenRetries: 0,
      maxPauseBetweenRetries: 0,
      ...options.processing,
    },
  };
}

/**
 * The chains, faked: each start creates a real MsgTracker and ends it as `outcome` says (given the message and
 * which run of it this is, from 1). Records "start X" / "end X" in order, and when each run started.
 */
function fakeEngine(outcome: (queued: QueuedMsg, run: number) => Outcome) {
  const events: string[] = [];
  const startedAt: Record<string, number[]> = {};
  const runs = new Map<QueuedMsg, number>();
  const start: MsgStarter = (queued, onDone) => {
    const name = nameOf(queued);
    const run = (runs.get(queued) ?? 0) + 1;
    runs.set(queued, run);
    (startedAt[name] ??= []).push(Date.now());
    events.push(`start ${name}`);
    const tracker = new MsgTracker(queued, onDone);
    const end = (fail: boolean) => {
      events.push(`end ${name}`);
      if (fail) tracker.fail('the fake node failed');
      tracker.release();
    };
    const result = outcome(queued, run);
    if (result === 'ok' || result === 'fail') end(result === 'fail');
    else if (result !== 'hang') setTimeout(() => end(!!result.fail), result.afterMs);
  };
  const givenUp: { names: string[]; why: string }[] = [];
  const processorWith = (queueSettings: QueueProcessingSettings) =>
    new PackProcessor(queueSettings, start, (items, why) => givenUp.push({ names: items.map(nameOf), why }));
  return {
    events,
    startedAt,
    givenUp,
    processorWith,
    /** How many runs each message had. */
    runsOf: (name: string) => startedAt[name]?.length ?? 0,
    starts: () => events.filter((e) => e.startsWith('start ')).map((e) => e.slice(6)),
  };
}

/** The largest number of runs in progress at once among messages whose name passes `filter`. */
function maxConcurrent(events: string[], filter: (name: string) => boolean = () => true): number {
  let running = 0;
  let max = 0;
  for (const event of events) {
    const [what, name] = event.split(' ');
    if (!filter(name)) continue;
    running += what === 'start' ? 1 : -1;
    max = Math.max(max, running);
  }
  return max;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('PackProcessor submit strategies', () => {
  it('BURST starts every message of the pack before any has completed', async () => {
    const engine = fakeEngine(() => ({ afterMs: 1 }));
    const pack = ['a', 'b', 'c', 'd'].map((n) => item(n));
    await engine.processorWith(settings({ submit: { type: 'BURST' } })).process(pack);
    expect(engine.events.slice(0, 4)).toEqual(['start a', 'start b', 'start c', 'start d']);
    expect(engine.events).toHaveLength(8);
  });

  it('BATCH starts the next batch only after every message of the previous one has completed', async () => {
    // Within each batch the first message is slow and the second quick: the quick one must not open the next batch.
    const delays: Record<string, number> = { a: 15, b: 1, c: 15, d: 1, e: 1 };
    const engine = fakeEngine((queued) => ({ afterMs: delays[nameOf(queued)] }));
    const pack = ['a', 'b', 'c', 'd', 'e'].map((n) => item(n));
    await engine.processorWith(settings({ submit: { type: 'BATCH', batchSize: 2 } })).process(pack);
    expect(engine.events).toEqual(['start a', 'start b', 'end b', 'end a', 'start c', 'start d', 'end d', 'end c', 'start e', 'end e']);
  });

  it('SEQUENTIAL runs one message at a time, in pack order', async () => {
    const engine = fakeEngine((queued) => ({ afterMs: nameOf(queued) === 'a' ? 10 : 1 }));
    const pack = ['a', 'b', 'c'].map((n) => item(n, `device-${n}`));
    await engine.processorWith(settings({ submit: { type: 'SEQUENTIAL' } })).process(pack);
    expect(engine.events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('SEQUENTIAL_BY_ORIGINATOR never runs two messages of one originator at once and keeps their order', async () => {
    // a1…a4 from device A, b1…b3 from device B; completion times vary so that the two interleave.
    const names = ['a1', 'b1', 'a2', 'a3', 'b2', 'a4', 'b3'];
    const delays: Record<string, number> = { a1: 8, b1: 1, a2: 1, a3: 6, b2: 9, a4: 1, b3: 2 };
    const engine = fakeEngine((queued) => ({ afterMs: delays[nameOf(queued)] }));
    const pack = names.map((n) => item(n, `device-${n[0]}`));
    await engine.processorWith(settings({ submit: { type: 'SEQUENTIAL_BY_ORIGINATOR' } })).process(pack);

    expect(maxConcurrent(engine.events, (n) => n.startsWith('a'))).toBe(1);
    expect(maxConcurrent(engine.events, (n) => n.startsWith('b'))).toBe(1);
    expect(engine.starts().filter((n) => n.startsWith('a'))).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect(engine.starts().filter((n) => n.startsWith('b'))).toEqual(['b1', 'b2', 'b3']);
    // Different originators do run side by side.
    expect(maxConcurrent(engine.events)).toBe(2);
    expect(engine.events.slice(0, 2)).toEqual(['start a1', 'start b1']);
  });

  it('SEQUENTIAL_BY_TENANT runs one message per tenant at a time, in order, tenants side by side', async () => {
    const names = ['x1', 'y1', 'x2', 'y2', 'x3'];
    const delays: Record<string, number> = { x1: 6, y1: 1, x2: 1, y2: 8, x3: 1 };
    const engine = fakeEngine((queued) => ({ afterMs: delays[nameOf(queued)] }));
    // Every message has its own originator: only the tenant may serialise them.
    const pack = names.map((n) => item(n, `device-${n}`, `tenant-${n[0]}`));
    await engine.processorWith(settings({ submit: { type: 'SEQUENTIAL_BY_TENANT' } })).process(pack);

    expect(maxConcurrent(engine.events, (n) => n.startsWith('x'))).toBe(1);
    expect(maxConcurrent(engine.events, (n) => n.startsWith('y'))).toBe(1);
    expect(engine.starts().filter((n) => n.startsWith('x'))).toEqual(['x1', 'x2', 'x3']);
    expect(engine.starts().filter((n) => n.startsWith('y'))).toEqual(['y1', 'y2']);
    expect(maxConcurrent(engine.events)).toBe(2);
  });

  it.each(['BURST', 'BATCH', 'SEQUENTIAL', 'SEQUENTIAL_BY_ORIGINATOR'] as const)(
    '%s counts every message when messages complete synchronously inside start',
    async (type) => {
      // Messages of a tenant without a root chain, or chains of synchronous nodes, end before start returns.
      const engine = fakeEngine((queued) => (nameOf(queued) === 'b' ? 'fail' : 'ok'));
      const processor = engine.processorWith(settings({ submit: { type, batchSize: 2 } }));
      await processor.process(['a', 'b', 'c', 'd', 'e'].map((n) => item(n)));
      expect(engine.starts()).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(processor.stats).toMatchObject({ processed: 4, failed: 1, timedOut: 0, packs: 1 });
      expect(engine.givenUp).toEqual([{ names: ['b'], why: '1 failed, 0 timed out' }]);
    },
  );

  it('a long SEQUENTIAL pack of synchronously completing messages does not exhaust the stack', async () => {
    const engine = fakeEngine(() => 'ok');
    const processor = engine.processorWith(settings({ submit: { type: 'SEQUENTIAL' } }));
    await processor.process(Array.from({ length: 20_000 }, (_, i) => item(`m${i}`)));
    expect(processor.stats.processed).toBe(20_000);
  });

  it('an empty pack finishes at once', async () => {
    const engine = fakeEngine(() => 'ok');
    const processor = engine.processorWith(settings());
    await processor.process([]);
    expect(processor.stats).toEqual({ processed: 0, failed: 0, timedOut: 0, retried: 0, packs: 1 });
  });
});

describe('PackProcessor pack timeout', () => {
  it('counts messages still running when the pack timeout expires as timed out', async () => {
    vi.useFakeTimers();
    const outcomes: Record<string, Outcome> = { quick: 'ok', broken: 'fail', slow: { afterMs: 500 } };
    const engine = fakeEngine((queued) => outcomes[nameOf(queued)]);
    const processor = engine.processorWith(settings({ timeoutMs: 100 }));
    let done = false;
    const processing = processor.process(['quick', 'broken', 'slow'].map((n) => item(n))).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(99);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await processing;
    expect(processor.stats).toEqual({ processed: 1, failed: 1, timedOut: 1, retried: 0, packs: 1 });
    expect(engine.givenUp).toEqual([{ names: ['broken', 'slow'], why: '1 failed, 1 timed out' }]);
    // The slow message finishing later changes nothing.
    await vi.advanceTimersByTimeAsync(500);
    expect(processor.stats.processed).toBe(1);
  });

  it('counts messages a sequential strategy never got to start as timed out', async () => {
    vi.useFakeTimers();
    const engine = fakeEngine((queued) => (nameOf(queued) === 'first' ? 'hang' : 'ok'));
    const processor = engine.processorWith(settings({ timeoutMs: 50, submit: { type: 'SEQUENTIAL' } }));
    const processing = processor.process(['first', 'second', 'third'].map((n) => item(n)));
    await vi.advanceTimersByTimeAsync(50);
    await processing;
    expect(engine.starts()).toEqual(['first']);
    expect(processor.stats).toMatchObject({ processed: 0, timedOut: 3 });
    expect(engine.givenUp).toEqual([{ names: ['first', 'second', 'third'], why: '0 failed, 3 timed out' }]);
  });
});

describe('PackProcessor processing strategies', () => {
  /** Pack a, b, c, d: in the first run `b` fails and `c` hangs past the pack timeout; every later run succeeds. */
  async function firstRunHasOneFailureAndOneTimeout(processing: Partial<ProcessingStrategy>) {
    vi.useFakeTimers();
    const engine = fakeEngine((queued, run) => {
      if (run > 1) return 'ok';
      return nameOf(queued) === 'b' ? 'fail' : nameOf(queued) === 'c' ? 'hang' : 'ok';
    });
    const processor = engine.processorWith(settings({ timeoutMs: 100, processing }));
    const processing_ = processor.process(['a', 'b', 'c', 'd'].map((n) => item(n)));
    await vi.advanceTimersByTimeAsync(1000);
    await processing_;
    return { engine, processor, secondRun: engine.starts().slice(4) };
  }

  it('SKIP_ALL_FAILURES retries nothing', async () => {
    const { processor, secondRun, engine } = await firstRunHasOneFailureAndOneTimeout({ type: 'SKIP_ALL_FAILURES' });
    expect(secondRun).toEqual([]);
    expect(processor.stats).toEqual({ processed: 2, failed: 1, timedOut: 1, retried: 0, packs: 1 });
    expect(engine.givenUp).toEqual([{ names: ['b', 'c'], why: '1 failed, 1 timed out' }]);
  });

  it('SKIP_ALL_FAILURES_AND_TIMED_OUT retries nothing', async () => {
    const { processor, secondRun } = await firstRunHasOneFailureAndOneTimeout({ type: 'SKIP_ALL_FAILURES_AND_TIMED_OUT' });
    expect(secondRun).toEqual([]);
    expect(processor.stats).toEqual({ processed: 2, failed: 1, timedOut: 1, retried: 0, packs: 1 });
  });

  it('RETRY_ALL runs the whole pack again', async () => {
    const { processor, secondRun, engine } = await firstRunHasOneFailureAndOneTimeout({ type: 'RETRY_ALL' });
    expect(secondRun).toEqual(['a', 'b', 'c', 'd']);
    expect(processor.stats).toEqual({ processed: 4, failed: 0, timedOut: 0, retried: 4, packs: 1 });
    expect(engine.givenUp).toEqual([]);
  });

  it('RETRY_FAILED runs the failed message again and gives up on the timed-out one', async () => {
    const { processor, secondRun, engine } = await firstRunHasOneFailureAndOneTimeout({ type: 'RETRY_FAILED' });
    expect(secondRun).toEqual(['b']);
    expect(processor.stats).toEqual({ processed: 3, failed: 0, timedOut: 1, retried: 1, packs: 1 });
    expect(engine.givenUp).toEqual([{ names: ['c'], why: '0 failed, 1 timed out' }]);
  });

  it('RETRY_TIMED_OUT runs the timed-out message again and gives up on the failed one', async () => {
    const { processor, secondRun, engine } = await firstRunHasOneFailureAndOneTimeout({ type: 'RETRY_TIMED_OUT' });
    expect(secondRun).toEqual(['c']);
    expect(processor.stats).toEqual({ processed: 3, failed: 1, timedOut: 0, retried: 1, packs: 1 });
    expect(engine.givenUp).toEqual([{ names: ['b'], why: '1 failed, 0 timed out' }]);
  });

  it('RETRY_FAILED_AND_TIMED_OUT runs both again, in pack order', async () => {
    const { processor, secondRun, engine } = await firstRunHasOneFailureAndOneTimeout({ type: 'RETRY_FAILED_AND_TIMED_OUT' });
    expect(secondRun).toEqual(['b', 'c']);
    expect(processor.stats).toEqual({ processed: 4, failed: 0, timedOut: 0, retried: 2, packs: 1 });
    expect(engine.givenUp).toEqual([]);
  });

  it('retries a failing message `retries` times after the first run, then gives up', async () => {
    const engine = fakeEngine((queued) => (nameOf(queued) === 'bad' ? 'fail' : 'ok'));
    const processor = engine.processorWith(settings({ processing: { type: 'RETRY_FAILED', retries: 2 } }));
    await processor.process([item('good'), item('bad')]);
    expect(engine.runsOf('bad')).toBe(3);
    expect(engine.runsOf('good')).toBe(1);
    expect(processor.stats).toEqual({ processed: 1, failed: 1, timedOut: 0, retried: 2, packs: 1 });
    expect(engine.givenUp).toEqual([{ names: ['bad'], why: '1 failed, 0 timed out' }]);
  });

  it('retries 0 means no limit: retries until the message succeeds', async () => {
    const engine = fakeEngine((_, run) => (run <= 7 ? 'fail' : 'ok'));
    const processor = engine.processorWith(settings({ processing: { type: 'RETRY_FAILED_AND_TIMED_OUT', retries: 0 } }));
    await processor.process([item('flaky')]);
    expect(engine.runsOf('flaky')).toBe(8);
    expect(processor.stats).toEqual({ processed: 1, failed: 0, timedOut: 0, retried: 7, packs: 1 });
    expect(engine.givenUp).toEqual([]);
  });

  it('stops retrying when the failed share of the pack exceeds failurePercentage', async () => {
    const failing = new Set(['m0', 'm1', 'm2']); // 3 of 10 = 30 %
    const pack = () => Array.from({ length: 10 }, (_, i) => item(`m${i}`));

    const strict = fakeEngine((queued) => (failing.has(nameOf(queued)) ? 'fail' : 'ok'));
    const strictProcessor = strict.processorWith(settings({ processing: { type: 'RETRY_FAILED', retries: 3, failurePercentage: 20 } }));
    await strictProcessor.process(pack());
    expect(strict.runsOf('m0')).toBe(1);
    expect(strictProcessor.stats).toMatchObject({ processed: 7, failed: 3, retried: 0 });

    const tolerant = fakeEngine((queued) => (failing.has(nameOf(queued)) ? 'fail' : 'ok'));
    const tolerantProcessor = tolerant.processorWith(settings({ processing: { type: 'RETRY_FAILED', retries: 3, failurePercentage: 50 } }));
    await tolerantProcessor.process(pack());
    expect(tolerant.runsOf('m0')).toBe(4);
    expect(tolerantProcessor.stats).toMatchObject({ processed: 7, failed: 3, retried: 9 });
  });

  it('pauses between retries, doubling the pause up to the maximum', async () => {
    vi.useFakeTimers();
    const engine = fakeEngine(() => 'fail');
    const processor = engine.processorWith(
      settings({ processing: { type: 'RETRY_FAILED', retries: 5, pauseBetweenRetries: 1, maxPauseBetweenRetries: 5 } }),
    );
    const t0 = Date.now();
    const processing = processor.process([item('bad')]);
    await vi.advanceTimersByTimeAsync(60_000);
    await processing;
    // Pauses 1, 2, 4, 5, 5 seconds.
    expect(engine.startedAt.bad.map((t) => t - t0)).toEqual([0, 1000, 3000, 7000, 12_000, 17_000]);
  });

  it('starts retry pauses afresh for every pack', async () => {
    vi.useFakeTimers();
    const engine = fakeEngine((_, run) => (run === 1 ? 'fail' : 'ok'));
    const processor = engine.processorWith(
      settings({ processing: { type: 'RETRY_FAILED', retries: 3, pauseBetweenRetries: 1, maxPauseBetweenRetries: 8 } }),
    );
    for (const name of ['first', 'second']) {
      const t0 = Date.now();
      const processing = processor.process([item(name)]);
      await vi.advanceTimersByTimeAsync(10_000);
      await processing;
      expect(engine.startedAt[name].map((t) => t - t0)).toEqual([0, 1000]);
    }
    expect(processor.stats).toEqual({ processed: 2, failed: 0, timedOut: 0, retried: 2, packs: 2 });
  });

  it('applies updated settings from the next pack on', async () => {
    const engine = fakeEngine((queued) => (nameOf(queued).startsWith('bad') ? 'fail' : 'ok'));
    const processor = engine.processorWith(settings({ processing: { type: 'SKIP_ALL_FAILURES' } }));
    await processor.process([item('bad1')]);
    processor.update(settings({ processing: { type: 'RETRY_FAILED', retries: 1 } }));
    await processor.process([item('bad2')]);
    expect([engine.runsOf('bad1'), engine.runsOf('bad2')]).toEqual([1, 2]);
    expect(processor.stats).toEqual({ processed: 0, failed: 2, timedOut: 0, retried: 1, packs: 2 });
  });
});
