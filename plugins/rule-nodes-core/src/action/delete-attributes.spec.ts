import { createTestNode, InMemoryServices, relationsOf, TEST_DEVICE, testMsg } from '@edgewise/plugin-api/testing';
import { describe, expect, it, vi } from 'vitest';
import { deleteAttributesNode, type DeleteAttributesConfig } from './delete-attributes';

const storedKeys = (services: InMemoryServices, scope: string) => [
  ...(services.attributeStore.get(`DEVICE:${TEST_DEVICE.id}:${scope}`)?.keys() ?? []),
];

async function nodeWithAttributes(config: Partial<DeleteAttributesConfig>) {
  const node = await createTestNode(deleteAttributesNode, config, { nodeId: 'node-1' });
  for (const scope of ['SERVER_SCOPE', 'SHARED_SCOPE'] as const) {
    await node.services.attributes.save(TEST_DEVICE, scope, { mode: 'eco', limit: 10, alarmLimit: 5 });
  }
  return node;
}

describe('delete attributes', () => {
  it('deletes the listed keys, filled from templates, and leaves by Success', async () => {
    const node = await nodeWithAttributes({ keys: ['mode', '${prefix}Limit', '$[key]', '${missing}'] });
    const msg = testMsg({ metadata: { prefix: 'alarm' }, data: { key: 'limit' } });
    expect(await node.send(msg)).toEqual([{ kind: 'next', msg, relation: 'Success' }]);
    expect(storedKeys(node.services, 'SERVER_SCOPE')).toEqual([]);
    expect(storedKeys(node.services, 'SHARED_SCOPE')).toEqual(['mode', 'limit', 'alarmLimit']);
  });

  it('uses the scope named in metadata, and fails an unknown one', async () => {
    const node = await nodeWithAttributes({ keys: ['mode'] });
    await node.send(testMsg({ metadata: { scope: 'SHARED_SCOPE' } }));
    expect(storedKeys(node.services, 'SHARED_SCOPE')).toEqual(['limit', 'alarmLimit']);
    expect(relationsOf(await node.send(testMsg({ metadata: { scope: 'shared' } })))).toEqual(['Failure']);
  });

  it('notifies the device of shared attributes only, when configured or asked by metadata', async () => {
    const node = await nodeWithAttributes({ keys: ['mode'], scope: 'SHARED_SCOPE' });
    const remove = vi.spyOn(node.services.attributes, 'remove');
    await node.send(testMsg());
    await node.send(testMsg({ metadata: { notifyDevice: 'true' } }));
    await node.send(testMsg({ metadata: { notifyDevice: 'true', scope: 'SERVER_SCOPE' } }));
    expect(remove.mock.calls.map((call) => call[3])).toEqual([{ notifyDevice: false }, { notifyDevice: true }, { notifyDevice: false }]);
  });

  it('queues an ATTRIBUTES_DELETED event naming the keys when configured', async () => {
    const node = await nodeWithAttributes({ keys: ['mode', 'limit', 'mode'], sendAttributesDeletedNotification: true });
    const emissions = await node.send(testMsg());
    expect(relationsOf(emissions)).toEqual(['enqueued', 'Success']);
    expect(emissions[0].msg).toMatchObject({
      type: 'ATTRIBUTES_DELETED',
      metadata: { ruleNodeId: 'node-1', scope: 'SERVER_SCOPE' },
      data: '{"attributes":["mode","limit"]}',
    });
  });

  it('does nothing but Success when every key comes out blank', async () => {
    const node = await nodeWithAttributes({ keys: ['', '  '] });
    const remove = vi.spyOn(node.services.attributes, 'remove');
    expect(relationsOf(await node.send(testMsg()))).toEqual(['Success']);
    expect(remove).not.toHaveBeenCalled();
  });
});
