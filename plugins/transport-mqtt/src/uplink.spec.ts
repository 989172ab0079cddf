import { TEST_GATEWAY_TOKEN, until } from '@edgewise/plugin-api/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, connectClient, nextMessage, RawClient, sleep, startTransport } from './test-support/mqtt-harness';

afterEach(cleanUp);

describe('telemetry and client attributes (§1.4, §1.5): acknowledged means kept', () => {
  it('hands QoS 0 and QoS 1 payloads to the core as text, on v1 and v2 topics', async () => {
    const { core, port } = await startTransport();
    const client = await connectClient(port);
    await client.publishAsync('v1/devices/me/telemetry', '{"temperature":25}', { qos: 1 });
    await client.publishAsync('v2/t/j', '[{"ts":1700000000000,"values":{"a":1}}]', { qos: 1 });
    await client.publishAsync('v2/t', '{"q0":42.0}', { qos: 0 });
    await client.publishAsync('v1/devices/me/attributes', '{"fw":"1.0"}', { qos: 1 });
    await client.publishAsync('v2/a', '{"sn":"SN-1"}', { qos: 1 });
    await until(() => core.telemetry.length === 3);
    expect(core.telemetry).toEqual(['{"temperature":25}', '[{"ts":1700000000000,"values":{"a":1}}]', '{"q0":42.0}']);
    expect(core.attributes).toEqual(['{"fw":"1.0"}', '{"sn":"SN-1"}']);
  });

  it('sends the PUBACK only once the core has committed, in arrival order whatever the commit order', async () => {
    const { core, port } = await startTransport();
    core.manualCommits = true;
    const { client } = await RawClient.connect(port);
    client.publish('v1/devices/me/telemetry', '{"n":1}', 1, 11);
    client.publish('v1/devices/me/attributes', '{"n":2}', 1, 12);
    client.publish('v1/devices/me/telemetry', '{"n":3}', 1, 13);
    await until(() => core.heldCommits.length === 3);
    const [first, second, third] = core.heldCommits;
    third.resolve();
    second.resolve();
    await sleep(30);
    expect(client.pending()).toEqual([]); // nothing acknowledged while the first is not kept
    first.resolve();
    expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: 11 });
    expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: 12 });
    expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: 13 });
  });

  it('closes the connection instead of acknowledging when the core fails to keep a message (MQTT 5: DISCONNECT 0x83)', async () => {
    const { core, port } = await startTransport();
    core.manualCommits = true;
    const { client } = await RawClient.connect(port, {}, 5);
    client.publish('v1/devices/me/telemetry', '{"n":1}', 1, 1);
    await until(() => core.heldCommits.length === 1);
    core.heldCommits[0].reject(new Error('disk full'));
    expect(await client.next()).toMatchObject({ cmd: 'disconnect', reasonCode: 0x83 });
    expect(core.logEntries.filter((entry) => entry.level === 'error')).toHaveLength(1);
  });
});

