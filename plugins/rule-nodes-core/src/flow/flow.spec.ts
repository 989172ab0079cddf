import { createTestNode, relationsOf, testMsg } from '@edgewise/plugin-api/testing';
import { describe, expect, it } from 'vitest';
import { outputNode } from './output';
import { ruleChainNode } from './rule-chain';

describe('rule chain node', () => {
  it('calls the configured chain', async () => {
    const node = await createTestNode(ruleChainNode, { ruleChainId: 'c0ffee00-0000-4000-8000-000000000001' });
    const [emission] = await node.send(testMsg());
    expect(emission).toMatchObject({ kind: 'callChain', ruleChainId: 'c0ffee00-0000-4000-8000-000000000001' });
  });

  it("prefers the device profile's chain when asked to", async () => {
    const node = await createTestNode(ruleChainNode, {
      ruleChainId: 'c0ffee00-0000-4000-8000-000000000001',
      forwardMsgToDefaultRuleChain: true,
    });
    const msg = testMsg();
    node.services.profileStore.set(msg.originator.id, {
      id: 'p',
      name: 'thermostat',
      profileData: {},
      defaultRuleChainId: 'c0ffee00-0000-4000-8000-000000000002',
      defaultQueueName: null,
    });
    expect(await node.send(msg)).toMatchObject([{ kind: 'callChain', ruleChainId: 'c0ffee00-0000-4000-8000-000000000002' }]);
  });

  it('refuses to build without a target chain', async () => {
    await expect(createTestNode(ruleChainNode)).rejects.toThrow(/ruleChainId is empty/);
  });
});

describe('output node', () => {
  it('returns to the caller by its own name', async () => {
    const node = await createTestNode(outputNode);
    expect(relationsOf(await node.send(testMsg()))).toEqual(['returnFromChain']);
    expect(node.emissions[0]).toMatchObject({ label: 'output' });
  });
});
