import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceRequest, sleep } from './support/http-device';
import { Product, RestClient, restClient, startProduct } from './support/product.mjs';

/** The HTTP device API's settings (HTTP_TRANSPORT_*), as a device and an operator observe them. */
describe('HTTP device API settings', () => {
  describe('limits and timeouts', () => {
    let product: Product;
    let rest: RestClient;
    let sequence = 0;

    beforeAll(async () => {
      product = await startProduct({
        HTTP_TRANSPORT_MAX_PAYLOAD_BYTES: '1024',
        HTTP_TRANSPORT_RPC_MAX_PAYLOAD_BYTES: '256',
        HTTP_TRANSPORT_REQUEST_TIMEOUT_MS: '700',
        CLIENT_RPC_TIMEOUT_MS: '5000',
      });
      rest = await restClient(product.url);
    });
    afterAll(() => product?.stop());

    const device = async () => {
      const token = `HTTP_SETTINGS_${++sequence}`;
      const { id } = await rest.createDevice(`http-settings-${sequence}`, token);
      return {
        id: id.id as string,
        get: (path: string) => deviceRequest(product.url, 'GET', `/api/v1/${token}${path}`),
        post: (path: string, body: string) => deviceRequest(product.url, 'POST', `/api/v1/${token}${path}`, body),
      };
    };

    it('starts the http transport with no ports of its own', () => {
      expect(product.ports.http).toEqual({});
    });

    it('answers bodies over HTTP_TRANSPORT_MAX_PAYLOAD_BYTES with 413 and stores nothing', async () => {
      const { id, post } = await device();
      const reply = await post('/telemetry', JSON.stringify({ big: 'x'.repeat(2000) }));
      expect([reply.status, reply.body]).toEqual([413, '"Payload size exceeds the limit of 1024 bytes"']);
      expect(reply.headers.get('content-type')).toMatch(/application\/json/);
      expect((await post('/attributes', JSON.stringify({ big: 'x'.repeat(2000) }))).status).toBe(413);
      expect((await rest.request('GET', `/api/plugins/telemetry/DEVICE/${id}/values/timeseries`)).body).toEqual({});
      expect((await post('/telemetry', '{"small":1}')).status).toBe(200);
    });

    it('answers RPC bodies over HTTP_TRANSPORT_RPC_MAX_PAYLOAD_BYTES with 413', async () => {
      const { post } = await device();
      const big = JSON.stringify({ method: 'm', params: 'x'.repeat(300) });
      expect(await post('/rpc', big)).toMatchObject({ status: 413, body: '"Payload size exceeds the limit of 256 bytes"' });
      expect((await post('/rpc/0', big)).status).toBe(413);
    });

    it('answers a poll without timeout with 408 after HTTP_TRANSPORT_REQUEST_TIMEOUT_MS', async () => {
      const { get } = await device();
      for (const query of ['', '?timeout=0']) {
        const reply = await get(`/rpc${query}`);
        expect([reply.status, reply.body]).toEqual([408, '']);
        expect(reply.elapsedMs).toBeGreaterThanOrEqual(650);
        expect(reply.elapsedMs).toBeLessThan(10_000); // far below the 60 s default; generous for a loaded CI machine
      }
    });

    it('answers a client-side RPC with 408 when the request timeout comes before the RPC timeout', async () => {
      const { post } = await device();
      const reply = await post('/rpc', '{"method":"getCurrentTime","params":{}}');
      expect([reply.status, reply.body]).toEqual([408, '']);
      expect(reply.elapsedMs).toBeLessThan(10_000); // far below the 60 s default; generous for a loaded CI machine
    });

    // Last: it stops the product.
    it('answers a waiting poll with 503 and Retry-After on SIGTERM, then exits cleanly', async () => {
      const { get } = await device();
      const poll = get('/attributes/updates?timeout=30000');
      await sleep(300); // the poll is waiting
      const exited = product.kill('SIGTERM');
      const reply = await poll;
      expect(reply.status).toBe(503);
      expect(reply.headers.get('retry-after')).toBe('5');
      expect(JSON.parse(reply.body).message).toMatch(/shutting down; send the request again/);
      expect((await exited).code).toBe(0);
    });
  });

  describe('HTTP_TRANSPORT_ENABLED=false', () => {
    let product: Product;

    beforeAll(async () => {
      product = await startProduct({ HTTP_TRANSPORT_ENABLED: 'false' });
    });
    afterAll(() => product?.stop());

    it('switches the device API off and leaves the REST API on', async () => {
      const rest = await restClient(product.url);
      await rest.createDevice('http-off', 'HTTP_OFF');
      expect(product.ports.http).toBeUndefined();
      expect((await deviceRequest(product.url, 'POST', '/api/v1/HTTP_OFF/telemetry', '{"a":1}')).status).toBe(404);
      expect((await rest.request('GET', '/api/tenant/devices?pageSize=10&page=0')).status).toBe(200);
    });
  });
});
