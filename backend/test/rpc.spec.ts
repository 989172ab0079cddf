import type { ServerRpcRequest, SessionListener } from '@edgewise/plugin-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceAuthenticator } from '../src/transport/device-authenticator';
import type { CoreDeviceSession } from '../src/transport/device-session';
import { SessionRegistry } from '../src/transport/session-registry';
import { ApiClient, startTestApp, SYSADMIN, TENANT_ADMIN, TestApp } from './harness';
import { createSecondTenant } from './tenant-fixtures';

/** Stands where a transport stands: receives RPCs and acknowledges (or fails) them as a device would. */
class DeviceSide implements SessionListener {
  readonly received: ServerRpcRequest[] = [];
  ack: 'accept' | 'reject' = 'accept';
  private waiters: Array<(r: ServerRpcRequest) => void> = [];
  onAttributeUpdate() {}
  onClose() {}
  onServerRpc(request: ServerRpcRequest): Promise<void> {
    this.received.push(request);
    this.waiters.splice(0).forEach((w) => w(request));
    return this.ack === 'accept' ? Promise.resolve() : Promise.reject(new Error('no PUBACK'));
  }
  next(): Promise<ServerRpcRequest> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

const soon = (ms: number) => Date.now() + ms;
const until = async (check: () => Promise<boolean>, timeoutMs = 5000) => {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('server-side RPC', () => {
  let app: TestApp;
  let api: ApiClient;
  let sequence = 0;

  /** A device with an open session, optionally subscribed to RPC. */
  const connectDevice = async (subscribe: boolean) => {
    const token = `RPC-${++sequence}`;
    const deviceId: string = (await api.post(`/api/device?accessToken=${token}`, { name: token })).body.id.id;
    const connect = async () => {
      const auth = await app.running.app.get(DeviceAuthenticator).authenticate({ type: 'ACCESS_TOKEN', token });
      if (!auth.ok) throw new Error(auth.reason);
      const side = new DeviceSide();
      const session: CoreDeviceSession = app.running.app.get(SessionRegistry).open(auth.device, side);
      return { side, session };
    };
    const { side, session } = await connect();
    if (subscribe) session.setRpcSubscription(true);
    return { deviceId, side, session, connect };
  };

  beforeAll(async () => {
    app = await startTestApp();
    api = await app.api.login(TENANT_ADMIN);
  });
  afterAll(() => app?.close());

  it('round-trips a two-way call: the device gets method and params, the caller gets the reply', async () => {
    const { deviceId, side, session } = await connectDevice(true);
    const call = api.post(`/api/rpc/twoway/${deviceId}`, { method: 'ping', params: { a: 1 } });
    const request = await side.next();
    expect(request).toMatchObject({ method: 'ping', params: { a: 1 }, oneway: false });
    session.replyToServerRpc(request.id, '{"pong":true}');
    const res = await call;
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ pong: true });
  });

  it('answers 406 when the reply is not JSON, and 200 with no body for an empty reply', async () => {
    const { deviceId, side, session } = await connectDevice(true);
    const notJson = api.post(`/api/rpc/twoway/${deviceId}`, { method: 'm', params: {} });
    session.replyToServerRpc((await side.next()).id, 'ok');
    expect((await notJson).status).toBe(406);
    const empty = api.post(`/api/rpc/twoway/${deviceId}`, { method: 'm', params: {} });
    session.replyToServerRpc((await side.next()).id, '');
    expect(await empty).toMatchObject({ status: 200, text: '' });
  });

  it('completes a one-way call when the device acknowledges it', async () => {
    const { deviceId, side } = await connectDevice(true);
    const res = await api.post(`/api/rpc/oneway/${deviceId}`, { method: 'setGpio', params: { pin: 7 } });
    expect(res).toMatchObject({ status: 200, text: '' });
    expect(side.received[0]).toMatchObject({ method: 'setGpio', oneway: true });
  });

  it('answers 504 when nothing completes the call before it expires, and the legacy 409 / 408', async () => {
    const { deviceId: offline } = await connectDevice(false);
    expect((await api.post(`/api/rpc/twoway/${offline}`, { method: 'm', params: {}, expirationTime: soon(300) })).status).toBe(504);
    expect((await api.post(`/api/plugins/rpc/twoway/${offline}`, { method: 'm', params: {}, expirationTime: soon(300) })).status).toBe(409);
    const { deviceId: silent } = await connectDevice(true);
    expect((await api.post(`/api/plugins/rpc/twoway/${silent}`, { method: 'm', params: {}, expirationTime: soon(300) })).status).toBe(408);
  });

  it('holds a call until the device subscribes, then delivers it', async () => {
    const { deviceId, side, session } = await connectDevice(false);
    const call = api.post(`/api/rpc/twoway/${deviceId}`, { method: 'late', params: {} });
    await new Promise((r) => setTimeout(r, 200));
    expect(side.received).toEqual([]);
    session.setRpcSubscription(true);
    const request = await side.next();
    session.replyToServerRpc(request.id, '{"ok":1}');
    expect((await call).body).toEqual({ ok: 1 });
  });

  it('stores a persistent call, delivers it when the device comes, and tracks its status to SUCCESSFUL', async () => {
    const { deviceId, session: first } = await connectDevice(false);
    const created = await api.post(`/api/rpc/twoway/${deviceId}`, {
      method: 'reboot',
      params: { now: true },
      persistent: true,
      timeout: 60000,
      additionalInfo: { source: 'test' },
    });
    expect(created.status).toBe(200);
    const { rpcId } = created.body;
    const stored = (await api.get(`/api/rpc/persistent/${rpcId}`)).body;
    expect(stored).toMatchObject({
      id: { entityType: 'RPC', id: rpcId },
      deviceId: { id: deviceId },
      status: 'QUEUED',
      additionalInfo: { source: 'test' },
    });
    first.close();
    const side = new DeviceSide();
    const auth = await app.running.app.get(DeviceAuthenticator).authenticate({ type: 'ACCESS_TOKEN', token: `RPC-${sequence}` });
    const session = app.running.app.get(SessionRegistry).open((auth as { device: any }).device, side);
    const delivery = side.next();
    session.setRpcSubscription(true);
    const request = await delivery;
    expect(request).toMatchObject({ method: 'reboot', params: { now: true } });
    await until(async () => (await api.get(`/api/rpc/persistent/${rpcId}`)).body.status === 'DELIVERED');
    session.replyToServerRpc(request.id, '{"result":"ok"}');
    await until(async () => (await api.get(`/api/rpc/persistent/${rpcId}`)).body.status === 'SUCCESSFUL');
    expect((await api.get(`/api/rpc/persistent/${rpcId}`)).body.response).toEqual({ result: 'ok' });
  });

  it('marks a persistent call FAILED once its delivery retries are exhausted', async () => {
    const { deviceId, side, session } = await connectDevice(false);
    side.ack = 'reject';
    const { rpcId } = (
      await api.post(`/api/rpc/oneway/${deviceId}`, { method: 'm', params: {}, persistent: true, retries: 1, timeout: 60000 })
    ).body;
    session.setRpcSubscription(true);
    await until(async () => (await api.get(`/api/rpc/persistent/${rpcId}`)).body.status === 'FAILED');
    expect(side.received).toHaveLength(2);
    expect((await api.get(`/api/rpc/persistent/${rpcId}`)).body.response).toEqual({
      error: 'There was a Timeout and all retry attempts have been exhausted. Retry attempts set: 1',
    });
  });

  it("lists a device's persistent calls by status and deletes them", async () => {
    const { deviceId } = await connectDevice(false);
    const a = (await api.post(`/api/rpc/oneway/${deviceId}`, { method: 'a', params: {}, persistent: true, timeout: 60000 })).body.rpcId;
    await api.post(`/api/rpc/oneway/${deviceId}`, { method: 'b', params: {}, persistent: true, expirationTime: soon(100) });
    await until(
      async () => (await api.get(`/api/rpc/persistent/device/${deviceId}?pageSize=10&page=0&rpcStatus=EXPIRED`)).body.totalElements === 1,
    );
    const queued = await api.get(`/api/rpc/persistent/device/${deviceId}?pageSize=10&page=0&rpcStatus=QUEUED`);
    expect(queued.body.data.map((r: any) => r.id.id)).toEqual([a]);
    expect((await api.get(`/api/rpc/persistent/device/${deviceId}?pageSize=10&page=0&rpcStatus=DELETED`)).status).toBe(400);
    expect((await api.delete(`/api/rpc/persistent/${a}`)).status).toBe(200);
    expect((await api.get(`/api/rpc/persistent/${a}`)).status).toBe(404);
  });

  it('refuses bad requests and foreign or unknown devices', async () => {
    const { deviceId } = await connectDevice(true);
    const noMethod = await api.post(`/api/rpc/twoway/${deviceId}`, { params: {} });
    expect(noMethod.status).toBe(400);
    expect(noMethod.body.message).toContain('method is required');
    expect((await api.post(`/api/rpc/twoway/${deviceId}`, { method: 'm' })).body.message).toContain('params is required');
    expect((await api.request('POST', `/api/rpc/twoway/${deviceId}`, '{"method":')).status).toBe(400);
    expect((await api.post('/api/rpc/twoway/5f0e2e50-7b1a-11ee-9a3c-6bd8c5a6a111', { method: 'm', params: {} })).status).toBe(404);
    const other = await createSecondTenant(await app.api.login(SYSADMIN));
    expect((await other.adminApi.post(`/api/rpc/twoway/${deviceId}`, { method: 'm', params: {} })).status).toBe(403);
  });
});
