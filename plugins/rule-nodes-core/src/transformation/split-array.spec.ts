import { createTestNode, relationsOf, testMsg } from '@edgewise/plugin-api/testing';
import { describe, expect, it } from 'vitest';
import { splitArrayNode } from './split-array';

describe('split array msg', () => {
  it('emits one message per element, each with the original type, originator and metadata', async () => {
    const node = await createTestNode(splitArrayNode);
    const msg = testMsg({ data: [{ temperature: 21 }, { temperature: 22 }, 5] });
    const emissions = await node.send(msg);
    expect(relationsOf(emissions)).toEqual(['Success', 'Success', 'Success']);
    expect(emissions.map((e) => e.msg.data)).toEqual(['{"temperature":21}', '{"temperature":22}', '5']);
    for (const { msg: part } of emissions) {
      expect(part).toMatchObject({ type: msg.type, originator: msg.originator, metadata: msg.metadata, queueName: msg.queueName });
    }
    expect(new Set(emissions.map((e) => e.msg.id)).size).toBe(3);
  });

  it('unwraps a single element into the same message', async () => {
    const node = await createTestNode(splitArrayNode);
    const msg = testMsg({ data: [{ temperature: 21 }] });
    const [out] = await node.send(msg);
    expect(out).toMatchObject({ kind: 'next', relation: 'Success', msg: { id: msg.id, data: '{"temperature":21}' } });
  });

  it('acknowledges an empty array: nothing to forward', async () => {
    const node = await createTestNode(splitArrayNode);
    expect(relationsOf(await node.send(testMsg({ data: [] })))).toEqual(['ack']);
  });

  it('fails when the data is not an array', async () => {
    const node = await createTestNode(splitArrayNode);
    const [out] = await node.send(testMsg({ data: { temperature: 21 } }));
    expect(out).toMatchObject({ kind: 'failure', error: expect.stringContaining('Message data is not a JSON array') });
  });
});
