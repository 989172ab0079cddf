import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Product, RestClient, restClient, startProduct } from './support/product.mjs';
import { latestOnceStored } from './support/rest-checks';

const run = promisify(execFile);

/** Debian's mosquitto_pub / mosquitto_sub as devices (checklist items 4, 13, 15 of device-api.md §11). */
describe('MQTT with mosquitto_pub / mosquitto_sub', () => {
  let product: Product;
  let rest: RestClient;
  let port: string;
  let deviceId: string;
  const TOKEN = 'MOSQUITTO_TOKEN';

  beforeAll(async () => {
    product = await startProduct();
    rest = await restClient(product.url);
    port = String(product.ports.mqtt.mqtt);
    deviceId = (await rest.createDevice('mosquitto-device', TOKEN)).id.id;
  });
  afterAll(() => product?.stop());

  /** mosquitto_pub as the device, QoS 1 (it exits once the PUBACK is in). */
  const publish = (topic: string, message: string) =>
    run('mosquitto_pub', ['-h', '127.0.0.1', '-p', port, '-u', TOKEN, '-q', '1', '-t', topic, '-m', message]);

  /** Starts mosquitto_sub; resolves once it is subscribed, with the line it will print (`topic payload`). */
  const subscribe = async (topic: string): Promise<{ received: Promise<string> }> => {
    // stdbuf: mosquitto_sub block-buffers stdout into a pipe, which would hide the SUBACK line until it exits.
    const sub = spawn('stdbuf', [
      '-oL',
      'mosquitto_sub',
      '-h',
      '127.0.0.1',
      '-p',
      port,
      '-u',
      TOKEN,
      '-t',
      topic,
      '-C',
      '1',
      '-v',
      '-q',
      '1',
      '-d',
    ]);
    let out = '';
    const lines = new Promise<string>((resolve) =>
      sub.on('exit', () =>
        resolve(
          out
            .split('\n')
            .filter((l) => l.startsWith('v1/'))
            .join('\n'),
        ),
      ),
    );
    await new Promise<void>((ready) =>
      sub.stdout.on('data', (chunk) => {
        out += chunk;
        if (out.includes('SUBACK')) ready();
      }),
    );
    return { received: lines };
  };

  it('publishes telemetry with mosquitto_pub (QoS 1) that the REST API then returns', async () => {
    await publish('v1/devices/me/telemetry', '{"temperature":25}');
    expect((await latestOnceStored(rest, deviceId, 'temperature')).temperature[0].value).toBe('25');
  });

  it('delivers a shared-attribute update to mosquitto_sub', async () => {
    const { received } = await subscribe('v1/devices/me/attributes');
    await rest.request('POST', `/api/plugins/telemetry/DEVICE/${deviceId}/SHARED_SCOPE`, { target: 23 });
    expect(await received).toBe('v1/devices/me/attributes {"target":23}');
  });

  it('delivers a server-side RPC to mosquitto_sub and returns the reply sent with mosquitto_pub', async () => {
    const { received } = await subscribe('v1/devices/me/rpc/request/+');
    const pending = rest.request('POST', `/api/rpc/twoway/${deviceId}`, { method: 'ping', params: {} });
    const line = await received;
    const [topic, payload] = [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)];
    expect(JSON.parse(payload)).toEqual({ method: 'ping', params: {} });
    const requestId = topic.split('/').pop();
    await publish(`v1/devices/me/rpc/response/${requestId}`, '{"pong":true}');
    expect((await pending).body).toEqual({ pong: true });
  });

  it('is refused with an unknown token', async () => {
    await expect(
      run('mosquitto_pub', ['-h', '127.0.0.1', '-p', port, '-u', 'WRONG', '-t', 'v1/devices/me/telemetry', '-m', '{}']),
    ).rejects.toMatchObject({
      stderr: expect.stringMatching(/not authori[sz]ed/i),
    });
  });
});
