import { MAX_DEVICE_NAME_LENGTH, TEST_GATEWAY_TOKEN, until } from '@edgewise/plugin-api/testing';
import type { Packet } from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, connectClient, nextMessage, RawClient, sleep, startTransport } from './test-support/mqtt-harness';

afterEach(cleanUp);

/** A gateway connected with raw packets (exact PUBACK reason codes), MQTT 5 unless told otherwise. */
async function rawGateway(protocolVersion: 4 | 5 = 5) {
  const harness = await startTransport();
  const { client } = await RawClient.connect(harness.port, { username: TEST_GATEWAY_TOKEN }, protocolVersion);
  return { ...harness, client };
}

const payloadOf = (packet: Packet) => (packet as { payload: Buffer }).payload.toString();

describe('gateway child devices: connect and disconnect (device-api.md §4.3)', () => {
  it('connects a child by name and type, once per connection, and acknowledges after the core opened it', async () => {
    const { core, client } = await rawGateway();
    const release = core.holdChildConnects();
    client.publish('v1/gateway/connect', '{"device":"Device A","type":"Thermostat"}', 1, 1);
    await until(() => core.childConnects.length === 1);
    await sleep(20);
    expect(client.pending()).toEqual([]); // no PUBACK while the core is still finding or creating the device
    release();
    expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: 1, reasonCode: 0 });
    client.publish('v1/gateway/connect', '{"device":"Device A","type":"Other"}', 1, 2);
    expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: 2, reasonCode: 0 });
    expect(core.childConnects).toEqual([{ gateway: 'G1', device: 'Device A', type: 'Thermostat' }]);
    expect(core.child('Device A').rpcSubscription).toBe(true);
  });

  it('leaves the type to the core when absent or null', async () => {
    const { core, client } = await rawGateway();
    client.publish('v1/gateway/connect', '{"device":"A"}', 1, 1);
    client.publish('v1/gateway/connect', '{"device":"B","type":null}', 1, 2);
    await client.next();
    await client.next();
    expect(core.childConnects.map((c) => c.type)).toEqual([undefined, undefined]);
  });

  it('disconnect closes the child session, acknowledges unknown names too, and a later message connects again', async () => {
    const { core, client } = await rawGateway();
    client.publish('v1/gateway/connect', '{"device":"A"}', 1, 1);
    await client.next();
    const first = core.child('A');
    client.publish('v1/gateway/disconnect', '{"device":"A"}', 1, 2);
    expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: 2, reasonCode: 0 });
    expect(first.closed).toBe(true);
    client.publish('v1/gateway/disconnect', '{"device":"never connected"}', 1, 3);
    expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: 3, reasonCode: 0 });
    client.publish('v1/gateway/telemetry', '{"A":[{"t":1}]}', 1, 4);
    expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: 4, reasonCode: 0 });
    expect(core.childConnects.map((c) => c.device)).toEqual(['A', 'A']);
    expect(core.child('A')).not.toBe(first);
  });

  it('connects a name once even when messages for it arrive while the core is still creating it', async () => {
    const { core, client } = await rawGateway();
    const release = core.holdChildConnects();
    client.publish('v1/gateway/telemetry', '{"New":[{"a":1}]}', 1, 1);
    client.publish('v1/gateway/attributes', '{"New":{"b":2}}', 1, 2);
    client.publish('v1/gateway/connect', '{"device":"New","type":"T"}', 1, 3);
    await sleep(20);
    release();
    for (const id of [1, 2, 3]) expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: id, reasonCode: 0 });
    expect(core.childConnects).toEqual([{ gateway: 'G1', device: 'New', type: undefined }]);
  });

  it('ends the gateway session with the connection, and the core ends the children with it', async () => {
    const { core, port } = await startTransport();
    const gateway = await connectClient(port, { username: TEST_GATEWAY_TOKEN });
    await gateway.publishAsync('v1/gateway/connect', '{"device":"A"}', { qos: 1 });
    await gateway.publishAsync('v1/gateway/connect', '{"device":"B"}', { qos: 1 });
    await gateway.endAsync();
    await until(() => core.sessions[0].closed);
    expect(core.child('A').closed && core.child('B').closed).toBe(true);
  });

  it('keeps the gateway connected when the core ends one child (device deleted) and connects it again on demand', async () => {
    const { core, client } = await rawGateway();
    client.publish('v1/gateway/connect', '{"device":"A"}', 1, 1);
    await client.next();
    core.child('A').closeBy('DEVICE_DELETED');
    client.publish('v1/gateway/attributes', '{"A":{"fw":"2"}}', 1, 2);
    expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: 2, reasonCode: 0 });
    expect(core.childConnects).toHaveLength(2);
  });
});

