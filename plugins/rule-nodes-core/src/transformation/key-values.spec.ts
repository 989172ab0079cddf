import { createTestNode, testMsg } from '@edgewise/plugin-api/testing';
import { describe, expect, it } from 'vitest';
import { copyKeysNode } from './copy-keys';
import { deleteKeysNode } from './delete-keys';
import { renameKeysNode } from './rename-keys';

const msg = testMsg({
  metadata: { deviceName: 'Boiler', deviceType: 'boiler', ts: '1700000000000' },
  data: { temperature: 21, humidity: 40, location: { room: 'R1' }, label: 'east' },
});

async function sendOne<C>(descriptor: Parameters<typeof createTestNode<C>>[0], config: Partial<C>, input = msg) {
  const node = await createTestNode(descriptor, config);
  const emissions = await node.send(input);
  expect(emissions).toHaveLength(1);
  return emissions[0];
}

describe('copy key-value pairs', () => {
  it('copies matching data keys into metadata, non-strings as JSON', async () => {
    const out = await sendOne(copyKeysNode, { copyFrom: 'DATA', keys: ['temp.*', 'location', 'label'] });
    expect(out).toMatchObject({ kind: 'next', relation: 'Success' });
    expect(out.msg.metadata).toEqual({ ...msg.metadata, temperature: '21', location: '{"room":"R1"}', label: 'east' });
    expect(out.msg.data).toBe(msg.data);
  });

  it('copies matching metadata keys into the data as strings', async () => {
    const out = await sendOne(copyKeysNode, { copyFrom: 'METADATA', keys: ['device.*'] });
    expect(JSON.parse(out.msg.data)).toEqual({ ...JSON.parse(msg.data), deviceName: 'Boiler', deviceType: 'boiler' });
  });

  it('matches whole keys only, and passes the message unchanged when nothing matches', async () => {
    const out = await sendOne(copyKeysNode, { copyFrom: 'DATA', keys: ['temp'] });
    expect(out.msg).toBe(msg);
  });

  it('passes data that is not a JSON object through unchanged', async () => {
    const array = testMsg({ data: [1, 2] });
    expect((await sendOne(copyKeysNode, { copyFrom: 'DATA', keys: ['.*'] }, array)).msg).toBe(array);
  });

  it('refuses an invalid regular expression when built', async () => {
    await expect(createTestNode(copyKeysNode, { keys: ['temp[('] })).rejects.toThrow(
      /Key pattern "temp\[\(" is not a valid regular expression/,
    );
  });

  it('upgrades ThingsBoard configuration versions 0 and 1', () => {
    expect(copyKeysNode.upgrade!(0, { fromMetadata: true, keys: ['a'] })).toEqual({ copyFrom: 'METADATA', keys: ['a'] });
    expect(copyKeysNode.upgrade!(0, { fromMetadata: 'false', keys: [] })).toEqual({ copyFrom: 'DATA', keys: [] });
    expect(copyKeysNode.upgrade!(1, { fromMetadata: 'METADATA', keys: [] })).toEqual({ copyFrom: 'METADATA', keys: [] });
    expect(copyKeysNode.upgrade!(1, { copyFrom: 'DATA', keys: [] })).toEqual({ copyFrom: 'DATA', keys: [] });
    expect(() => copyKeysNode.upgrade!(0, { keys: [] })).toThrow(/"fromMetadata" must be true or false/);
  });
});

describe('rename keys', () => {
  it('renames data keys and keeps their values', async () => {
    const out = await sendOne(renameKeysNode, { renameIn: 'DATA', renameKeysMapping: { temperature: 'temp', absent: 'x' } });
    const data = JSON.parse(out.msg.data);
    expect(data).toEqual({ temp: 21, humidity: 40, location: { room: 'R1' }, label: 'east' });
  });

  it('renames metadata keys', async () => {
    const out = await sendOne(renameKeysNode, { renameIn: 'METADATA', renameKeysMapping: { deviceName: 'name' } });
    expect(out.msg.metadata).toEqual({ name: 'Boiler', deviceType: 'boiler', ts: '1700000000000' });
  });

  it('passes the message unchanged when no key is present', async () => {
    const out = await sendOne(renameKeysNode, {});
    expect(out.msg).toBe(msg);
  });

  it('treats __proto__ from a message as an ordinary key', async () => {
    const out = await sendOne(renameKeysNode, { renameKeysMapping: { label: '__proto__' } });
    expect(JSON.parse(out.msg.data)).toMatchObject({ ['__proto__']: 'east' });
    expect(Object.hasOwn(JSON.parse(out.msg.data), '__proto__')).toBe(true);
  });

  it('needs at least one mapping', async () => {
    await expect(createTestNode(renameKeysNode, { renameKeysMapping: {} })).rejects.toThrow(/at least one key to rename/);
  });

  it('upgrades from version 0', () => {
    expect(renameKeysNode.upgrade!(0, { fromMetadata: false, renameKeysMapping: { a: 'b' } })).toEqual({
      renameIn: 'DATA',
      renameKeysMapping: { a: 'b' },
    });
  });
});

describe('delete key-value pairs', () => {
  it('deletes matching data keys', async () => {
    const out = await sendOne(deleteKeysNode, { deleteFrom: 'DATA', keys: ['hum.*', 'location'] });
    expect(JSON.parse(out.msg.data)).toEqual({ temperature: 21, label: 'east' });
  });

  it('deletes matching metadata keys', async () => {
    const out = await sendOne(deleteKeysNode, { deleteFrom: 'METADATA', keys: ['device.*'] });
    expect(out.msg.metadata).toEqual({ ts: '1700000000000' });
  });

  it('passes the message unchanged when nothing matches', async () => {
    expect((await sendOne(deleteKeysNode, { keys: ['nope'] })).msg).toBe(msg);
  });

  it('upgrades version 1 "dataToFetch"', () => {
    expect(deleteKeysNode.upgrade!(1, { dataToFetch: 'METADATA', keys: ['x'] })).toEqual({ deleteFrom: 'METADATA', keys: ['x'] });
    expect(() => deleteKeysNode.upgrade!(1, { keys: ['x'] })).toThrow(/"dataToFetch" must be DATA or METADATA/);
  });
});
