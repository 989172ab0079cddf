import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMqtt } from './support/mqtt-client';
import { Product, restClient, startProduct } from './support/product.mjs';

/**
 * Non-negotiable 5: once a device has its PUBACK the message is kept, even if the server is killed right
 * after. Publishes QoS 1 telemetry, SIGKILLs the server while publishes are still in flight, restarts it on
 * the same data, and looks for every acknowledged data point.
 */
describe('acknowledged means kept', () => {
  let product: Product;
  beforeAll(async () => {
    product = await startProduct();
  });
  afterAll(() => product?.stop());

  it('keeps every acknowledged QoS 1 data point across a SIGKILL', async () => {
    const rest = await restClient(product.url);
    const deviceId: string = (await rest.createDevice('kill-test', 'KILL_TEST_TOKEN')).id.id;
    const client = await connectMqtt(product.ports.mqtt.mqtt, { username: 'KILL_TEST_TOKEN' });
    client.on('error', () => {}); // the server vanishes under it
    const acknowledged: number[] = [];
    const firstTs = 1_700_000_000_000;
    let next = 0;
    let killed = false;
    // A window of 50 publishes in flight; the server is killed once 1,000 are acknowledged, mid-stream.
    await new Promise<void>((done) => {
      const publishOne = () => {
        if (killed) return;
        const ts = firstTs + next++;
        client.publish('v1/devices/me/telemetry', JSON.stringify({ ts, values: { seq: ts - firstTs } }), { qos: 1 }, (error) => {
          if (error || killed) return;
          acknowledged.push(ts);
          if (acknowledged.length === 1000) {
            killed = true;
            void product.kill('SIGKILL').then(() => done());
            return;
          }
          publishOne();
        });
      };
      for (let i = 0; i < 50; i++) publishOne();
    });
    client.end(true);
    expect(next).toBeGreaterThan(1000); // some publishes were still unacknowledged when the server died

    await product.start();
    const after = await restClient(product.url);
    const history = await after.request(
      'GET',
      `/api/plugins/telemetry/DEVICE/${deviceId}/values/timeseries?keys=seq&startTs=${firstTs}&endTs=${firstTs + next}&limit=100000&orderBy=ASC`,
    );
    const stored = new Set((history.body.seq ?? []).map((p: { ts: number }) => p.ts));
    expect(history.status).toBe(200);
    const lost = acknowledged.filter((ts) => !stored.has(ts));
    expect(lost).toEqual([]);
  });
});