describe('gateway uplinks (device-api.md §4.2)', () => {
  it('hands each device its own telemetry as the gateway wrote it, connecting new names implicitly', async () => {
    const { core, client } = await rawGateway();
    const message =
      '{"Device A":[{"ts":1700000000000,"values":{"temperature":42.0}}],"Device B":[{"humidity":80},{"big":12345678901234567890}]}';
    client.publish('v1/gateway/telemetry', message, 1, 1);
    expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: 1, reasonCode: 0 });
    expect(core.uplinks).toEqual([
      { device: 'Device A', kind: 'telemetry', payload: '[{"ts":1700000000000,"values":{"temperature":42.0}}]' },
      { device: 'Device B', kind: 'telemetry', payload: '[{"humidity":80},{"big":12345678901234567890}]' },
    ]);
    expect(core.childConnects.map((c) => [c.device, c.type])).toEqual([
      ['Device A', undefined],
      ['Device B', undefined],
    ]);
  });

  it("takes the gateway's per-element metadata out of the telemetry, keeping the rest as written", async () => {
    const { core, client } = await rawGateway();
    const metadata = '{"connector":"modbus","receivedTs":1700000000100,"publishedTs":1700000000200}';
    client.publish('v1/gateway/telemetry', `{"A":[{"ts":1700000000000,"values":{"v":1.50},"metadata":${metadata}},{"w":2}]}`, 1, 1);
    await client.next();
    expect(core.uplinks).toEqual([{ device: 'A', kind: 'telemetry', payload: '[{"ts":1700000000000,"values":{"v":1.50}},{"w":2}]' }]);
  });

  it('skips entries of the wrong shape (telemetry: not an array; attributes: not an object) and takes the rest', async () => {
    const { core, client } = await rawGateway();
    client.publish('v1/gateway/telemetry', '{"A":{"t":1},"B":[{"t":2}]}', 1, 1);
    client.publish('v1/gateway/attributes', '{"A":[1],"B":{"fw":"2.0"},"C":"x"}', 1, 2);
    expect(await client.next()).toMatchObject({ messageId: 1, reasonCode: 0 });
    expect(await client.next()).toMatchObject({ messageId: 2, reasonCode: 0 });
    expect(core.uplinks).toEqual([
      { device: 'B', kind: 'telemetry', payload: '[{"t":2}]' },
      { device: 'B', kind: 'attributes', payload: '{"fw":"2.0"}' },
    ]);
    expect(core.logEntries.some((entry) => entry.level === 'warn' && entry.fields?.devices !== undefined)).toBe(true);
  });

  it('hands claim requests to each child session', async () => {
    const { core, client } = await rawGateway();
    client.publish('v1/gateway/claim', '{"A":{"secretKey":"s","durationMs":60000},"B":{}}', 1, 1);
    expect(await client.next()).toMatchObject({ messageId: 1, reasonCode: 0 });
    expect(core.uplinks).toEqual([
      { device: 'A', kind: 'claim', payload: '{"secretKey":"s","durationMs":60000}' },
      { device: 'B', kind: 'claim', payload: '{}' },
    ]);
  });

  it('sends one PUBACK once every device of the message is kept, in order with the gateway’s own publishes', async () => {
    const { core, client } = await rawGateway(4);
    core.manualCommits = true;
    client.publish('v1/gateway/telemetry', '{"A":[{"n":1}],"B":[{"n":2}]}', 1, 1);
    client.publish('v1/devices/me/telemetry', '{"own":1}', 1, 2);
    await until(() => core.heldCommits.length === 3);
    const [a, b, own] = core.heldCommits;
    expect([a.device, b.device, own.device]).toEqual(['A', 'B', 'G1']);
    own.resolve();
    a.resolve();
    await sleep(20);
    expect(client.pending()).toEqual([]);
    b.resolve();
    expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: 1 });
    expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: 2 });
  });

  it('reports gateway activity for gateway messages; its own device API works as for any device', async () => {
    const { core, port } = await startTransport();
    const gateway = await connectClient(port, { username: TEST_GATEWAY_TOKEN });
    await gateway.publishAsync('v1/gateway/telemetry', '{"A":[{"t":1}]}', { qos: 1 });
    await gateway.publishAsync('v1/devices/me/attributes', '{"connectors":"modbus"}', { qos: 1 });
    expect(core.sessions[0].activityReports).toBe(1);
    expect(core.uplinks.map((u) => [u.device, u.kind])).toEqual([
      ['A', 'telemetry'],
      ['G1', 'attributes'],
    ]);
  });

  it('sends no PUBACK for QoS 0 gateway messages', async () => {
    const { core, client } = await rawGateway();
    client.publish('v1/gateway/telemetry', '{"A":[{"t":1}]}', 0);
    client.publish('v1/gateway/connect', '{"device":"B"}', 0);
    await until(() => core.children.has('B') && core.uplinks.length === 1);
    client.send({ cmd: 'pingreq' });
    expect(await client.next()).toMatchObject({ cmd: 'pingresp' });
  });
});

