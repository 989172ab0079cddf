import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMqtt, nextMessage } from './support/mqtt-client';
import { Product, RestClient, restClient, startProduct } from './support/product.mjs';
import { eventually } from './support/rest-checks';

/** ThingsBoard's own default root rule chain (see fixtures/thingsboard/README.md for its origin). */
const THINGSBOARD_ROOT = JSON.parse(readFileSync(join(__dirname, 'fixtures/thingsboard/root_rule_chain.json'), 'utf8'));

/**
 * A ThingsBoard user's chain, imported the way ThingsBoard's web UI imports one (header, then metadata),
 * made the root, and exercised by a device over MQTT: telemetry, attributes and RPC flow through it.
 */
describe("ThingsBoard's default root rule chain, imported", () => {
  let product: Product;
  let rest: RestClient;
  let chainId: string;
  const clients: MqttClient[] = [];

  const device = async (name: string) => {
    const token = `TB_ROOT_${name}`;
    const { id } = await rest.createDevice(name, token);
    const client = await connectMqtt(product.ports.mqtt.mqtt, { username: token });
    clients.push(client);
    return { id: id.id as string, client };
  };

  beforeAll(async () => {
    product = await startProduct({ CLIENT_RPC_TIMEOUT_MS: '2000' });
    rest = await restClient(product.url);
    const header = await rest.request('POST', '/api/ruleChain', { ...THINGSBOARD_ROOT.ruleChain, root: false });
    expect(header.status).toBe(200);
    chainId = header.body.id.id;
    const metadata = await rest.request('POST', '/api/ruleChain/metadata', { ...THINGSBOARD_ROOT.metadata, ruleChainId: header.body.id });
    expect(metadata.status, metadata.text).toBe(200);
    const root = await rest.request('POST', `/api/ruleChain/${chainId}/root`);
    expect(root.status, root.text).toBe(200);
  });
  afterAll(async () => {
    clients.forEach((c) => c.end(true));
    await product?.stop();
  });

  it('imports with every node supported and the same graph', async () => {
    const saved = (await rest.request('GET', `/api/ruleChain/${chainId}/metadata`)).body;
    expect(saved.nodes.map((n: { type: string }) => n.type)).toEqual(THINGSBOARD_ROOT.metadata.nodes.map((n: { type: string }) => n.type));
    expect(saved.firstNodeIndex).toBe(THINGSBOARD_ROOT.metadata.firstNodeIndex);
    const status = (await rest.request('GET', '/api/ruleEngine/chains/status')).body.find((c: { id: string }) => c.id === chainId);
    expect(status).toMatchObject({ deployed: true, error: null });
  });

  it('stores the telemetry and the client attributes a device publishes', async () => {
    const { id, client } = await device('tb-root-telemetry');
    await client.publishAsync('v1/devices/me/telemetry', '{"temperature":23.5}', { qos: 1 });
    await client.publishAsync('v1/devices/me/attributes', '{"firmware":"1.2.3"}', { qos: 1 });
    const telemetry = await eventually(
      async () => (await rest.request('GET', `/api/plugins/telemetry/DEVICE/${id}/values/timeseries`)).body,
      (body) => body.temperature !== undefined,
    );
    expect(telemetry.temperature[0].value).toBe('23.5');
    const attributes = await eventually(
      async () => (await rest.request('GET', `/api/plugins/telemetry/DEVICE/${id}/values/attributes/CLIENT_SCOPE`)).body,
      (body) => body.length > 0,
    );
    expect(attributes).toMatchObject([{ key: 'firmware', value: '1.2.3' }]);
  });

  it('delivers a server-side RPC through its "RPC Call Request" node and returns the device\u2019s reply', async () => {
    const { id, client } = await device('tb-root-rpc');
    await client.subscribeAsync('v1/devices/me/rpc/request/+', { qos: 1 });
    client.on('message', (topic, payload) => {
      const requestId = /^v1\/devices\/me\/rpc\/request\/(\d+)$/.exec(topic)?.[1];
      const { method } = JSON.parse(payload.toString());
      if (requestId) void client.publishAsync(`v1/devices/me/rpc/response/${requestId}`, JSON.stringify({ answered: method }), { qos: 1 });
    });
    const reply = await rest.request('POST', `/api/rpc/twoway/${id}`, { method: 'getState', params: {} });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ answered: 'getState' });
  });

  it('passes a device\u2019s own RPC request to its "Log RPC from Device" node (nothing answers it, as in ThingsBoard)', async () => {
    const { client } = await device('tb-root-client-rpc');
    await client.subscribeAsync('v1/devices/me/rpc/response/+');
    const answer = nextMessage(client, 'v1/devices/me/rpc/response/7', 10_000);
    await client.publishAsync('v1/devices/me/rpc/request/7', '{"method":"getTime","params":{}}', { qos: 1 });
    const logged = await eventually(
      async () => {
        const status = (await rest.request('GET', '/api/ruleEngine/chains/status')).body.find((c: { id: string }) => c.id === chainId);
        return status.nodes.find((n: { name: string }) => n.name === 'Log RPC from Device').received as number;
      },
      (received) => received > 0,
    );
    expect(logged).toBeGreaterThan(0);
    expect(JSON.parse((await answer).payload)).toEqual({ error: 'timeout' });
  });
});
