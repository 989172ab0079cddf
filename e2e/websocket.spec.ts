import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { connectMqtt } from './support/mqtt-client';
import { Product, RestClient, restClient, startProduct } from './support/product.mjs';

const run = promisify(execFile);

/** A WebSocket API subscriber as the ThingsBoard UI and its JS clients are: `ws` on /api/ws, authCmd first. */
class Subscriber {
  readonly received: any[] = [];
  private wake?: () => void;

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.received.push(JSON.parse(data.toString()));
      this.wake?.();
    });
  }

  static async open(url: string, token: string, cmds: unknown[]): Promise<Subscriber> {
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/api/ws`);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    socket.send(JSON.stringify({ authCmd: { cmdId: 0, token }, cmds }));
    return new Subscriber(socket);
  }

  /** The first message so far, or to come, that matches. */
  async next(match: (message: any) => boolean, timeoutMs = 10_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching update in time; got ${JSON.stringify(this.received)}`);
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 200);
      });
    }
  }
}

/** Live telemetry over the WebSocket API of the built product, from real MQTT devices (device-api.md §9). */
describe('WebSocket API with real MQTT devices', () => {
  let product: Product;
  let rest: RestClient;
  let jwt: string;
  let sequence = 0;
  const closers: (() => void)[] = [];

  beforeAll(async () => {
    product = await startProduct();
    rest = await restClient(product.url);
    const login = await fetch(`${product.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'tenant@thingsboard.org', password: 'tenant' }),
    });
    jwt = ((await login.json()) as { token: string }).token;
  });
  afterAll(async () => {
    closers.forEach((close) => close());
    await product?.stop();
  });

  const device = async () => {
    const token = `WS_E2E_${++sequence}`;
    const { id } = await rest.createDevice(`ws-e2e-${sequence}`, token);
    return { id: id.id as string, token };
  };
  const subscribe = async (cmds: unknown[]) => {
    const subscriber = await Subscriber.open(product.url, jwt, cmds);
    closers.push(() => subscriber.socket.close());
    return subscriber;
  };

  it('pushes what an mqtt.js device publishes: telemetry to a timeseries subscription, attributes to an attribute one', async () => {
    const { id, token } = await device();
    const subscriber = await subscribe([
      { type: 'TIMESERIES', entityType: 'DEVICE', entityId: id, keys: 'temperature', scope: 'LATEST_TELEMETRY', cmdId: 1 },
      { type: 'ATTRIBUTES', entityType: 'DEVICE', entityId: id, scope: 'CLIENT_SCOPE', cmdId: 2 },
    ]);
    await subscriber.next((m) => m.subscriptionId === 1);
    await subscriber.next((m) => m.subscriptionId === 2);

    const mqttDevice: MqttClient = await connectMqtt(product.ports.mqtt.mqtt, { username: token });
    closers.push(() => mqttDevice.end(true));
    await mqttDevice.publishAsync('v1/devices/me/telemetry', '{"temperature":25.5}', { qos: 1 });
    await mqttDevice.publishAsync('v1/devices/me/attributes', '{"fw":"1.0"}', { qos: 1 });

    const telemetry = await subscriber.next((m) => m.subscriptionId === 1 && m.data?.temperature?.[0]?.[1] === '25.5');
    expect(telemetry).toEqual({
      subscriptionId: 1,
      errorCode: 0,
      errorMsg: null,
      data: { temperature: [[expect.any(Number), '25.5']] },
      latestValues: { temperature: telemetry.data.temperature[0][0] },
    });
    expect((await subscriber.next((m) => m.subscriptionId === 2 && m.data?.fw)).data).toEqual({ fw: [[expect.any(Number), '1.0']] });
  });

  it('pushes timestamped telemetry from mosquitto_pub to a live device list (entityDataCmds)', async () => {
    const { id, token } = await device();
    const subscriber = await subscribe([
      {
        type: 'ENTITY_DATA',
        cmdId: 3,
        query: {
          entityFilter: { type: 'singleEntity', singleEntity: { entityType: 'DEVICE', id } },
          pageLink: { pageSize: 10, page: 0 },
          entityFields: [{ type: 'ENTITY_FIELD', key: 'name' }],
        },
        latestCmd: { keys: [{ type: 'TIME_SERIES', key: 'pressure' }] },
      },
    ]);
    const first = await subscriber.next((m) => m.cmdId === 3);
    expect(first.data.data[0].latest.TIME_SERIES).toEqual({ pressure: { ts: 0, value: '' } });

    const port = String(product.ports.mqtt.mqtt);
    await run('mosquitto_pub', [
      '-h',
      '127.0.0.1',
      '-p',
      port,
      '-u',
      token,
      '-q',
      '1',
      '-t',
      'v1/devices/me/telemetry',
      '-m',
      '{"ts":1700000000000,"values":{"pressure":1013}}',
    ]);
    const update = await subscriber.next((m) => m.cmdId === 3 && m.update);
    expect(update.update).toEqual([
      {
        entityId: { entityType: 'DEVICE', id },
        latest: { TIME_SERIES: { pressure: { ts: 1700000000000, value: '1013' } } },
        timeseries: null,
        aggLatest: null,
      },
    ]);
  });
});