describe('invalid payloads and unknown topics (§1.14)', () => {
  it('MQTT 3.1.1: invalid JSON with QoS 1 closes the connection without PUBACK', async () => {
    const { port } = await startTransport();
    const { client } = await RawClient.connect(port);
    client.publish('v1/devices/me/telemetry', 'not json', 1, 5);
    expect(await client.closedWithin()).toBe(true);
    expect(client.pending()).toEqual([]);
  });

  it('MQTT 5: invalid JSON with QoS 1 gets PUBACK 0x99 and the connection stays; with QoS 0 DISCONNECT 0x99', async () => {
    const { core, port } = await startTransport();
    const { client } = await RawClient.connect(port, {}, 5);
    client.publish('v1/devices/me/telemetry', 'not json', 1, 5);
    expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: 5, reasonCode: 0x99 });
    client.publish('v1/devices/me/telemetry', '{"ok":true}', 1, 6);
    expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: 6, reasonCode: 0 });
    client.publish('v1/devices/me/attributes', '{broken', 0);
    expect(await client.next()).toMatchObject({ cmd: 'disconnect', reasonCode: 0x99 });
    expect(await client.closedWithin()).toBe(true);
    expect(core.telemetry).toEqual(['{"ok":true}']);
  });

  it('answers an unknown topic with PUBACK (MQTT 5: 0x90) and keeps the connection', async () => {
    const { core, port } = await startTransport();
    const v3 = await RawClient.connect(port);
    v3.client.publish('v1/devices/me/unknown', '{}', 1, 1);
    expect(await v3.client.next()).toEqual(expect.objectContaining({ cmd: 'puback', messageId: 1 }));
    const v5 = await RawClient.connect(port, {}, 5);
    for (const [id, topic] of ['v1/devices/me/unknown', 'v2/fw/request/x/chunk/0', 'v2/t/p'].entries()) {
      v5.client.publish(topic, '{}', 1, id + 1);
      expect(await v5.client.next()).toMatchObject({ cmd: 'puback', messageId: id + 1, reasonCode: 0x90 });
    }
    expect(core.telemetry).toEqual([]);
  });

  it('drops v1/gateway/* publishes of a non-gateway without PUBACK; a gateway gets 0x90 for an unknown gateway topic', async () => {
    const { port } = await startTransport();
    const device = await RawClient.connect(port, {}, 5);
    device.client.publish('v1/gateway/telemetry', '{}', 1, 1);
    device.client.send({ cmd: 'pingreq' });
    expect(await device.client.next()).toMatchObject({ cmd: 'pingresp' }); // no PUBACK came before it
    const gateway = await RawClient.connect(port, { username: TEST_GATEWAY_TOKEN }, 5);
    gateway.client.publish('v1/gateway/unknown', '{}', 1, 2);
    expect(await gateway.client.next()).toMatchObject({ cmd: 'puback', messageId: 2, reasonCode: 0x90 });
  });

  it('closes the connection on a payload over maxPayloadBytes (MQTT 5: DISCONNECT 0x81)', async () => {
    const { core, port } = await startTransport({ maxPayloadBytes: 1_000 });
    const { client } = await RawClient.connect(port, {}, 5);
    client.publish('v1/devices/me/telemetry', JSON.stringify({ big: 'x'.repeat(1_000) }), 1, 1);
    expect(await client.next()).toMatchObject({ cmd: 'disconnect', reasonCode: 0x81 });
    expect(await client.closedWithin()).toBe(true);
    expect(core.telemetry).toEqual([]);
  });

  it('refuses a huge packet before buffering it whole', async () => {
    const { port } = await startTransport({ maxPayloadBytes: 1_000 });
    const { client } = await RawClient.connect(port);
    // PUBLISH announcing 200 MB (remaining length 0xC0 0x84 0xBD 0x5F), followed by a first slice of it.
    client.sendBytes(Buffer.concat([Buffer.from([0x30, 0x80, 0x84, 0xaf, 0x5f]), Buffer.alloc(200_000)]));
    expect(await client.closedWithin()).toBe(true);
  });
});

describe('attribute request / response (§1.6)', () => {
  it('forwards comma-separated keys and answers on the request family with the core JSON verbatim', async () => {
    const { core, port } = await startTransport();
    const attributes = '{"client":{"fw":"1.0"},"shared":{"target":22}}';
    core.attributesAnswer = () => Promise.resolve(attributes);
    const client = await connectClient(port);
    await client.subscribeAsync('v1/devices/me/attributes/response/+', { qos: 1 });
    const v1Answer = nextMessage(client);
    await client.publishAsync('v1/devices/me/attributes/request/7', '{"sharedKeys":"target","clientKeys":"fw, b"}', { qos: 1 });
    expect(await v1Answer).toEqual({ topic: 'v1/devices/me/attributes/response/7', payload: attributes, qos: 1 });
    expect(core.session.attributeRequests).toEqual([{ clientKeys: ['fw', ' b'], sharedKeys: ['target'] }]);

    const v2Answer = nextMessage(client);
    await client.publishAsync('v2/a/req/3', '{}', { qos: 0 });
    expect(await v2Answer).toMatchObject({ topic: 'v2/a/res/3', payload: attributes });
    expect(core.session.attributeRequests[1]).toEqual({});

    const v2jAnswer = nextMessage(client);
    await client.publishAsync('v2/a/req/j/4', '{"clientKeys":["fw"]}', { qos: 1 });
    expect(await v2jAnswer).toMatchObject({ topic: 'v2/a/res/j/4' });
  });

  it('replies with the granted QoS of the matching response subscription', async () => {
    const { port } = await startTransport();
    const client = await connectClient(port);
    await client.subscribeAsync('v2/a/res/+', { qos: 0 });
    const answer = nextMessage(client);
    await client.publishAsync('v2/a/req/9', '{}', { qos: 1 });
    expect((await answer).qos).toBe(0);
  });

  it.each([
    ['an empty payload', 'v1/devices/me/attributes/request/1', ''],
    ['a JSON array', 'v1/devices/me/attributes/request/1', '[]'],
    ['an array of two keys', 'v1/devices/me/attributes/request/1', '{"clientKeys":["a","b"]}'],
    ['a request id that is not an int32', 'v1/devices/me/attributes/request/99999999999', '{}'],
  ])('treats %s as an invalid payload (MQTT 5 QoS 1: PUBACK 0x99)', async (_case, topic, payload) => {
    const { core, port } = await startTransport();
    const { client } = await RawClient.connect(port, {}, 5);
    client.publish(topic, payload, 1, 1);
    expect(await client.next()).toMatchObject({ cmd: 'puback', reasonCode: 0x99 });
    expect(core.session.attributeRequests).toEqual([]);
  });
});

