import { randomBytes } from 'node:crypto';
import type { IPublishPacket } from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, connectClient, RawClient, startTransport } from './test-support/mqtt-harness';

afterEach(cleanUp);

const FIRMWARE = randomBytes(40);

/** A device connected over raw MQTT with firmware assigned, subscribed to chunk responses and errors at `qos`. */
async function rawDevice(protocolVersion: 4 | 5 = 4, qos: 0 | 1 = 1) {
  const harness = await startTransport();
  harness.core.assignOta('FIRMWARE', 'fw-1', FIRMWARE);
  const { client } = await RawClient.connect(harness.port, {}, protocolVersion);
  client.subscribe(1, ['v2/fw/response/+/chunk/+', qos], ['v2/fw/error', qos], ['v2/sw/response/+/chunk/+', qos]);
  await client.next();
  return { ...harness, client };
}

/** The next PUBLISH the device receives (PUBACKs and the like in between are returned in `before`). */
async function nextPublish(client: RawClient): Promise<{ publish: IPublishPacket; before: string[] }> {
  const before: string[] = [];
  for (;;) {
    const packet = await client.next();
    if (packet.cmd === 'publish') return { publish: packet, before };
    before.push(packet.cmd);
  }
}

describe('OTA chunk download over MQTT (§1.12.3)', () => {
  it('answers each chunk on the response topic, remembers the size per request id and sends nothing past the end', async () => {
    const { core, port } = await startTransport();
    core.assignOta('FIRMWARE', 'fw-1', FIRMWARE);
    const client = await connectClient(port);
    await client.subscribeAsync('v2/fw/response/+/chunk/+', { qos: 1 });
    const received = new Map<string, Buffer>();
    client.on('message', (topic, payload) => received.set(topic, payload));

    await client.publishAsync('v2/fw/request/5/chunk/0', '16', { qos: 1 });
    await client.publishAsync('v2/fw/request/5/chunk/1', '', { qos: 1 }); // empty: the remembered 16
    await client.publishAsync('v2/fw/request/5/chunk/2', '0', { qos: 1 }); // 0: the remembered 16 too
    await client.publishAsync('v2/fw/request/5/chunk/3', '16', { qos: 1 });
    await expect.poll(() => received.size).toBe(4);

    expect(received.get('v2/fw/response/5/chunk/0')).toEqual(FIRMWARE.subarray(0, 16));
    expect(received.get('v2/fw/response/5/chunk/1')).toEqual(FIRMWARE.subarray(16, 32));
    expect(received.get('v2/fw/response/5/chunk/2')).toEqual(FIRMWARE.subarray(32, 40));
    expect(received.get('v2/fw/response/5/chunk/3')).toEqual(Buffer.alloc(0));
  });

  it('sends the whole file for size 0 on a new request id, even past the maximum payload size', async () => {
    const harness = await startTransport({ maxPayloadBytes: 16 });
    harness.core.assignOta('FIRMWARE', 'fw-1', FIRMWARE);
    const client = await connectClient(harness.port);
    await client.subscribeAsync('v2/fw/response/+/chunk/+', { qos: 0 });
    const chunk = new Promise<Buffer>((resolve) => client.once('message', (_topic, payload) => resolve(payload)));
    client.publish('v2/fw/request/9/chunk/0', '0', { qos: 0 });
    expect(await chunk).toEqual(FIRMWARE);
  });

  it('sends the PUBACK first, then the chunk, with the granted QoS of the response subscription', async () => {
    const { client } = await rawDevice(4, 0);
    client.publish('v2/fw/request/1/chunk/1', '10', 1, 7);
    expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: 7 });
    const { publish } = await nextPublish(client);
    expect(publish).toMatchObject({ topic: 'v2/fw/response/1/chunk/1', qos: 0 });
    expect(publish.payload).toEqual(FIRMWARE.subarray(10, 20));
  });

  it('keeps the request id as written and reads the chunk index as a number', async () => {
    const { client } = await rawDevice();
    client.publish('v2/fw/request/007/chunk/002', '4', 0);
    const { publish } = await nextPublish(client);
    expect(publish.topic).toBe('v2/fw/response/007/chunk/2');
    expect(publish.payload).toEqual(FIRMWARE.subarray(8, 12));
  });

  it('serves the package found for the first request of an id until a new id asks again', async () => {
    const { core, client } = await rawDevice();
    client.publish('v2/fw/request/1/chunk/0', '4', 0);
    expect((await nextPublish(client)).publish.payload).toEqual(FIRMWARE.subarray(0, 4));
    const newer = randomBytes(8);
    core.assignOta('FIRMWARE', 'fw-2', newer);

    client.publish('v2/fw/request/1/chunk/1', '4', 0);
    expect((await nextPublish(client)).publish.payload).toEqual(FIRMWARE.subarray(4, 8));
    client.publish('v2/fw/request/2/chunk/0', '4', 0);
    expect((await nextPublish(client)).publish.payload).toEqual(newer.subarray(0, 4));
    expect(core.otaLookups).toEqual(['FIRMWARE', 'FIRMWARE']);
  });

  it('downloads software on the sw topics', async () => {
    const { core, client } = await rawDevice();
    const software = randomBytes(6);
    core.assignOta('SOFTWARE', 'sw-1', software);
    client.publish('v2/sw/request/3/chunk/0', '', 0);
    const { publish } = await nextPublish(client);
    expect(publish.topic).toBe('v2/sw/response/3/chunk/0');
    expect(publish.payload).toEqual(software);
  });

  it.each([
    ['nothing is assigned', 'v2/fw/request/1/chunk/0', 'NOT_FOUND'],
    ['the software is not assigned either (errors go to v2/fw/error)', 'v2/sw/request/1/chunk/0', 'NOT_FOUND'],
  ])('publishes NOT_FOUND on v2/fw/error when %s, without PUBACK, then disconnects (MQTT 5: 0x83)', async (_case, topic, error) => {
    const harness = await startTransport();
    const { client } = await RawClient.connect(harness.port, {}, 5);
    client.publish(topic, '16', 1, 3);
    const published = await client.next();
    expect(published).toMatchObject({ cmd: 'publish', topic: 'v2/fw/error', qos: 1 });
    expect((published as IPublishPacket).payload.toString()).toBe(error);
    // No PUBACK: the error publish is followed by the DISCONNECT.
    expect(await client.next()).toMatchObject({ cmd: 'disconnect', reasonCode: 0x83 });
    expect(await client.closedWithin()).toBe(true);
  });

  it('publishes FAILURE for a package without a binary (URL package)', async () => {
    const { core, client } = await rawDevice();
    core.assignOtaWithoutBinary('FIRMWARE');
    client.publish('v2/fw/request/1/chunk/0', '16', 1, 3);
    const { publish, before } = await nextPublish(client);
    expect(before).toEqual([]);
    expect(publish).toMatchObject({ topic: 'v2/fw/error' });
    expect(publish.payload.toString()).toBe('FAILURE');
    expect(await client.closedWithin()).toBe(true);
  });

  it('refuses a chunk size over the maximum payload size with PAYLOAD_TOO_LARGE before looking anything up', async () => {
    const { core, client } = await rawDevice();
    client.publish('v2/fw/request/1/chunk/0', '65536', 0); // exactly the maximum is fine
    expect((await nextPublish(client)).publish.topic).toBe('v2/fw/response/1/chunk/0');
    client.publish('v2/fw/request/2/chunk/0', '65537', 1, 4);
    const { publish, before } = await nextPublish(client);
    expect(before).toEqual([]);
    expect(publish.topic).toBe('v2/fw/error');
    expect(publish.payload.toString()).toBe('PAYLOAD_TOO_LARGE');
    expect(await client.closedWithin()).toBe(true);
    expect(core.otaLookups).toEqual(['FIRMWARE']);
  });

  it.each([['sixteen'], [' 16'], ['99999999999']])(
    'drops the connection on chunk size %j (MQTT 5: 0x8B), with no PUBACK',
    async (payload) => {
      const { core, client } = await rawDevice(5);
      client.publish('v2/fw/request/1/chunk/0', payload, 1, 5);
      expect(await client.next()).toMatchObject({ cmd: 'disconnect', reasonCode: 0x8b });
      expect(await client.closedWithin()).toBe(true);
      expect(core.otaLookups).toEqual([]);
    },
  );

  it('closes the connection when the core fails to answer (MQTT 5: 0x83)', async () => {
    const { core, client } = await rawDevice(5);
    core.otaFailure = new Error('database down');
    client.publish('v2/fw/request/1/chunk/0', '16', 1, 5);
    expect(await client.next()).toMatchObject({ cmd: 'disconnect', reasonCode: 0x83 });
    expect(core.logEntries.some((e) => e.level === 'error' && /OTA chunk/.test(e.message))).toBe(true);
  });

  it('treats other v2/fw topics as unknown topics (PUBACK, connection kept)', async () => {
    const { client } = await rawDevice(5);
    client.publish('v2/fw/request/x/chunk/0', '16', 1, 6);
    expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: 6, reasonCode: 0x90 });
    expect(await client.closedWithin(100)).toBe(false);
  });
});
