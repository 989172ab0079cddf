import { PayloadError } from '@edgewise/plugin-api';
import { until } from '@edgewise/plugin-api/testing';
import type { IPublishPacket } from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, connectClient, nextMessage, RawClient, startTransport } from './test-support/mqtt-harness';

afterEach(cleanUp);

const REQUEST = '{"deviceName":"D9","provisionDeviceKey":"key","provisionDeviceSecret":"secret"}';
const SUCCESS = { status: 'SUCCESS' as const, json: '{"credentialsValue":"T9","credentialsType":"ACCESS_TOKEN","status":"SUCCESS"}' };
const PROVISION = { username: 'provision', password: Buffer.from('anything') };

/** A transport whose core answers every provisioning request with `SUCCESS`, closing provision sessions after `closeMs`. */
async function provisioningTransport(closeMs = 60_000) {
  const harness = await startTransport({ options: { provisionSessionCloseMs: closeMs } });
  harness.core.provisionAnswer = () => Promise.resolve(SUCCESS);
  return harness;
}

const payloadOf = (packet: unknown) => (packet as IPublishPacket).payload.toString();

describe('provisioning over MQTT (§1.11)', () => {
  it('answers /provision/request with PUBACK, then the core’s JSON on /provision/response at QoS 1 without a subscription', async () => {
    const { core, port } = await provisioningTransport();
    const { client, connack } = await RawClient.connect(port, PROVISION);
    expect(connack).toMatchObject({ returnCode: 0 });
    client.publish('/provision/request', REQUEST, 1, 7);
    expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: 7 });
    const response = await client.next();
    expect(response).toMatchObject({ cmd: 'publish', topic: '/provision/response', qos: 1 });
    expect(payloadOf(response)).toBe(SUCCESS.json);
    expect(core.provisionRequests).toEqual([REQUEST]);
    expect(core.sessions).toEqual([]); // no device session is opened for provisioning
  });

  it('publishes with the granted QoS of a /provision/response subscription (mqtt.js, clientId "provision")', async () => {
    const { port } = await provisioningTransport();
    const client = await connectClient(port, { clientId: 'provision', username: undefined });
    await client.subscribeAsync('/provision/response', { qos: 0 });
    const answer = nextMessage(client);
    await client.publishAsync('/provision/request', REQUEST, { qos: 1 });
    expect(await answer).toEqual({ topic: '/provision/response', payload: SUCCESS.json, qos: 0 });
  });

  it('keeps the connection after the response and closes it, without DISCONNECT, after the configured delay', async () => {
    const lasting = await provisioningTransport();
    const open = await RawClient.connect(lasting.port, PROVISION, 5);
    open.client.publish('/provision/request', REQUEST, 0);
    expect(await open.client.next()).toMatchObject({ cmd: 'publish', topic: '/provision/response' });
    open.client.send({ cmd: 'pingreq' });
    expect(await open.client.next()).toMatchObject({ cmd: 'pingresp' });

    const closing = await provisioningTransport(50);
    const { client } = await RawClient.connect(closing.port, PROVISION, 5);
    client.publish('/provision/request', REQUEST, 1, 1);
    expect(await client.next()).toMatchObject({ cmd: 'puback' });
    expect(await client.next()).toMatchObject({ cmd: 'publish' });
    expect(await client.closedWithin()).toBe(true);
    expect(client.pending()).toEqual([]); // closed without a DISCONNECT packet
  });

  it('answers requests in the order they came, whatever order the core answers them in', async () => {
    const { core, port } = await provisioningTransport();
    const answers: ((json: string) => void)[] = [];
    core.provisionAnswer = () => new Promise((resolve) => answers.push((json) => resolve({ status: 'SUCCESS', json })));
    const { client } = await RawClient.connect(port, PROVISION);
    client.publish('/provision/request', REQUEST, 1, 1);
    client.publish('/provision/request', REQUEST, 1, 2);
    await until(() => answers.length === 2);
    answers[1]('{"n":2}');
    answers[0]('{"n":1}');
    expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: 1 });
    expect(payloadOf(await client.next())).toBe('{"n":1}');
    expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: 2 });
    expect(payloadOf(await client.next())).toBe('{"n":2}');
  });

  it('a malformed request (PayloadError from the core): PUBACK 0x83 then DISCONNECT 0x83 on MQTT 5, PUBACK then close on 3.1.1', async () => {
    for (const version of [5, 4] as const) {
      const { core, port } = await provisioningTransport();
      core.provisionAnswer = () => Promise.reject(new PayloadError('The provision request has no "provisionDeviceKey"'));
      const { client } = await RawClient.connect(port, PROVISION, version);
      client.publish('/provision/request', '{"provisionDeviceSecret":"s"}', 1, 3);
      expect(await client.next()).toMatchObject({ cmd: 'puback', messageId: 3, ...(version === 5 ? { reasonCode: 0x83 } : {}) });
      if (version === 5) expect(await client.next()).toMatchObject({ cmd: 'disconnect', reasonCode: 0x83 });
      expect(await client.closedWithin()).toBe(true);
    }
  });

  it('a core failure closes the same way and is logged as an error', async () => {
    const { core, port } = await provisioningTransport();
    core.provisionAnswer = () => Promise.reject(new Error('database is down'));
    const { client } = await RawClient.connect(port, PROVISION, 5);
    client.publish('/provision/request', REQUEST, 1, 1);
    expect(await client.next()).toMatchObject({ cmd: 'puback', reasonCode: 0x83 });
    expect(await client.next()).toMatchObject({ cmd: 'disconnect', reasonCode: 0x83 });
    expect(core.logEntries).toContainEqual(expect.objectContaining({ level: 'error', fields: { error: 'database is down' } }));
  });

  it('treats a payload that is not a JSON object as an invalid payload without asking the core (MQTT 5 QoS 1: PUBACK 0x99, kept)', async () => {
    const { core, port } = await provisioningTransport();
    const v5 = await RawClient.connect(port, PROVISION, 5);
    v5.client.publish('/provision/request', 'not json', 1, 4);
    expect(await v5.client.next()).toMatchObject({ cmd: 'puback', messageId: 4, reasonCode: 0x99 });
    v5.client.publish('/provision/request', REQUEST, 1, 5);
    expect(await v5.client.next()).toMatchObject({ cmd: 'puback', messageId: 5, reasonCode: 0 });

    const v3 = await RawClient.connect(port, PROVISION);
    v3.client.publish('/provision/request', '[1,2]', 1, 1);
    expect(await v3.client.closedWithin()).toBe(true);
    expect(core.provisionRequests).toEqual([REQUEST]);
  });
});