describe('client-side RPC (§1.9)', () => {
  it('passes the request to the core and delivers the reply on the request family', async () => {
    const { core, port } = await startTransport();
    const reply = '{"time":"2026-01-01T00:00:00Z"}';
    core.clientRpcAnswer = () => Promise.resolve(reply);
    const client = await connectClient(port);
    await client.subscribeAsync(['v1/devices/me/rpc/response/+', 'v2/r/res/j/+']);
    const v1Reply = nextMessage(client);
    await client.publishAsync('v1/devices/me/rpc/request/5', '{"method":"getTime","params":{}}', { qos: 1 });
    expect(await v1Reply).toEqual({ topic: 'v1/devices/me/rpc/response/5', payload: reply, qos: 0 });
    const v2Reply = nextMessage(client);
    await client.publishAsync('v2/r/req/j/6', '{"method":"getTime"}', { qos: 1 });
    expect(await v2Reply).toMatchObject({ topic: 'v2/r/res/j/6' });
    expect(core.session.clientRpcCalls).toEqual(['{"method":"getTime","params":{}}', '{"method":"getTime"}']);
  });

  it('answers getSessionLimits itself on v1, PUBACK first, and forwards it on v2', async () => {
    const { core, port } = await startTransport();
    const { client } = await RawClient.connect(port);
    client.publish('v1/devices/me/rpc/request/8', '{"method":"getSessionLimits"}', 1, 3);
    expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: 3 });
    const reply = await client.next();
    expect(reply).toMatchObject({ cmd: 'publish', topic: 'v1/devices/me/rpc/response/8', qos: 1 });
    expect(JSON.parse((reply as { payload: Buffer }).payload.toString())).toEqual({
      maxPayloadSize: 65_536,
      maxInflightMessages: 100,
      rateLimits: { messages: null, telemetryMessages: null, telemetryDataPoints: null },
    });
    client.publish('v2/r/req/9', '{"method":"getSessionLimits"}', 0);
    await until(() => core.session.clientRpcCalls.length === 1);
  });

  it.each([
    ['a missing method', 'v1/devices/me/rpc/request/1', '{"params":{}}'],
    ['a non-integer request id', 'v1/devices/me/rpc/request/abc', '{"method":"m"}'],
  ])('drops the connection on %s (MQTT 5: DISCONNECT 0x8B)', async (_case, topic, payload) => {
    const { core, port } = await startTransport();
    const { client } = await RawClient.connect(port, {}, 5);
    client.publish(topic, payload, 1, 1);
    expect(await client.next()).toMatchObject({ cmd: 'disconnect', reasonCode: 0x8b });
    expect(core.session.clientRpcCalls).toEqual([]);
  });

  it('treats a client RPC that is not a JSON object as an invalid payload (MQTT 3.1.1: closed)', async () => {
    const { port } = await startTransport();
    const { client } = await RawClient.connect(port);
    client.publish('v1/devices/me/rpc/request/1', '"getTime"', 1, 1);
    expect(await client.closedWithin()).toBe(true);
  });
});
