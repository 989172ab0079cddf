import type { AttributeScope, KvRecord } from '@edgewise/plugin-api';
import { createTestNode, InMemoryServices, relationsOf, TEST_DEVICE, testMsg } from '@edgewise/plugin-api/testing';
import { describe, expect, it, vi } from 'vitest';
import { storesSameValue } from './attribute-values';
import { saveAttributesNode } from './save-attributes';

const attributesMsg = (data: object, metadata: Record<string, string> = {}) =>
  testMsg({ type: 'POST_ATTRIBUTES_REQUEST', data, metadata: { ts: '1700000000000', ...metadata } });

const storedValues = (services: InMemoryServices, scope: AttributeScope) =>
  Object.fromEntries([...(services.attributeStore.get(`DEVICE:${TEST_DEVICE.id}:${scope}`)?.values() ?? [])].map((r) => [r.key, r.value]));

describe('save attributes', () => {
  it('stores the attributes in the configured scope and leaves by Success', async () => {
    const node = await createTestNode(saveAttributesNode, { scope: 'CLIENT_SCOPE' });
    expect(relationsOf(await node.send(attributesMsg({ firmware: '1.2', model: 'T1000' })))).toEqual(['Success']);
    expect(storedValues(node.services, 'CLIENT_SCOPE')).toEqual({ firmware: '1.2', model: 'T1000' });
  });

  it('takes the scope from metadata when it names one, and fails an unknown one', async () => {
    const node = await createTestNode(saveAttributesNode);
    await node.send(attributesMsg({ mode: 'eco' }, { scope: 'SHARED_SCOPE' }));
    expect(storedValues(node.services, 'SHARED_SCOPE')).toEqual({ mode: 'eco' });
    const [emission] = await node.send(attributesMsg({ mode: 'eco' }, { scope: 'PUBLIC' }));
    expect(emission).toMatchObject({ kind: 'failure', error: expect.stringContaining('Unknown attribute scope "PUBLIC"') });
  });

  it('saves only the values that changed, by default', async () => {
    const node = await createTestNode(saveAttributesNode);
    await node.services.attributes.save(TEST_DEVICE, 'SERVER_SCOPE', { mode: 'eco', limit: 10, ratio: 0.5 });
    const save = vi.spyOn(node.services.attributes, 'save');

    expect(relationsOf(await node.send(attributesMsg({ mode: 'eco', limit: '10', ratio: 0.5 })))).toEqual(['Success']);
    expect(save).not.toHaveBeenCalled();

    await node.send(attributesMsg({ mode: 'eco', limit: 11 }));
    expect(save).toHaveBeenCalledTimes(1);
    expect({ ...(save.mock.calls[0][2] as object) }).toEqual({ limit: 11 });
    expect(storedValues(node.services, 'SERVER_SCOPE')).toEqual({ mode: 'eco', limit: 11, ratio: 0.5 });
  });

  it('saves every value, as the device sent it, when told to', async () => {
    const node = await createTestNode(saveAttributesNode, { updateAttributesOnlyOnValueChange: false });
    await node.services.attributes.save(TEST_DEVICE, 'SERVER_SCOPE', { mode: 'eco' });
    const save = vi.spyOn(node.services.attributes, 'save');
    await node.send(attributesMsg({ mode: 'eco' }));
    expect(save.mock.calls[0][2]).toBe('{"mode":"eco"}');
  });

  it('leaves an empty object by Success without saving', async () => {
    const node = await createTestNode(saveAttributesNode);
    const save = vi.spyOn(node.services.attributes, 'save');
    expect(relationsOf(await node.send(attributesMsg({})))).toEqual(['Success']);
    expect(save).not.toHaveBeenCalled();
  });

  it('notifies the device unless metadata says notifyDevice=false (and the node does not force it)', async () => {
    const notifyFlags = async (config: { notifyDevice: boolean }, metadata: Record<string, string>) => {
      const node = await createTestNode(saveAttributesNode, { ...config, scope: 'SHARED_SCOPE' });
      const save = vi.spyOn(node.services.attributes, 'save');
      await node.send(attributesMsg({ mode: 'eco' }, metadata));
      return save.mock.calls[0][3];
    };
    expect(await notifyFlags({ notifyDevice: false }, {})).toEqual({ notifyDevice: true });
    expect(await notifyFlags({ notifyDevice: false }, { notifyDevice: 'false' })).toEqual({ notifyDevice: false });
    expect(await notifyFlags({ notifyDevice: true }, { notifyDevice: 'false' })).toEqual({ notifyDevice: true });
  });

  it('queues an ATTRIBUTES_UPDATED event with what changed, for shared and server scopes only', async () => {
    const node = await createTestNode(saveAttributesNode, { sendAttributesUpdatedNotification: true }, { nodeId: 'node-1' });
    await node.services.attributes.save(TEST_DEVICE, 'SERVER_SCOPE', { mode: 'eco' });
    const msg = attributesMsg({ mode: 'eco', limit: 11 });
    const emissions = await node.send(msg);
    expect(relationsOf(emissions)).toEqual(['enqueued', 'Success']);
    expect(emissions[0].msg).toMatchObject({
      type: 'ATTRIBUTES_UPDATED',
      originator: TEST_DEVICE,
      metadata: { ruleNodeId: 'node-1', scope: 'SERVER_SCOPE' },
      data: '{"limit":11}',
    });
    expect(emissions[0].msg.id).not.toBe(msg.id);

    expect(relationsOf(await node.send(attributesMsg({ rssi: -70 }, { scope: 'CLIENT_SCOPE' })))).toEqual(['Success']);
  });

  it('fails other message types and data that is not a JSON object', async () => {
    const node = await createTestNode(saveAttributesNode);
    const [wrongType] = await node.send(testMsg());
    expect(wrongType).toMatchObject({ kind: 'failure', error: expect.stringMatching(/^Unsupported msg type: POST_TELEMETRY_REQUEST/) });
    const [array] = await node.send(testMsg({ type: 'POST_ATTRIBUTES_REQUEST', data: [1, 2] }));
    expect(array).toMatchObject({ kind: 'failure', error: expect.stringContaining('Message data must be a JSON object') });
    const [text] = await node.send(testMsg({ type: 'POST_ATTRIBUTES_REQUEST', data: 'mode=eco' }));
    expect(text).toMatchObject({ kind: 'failure', error: expect.stringContaining('Message data is not valid JSON') });
  });

  it('with DEDUPLICATE saves the first message per originator and interval', async () => {
    const node = await createTestNode(saveAttributesNode, {
      processingSettings: { type: 'DEDUPLICATE', deduplicationIntervalSecs: 10 },
      updateAttributesOnlyOnValueChange: false,
    });
    await node.send(attributesMsg({ n: 1 }, { ts: '1700000000000' }));
    await node.send(attributesMsg({ n: 2 }, { ts: '1700000005000' }));
    expect(storedValues(node.services, 'SERVER_SCOPE')).toEqual({ n: 1 });
    await node.send(attributesMsg({ n: 3 }, { ts: '1700000010000' }));
    expect(storedValues(node.services, 'SERVER_SCOPE')).toEqual({ n: 3 });
  });

  describe('configuration versions', () => {
    it('takes the configuration of ThingsBoard’s default root chain (version 3)', async () => {
      const node = await createTestNode(saveAttributesNode, {
        processingSettings: { type: 'ON_EVERY_MESSAGE' },
        scope: 'CLIENT_SCOPE',
        notifyDevice: false,
        sendAttributesUpdatedNotification: false,
        updateAttributesOnlyOnValueChange: true,
      });
      expect(relationsOf(await node.send(attributesMsg({ a: 1 })))).toEqual(['Success']);
    });

    it('upgrades version 0: always saved, notified the device, processed every message', () => {
      expect(saveAttributesNode.upgrade!(0, { scope: 'SHARED_SCOPE' })).toEqual({
        scope: 'SHARED_SCOPE',
        updateAttributesOnlyOnValueChange: false,
        notifyDevice: true,
        sendAttributesUpdatedNotification: false,
        processingSettings: { type: 'ON_EVERY_MESSAGE' },
      });
    });

    it('upgrades version 1: booleans written as text become booleans', () => {
      expect(
        saveAttributesNode.upgrade!(1, {
          scope: 'SERVER_SCOPE',
          notifyDevice: 'false',
          sendAttributesUpdatedNotification: ' true ',
          updateAttributesOnlyOnValueChange: 'maybe',
        }),
      ).toEqual({
        scope: 'SERVER_SCOPE',
        notifyDevice: false,
        sendAttributesUpdatedNotification: true,
        updateAttributesOnlyOnValueChange: true,
        processingSettings: { type: 'ON_EVERY_MESSAGE' },
      });
    });

    it('upgrades version 2: processing settings are added', () => {
      const v2 = {
        scope: 'SERVER_SCOPE',
        notifyDevice: false,
        sendAttributesUpdatedNotification: true,
        updateAttributesOnlyOnValueChange: false,
      };
      expect(saveAttributesNode.upgrade!(2, v2)).toEqual({ ...v2, processingSettings: { type: 'ON_EVERY_MESSAGE' } });
    });
  });
});