describe('gateway attribute request / response (device-api.md §4.3)', () => {
  it('answers one key with "value", several with "values", on v1/gateway/attributes/response', async () => {
    const { core, port } = await startTransport();
    const gateway = await connectClient(port, { username: TEST_GATEWAY_TOKEN });
    await gateway.subscribeAsync('v1/gateway/attributes/response', { qos: 0 });
    core.attributesAnswer = () => Promise.resolve('{"client":{"fw":"1.0","ratio":2.50}}');
    let answer = nextMessage(gateway);
    await gateway.publishAsync('v1/gateway/attributes/request', '{"id":1,"device":"A","client":true,"key":"fw"}', { qos: 1 });
    expect(await answer).toEqual({ topic: 'v1/gateway/attributes/response', payload: '{"id":1,"device":"A","value":"1.0"}', qos: 0 });
    answer = nextMessage(gateway);
    await gateway.publishAsync('v1/gateway/attributes/request', '{"id":2,"device":"A","client":true,"keys":["fw","ratio","gone"]}', {
      qos: 1,
    });
    expect((await answer).payload).toBe('{"id":2,"device":"A","values":{"fw":"1.0","ratio":2.50}}');
    expect(core.child('A').attributeRequests).toEqual([{ clientKeys: ['fw'] }, { clientKeys: ['fw', 'ratio', 'gone'] }]);
  });

  it('asks the shared scope for client=false, everything for an empty keys array, and answers only id and device when nothing is found', async () => {
    const { core, port } = await startTransport();
    const gateway = await connectClient(port, { username: TEST_GATEWAY_TOKEN });
    let answer = nextMessage(gateway);
    await gateway.publishAsync('v1/gateway/attributes/request', '{"id":3,"device":"A","client":false,"keys":["target"]}', { qos: 1 });
    expect(await answer).toMatchObject({ payload: '{"id":3,"device":"A"}', qos: 1 }); // not subscribed: QoS 1
    core.attributesAnswer = () => Promise.resolve('{"client":{"fw":"1.0"},"shared":{"target":22}}');
    answer = nextMessage(gateway);
    await gateway.publishAsync('v1/gateway/attributes/request', '{"id":4,"device":"A","client":false,"keys":[]}', { qos: 1 });
    expect((await answer).payload).toBe('{"id":4,"device":"A","values":{"fw":"1.0","target":22}}');
    expect(core.child('A').attributeRequests).toEqual([{ sharedKeys: ['target'] }, {}]);
  });

  it('answers a failed child connect of an attribute request with 0x83 and keeps the connection', async () => {
    const { core, client } = await rawGateway();
    core.childRefusals.set('A', new Error('database unavailable'));
    client.publish('v1/gateway/attributes/request', '{"id":1,"device":"A","client":true,"key":"fw"}', 1, 1);
    expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: 1, reasonCode: 0x83 });
    client.publish('v1/gateway/connect', '{"device":"B"}', 1, 2);
    expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: 2, reasonCode: 0 });
  });
});

