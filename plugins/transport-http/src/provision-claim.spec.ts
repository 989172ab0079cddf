import { PayloadError } from '@edgewise/plugin-api';
import { describe, expect, it } from 'vitest';
import { startTransport } from './test-support/http-driver';

const REQUEST = '{"deviceName":"D9","provisionDeviceKey":"key","provisionDeviceSecret":"secret"}';

describe('HTTP provisioning (§2.2, §2.7)', () => {
  it('answers every provisioning status with 200 and the core’s JSON, without a token or a device session', async () => {
    const { core, request } = await startTransport();
    for (const [status, json] of [
      ['SUCCESS', '{"credentialsValue":"T9","credentialsType":"ACCESS_TOKEN","status":"SUCCESS"}'],
      ['NOT_FOUND', '{"errorMsg":"Provision data was not found!","status":"NOT_FOUND"}'],
      ['FAILURE', '{"errorMsg":"Failed to provision device!","status":"FAILURE"}'],
    ] as const) {
      core.provisionAnswer = () => Promise.resolve({ status, json });
      expect(await request('POST', '/api/v1/provision', { body: REQUEST }).reply).toMatchObject({ status: 200, body: json });
    }
    expect(core.provisionRequests).toEqual([REQUEST, REQUEST, REQUEST]);
    expect(core.sessions).toEqual([]);
  });

  it('answers a malformed request 400 with the core’s reason, a core failure 500, and a body over the limit 413', async () => {
    const { core, request } = await startTransport();
    core.provisionAnswer = () => Promise.reject(new PayloadError('The provision request has no "provisionDeviceKey"'));
    const malformed = await request('POST', '/api/v1/provision', { body: '{}' }).reply;
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.body!)).toMatchObject({
      status: 400,
      errorCode: 31,
      message: 'The provision request has no "provisionDeviceKey"',
    });

    core.provisionAnswer = () => Promise.reject(new Error('database is down'));
    expect((await request('POST', '/api/v1/provision', { body: REQUEST }).reply).status).toBe(500);
    expect(core.logged('error')).toHaveLength(1);

    expect((await request('POST', '/api/v1/provision', { body: 'x'.repeat(1001) }).reply).status).toBe(413);
  });

  it('answers 503 while the transport is stopped', async () => {
    const { core, transport, request } = await startTransport();
    await transport.stop();
    expect((await request('POST', '/api/v1/provision', { body: REQUEST }).reply).status).toBe(503);
    expect(core.provisionRequests).toEqual([]);
  });
});

describe('HTTP claiming (§2.2)', () => {
  it('hands the optional claim body to the device’s session and answers 200 once it is kept', async () => {
    const { core, request } = await startTransport();
    expect((await request('POST', '/api/v1/:token/claim', { body: '{"secretKey":"k","durationMs":60000}' }).reply).status).toBe(200);
    expect((await request('POST', '/api/v1/:token/claim').reply).status).toBe(200);
    expect(core.claims).toEqual(['{"secretKey":"k","durationMs":60000}', '']);
    expect(core.sessions.every((session) => session.closed)).toBe(true);
  });

  it('answers 400 for a body the core refuses and 401 for an unknown token', async () => {
    const { core, request } = await startTransport();
    expect((await request('POST', '/api/v1/:token/claim', { body: 'secret' }).reply).status).toBe(400);
    expect((await request('POST', '/api/v1/:token/claim', { token: 'WRONG', body: '{}' }).reply).status).toBe(401);
    expect(core.claims).toEqual([]);
  });
});
