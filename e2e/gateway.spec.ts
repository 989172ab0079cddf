import type { IClientOptions, MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { closedByServer, nextMessage } from './support/mqtt-client';
import { restClient } from './support/product.mjs';
import { useProduct } from './support/product-fixture';
import { clientAttributesOnceStored, eventually, latestOnceStored } from './support/rest-checks';
import { activatedUser } from './support/users';

const CHILDREN = 100;
const BATCH = 25;
const SYSADMIN = { username: 'sysadmin@thingsboard.org', password: 'sysadmin' };

/** A gateway's view of one child in `GET /api/gateway/{id}/devices`. */
interface ChildInfo {
  id: { id: string };
  name: string;
  active: boolean;
  connected: boolean;
  lastConnectTime: number;
  lastDisconnectTime: number;
  lastActivityTime: number;
}

/** The MQTT 5 PUBACK reason code of a QoS 1 publish (0 = success); mqtt.js rejects a failure code with it as `code`. */
async function pubackCode(client: MqttClient, topic: string, payload: string): Promise<number> {
  try {
    await client.publishAsync(topic, payload, { qos: 1 });
    return 0;
  } catch (error) {
    return (error as { code?: number }).code ?? -1;
  }
}

/**
 * The gateway MQTT API of the built product (device-api.md §4), driven by mqtt.js as a ThingsBoard IoT Gateway
 * would drive it, checked through the REST API as an integrator would.
 */
describe('gateway MQTT API', () => {
  const product = useProduct();
  let sequence = 0;

  /** A gateway device (additionalInfo.gateway = true) and an mqtt.js client connected as it. */
  const gateway = async (options: IClientOptions = {}) => {
    const token = `GW_E2E_${++sequence}`;
    const created = await product.rest.request('POST', `/api/device?accessToken=${token}`, {
      name: `gateway-e2e-${sequence}`,
      additionalInfo: { gateway: true },
    });
    expect(created.status).toBe(200);
    const client = await product.connectMqtt({ username: token, protocolVersion: 5, ...options });
    return { id: created.body.id.id as string, token, client };
  };

  const children = async (gatewayId: string): Promise<ChildInfo[]> => {
    const page = await product.rest.request(
      'GET',
      `/api/gateway/${gatewayId}/devices?pageSize=${CHILDREN + 10}&page=0&sortProperty=name&sortOrder=ASC`,
    );
    expect(page.status).toBe(200);
    return page.body.data;
  };

  const deviceNamed = (name: string, client = product.rest) =>
    client.request('GET', `/api/tenant/devices?deviceName=${encodeURIComponent(name)}`);

  it(`connects ${CHILDREN} children, stores their batched telemetry and attributes, serves RPC and shared attributes, and disconnects them with the gateway`, async () => {
    const { id: gatewayId, client } = await gateway();
    await client.subscribeAsync(['v1/gateway/attributes', 'v1/gateway/rpc', 'v1/gateway/attributes/response'], { qos: 1 });
    const names = Array.from({ length: CHILDREN }, (_, i) => `Sensor ${String(i).padStart(3, '0')}`);

    // As the IoT Gateway does: an explicit connect per device (with its type), then data in batches.
    await Promise.all(
      names.map((device) => client.publishAsync('v1/gateway/connect', JSON.stringify({ device, type: 'e2e-sensor' }), { qos: 1 })),
    );
    for (let start = 0; start < CHILDREN; start += BATCH) {
      const batch = names.slice(start, start + BATCH);
      const telemetry = batch.map(
        (name, i) =>
          `${JSON.stringify(name)}:[{"ts":${1_700_000_000_000 + start + i},"values":{"temperature":${start + i}.5,"seq":${start + i}}}]`,
      );
      const attributes = batch.map((name, i) => `${JSON.stringify(name)}:{"fw":"fw-${start + i}","port":${start + i}}`);
      await client.publishAsync('v1/gateway/telemetry', `{${telemetry.join(',')}}`, { qos: 1 });
      await client.publishAsync('v1/gateway/attributes', `{${attributes.join(',')}}`, { qos: 1 });
    }

    const listed = await eventually(
      () => children(gatewayId),
      (list) => list.length === CHILDREN && list.every((child) => child.connected),
    );
    expect(listed.map((child) => child.name)).toEqual(names);
    for (const child of listed) {
      expect(child).toMatchObject({ active: true, connected: true, lastDisconnectTime: 0 });
      expect(child.lastConnectTime).toBeGreaterThan(0);
    }
    const idOf = new Map(listed.map((child) => [child.name, child.id.id]));

    for (const [index, name] of names.entries()) {
      const id = idOf.get(name)!;
      const latest = await latestOnceStored(product.rest, id, 'seq');
      expect(latest.temperature).toEqual([{ ts: 1_700_000_000_000 + index, value: `${index}.5` }]);
      expect(latest.seq).toEqual([{ ts: 1_700_000_000_000 + index, value: String(index) }]);
      const attributes = await clientAttributesOnceStored(product.rest, id, 'fw');
      expect(Object.fromEntries(attributes.map((a) => [a.key, a.value]))).toEqual({ fw: `fw-${index}`, port: index });
    }
    const device = (await deviceNamed(names[0])).body;
    expect(device).toMatchObject({ type: 'e2e-sensor', additionalInfo: { lastConnectedGateway: gatewayId } });

    // Server-side RPC to a child: REST → rule engine → v1/gateway/rpc → the gateway's reply → REST.
    const target = names[7];
    client.on('message', (topic, payload) => {
      if (topic !== 'v1/gateway/rpc') return;
      const { device: child, data } = JSON.parse(payload.toString());
      void client.publishAsync(
        'v1/gateway/rpc',
        JSON.stringify({ device: child, id: data.id, data: { echo: data.params, method: data.method } }),
        {
          qos: 1,
        },
      );
    });
    const reply = await product.rest.request('POST', `/api/rpc/twoway/${idOf.get(target)}`, {
      method: 'setTemperature',
      params: { value: 21 },
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ echo: { value: 21 }, method: 'setTemperature' });

    // A shared attribute set through REST reaches the gateway with the device name.
    const update = nextMessage(client, 'v1/gateway/attributes');
    const saved = await product.rest.request('POST', `/api/plugins/telemetry/DEVICE/${idOf.get(target)}/SHARED_SCOPE`, {
      targetTemperature: 22.5,
    });
    expect(saved.status).toBe(200);
    expect(JSON.parse((await update).payload)).toEqual({ device: target, data: { targetTemperature: 22.5 } });

    // Attribute request for a child: one key answers with "value".
    const answer = nextMessage(client, 'v1/gateway/attributes/response');
    await client.publishAsync(
      'v1/gateway/attributes/request',
      JSON.stringify({ id: 42, device: target, client: false, key: 'targetTemperature' }),
      {
        qos: 1,
      },
    );
    expect(JSON.parse((await answer).payload)).toEqual({ id: 42, device: target, value: 22.5 });

    // The gateway goes away: every child is disconnected (`active` follows the inactivity timeout, device-api.md §5.2).
    await client.endAsync();
    const after = await eventually(
      () => children(gatewayId),
      (list) => list.every((child) => !child.connected),
    );
    for (const child of after) {
      expect(child.connected).toBe(false);
      expect(child.lastDisconnectTime).toBeGreaterThanOrEqual(child.lastConnectTime);
    }
  }, 120_000);

  describe('bad input', () => {
    it('invalid JSON gets PUBACK 0x99 and the gateway stays connected', async () => {
      const { client } = await gateway();
      expect(await pubackCode(client, 'v1/gateway/telemetry', '{"Broken":[{"t":1}]')).toBe(0x99);
      expect(await pubackCode(client, 'v1/gateway/telemetry', '{"After broken":[{"t":1}]}')).toBe(0);
      expect(client.connected).toBe(true);
    });

    it.each([
      ['not an object', 'v1/gateway/telemetry', '[1,2]'],
      ['a connect without a device name', 'v1/gateway/connect', '{"device":""}'],
      ['no usable device entry', 'v1/gateway/attributes', '{"Device X":"not an object"}'],
      ['an attribute request without "client"', 'v1/gateway/attributes/request', '{"id":1,"device":"Device X","key":"fw"}'],
    ])('%s: PUBACK 0x83, then the server closes the connection', async (_case, topic, payload) => {
      const { client } = await gateway();
      expect(await pubackCode(client, topic, payload)).toBe(0x83);
      expect(await closedByServer(client)).toBe(true);
      expect((await deviceNamed('Device X')).status).toBe(404);
    });

    it('an empty or over-long child name gets 0x80 and nothing is created; 255 characters are fine', async () => {
      const { id: gatewayId, client } = await gateway();
      const longest = `long-${'n'.repeat(250)}`;
      expect(await pubackCode(client, 'v1/gateway/telemetry', JSON.stringify({ '': [{ t: 1 }] }))).toBe(0x80);
      expect(await pubackCode(client, 'v1/gateway/connect', JSON.stringify({ device: `${longest}x` }))).toBe(0x80);
      expect(await pubackCode(client, 'v1/gateway/connect', JSON.stringify({ device: longest }))).toBe(0);
      expect(client.connected).toBe(true);
      expect((await children(gatewayId)).map((child) => child.name)).toEqual([longest]);
    });

    it('a device that is not a gateway has its v1/gateway publishes dropped: no PUBACK, no child created', async () => {
      const token = `NOT_A_GATEWAY_${++sequence}`;
      await product.rest.createDevice(`not-a-gateway-${sequence}`, token);
      const client = await product.connectMqtt({ username: token, protocolVersion: 5 });
      let acknowledged = false;
      // Never acknowledged: the publish fails when the client is ended after the test.
      client.publishAsync('v1/gateway/connect', '{"device":"Smuggled"}', { qos: 1 }).then(
        () => (acknowledged = true),
        () => {},
      );
      await client.publishAsync('v1/devices/me/telemetry', '{"own":1}', { qos: 1 });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(acknowledged).toBe(false);
      expect((await deviceNamed('Smuggled')).status).toBe(404);
    });

    it("a name that only another tenant has creates the gateway's own device and never touches the other tenant's", async () => {
      const sysadmin = await restClient(product.url, SYSADMIN);
      const tenant = await sysadmin.request('POST', '/api/tenant', { title: 'Other tenant' });
      const otherAdmin = { authority: 'TENANT_ADMIN' as const, tenantId: tenant.body.id, email: 'other-admin@gateway-e2e.test' };
      const other = await activatedUser(product.url, sysadmin, otherAdmin, 'other-password');
      const theirs = await other.createDevice('Shared Name', 'OTHER_TENANT_TOKEN');

      const { client } = await gateway();
      expect(await pubackCode(client, 'v1/gateway/telemetry', '{"Shared Name":[{"intruder":1}]}')).toBe(0);
      const ours = (await deviceNamed('Shared Name')).body;
      expect(ours.id.id).not.toBe(theirs.id.id);
      expect((await latestOnceStored(product.rest, ours.id.id, 'intruder')).intruder[0].value).toBe('1');
      expect((await other.request('GET', `/api/plugins/telemetry/DEVICE/${theirs.id.id}/keys/timeseries`)).body).toEqual([]);
      expect((await other.request('GET', `/api/device/${theirs.id.id}`)).body).toEqual(theirs);
    });
  });
});
