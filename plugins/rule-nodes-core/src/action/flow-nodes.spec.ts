import { createTestNode, relationsOf, testMsg } from '@edgewise/plugin-api/testing';
import { describe, expect, it } from 'vitest';
import { acknowledgeNode } from './acknowledge';
import { checkpointNode } from './checkpoint';

describe('checkpoint', () => {
  it('continues on the configured queue, then acknowledges the message on the current one', async () => {
    const node = await createTestNode(checkpointNode, { queueName: 'HighPriority' });
    const msg = testMsg();
    expect(await node.send(msg)).toEqual([
      { kind: 'enqueuedForTellNext', msg, relation: 'Success', queueName: 'HighPriority' },
      { kind: 'ack', msg },
    ]);
  });

  it('fails the message, without acknowledging it, when the queue does not take it', async () => {
    const node = await createTestNode(checkpointNode, { queueName: 'HighPriority' });
    node.init.enqueueForTellNext = async () => {
      throw new Error('queue HighPriority does not exist');
    };
    const [emission] = await node.send(testMsg());
    expect(emission).toMatchObject({ kind: 'failure', error: 'queue HighPriority does not exist' });
  });

  it('refuses to start without a queue', async () => {
    await expect(createTestNode(checkpointNode, { queueName: '' })).rejects.toThrow(/Choose the queue/);
  });
});

describe('acknowledge', () => {
  it('acknowledges the message and passes it on by Success', async () => {
    const node = await createTestNode(acknowledgeNode);
    expect(relationsOf(await node.send(testMsg()))).toEqual(['ack', 'Success']);
  });
});