describe('gateway downlinks: server RPC and shared attributes (device-api.md §4.2)', () => {
  it('publishes a child RPC on v1/gateway/rpc, resolves on the gateway PUBACK, and forwards the reply', async () => {
    const { core, client } = await rawGateway();
    client.subscribe(1, ['v1/gateway/rpc', 1]);
    await client.next();
    client.publish('v1/gateway/connect', '{"device":"A"}', 1, 2);
    await client.next();
    let delivered = false;
    const delivery = core
      .child('A')
      .pushRpc({ id: 5, method: 'setGpio', params: { pin: 4 }, oneway: false })
      .then(() => (delivered = true));
    const request = await client.next();
    expect(request).toMatchObject({ cmd: 'publish', topic: 'v1/gateway/rpc', qos: 1 });
    expect(payloadOf(request)).toBe('{"device":"A","data":{"id":5,"method":"setGpio","params":{"pin":4}}}');
    await sleep(20);
    expect(delivered).toBe(false);
    client.send({ cmd: 'puback', messageId: request.messageId });
    await delivery;
    client.publish('v1/gateway/rpc', '{"device":"A","id":5,"data":{"success":true}}', 1, 3);
    client.publish('v1/gateway/rpc', '{"device":"A","id":6,"data":"ok"}', 1, 4);
    expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: 3, reasonCode: 0 });
    expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: 4, reasonCode: 0 });
    expect(core.child('A').serverRpcReplies).toEqual([
      { requestId: 5, payload: '{"success":true}' },
      { requestId: 6, payload: '"ok"' },
    ]);
  });

  it('publishes with QoS 1 when the gateway did not subscribe, and resolves a QoS 0 subscription’s RPC once written', async () => {
    const { core, port } = await startTransport();
    const gateway = await connectClient(port, { username: TEST_GATEWAY_TOKEN });
    await gateway.publishAsync('v1/gateway/connect', '{"device":"A"}', { qos: 1 });
    let pushed = nextMessage(gateway);
    const unsubscribed = core.child('A').pushRpc({ id: 1, method: 'm', params: 'x', oneway: true });
    expect(await pushed).toMatchObject({ topic: 'v1/gateway/rpc', qos: 1 });
    await expect(unsubscribed).resolves.toBeUndefined(); // mqtt.js acknowledged it
    await gateway.subscribeAsync('v1/gateway/rpc', { qos: 0 });
    pushed = nextMessage(gateway);
    await expect(core.child('A').pushRpc({ id: 2, method: 'm', params: {}, oneway: true })).resolves.toBeUndefined();
    expect(await pushed).toMatchObject({ payload: '{"device":"A","data":{"id":2,"method":"m","params":{}}}', qos: 0 });
  });

  it('pushes shared-attribute changes of a child on v1/gateway/attributes with the device name', async () => {
    const { core, port } = await startTransport();
    const gateway = await connectClient(port, { username: TEST_GATEWAY_TOKEN });
    await gateway.subscribeAsync('v1/gateway/attributes', { qos: 1 });
    await gateway.publishAsync('v1/gateway/connect', '{"device":"Device A"}', { qos: 1 });
    let update = nextMessage(gateway);
    core.child('Device A').pushAttributes('{"target":22.0}');
    expect(await update).toEqual({ topic: 'v1/gateway/attributes', payload: '{"device":"Device A","data":{"target":22.0}}', qos: 1 });
    update = nextMessage(gateway);
    core.child('Device A').pushAttributes('{"deleted":["target"]}');
    expect((await update).payload).toBe('{"device":"Device A","data":{"deleted":["target"]}}');
  });
});

