import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curl, deviceRequest, repeatUntilSettled, sleep } from './support/http-device';
import { Product, RestClient, restClient, startProduct } from './support/product.mjs';
import {
  clientAttributesOnceStored,
  latestOnceStored,
  eventually,
  expectTimestampedTelemetryStored,
  expectTypedTelemetryStored,
  persistentRpcStatus,
  serverAttributes,
  TIMESTAMPED_TELEMETRY,
  TYPED_TELEMETRY,
} from './support/rest-checks';

/**
 * The HTTP device API of the built product (device-api.md §2, checklist items 29–32), driven with plain HTTP
 * clients (Node's fetch, curl) as a device would, checked through the REST API as an integrator would.
 */
describe('HTTP device API', () => {
  let product: Product;
  let rest: RestClient;
  let sequence = 0;

  beforeAll(async () => {
    product = await startProduct({ CLIENT_RPC_TIMEOUT_MS: '1000' });
    rest = await restClient(product.url);
  });
  afterAll(() => product?.stop());

  /** A new device with an access token, and its device API calls. */
  const device = async () => {
    const token = `HTTP_E2E_${++sequence}`;
    const { id } = await rest.createDevice(`http-e2e-${sequence}`, token);
    const base = `/api/v1/${token}`;
    return {
      id: id.id as string,
      token,
      url: (path: string) => `${product.url}${base}${path}`,
      get: (path: string) => deviceRequest(product.url, 'GET', base + path),
      post: (path: string, body: string) => deviceRequest(product.url, 'POST', base + path, body),
    };
  };
  const latest = async (deviceId: string) =>
    (await rest.request('GET', `/api/plugins/telemetry/DEVICE/${deviceId}/values/timeseries`)).body;
  const saveShared = (deviceId: string, attributes: Record<string, unknown>) =>
    rest.request('POST', `/api/plugins/telemetry/DEVICE/${deviceId}/SHARED_SCOPE`, attributes);
  const errorMessage = (body: string) => (JSON.parse(body) as { message: string }).message;

  describe('telemetry (checklist 29)', () => {
    it('answers 200 with an empty body once the telemetry is queued, and stores it with ThingsBoard typing', async () => {
      const { id, post } = await device();
      const reply = await post('/telemetry', TYPED_TELEMETRY);
      expect([reply.status, reply.body]).toEqual([200, '']);
      await expectTypedTelemetryStored(rest, id);
    });

    it('stores every point of a timestamped array at its own ts (curl)', async () => {
      const { id, url } = await device();
      const reply = await curl(url('/telemetry'), ['-X', 'POST', '-H', 'Content-Type: application/json', '-d', TIMESTAMPED_TELEMETRY]);
      expect(reply).toEqual({ status: 200, body: '' });
      await expectTimestampedTelemetryStored(rest, id);
    });

    it('answers an unknown token with 401 and an empty body', async () => {
      const reply = await deviceRequest(product.url, 'POST', '/api/v1/NO_SUCH_TOKEN/telemetry', '{"temperature":25}');
      expect([reply.status, reply.body]).toEqual([401, '']);
    });

    it('answers a payload it refuses with 400 and the reason, and stores none of it', async () => {
      const { id, post } = await device();
      for (const payload of ['42', 'not json', '[{"a":1},5]', '']) {
        const reply = await post('/telemetry', payload);
        expect(reply.status, payload).toBe(400);
        expect(reply.headers.get('content-type')).toMatch(/application\/json/);
        expect(JSON.parse(reply.body)).toMatchObject({ status: 400, errorCode: 31, message: expect.stringMatching(/\w/) });
      }
      expect(errorMessage((await post('/telemetry', '42')).body)).toMatch(/42/);
      expect(await latest(id)).toEqual({});
    });

    it('records activity for a request but no connection', async () => {
      const { id, post } = await device();
      await post('/telemetry', '{"x":1}');
      const state = await eventually(
        () => serverAttributes(rest, id),
        (attributes) => attributes.lastActivityTime !== undefined,
      );
      expect(state.lastActivityTime).toEqual(expect.any(Number));
      expect(state.lastConnectTime).toBeUndefined();
      expect(state.lastDisconnectTime).toBeUndefined();
    });

    it('keeps serving after garbage: invalid UTF-8, deep nesting, a body cut short', async () => {
      const { id, token, post } = await device();
      const { port } = new URL(product.url);
      /** Sends `request` on a new connection; with `hangUp` the client closes its side right after. */
      const raw = (request: Buffer, hangUp = false) =>
        new Promise<string>((resolve) => {
          const socket = connect(Number(port), '127.0.0.1', () => (hangUp ? socket.end(request) : socket.write(request)));
          let answer = '';
          socket.on('data', (chunk) => (answer += chunk));
          socket.on('close', () => resolve(answer));
          socket.on('error', () => resolve(answer));
        });
      const invalidUtf8 = Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0xc3]);
      const head = (length: number) =>
        `POST /api/v1/${token}/telemetry HTTP/1.1\r\nHost: x\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n`;
      expect(await raw(Buffer.concat([Buffer.from(head(invalidUtf8.length)), invalidUtf8]))).toMatch(/^HTTP\/1\.1 400/);
      await raw(Buffer.from(head(1000) + '{"cut":'), true); // the client leaves after 7 of 1000 bytes
      expect((await post('/telemetry', '['.repeat(100_000) + '1.5' + ']'.repeat(100_000))).status).toBe(400);

      expect((await post('/telemetry', '{"still":"serving"}')).status).toBe(200);
      expect(Object.keys(await latestOnceStored(rest, id, 'still'))).toEqual(['still']);
    });
  });

  describe('attributes (checklist 30)', () => {
    it('stores client attributes and answers a read with the asked keys of both scopes (curl)', async () => {
      const { id, url, post } = await device();
      expect(await post('/attributes', '{"fw":"v1.0","build":7}')).toMatchObject({ status: 200, body: '' });
      const clientScope = { body: await clientAttributesOnceStored(rest, id, 'build') };
      expect(clientScope.body).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'fw', value: 'v1.0' })]));
      await saveShared(id, { target: 22, mode: 'eco' });

      const read = await curl(url('/attributes?clientKeys=fw&sharedKeys=target'));
      expect(read.status).toBe(200);
      expect(JSON.parse(read.body)).toEqual({ client: { fw: 'v1.0' }, shared: { target: 22 } });
    });

    it('answers everything when no keys are asked for, and {} when none match', async () => {
      const { id, get, post } = await device();
      await post('/attributes', '{"fw":"v1.0"}');
      await saveShared(id, { target: 22 });
      expect(JSON.parse((await get('/attributes')).body)).toEqual({ client: { fw: 'v1.0' }, shared: { target: 22 } });
      expect(await get('/attributes?clientKeys=nothing')).toMatchObject({ status: 200, body: '{}' });
      expect(JSON.parse((await get('/attributes?sharedKeys=target')).body)).toEqual({ shared: { target: 22 } });
    });

    it('refuses attributes that are not a JSON object with 400, storing nothing', async () => {
      const { id, post } = await device();
      const reply = await post('/attributes', '[{"fw":"v1.0"}]');
      expect(reply.status).toBe(400);
      expect(errorMessage(reply.body)).toMatch(/object/);
      expect((await rest.request('GET', `/api/plugins/telemetry/DEVICE/${id}/values/attributes/CLIENT_SCOPE`)).body).toEqual([]);
    });
  });

  describe('attribute update long poll (checklist 32)', () => {
    it('answers the poll with the first shared-attribute save, then with a deletion', async () => {
      const { id, get } = await device();
      const saved = await repeatUntilSettled(get('/attributes/updates?timeout=10000'), () => saveShared(id, { target: 23 }));
      expect([saved.status, saved.body]).toEqual([200, '{"target":23}']);

      const deleted = await repeatUntilSettled(get('/attributes/updates?timeout=10000'), () =>
        rest.request('DELETE', `/api/plugins/telemetry/DEVICE/${id}/SHARED_SCOPE?keys=target`),
      );
      expect([deleted.status, deleted.body]).toEqual([200, '{"deleted":["target"]}']);
    });

    it('answers 408 with an empty body when nothing changes in time; at once for a negative timeout', async () => {
      const { id, get } = await device();
      await rest.request('POST', `/api/plugins/telemetry/DEVICE/${id}/SERVER_SCOPE`, { notPushed: 1 });
      const quiet = await get('/attributes/updates?timeout=600');
      expect([quiet.status, quiet.body]).toEqual([408, '']);
      expect(quiet.elapsedMs).toBeGreaterThanOrEqual(550);

      const negative = await get('/attributes/updates?timeout=-1');
      expect(negative.status).toBe(408);
      expect(negative.elapsedMs).toBeLessThan(5_000); // at once, not after the 60 s default
      expect((await get('/attributes/updates?timeout=soon')).status).toBe(400);
    });

    it('answers 403 "Device was deleted!" when the device is deleted while it polls, 401 afterwards', async () => {
      const { id, get } = await device();
      const poll = get('/attributes/updates?timeout=10000');
      await sleep(500); // the poll has no visible subscription point; deletion cannot be repeated
      expect((await rest.request('DELETE', `/api/device/${id}`)).status).toBe(200);
      const reply = await poll;
      expect([reply.status, reply.body]).toEqual([403, 'Device was deleted!']);
      expect((await get('/attributes/updates?timeout=100')).status).toBe(401);
    });
  });

  describe('server-side RPC (checklist 31)', () => {
    it('answers 408 after the timeout when no RPC is pending', async () => {
      const { get } = await device();
      const reply = await get('/rpc?timeout=2000');
      expect([reply.status, reply.body]).toEqual([408, '']);
      expect(reply.elapsedMs).toBeGreaterThanOrEqual(1900);
      expect(reply.elapsedMs).toBeLessThan(15_000);
    });

    it('hands a pending RPC to the poll with its id; the reply completes the REST two-way call', async () => {
      const { id, get, post } = await device();
      const call = rest.request('POST', `/api/rpc/twoway/${id}`, { method: 'setGpio', params: { pin: 4, value: 1 }, timeout: 10000 });
      const poll = await get('/rpc?timeout=10000');
      expect(poll.status).toBe(200);
      const request = JSON.parse(poll.body) as { id: number };
      expect(request).toEqual({ id: expect.any(Number), method: 'setGpio', params: { pin: 4, value: 1 } });

      expect(await post(`/rpc/${request.id}`, '{"result":"ok"}')).toMatchObject({ status: 200, body: '' });
      expect(await call).toMatchObject({ status: 200, body: { result: 'ok' } });
    });

    it('hands out one RPC per poll and keeps the others for the next poll', async () => {
      const { id, get, post } = await device();
      const calls = ['first', 'second'].map((method) =>
        rest.request('POST', `/api/rpc/twoway/${id}`, { method, params: {}, timeout: 10000 }),
      );
      const received: { id: number; method: string }[] = [];
      for (let poll = 0; poll < 2; poll++) received.push(JSON.parse((await get('/rpc?timeout=5000')).body));
      expect(received.map((r) => r.method).sort()).toEqual(['first', 'second']);

      for (const { id: requestId, method } of received) await post(`/rpc/${requestId}`, JSON.stringify({ answered: method }));
      expect((await Promise.all(calls)).map((c) => c.body)).toEqual([{ answered: 'first' }, { answered: 'second' }]);
    });

    it('marks a persistent one-way RPC DELIVERED when a poll returns it', async () => {
      const { id, get } = await device();
      const { body } = await rest.request('POST', `/api/rpc/oneway/${id}`, {
        method: 'blink',
        params: {},
        persistent: true,
        timeout: 60000,
      });
      expect(JSON.parse((await get('/rpc?timeout=5000')).body)).toMatchObject({ method: 'blink', params: {} });
      expect(await persistentRpcStatus(rest, body.rpcId, 'DELIVERED')).toBe('DELIVERED');
    });

    it('does not hand an RPC to a poll whose client has gone (curl gives up)', async () => {
      const { url, id, get, post } = await device();
      expect((await curl(url('/rpc?timeout=30000'), ['--max-time', '0.5'])).status).toBe(0);
      await sleep(300); // the server notices the closed connection
      // Persistent: the call is out (to every subscribed poll) by the time REST answers with its id.
      const { body } = await rest.request('POST', `/api/rpc/twoway/${id}`, {
        method: 'afterwards',
        params: {},
        persistent: true,
        timeout: 10000,
      });
      const poll = await get('/rpc?timeout=5000');
      expect(poll.status).toBe(200);
      const request = JSON.parse(poll.body) as { id: number };
      expect(request).toMatchObject({ method: 'afterwards' });
      await post(`/rpc/${request.id}`, '{"done":true}');
      expect((await rest.request('GET', `/api/rpc/persistent/${body.rpcId}`)).body).toMatchObject({
        status: 'SUCCESSFUL',
        response: { done: true },
      });
    });

    it('answers 200 to a reply for an unknown RPC id and 400 to an id that is not a number', async () => {
      const { post } = await device();
      expect(await post('/rpc/987', '{"late":true}')).toMatchObject({ status: 200, body: '' });
      const notNumber = await post('/rpc/abc', '{}');
      expect(notNumber.status).toBe(400);
      expect(errorMessage(notNumber.body)).toMatch(/integer/);
    });

    it('answers a body over 65 536 bytes on /rpc/** with 413 and the limit', async () => {
      const { post } = await device();
      const reply = await post('/rpc/1', JSON.stringify({ big: 'x'.repeat(70_000) }));
      expect([reply.status, reply.body]).toEqual([413, '"Payload size exceeds the limit of 65536 bytes"']);
      expect((await post('/telemetry', JSON.stringify({ big: 'x'.repeat(70_000) }))).status).toBe(200); // the general limit is 50 MB
    });
  });

  describe('client-side RPC', () => {
    it('answers {"error":"timeout"} when nothing replies within the client-side RPC timeout', async () => {
      const { post } = await device();
      const reply = await post('/rpc', '{"method":"getCurrentTime","params":{}}');
      expect([reply.status, reply.body]).toEqual([200, '{"error":"timeout"}']);
      expect(reply.elapsedMs).toBeGreaterThanOrEqual(900);
    });

    it('refuses a call without method or params, or that is not a JSON object, with 400 and how to fix it', async () => {
      const { post } = await device();
      for (const [body, reason] of [
        ['{"params":{}}', /"method"/],
        ['{"method":"getCurrentTime"}', /"params"/],
        ['["getCurrentTime"]', /JSON object/],
        ['method=getCurrentTime', /Invalid JSON/],
      ] as const) {
        const reply = await post('/rpc', body);
        expect(reply.status, body).toBe(400);
        expect(errorMessage(reply.body), body).toMatch(reason);
        expect(errorMessage(reply.body)).toContain('{"method":"getCurrentTime","params":{}}');
      }
    });
  });
});
