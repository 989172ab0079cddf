import { createTestNode, relationsOf, testMsg } from '@edgewise/plugin-api/testing';
import { describe, expect, it } from 'vitest';
import { checkFieldsPresenceNode } from './check-fields-presence';

const msg = testMsg({ data: { temperature: 25, humidity: null }, metadata: { deviceName: 'Thermo 1', ts: '1700000000000' } });

describe('check fields presence', () => {
  it('needs every listed field by default', async () => {
    const node = await createTestNode(checkFieldsPresenceNode, {
      messageNames: ['temperature', 'humidity'],
      metadataNames: ['deviceName'],
    });
    expect(relationsOf(await node.send(msg))).toEqual(['True']);

    const strict = await createTestNode(checkFieldsPresenceNode, {
      messageNames: ['temperature', 'pressure'],
      metadataNames: ['deviceName'],
    });
    expect(relationsOf(await strict.send(msg))).toEqual(['False']);
  });

  it('is satisfied by one field when checkAllKeys is off', async () => {
    const node = await createTestNode(checkFieldsPresenceNode, {
      messageNames: ['pressure'],
      metadataNames: ['deviceName'],
      checkAllKeys: false,
    });
    expect(relationsOf(await node.send(msg))).toEqual(['True']);

    const none = await createTestNode(checkFieldsPresenceNode, {
      messageNames: ['pressure'],
      metadataNames: ['deviceType'],
      checkAllKeys: false,
    });
    expect(relationsOf(await none.send(msg))).toEqual(['False']);
  });

  it('only looks at top-level keys of the data', async () => {
    const node = await createTestNode(checkFieldsPresenceNode, { messageNames: ['inner'] });
    expect(relationsOf(await node.send(testMsg({ data: { outer: { inner: 1 } } })))).toEqual(['False']);
  });

  it('checks metadata of messages whose data is not JSON', async () => {
    const node = await createTestNode(checkFieldsPresenceNode, { metadataNames: ['deviceName'] });
    expect(relationsOf(await node.send(testMsg({ data: 'plain text', dataType: 'TEXT' })))).toEqual(['True']);
  });

  it('fails with a clear message when message fields are asked of data that is not a JSON object', async () => {
    const node = await createTestNode(checkFieldsPresenceNode, { messageNames: ['temperature'] });
    const [text] = await node.send(testMsg({ data: 'plain text', dataType: 'TEXT' }));
    expect(text).toMatchObject({ kind: 'failure', error: expect.stringMatching(/Message data is not a JSON object .*plain text/) });
    const [array] = await node.send(testMsg({ data: [1, 2] }));
    expect(array).toMatchObject({ kind: 'failure', error: expect.stringContaining('not a JSON object') });
  });
});
