import { until } from '@edgewise/plugin-api/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, connectClient, nextMessage, RawClient, sleep, startTransport } from './test-support/mqtt-harness';

afterEach(cleanUp);

describe('SUBSCRIBE / UNSUBSCRIBE (§1.3)', () => {
  it('grants catalogue filters at QoS ≤ 1 and refuses anything else (3.1.1: 0x80, 5: 0x8F)', async () => {
    const { core, port } = await startTransport();
    const v3 = await RawClient.connect(port);
    v3.client.subscribe(1, ['v1/devices/me/attributes', 2], ['v1/devices/me/foo', 0], ['v1/devices/me/#', 1], ['v2/r/req/j/+', 0]);
    expect(await v3.client.next()).toMatchObject({ cmd: 'suback', messageId: 1, granted: [1, 0x80, 0x80, 0] });
    expect(core.session.attributeSubscription).toBe(true);
    expect(core.session.rpcSubscription).toBe(true);

    const v5 = await RawClient.connect(port, {}, 5);
    v5.client.subscribe(2, ['v1/devices/me/foo', 1], ['v2/fw/error', 1]);
    expect(await v5.client.next()).toMatchObject({ cmd: 'suback', granted: [0x8f, 1] });
  });

  it('answers UNSUBSCRIBE of an unknown filter with 0x11 on MQTT 5 and turns core pushes off with the last subscription', async () => {
    const { core, port } = await startTransport();
    const { client } = await RawClient.connect(port, {}, 5);
    client.subscribe(1, ['v1/devices/me/attributes', 1], ['v2/a', 1]);
    await client.next();
    client.send({ cmd: 'unsubscribe', messageId: 2, unsubscriptions: ['v1/devices/me/attributes', 'v1/devices/me/never'] });
    expect(await client.next()).toMatchObject({ cmd: 'unsuback', messageId: 2, granted: [0, 0x11] });
    expect(core.session.attributeSubscription).toBe(true);
    client.send({ cmd: 'unsubscribe', messageId: 3, unsubscriptions: ['v2/a'] });
    await client.next();
    expect(core.session.attributeSubscription).toBe(false);
  });
});

describe('shared attribute push (§1.7)', () => {
  it('publishes the core JSON on the most recent attribute subscription, with its granted QoS', async () => {
    const { core, port } = await startTransport();
    const client = await connectClient(port);
    await client.subscribeAsync('v1/devices/me/attributes', { qos: 1 });
    const update = nextMessage(client);
    core.session.pushAttributes('{"target":23}');
    expect(await update).toEqual({ topic: 'v1/devices/me/attributes', payload: '{"target":23}', qos: 1 });

    await client.subscribeAsync('v2/a/j', { qos: 0 });
    const deletion = nextMessage(client);
    core.session.pushAttributes('{"deleted":["target"]}');
    expect(await deletion).toEqual({ topic: 'v2/a/j', payload: '{"deleted":["target"]}', qos: 0 });
  });
});

