import { describe, expect, it } from 'vitest';
import { settle, startTransport } from './test-support/http-driver';

const RPC = { id: 3, method: 'setGpio', params: { pin: 4 }, oneway: false };

/** The transport's side of the seam where the wire cannot show it (e2e/http-device-api.spec.ts covers the wire). */
describe('HTTP transport', () => {
  it('answers an RPC poll with the first server RPC and refuses the next, so it stays pending for the next poll', async () => {
    const { core, request } = await startTransport();
    const poll = request('GET', '/api/v1/:token/rpc', { query: { timeout: '5000' } });
    await settle();
    const session = core.sessions[0];
    expect(session.rpcSubscription).toBe(true);

    await expect(session.pushRpc(RPC)).resolves.toBeUndefined();
    await expect(session.pushRpc({ ...RPC, id: 4 })).rejects.toThrow(/already been answered/);
    expect(await poll.reply).toEqual({ status: 200, body: '{"id":3,"method":"setGpio","params":{"pin":4}}', headers: undefined });
    expect(session.closed).toBe(true);
  });

  it('stops waiting when the client goes away: the session closes and later pushes are refused', async () => {
    const { core, request } = await startTransport();
    const poll = request('GET', '/api/v1/:token/rpc', { query: { timeout: '5000' } });
    await settle();
    poll.abort();
    await settle();

    expect(core.sessions[0].closed).toBe(true);
    await expect(core.sessions[0].pushRpc(RPC)).rejects.toThrow();
    expect(await Promise.race([poll.reply, settle().then(() => 'nothing sent')])).toBe('nothing sent');
  });

  it('answers a poll whose credentials changed with 408, so the device polls again', async () => {
    const { core, request } = await startTransport();
    const poll = request('GET', '/api/v1/:token/attributes/updates');
    await settle();
    core.sessions[0].closeBy('CREDENTIALS_UPDATED');

    expect((await poll.reply).status).toBe(408);
  });

  it('on stop answers waiting requests 503 with Retry-After and refuses new ones the same way', async () => {
    const { transport, request } = await startTransport();
    const poll = request('GET', '/api/v1/:token/attributes/updates');
    await settle();
    await transport.stop();

    const answered = await poll.reply;
    expect(answered).toMatchObject({ status: 503, headers: { 'Retry-After': '5' } });
    expect(JSON.parse(answered.body!).message).toMatch(/shutting down; send the request again/);
    expect((await request('POST', '/api/v1/:token/attributes', { body: '{}' }).reply).status).toBe(503);
  });

  it('answers 503 with Retry-After when the core cannot check tokens', async () => {
    const { core, request } = await startTransport();
    core.authOverride = { ok: false, failure: 'UNAVAILABLE', reason: 'database down' };

    const answered = await request('POST', '/api/v1/:token/telemetry', { body: '{"a":1}' }).reply;
    expect(answered).toMatchObject({ status: 503, headers: { 'Retry-After': '5' } });
    expect(core.sessions).toHaveLength(0);
  });

  it('answers 500 and logs when the core fails on good input, and keeps serving', async () => {
    const { core, request } = await startTransport();
    core.storageFailure = new Error('disk I/O error');

    const failed = await request('POST', '/api/v1/:token/telemetry', { body: '{"a":1}' }).reply;
    expect(failed.status).toBe(500);
    expect(JSON.parse(failed.body!)).toMatchObject({ status: 500, errorCode: 2, message: expect.stringMatching(/server log/) });
    expect(JSON.stringify(core.logged('error'))).toMatch(/disk I\/O error/);
    expect(core.sessions[0].closed).toBe(true);
    core.storageFailure = undefined;
    expect((await request('POST', '/api/v1/:token/attributes', { body: '{"a":1}' }).reply).status).toBe(200);
  });

  it('answers a client-side RPC with 408 when the core has not replied within the request timeout, else with the reply', async () => {
    const { core, request } = await startTransport({ requestTimeoutMs: 50 });
    const body = '{"method":"getTime","params":{}}';
    core.clientRpcAnswer = () => new Promise(() => {}); // the core has not replied (yet)

    expect(await request('POST', '/api/v1/:token/rpc', { body }).reply).toEqual({
      status: 408,
      body: undefined,
      headers: undefined,
    });
    core.clientRpcAnswer = () => Promise.resolve('{"time":1}');
    expect(await request('POST', '/api/v1/:token/rpc', { body }).reply).toMatchObject({ status: 200, body: '{"time":1}' });
  });

  it('answers 408 when the request timeout ties with the core client-RPC timeout (§2.5: the request timer is armed first)', async () => {
    const { core, request } = await startTransport({ requestTimeoutMs: 50 });
    // The core's own timer, armed when the call reaches it, answers at the same moment.
    core.clientRpcAnswer = () => new Promise((resolve) => setTimeout(() => resolve('{"error":"timeout"}'), 50));

    expect((await request('POST', '/api/v1/:token/rpc', { body: '{"method":"getTime","params":{}}' }).reply).status).toBe(408);
  });
});
