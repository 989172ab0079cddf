import type { EntityId } from '@edgewise/plugin-api';
import { createTestNode, InMemoryServices, relationsOf, TEST_DEVICE, testMsg } from '@edgewise/plugin-api/testing';
import { describe, expect, it } from 'vitest';
import { assetProfileSwitchNode, deviceProfileSwitchNode } from './profile-switch';

const PUMP: EntityId = { entityType: 'ASSET', id: '66666666-6666-4666-8666-666666666666' };

describe('device profile switch', () => {
  it("routes by the device profile's name", async () => {
    const services = new InMemoryServices();
    services.profileStore.set(TEST_DEVICE.id, {
      id: 'p1',
      name: 'Thermostat',
      profileData: {},
      defaultRuleChainId: null,
      defaultQueueName: null,
    });
    const node = await createTestNode(deviceProfileSwitchNode, {}, { services });
    expect(relationsOf(await node.send(testMsg()))).toEqual(['Thermostat']);
  });

  it('fails when the device has no profile any more', async () => {
    const node = await createTestNode(deviceProfileSwitchNode);
    const [emission] = await node.send(testMsg());
    expect(emission).toMatchObject({
      kind: 'failure',
      error: expect.stringContaining(`Device profile for entity id: ${TEST_DEVICE.id} wasn't found!`),
    });
  });

  it('fails for originators that are not devices', async () => {
    const node = await createTestNode(deviceProfileSwitchNode);
    const [emission] = await node.send(testMsg({ originator: PUMP }));
    expect(emission).toMatchObject({
      kind: 'failure',
      error: expect.stringContaining('Unsupported originator type: Asset! Only Device type is allowed.'),
    });
  });
});

describe('asset profile switch', () => {
  it("routes by the asset profile's name", async () => {
    const services = new InMemoryServices();
    services.addEntity({ id: PUMP, name: 'Pump 7', type: 'Water pump' });
    const node = await createTestNode(assetProfileSwitchNode, {}, { services });
    expect(relationsOf(await node.send(testMsg({ originator: PUMP })))).toEqual(['Water pump']);
  });

  it('fails for a deleted asset and for devices', async () => {
    const node = await createTestNode(assetProfileSwitchNode);
    expect(await node.send(testMsg({ originator: PUMP }))).toMatchObject([
      { kind: 'failure', error: expect.stringContaining('Asset profile for entity id') },
    ]);
    expect(await node.send(testMsg())).toMatchObject([{ kind: 'failure', error: expect.stringContaining('Only Asset type is allowed') }]);
  });
});