describe('server-side RPC (§1.8)', () => {
  it('delivers {"method","params"} with the id in the topic only, resolves on the PUBACK and forwards the reply', async () => {
    const { core, port } = await startTransport();
    const client = await connectClient(port, { protocolVersion: 5 });
    await client.subscribeAsync('v1/devices/me/rpc/request/+', { qos: 1 });
    const request = nextMessage(client);
    const delivered = core.session.pushRpc({ id: 4, method: 'setGpio', params: { pin: 4, value: 1 }, oneway: false });
    expect(await request).toEqual({
      topic: 'v1/devices/me/rpc/request/4',
      payload: '{"method":"setGpio","params":{"pin":4,"value":1}}',
      qos: 1,
    });
    await expect(delivered).resolves.toBeUndefined();
    await client.publishAsync('v1/devices/me/rpc/response/4', '{"pong":true}', { qos: 1 });
    expect(core.session.serverRpcReplies).toEqual([{ requestId: 4, payload: '{"pong":true}' }]);
  });

  it('waits for the PUBACK of the right packet and fails delivery when none comes in time', async () => {
    const { core, port } = await startTransport({ options: { serverRpcAckTimeoutMs: 100 } });
    const { client } = await RawClient.connect(port);
    client.subscribe(1, ['v2/r/req/+', 1]);
    await client.next();
    let settled = false;
    const acked = core.session.pushRpc({ id: 1, method: 'a', params: {}, oneway: true }).finally(() => (settled = true));
    const unacked = core.session.pushRpc({ id: 2, method: 'b', params: 'x', oneway: true });
    const first = await client.next();
    const second = await client.next();
    expect(first).toMatchObject({ cmd: 'publish', topic: 'v2/r/req/1', qos: 1 });
    expect(second).toMatchObject({ cmd: 'publish', topic: 'v2/r/req/2', payload: Buffer.from('{"method":"b","params":"x"}') });
    await sleep(20);
    expect(settled).toBe(false);
    client.send({ cmd: 'puback', messageId: first.messageId });
    await expect(acked).resolves.toBeUndefined();
    await expect(unacked).rejects.toThrow(/no PUBACK/);
  });

  it('resolves a QoS 0 RPC once written, and refuses one the device is not subscribed for', async () => {
    const { core, port } = await startTransport();
    const client = await connectClient(port);
    await expect(core.session.pushRpc({ id: 1, method: 'm', params: {}, oneway: true })).rejects.toThrow(/not subscribed/);
    await client.subscribeAsync('v2/r/req/+', { qos: 0 });
    const request = nextMessage(client);
    await expect(core.session.pushRpc({ id: 2, method: 'm', params: {}, oneway: true })).resolves.toBeUndefined();
    expect(await request).toMatchObject({ topic: 'v2/r/req/2', qos: 0 });
  });
});

describe('session end', () => {
  it.each([
    ['DEVICE_DELETED', 0x98],
    ['CREDENTIALS_UPDATED', 0x98],
    ['SESSION_TIMEOUT', 0xa0],
    ['SHUTDOWN', 0x8b],
  ] as const)('closes on the core closing the session for %s (MQTT 5: DISCONNECT 0x%s)', async (reason, code) => {
    const { core, port } = await startTransport();
    const { client } = await RawClient.connect(port, {}, 5);
    core.session.closeBy(reason);
    expect(await client.next()).toMatchObject({ cmd: 'disconnect', reasonCode: code });
    expect(await client.closedWithin()).toBe(true);
    await until(() => core.session.closed);
  });

  it('just closes an MQTT 3.1.1 connection the core ends', async () => {
    const { core, port } = await startTransport();
    const { client } = await RawClient.connect(port);
    core.session.closeBy('DEVICE_DELETED');
    expect(await client.closedWithin()).toBe(true);
    expect(client.pending()).toEqual([]);
  });

  it('answers PINGREQ and reports it as activity', async () => {
    const { core, port } = await startTransport();
    const { client } = await RawClient.connect(port);
    client.send({ cmd: 'pingreq' });
    expect(await client.next()).toMatchObject({ cmd: 'pingresp' });
    expect(core.session.activityReports).toBe(1);
  });

  it('closes idle sessions after the inactivity timeout and sockets that never send CONNECT', async () => {
    const { core, port } = await startTransport({ options: { inactivityTimeoutMs: 150, connectTimeoutMs: 100 } });
    const { client } = await RawClient.connect(port, {}, 5);
    const silent = await RawClient.open(port);
    expect(await silent.closedWithin(1_000)).toBe(true);
    expect(await client.next()).toMatchObject({ cmd: 'disconnect', reasonCode: 0xa0 });
    await until(() => core.session.closed);
  });

  it('closes the core session when the device disconnects', async () => {
    const { core, port } = await startTransport();
    const client = await connectClient(port);
    await client.endAsync();
    await until(() => core.session.closed);
  });

  it('stop() sends MQTT 5 DISCONNECT 0x8B to every connection and resolves once all are closed', async () => {
    const { transport, port } = await startTransport();
    const v5 = await RawClient.connect(port, {}, 5);
    const v3 = await RawClient.connect(port);
    await transport.stop();
    expect(await v5.client.next()).toMatchObject({ cmd: 'disconnect', reasonCode: 0x8b });
    expect(await v3.client.closedWithin(0)).toBe(true);
    await expect(RawClient.open(port)).rejects.toThrow();
  });
});
