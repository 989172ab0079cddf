import type { IClientOptions } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { closedByServer, connectMqtt, nextMessage, refusalCode } from './support/mqtt-client';
import { restClient, startProduct } from './support/product.mjs';
import { useProduct } from './support/product-fixture';
import {
  clientAttributesOnceStored,
  eventually,
  latestOnceStored,
  expectTimestampedTelemetryStored,
  expectTypedTelemetryStored,
  persistentRpcStatus,
  serverAttributes,
  TIMESTAMPED_TELEMETRY,
  TYPED_TELEMETRY,
} from './support/rest-checks';

/**
 * The MQTT device API of the built product, driven with mqtt.js as a device would, checked through the
 * REST API as an integrator would (device-api.md §1 and the checklist of §11).
 */
describe('MQTT device API', () => {
  const product = useProduct({ CLIENT_RPC_TIMEOUT_MS: '1000' });
  let sequence = 0;

  /** A new device with an access token, and an mqtt.js client connected as it. */
  const device = async (options: IClientOptions = {}) => {
    const token = `MQTT_E2E_${++sequence}`;
    const { id } = await product.rest.createDevice(`mqtt-e2e-${sequence}`, token);
    const client = await product.connectMqtt({ username: token, ...options });
    return { id: id.id as string, token, client };
  };
  const latest = async (deviceId: string) =>
    (await product.rest.request('GET', `/api/plugins/telemetry/DEVICE/${deviceId}/values/timeseries`)).body;

  describe('connecting', () => {
    it('accepts an access token as username whatever the password and client id', async () => {
      const { token } = await device();
      const other = await product.connectMqtt({ username: token, password: 'anything', clientId: 'whatever-id' });
      expect(other.connected).toBe(true);
    });

    it('refuses an unknown token: CONNACK 5 on MQTT 3.1.1, reason 0x86 on MQTT 5', async () => {
      expect(await refusalCode(product.mqttPort, { username: 'NO_SUCH_TOKEN' })).toBe(5);
      expect(await refusalCode(product.mqttPort, { username: 'NO_SUCH_TOKEN', password: 'x', protocolVersion: 5 })).toBe(0x86);
    });

    it('checks MQTT basic credentials: client id, user name and password', async () => {
      const created = await product.rest.request('POST', '/api/device-with-credentials', {
        device: { name: 'mqtt-basic-e2e' },
        credentials: {
          credentialsType: 'MQTT_BASIC',
          credentialsValue: JSON.stringify({ clientId: 'c1', userName: 'u1', password: 'p1' }),
        },
      });
      expect(created.status).toBe(200);
      const ok = await product.connectMqtt({ clientId: 'c1', username: 'u1', password: 'p1' });
      expect(ok.connected).toBe(true);
      expect(await refusalCode(product.mqttPort, { clientId: 'c1', username: 'u1', password: 'wrong' })).toBe(5);
    });
  });

  describe('telemetry and attributes', () => {
    it('acknowledges QoS 1 telemetry once it is durably queued, and stores it with ThingsBoard typing', async () => {
      const { id, client } = await device();
      await client.publishAsync('v1/devices/me/telemetry', TYPED_TELEMETRY, { qos: 1 });
      // PUBACK means durably queued (it survives a crash); the root chain stores it moments later.
      await expectTypedTelemetryStored(product.rest, id);
    });

    it('stores every point of a timestamped array at its own ts', async () => {
      const { id, client } = await device();
      await client.publishAsync('v1/devices/me/telemetry', TIMESTAMPED_TELEMETRY, { qos: 1 });
      await expectTimestampedTelemetryStored(product.rest, id);
    });

    it('accepts the short v2 topics', async () => {
      const { id, client } = await device();
      await client.publishAsync('v2/t', '{"short":1}', { qos: 1 });
      expect((await latestOnceStored(product.rest, id, 'short')).short[0].value).toBe('1');
    });

    it('stores client attributes and answers attribute requests on the request id', async () => {
      const { id, client } = await device();
      await client.publishAsync('v1/devices/me/attributes', '{"fw":"v1.0"}', { qos: 1 });
      expect(await clientAttributesOnceStored(product.rest, id, 'fw')).toMatchObject([{ key: 'fw', value: 'v1.0' }]);
      await product.rest.request('POST', `/api/plugins/telemetry/DEVICE/${id}/SHARED_SCOPE`, { target: 22 });
      await client.subscribeAsync('v1/devices/me/attributes/response/+');
      const answer = nextMessage(client, 'v1/devices/me/attributes/response/7');
      await client.publishAsync('v1/devices/me/attributes/request/7', '{"clientKeys":"fw","sharedKeys":"target"}', { qos: 1 });
      expect(JSON.parse((await answer).payload)).toEqual({ client: { fw: 'v1.0' }, shared: { target: 22 } });
      const all = nextMessage(client, 'v1/devices/me/attributes/response/8');
      await client.publishAsync('v1/devices/me/attributes/request/8', '{}', { qos: 1 });
      expect(JSON.parse((await all).payload)).toEqual({ client: { fw: 'v1.0' }, shared: { target: 22 } });
      const short = nextMessage(client, 'v2/a/res/3');
      await client.subscribeAsync('v2/a/res/+');
      await client.publishAsync('v2/a/req/3', '{"sharedKeys":"target"}', { qos: 1 });
      expect(JSON.parse((await short).payload)).toEqual({ shared: { target: 22 } });
    });

    it('pushes shared-attribute saves and deletions, never server-scope ones', async () => {
      const { id, client } = await device();
      await client.subscribeAsync('v1/devices/me/attributes', { qos: 1 });
      const saved = nextMessage(client, 'v1/devices/me/attributes');
      await product.rest.request('POST', `/api/plugins/telemetry/DEVICE/${id}/SERVER_SCOPE`, { secret: 1 });
      await product.rest.request('POST', `/api/plugins/telemetry/DEVICE/${id}/SHARED_SCOPE`, { target: 23 });
      expect(JSON.parse((await saved).payload)).toEqual({ target: 23 });
      const deleted = nextMessage(client, 'v1/devices/me/attributes');
      await product.rest.request('DELETE', `/api/plugins/telemetry/DEVICE/${id}/SHARED_SCOPE?keys=target`);
      expect(JSON.parse((await deleted).payload)).toEqual({ deleted: ['target'] });
    });
  });

  describe('MQTT over WebSocket', () => {
    it('serves the same device API over ws:// when enabled', async () => {
      const wsProduct = await startProduct({ MQTT_WS_ENABLED: 'true', MQTT_WS_PORT: '0' });
      try {
        const wsRest = await restClient(wsProduct.url);
        const deviceId: string = (await wsRest.createDevice('ws-device', 'WS_TOKEN')).id.id;
        const client = await connectMqtt(0, { protocol: 'ws', port: wsProduct.ports.mqtt.mqttws, path: '/mqtt', username: 'WS_TOKEN' });
        await client.publishAsync('v1/devices/me/telemetry', '{"overWebSocket":1}', { qos: 1 });
        client.end(true);
        expect((await latestOnceStored(wsRest, deviceId, 'overWebSocket')).overWebSocket[0].value).toBe('1');
      } finally {
        await wsProduct.stop();
      }
    });
  });

  describe('device-profile topics', () => {
    it('takes telemetry on the profile topic and no longer on the v1 topic it replaces', async () => {
      const profile = await product.rest.request('POST', '/api/deviceProfile', {
        name: 'Custom MQTT topics',
        type: 'DEFAULT',
        transportType: 'MQTT',
        profileData: {
          configuration: { type: 'DEFAULT' },
          transportConfiguration: {
            type: 'MQTT',
            deviceTelemetryTopic: 'sensors/+/data',
            deviceAttributesTopic: 'sensors/+/attrs',
            deviceAttributesSubscribeTopic: '',
          },
        },
      });
      expect(profile.status).toBe(200);
      const created = await product.rest.request('POST', '/api/device?accessToken=CUSTOM_TOPICS', {
        name: 'custom-topics',
        deviceProfileId: profile.body.id,
      });
      const client = await product.connectMqtt({ username: 'CUSTOM_TOPICS', protocolVersion: 5 });
      await client.publishAsync('sensors/s1/data', '{"custom":1}', { qos: 1 });
      await expect(client.publishAsync('v1/devices/me/telemetry', '{"v1":1}', { qos: 1 })).rejects.toMatchObject({ code: 0x90 });
      expect(Object.keys(await latestOnceStored(product.rest, created.body.id.id, 'custom'))).toEqual(['custom']);
    });
  });

  describe('bad input', () => {
    it('MQTT 3.1.1: closes the connection on malformed JSON, stores nothing, keeps serving others', async () => {
      const { id, client } = await device();
      const closed = closedByServer(client);
      client.publish('v1/devices/me/telemetry', 'not json', { qos: 1 });
      expect(await closed).toBe(true);
      expect(await latest(id)).toEqual({});
      const { client: next } = await device();
      await next.publishAsync('v1/devices/me/telemetry', '{"still":"serving"}', { qos: 1 });
    });

    it('MQTT 5: answers malformed JSON with PUBACK 0x99 and keeps the connection', async () => {
      const { id, client } = await device({ protocolVersion: 5 });
      await expect(client.publishAsync('v1/devices/me/telemetry', 'not json', { qos: 1 })).rejects.toMatchObject({ code: 0x99 });
      expect(client.connected).toBe(true);
      await client.publishAsync('v1/devices/me/telemetry', '{"after":1}', { qos: 1 });
      expect(Object.keys(await latestOnceStored(product.rest, id, 'after'))).toEqual(['after']);
    });

    it('acknowledges an unknown topic and keeps the connection (MQTT 5: 0x90)', async () => {
      const { client } = await device({ protocolVersion: 5 });
      await expect(client.publishAsync('v1/devices/me/unknown', '{}', { qos: 1 })).rejects.toMatchObject({ code: 0x90 });
      expect(client.connected).toBe(true);
    });

    it('refuses unsupported subscriptions and caps QoS at 1', async () => {
      const { client } = await device();
      // The SUBACK's return code per filter, read off the packet (mqtt.js turns a refusal into an error).
      const codes = new Promise<number[]>((resolve) =>
        client.on('packetreceive', (packet) => packet.cmd === 'suback' && resolve(packet.granted as number[])),
      );
      client.subscribe({ 'v1/devices/me/foo': { qos: 0 }, 'v1/devices/me/attributes': { qos: 2 } }, () => {});
      expect(await codes).toEqual([128, 1]);
      expect(client.connected).toBe(true);
    });

    it('closes the connection when a payload is over the limit, storing nothing', async () => {
      const { id, client } = await device();
      const closed = closedByServer(client);
      client.publish('v1/devices/me/telemetry', JSON.stringify({ big: 'x'.repeat(70_000) }), { qos: 1 });
      expect(await closed).toBe(true);
      expect(await latest(id)).toEqual({});
    });
  });

  describe('short v2 topics', () => {
    it('serves attributes, attribute updates and both RPC directions on the v2 family', async () => {
      const { id, client } = await device();
      await client.publishAsync('v2/a', '{"sn":"SN-1"}', { qos: 1 });
      expect(await clientAttributesOnceStored(product.rest, id, 'sn')).toMatchObject([{ key: 'sn', value: 'SN-1' }]);

      await client.subscribeAsync(['v2/a', 'v2/r/req/+', 'v2/r/res/+'], { qos: 1 });
      const update = nextMessage(client, 'v2/a');
      await product.rest.request('POST', `/api/plugins/telemetry/DEVICE/${id}/SHARED_SCOPE`, { mode: 'eco' });
      expect(JSON.parse((await update).payload)).toEqual({ mode: 'eco' });

      client.on('message', (topic) => {
        const requestId = /^v2\/r\/req\/(\d+)$/.exec(topic)?.[1];
        if (requestId) client.publish(`v2/r/res/${requestId}`, '{"v2":true}');
      });
      expect((await product.rest.request('POST', `/api/rpc/twoway/${id}`, { method: 'm', params: {} })).body).toEqual({ v2: true });

      const clientRpc = nextMessage(client, 'v2/r/res/4');
      await client.publishAsync('v2/r/req/4', '{"method":"getTime","params":{}}', { qos: 1 });
      expect(JSON.parse((await clientRpc).payload)).toEqual({ error: 'timeout' });
    });
  });

  describe('RPC', () => {
    it('round-trips a server-side two-way call through the device', async () => {
      const { id, client } = await device();
      await client.subscribeAsync('v1/devices/me/rpc/request/+');
      client.on('message', (topic, payload) => {
        const requestId = /^v1\/devices\/me\/rpc\/request\/(\d+)$/.exec(topic)?.[1];
        if (requestId) client.publish(`v1/devices/me/rpc/response/${requestId}`, JSON.stringify({ echo: JSON.parse(payload.toString()) }));
      });
      const res = await product.rest.request('POST', `/api/rpc/twoway/${id}`, { method: 'ping', params: { n: 1 } });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ echo: { method: 'ping', params: { n: 1 } } });
    });

    it('answers one-way at once, times out two-way with 504, and 406 for a non-JSON reply', async () => {
      const { id, client } = await device();
      await client.subscribeAsync('v1/devices/me/rpc/request/+');
      expect((await product.rest.request('POST', `/api/rpc/oneway/${id}`, { method: 'blink', params: {} })).status).toBe(200);
      const timeout = await product.rest.request('POST', `/api/rpc/twoway/${id}`, {
        method: 'silent',
        params: {},
        expirationTime: Date.now() + 500,
      });
      expect(timeout.status).toBe(504);
      client.on('message', (topic) => {
        const requestId = /rpc\/request\/(\d+)$/.exec(topic)?.[1];
        if (requestId) client.publish(`v1/devices/me/rpc/response/${requestId}`, 'ok');
      });
      expect((await product.rest.request('POST', `/api/rpc/twoway/${id}`, { method: 'text', params: {} })).status).toBe(406);
    });

    it('tracks a persistent one-way call to DELIVERED when the device acknowledges it', async () => {
      const { id, client } = await device();
      const { body } = await product.rest.request('POST', `/api/rpc/oneway/${id}`, {
        method: 'later',
        params: {},
        persistent: true,
        timeout: 60000,
      });
      const delivered = nextMessage(client, /^v1\/devices\/me\/rpc\/request\/\d+$/);
      await client.subscribeAsync('v1/devices/me/rpc/request/+', { qos: 1 });
      expect(JSON.parse((await delivered).payload)).toEqual({ method: 'later', params: {} });
      expect(await persistentRpcStatus(product.rest, body.rpcId, 'DELIVERED')).toBe('DELIVERED');
    });

    it('answers getSessionLimits itself and times out other client-side calls with {"error":"timeout"}', async () => {
      const { client } = await device();
      await client.subscribeAsync('v1/devices/me/rpc/response/+');
      const limits = nextMessage(client, 'v1/devices/me/rpc/response/1');
      await client.publishAsync('v1/devices/me/rpc/request/1', '{"method":"getSessionLimits","params":{}}', { qos: 1 });
      expect(JSON.parse((await limits).payload)).toMatchObject({ maxPayloadSize: 65536, maxInflightMessages: 100 });
      const unanswered = nextMessage(client, 'v1/devices/me/rpc/response/2');
      await client.publishAsync('v1/devices/me/rpc/request/2', '{"method":"getTime","params":{}}', { qos: 1 });
      expect(JSON.parse((await unanswered).payload)).toEqual({ error: 'timeout' });
    });
  });

  describe('device lifecycle', () => {
    it('disconnects a deleted device (MQTT 5: DISCONNECT 0x98) and refuses it afterwards', async () => {
      const { id, token, client } = await device({ protocolVersion: 5 });
      const disconnect = new Promise<number | undefined>((resolve) => client.once('disconnect', (packet) => resolve(packet.reasonCode)));
      expect((await product.rest.request('DELETE', `/api/device/${id}`)).status).toBe(200);
      expect(await disconnect).toBe(0x98);
      expect(await refusalCode(product.mqttPort, { username: token })).toBe(5);
    });

    it('marks a connected device active with its connect time', async () => {
      const { id, client } = await device();
      await client.publishAsync('v1/devices/me/telemetry', '{"x":1}', { qos: 1 });
      const state = await eventually(
        () => serverAttributes(product.rest, id),
        (attributes) => attributes.active === true,
      );
      expect(state).toMatchObject({ active: true, lastConnectTime: expect.any(Number), lastActivityTime: expect.any(Number) });
    });
  });
});
