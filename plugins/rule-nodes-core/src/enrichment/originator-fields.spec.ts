import { createTestNode, InMemoryServices, TEST_DEVICE, testMsg } from '@edgewise/plugin-api/testing';
import { describe, expect, it } from 'vitest';
import { originatorFieldsNode } from './originator-fields';

function services(): InMemoryServices {
  const s = new InMemoryServices();
  s.addEntity({
    id: TEST_DEVICE,
    name: 'Thermo 1',
    type: 'thermostat',
    label: '',
    createdTime: 1690000000000,
    additionalInfo: { description: 'Hall', gateway: false },
  });
  return s;
}

describe('originator fields', () => {
  it('adds the name and profile name to the metadata by default', async () => {
    const node = await createTestNode(originatorFieldsNode, {}, { services: services() });
    const [emission] = await node.send(testMsg());
    expect(emission).toMatchObject({ kind: 'next', relation: 'Success' });
    expect(emission.msg.metadata).toMatchObject({ originatorName: 'Thermo 1', originatorType: 'thermostat' });
  });

  it('adds fields as text into the data, with nested and structured fields', async () => {
    const dataMapping = { id: 'deviceId', createdTime: 'created', 'additionalInfo.description': 'room', additionalInfo: 'info' };
    const node = await createTestNode(originatorFieldsNode, { dataMapping, fetchTo: 'DATA' }, { services: services() });
    const [emission] = await node.send(testMsg({ data: {} }));
    expect(JSON.parse(emission.msg.data)).toEqual({
      deviceId: TEST_DEVICE.id,
      created: '1690000000000',
      room: 'Hall',
      info: '{"description":"Hall","gateway":false}',
    });
  });

  it('adds empty and null values unless told to skip them; unknown fields are ignored', async () => {
    const dataMapping = { label: 'label', customerId: 'customer', nonsense: 'x' };
    const keep = await createTestNode(originatorFieldsNode, { dataMapping }, { services: services() });
    const [kept] = await keep.send(testMsg());
    expect(kept.msg.metadata).toMatchObject({ label: '', customer: 'null' });
    expect(kept.msg.metadata).not.toHaveProperty('x');

    const skip = await createTestNode(originatorFieldsNode, { dataMapping, ignoreNullStrings: true }, { services: services() });
    const [skipped] = await skip.send(testMsg());
    expect(skipped.msg.metadata).toEqual(testMsg().metadata);
  });

  it('fails when the originator no longer exists', async () => {
    const node = await createTestNode(originatorFieldsNode);
    expect(await node.send(testMsg())).toMatchObject([{ kind: 'failure', error: expect.stringContaining('not found') }]);
  });

  it('refuses an empty mapping', async () => {
    await expect(createTestNode(originatorFieldsNode, { dataMapping: {} })).rejects.toThrow(/at least one entry/);
  });

  it('upgrades version 0 (fieldsMapping, always to metadata)', () => {
    expect(originatorFieldsNode.upgrade!(0, { fieldsMapping: { name: 'deviceName' } })).toEqual({
      dataMapping: { name: 'deviceName' },
      fetchTo: 'METADATA',
    });
    expect(() => originatorFieldsNode.upgrade!(0, {})).toThrow(/fieldsMapping/);
  });
});
