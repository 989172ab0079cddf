import type { KvRecord } from '@edgewise/plugin-api';
import { createTestNode, InMemoryServices, relationsOf, TEST_DEVICE, testMsg } from '@edgewise/plugin-api/testing';
import { describe, expect, it } from 'vitest';
import { calculateDeltaNode } from './calculate-delta';

const reading = (pulseCounter: unknown, ts: number) => testMsg({ data: { pulseCounter }, metadata: { ts: String(ts) } });
const dataOf = (emission: { msg: { data: string } }) => JSON.parse(emission.msg.data) as Record<string, unknown>;

/** Services whose latest stored pulseCounter is `value` at `ts`. */
function storedLatest(record: Omit<KvRecord, 'key'>): InMemoryServices {
  const services = new InMemoryServices();
  services.timeseriesStore.set(`DEVICE:${TEST_DEVICE.id}`, [{ key: 'pulseCounter', ...record }]);
  return services;
}

describe('calculate delta', () => {
  it('starts at 0 and then adds the difference to the previous reading, with the period', async () => {
    const node = await createTestNode(calculateDeltaNode, { addPeriodBetweenMsgs: true });
    const [first] = await node.send(reading(100, 1_000));
    expect(relationsOf([first])).toEqual(['Success']);
    expect(dataOf(first)).toEqual({ pulseCounter: 100, delta: 0, periodInMs: 0 });
    const [second] = await node.send(reading(112.5, 61_000));
    expect(dataOf(second)).toEqual({ pulseCounter: 112.5, delta: 12.5, periodInMs: 60_000 });
  });

  it('compares the first reading with the latest stored telemetry', async () => {
    const node = await createTestNode(
      calculateDeltaNode,
      { addPeriodBetweenMsgs: true },
      { services: storedLatest({ type: 'STRING', value: '90', ts: 500 }) },
    );
    const [emission] = await node.send(reading('100', 1_500));
    expect(dataOf(emission)).toMatchObject({ delta: 10, periodInMs: 1_000 });
  });

  it('reads the stored value every time when the cache is off', async () => {
    const services = storedLatest({ type: 'LONG', value: 50, ts: 1 });
    const node = await createTestNode(calculateDeltaNode, { useCache: false }, { services });
    expect(dataOf((await node.send(reading(60, 2)))[0])).toMatchObject({ delta: 10 });
    expect(dataOf((await node.send(reading(70, 3)))[0])).toMatchObject({ delta: 20 });
  });

  it('handles readings of one originator in order even when they arrive together', async () => {
    const node = await createTestNode(calculateDeltaNode, {}, { services: storedLatest({ type: 'LONG', value: 10, ts: 1 }) });
    await Promise.all([node.send(reading(15, 2)), node.send(reading(17, 3)), node.send(reading(20, 4))]);
    expect(node.emissions.map(dataOf).map((d) => d.delta)).toEqual([5, 2, 3]);
  });

  it('rounds half up to the configured decimals', async () => {
    const node = await createTestNode(calculateDeltaNode, { round: 2 });
    await node.send(reading(1, 1));
    expect(dataOf((await node.send(reading(2.005, 2)))[0])).toMatchObject({ delta: 1.01 });
    expect(dataOf((await node.send(reading(2.1, 3)))[0])).toMatchObject({ delta: 0.1 });
  });

  it('fails on a negative delta unless allowed', async () => {
    const strict = await createTestNode(calculateDeltaNode, {}, { services: storedLatest({ type: 'DOUBLE', value: 100, ts: 1 }) });
    expect(await strict.send(reading(90, 2))).toMatchObject([
      { kind: 'failure', error: expect.stringContaining('Delta value is negative!') },
    ]);
    // The rejected reading is still the latest one, as in ThingsBoard.
    expect(dataOf((await strict.send(reading(95, 3)))[0])).toMatchObject({ delta: 5 });

    const lenient = await createTestNode(
      calculateDeltaNode,
      { tellFailureIfDeltaIsNegative: false },
      { services: storedLatest({ type: 'DOUBLE', value: 100, ts: 1 }) },
    );
    expect(dataOf((await lenient.send(reading(90, 2)))[0])).toMatchObject({ delta: -10 });
  });

  it('passes zero deltas on unchanged when excluded', async () => {
    const node = await createTestNode(
      calculateDeltaNode,
      { excludeZeroDeltas: true },
      { services: storedLatest({ type: 'LONG', value: 7, ts: 1 }) },
    );
    const msg = reading(7, 2);
    expect(await node.send(msg)).toEqual([{ kind: 'next', relation: 'Success', msg }]);
  });

  it('sends other message types and messages without the key by Other', async () => {
    const node = await createTestNode(calculateDeltaNode);
    expect(relationsOf(await node.send(testMsg({ type: 'POST_ATTRIBUTES_REQUEST', data: { pulseCounter: 1 } })))).toEqual(['Other']);
    expect(relationsOf(await node.send(testMsg({ data: { temperature: 1 } })))).toEqual(['Other']);
    expect(relationsOf(await node.send(testMsg({ data: [{ pulseCounter: 1 }] })))).toEqual(['Other']);
  });

  it('fails clearly on data that is not JSON, readings that are not numbers and stored values it cannot subtract', async () => {
    const node = await createTestNode(calculateDeltaNode);
    expect(await node.send(testMsg({ data: 'pulses=5', dataType: 'TEXT' }))).toMatchObject([
      { kind: 'failure', error: expect.stringContaining('not valid JSON') },
    ]);
    expect(await node.send(reading('many', 1))).toMatchObject([
      { kind: 'failure', error: expect.stringContaining('"many", not a number') },
    ]);
    const withBoolean = await createTestNode(calculateDeltaNode, {}, { services: storedLatest({ type: 'BOOLEAN', value: true, ts: 1 }) });
    expect(await withBoolean.send(reading(1, 2))).toMatchObject([
      { kind: 'failure', error: expect.stringContaining('Boolean values are not supported') },
    ]);
  });

  it('refuses a configuration without the keys it needs', async () => {
    await expect(createTestNode(calculateDeltaNode, { inputValueKey: ' ' })).rejects.toThrow(/input value key/);
    await expect(createTestNode(calculateDeltaNode, { addPeriodBetweenMsgs: true, periodValueKey: null })).rejects.toThrow(
      /period value key/,
    );
  });

  it('upgrades version 0 (no excludeZeroDeltas) without changing behaviour', () => {
    const old = { inputValueKey: 'pulseCounter', outputValueKey: 'delta', useCache: true, round: null };
    expect(calculateDeltaNode.upgrade!(0, old)).toEqual({ ...old, excludeZeroDeltas: false });
    expect(calculateDeltaNode.upgrade!(0, { ...old, excludeZeroDeltas: true })).toMatchObject({ excludeZeroDeltas: true });
  });
});