describe('gateway message errors (device-api.md §4.3 "Errors")', () => {
  it('invalid JSON: MQTT 5 QoS 1 gets PUBACK 0x99 and stays; QoS 0 gets DISCONNECT 0x99', async () => {
    const { core, client } = await rawGateway();
    client.publish('v1/gateway/telemetry', '{not json', 1, 1);
    expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: 1, reasonCode: 0x99 });
    client.publish('v1/gateway/attributes', 'nope', 0);
    expect(await client.next()).toMatchObject({ cmd: 'disconnect', reasonCode: 0x99 });
    expect(core.childConnects).toEqual([]);
  });

  it('invalid JSON on MQTT 3.1.1 closes the connection without PUBACK', async () => {
    const { client } = await rawGateway(4);
    client.publish('v1/gateway/telemetry', '{not json', 1, 1);
    expect(await client.closedWithin()).toBe(true);
    expect(client.pending()).toEqual([]);
  });

  it.each([
    ['a JSON array', 'v1/gateway/telemetry', '[{"A":[]}]'],
    ['no array entry in telemetry', 'v1/gateway/telemetry', '{"A":{"t":1}}'],
    ['no object entry in attributes', 'v1/gateway/attributes', '{"A":1}'],
    ['no object entry in a claim', 'v1/gateway/claim', '{}'],
    ['a connect without device', 'v1/gateway/connect', '{"type":"T"}'],
    ['a connect with an empty device name', 'v1/gateway/connect', '{"device":""}'],
    ['a connect whose device is not a string', 'v1/gateway/connect', '{"device":42}'],
    ['a disconnect without device', 'v1/gateway/disconnect', '{}'],
    ['an attribute request without "client"', 'v1/gateway/attributes/request', '{"id":1,"device":"A","key":"k"}'],
    ['an attribute request in the documentation’s array form', 'v1/gateway/attributes/request', '{"id":1,"device":"A","client":["k1"]}'],
    ['an attribute request without key or keys', 'v1/gateway/attributes/request', '{"id":1,"device":"A","client":true}'],
    ['an attribute request with a non-integer id', 'v1/gateway/attributes/request', '{"id":"x","device":"A","client":true,"key":"k"}'],
    ['an RPC reply without data', 'v1/gateway/rpc', '{"device":"A","id":1}'],
    ['an RPC reply without id', 'v1/gateway/rpc', '{"device":"A","data":{}}'],
  ])('%s: PUBACK 0x83, then DISCONNECT 0x83 and close; nothing reaches the core', async (_case, topic, payload) => {
    const { core, client } = await rawGateway();
    client.publish(topic, payload, 1, 7);
    expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: 7, reasonCode: 0x83 });
    expect(await client.next()).toMatchObject({ cmd: 'disconnect', reasonCode: 0x83 });
    expect(await client.closedWithin()).toBe(true);
    expect(core.childConnects).toEqual([]);
    expect(core.uplinks).toEqual([]);
  });

  it('a message the contract refuses on MQTT 3.1.1: PUBACK, then close', async () => {
    const { client } = await rawGateway(4);
    client.publish('v1/gateway/connect', '{"device":""}', 1, 3);
    expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: 3 });
    expect(await client.closedWithin()).toBe(true);
  });

  it('one device entry the core refuses: MQTT 5 PUBACK 0x99 and the other devices are still kept', async () => {
    const { core, client } = await rawGateway();
    client.publish('v1/gateway/telemetry', '{"A":[1,2],"B":[{"t":1}]}', 1, 1);
    expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: 1, reasonCode: 0x99 });
    client.publish('v1/gateway/telemetry', '{"A":[{"ok":true}]}', 1, 2);
    expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: 2, reasonCode: 0 });
    expect(core.uplinks.map((u) => u.device).sort()).toEqual(['A', 'B']);
  });

  it('incomplete gateway metadata makes that device entry invalid', async () => {
    const { core, client } = await rawGateway();
    client.publish('v1/gateway/telemetry', '{"A":[{"t":1,"metadata":{"connector":"x"}}]}', 1, 1);
    expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: 1, reasonCode: 0x99 });
    expect(core.uplinks).toEqual([]);
  });

  it('one device entry the core refuses on MQTT 3.1.1: the connection closes without PUBACK', async () => {
    const { client } = await rawGateway(4);
    client.publish('v1/gateway/attributes', '{"A":{"ok":1}}', 1, 1);
    expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: 1 });
    client.publish('v1/gateway/telemetry', '{"A":["x"]}', 1, 2);
    expect(await client.closedWithin()).toBe(true);
    expect(client.pending()).toEqual([]);
  });

  it('a child the core cannot connect: PUBACK 0x80, the connection stays and the other devices are kept', async () => {
    const { core, client } = await rawGateway();
    core.childRefusals.set('Broken', new Error('device limit reached'));
    client.publish('v1/gateway/telemetry', '{"Broken":[{"t":1}],"Fine":[{"t":2}]}', 1, 1);
    expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: 1, reasonCode: 0x80 });
    await until(() => core.uplinks.length === 1);
    expect(core.uplinks[0].device).toBe('Fine');
    client.publish('v1/gateway/connect', '{"device":"Broken"}', 1, 2);
    expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: 2, reasonCode: 0x80 }); // tried again, refused again
  });

  it(`refuses empty and over-long child names (limit ${MAX_DEVICE_NAME_LENGTH} characters) with 0x80 and keeps the connection`, async () => {
    const { core, client } = await rawGateway();
    const longest = 'n'.repeat(MAX_DEVICE_NAME_LENGTH);
    client.publish('v1/gateway/telemetry', JSON.stringify({ '': [{ t: 1 }] }), 1, 1);
    client.publish('v1/gateway/connect', JSON.stringify({ device: `${longest}x` }), 1, 2);
    client.publish('v1/gateway/connect', JSON.stringify({ device: longest }), 1, 3);
    expect(await client.next()).toMatchObject({ messageId: 1, reasonCode: 0x80 });
    expect(await client.next()).toMatchObject({ messageId: 2, reasonCode: 0x80 });
    expect(await client.next()).toMatchObject({ messageId: 3, reasonCode: 0 });
    expect([...core.children.keys()]).toEqual([longest]);
  });

  it('a core failure keeping a child message: PUBACK 0x80, then the connection closes', async () => {
    const { core, client } = await rawGateway();
    core.manualCommits = true;
    client.publish('v1/gateway/telemetry', '{"A":[{"t":1}]}', 1, 1);
    await until(() => core.heldCommits.length === 1);
    core.heldCommits[0].reject(new Error('disk full'));
    expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: 1, reasonCode: 0x80 });
    expect(await client.closedWithin()).toBe(true);
    expect(core.logEntries.filter((entry) => entry.level === 'error')).toHaveLength(1);
  });
});