describe('attribute value comparison', () => {
  const record = (type: KvRecord['type'], value: KvRecord['value']): KvRecord => ({ key: 'k', type, value, ts: 0 });

  it('follows ThingsBoard’s typing: numeric strings are numbers, integers LONG, fractions DOUBLE', () => {
    expect(storesSameValue(10, record('LONG', 10))).toBe(true);
    expect(storesSameValue('10', record('LONG', 10))).toBe(true);
    expect(storesSameValue('9223372036854775807', record('LONG', 9223372036854775807n))).toBe(true);
    expect(storesSameValue(10.5, record('DOUBLE', 10.5))).toBe(true);
    expect(storesSameValue('10.50', record('DOUBLE', 10.5))).toBe(true);
    expect(storesSameValue(true, record('BOOLEAN', true))).toBe(true);
    expect(storesSameValue('on', record('STRING', 'on'))).toBe(true);
    expect(storesSameValue({ a: [1] }, record('JSON', '{"a":[1]}'))).toBe(true);
  });

  it('counts a change of type or value as a change', () => {
    expect(storesSameValue(11, record('LONG', 10))).toBe(false);
    expect(storesSameValue('10', record('STRING', '10'))).toBe(false);
    expect(storesSameValue(10, record('DOUBLE', 10))).toBe(false);
    expect(storesSameValue('true', record('BOOLEAN', true))).toBe(false);
    expect(storesSameValue({ a: [2] }, record('JSON', '{"a":[1]}'))).toBe(false);
  });
});
