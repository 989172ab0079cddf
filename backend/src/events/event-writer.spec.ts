import { describe, expect, it } from 'vitest';
import { EventWriter } from './event-writer';

/** A sink that holds each write until the test releases it: the database "cannot keep up". */
function slowSink() {
  const batches: number[][] = [];
  let release: () => void = () => {};
  const write = (batch: number[]) =>
    new Promise<void>((resolve) => {
      batches.push(batch);
      release = resolve;
    });
  return { batches, write, release: () => release() };
}

const quietLog = () => {
  const warnings: string[] = [];
  return { warnings, warn: (m: string) => warnings.push(m) };
};

describe('EventWriter', () => {
  it('writes whatever arrived while it was busy as one batch', async () => {
    const sink = slowSink();
    const writer = new EventWriter(sink.write, 100, quietLog());
    writer.add(1);
    await new Promise((resolve) => setImmediate(resolve));
    writer.add(2);
    writer.add(3);
    sink.release();
    await new Promise((resolve) => setImmediate(resolve));
    sink.release();
    await writer.drain();
    expect(sink.batches).toEqual([[1], [2, 3]]);
    expect(writer.dropped).toBe(0);
  });

  it('drops and counts beyond its capacity, and logs each episode once at the start and once at the end', async () => {
    const sink = slowSink();
    const log = quietLog();
    const writer = new EventWriter(sink.write, 3, log);
    const accepted = [1, 2, 3, 4, 5].map((n) => writer.add(n));
    expect(accepted).toEqual([true, true, true, false, false]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(writer.add(6)).toBe(false); // the batch in flight still counts
    sink.release();
    await writer.drain();
    expect(sink.batches).toEqual([[1, 2, 3]]);
    expect(writer.dropped).toBe(3);
    expect(log.warnings).toHaveLength(2);
    expect(log.warnings[0]).toMatch(/^Dropping events: more than 3 events wait/);
    expect(log.warnings[1]).toMatch(/3 were dropped meanwhile/);
  });

  it('counts a failed batch as dropped and keeps writing later events', async () => {
    const log = quietLog();
    let fail = true;
    const written: number[] = [];
    const writer = new EventWriter(
      async (batch: number[]) => {
        if (fail) throw new Error('disk full');
        written.push(...batch);
      },
      10,
      log,
    );
    writer.add(1);
    writer.add(2);
    await writer.drain();
    fail = false;
    writer.add(3);
    await writer.drain();
    expect(written).toEqual([3]);
    expect(writer.dropped).toBe(2);
    expect(log.warnings[0]).toMatch(/the database refused a batch: disk full/);
  });
});
