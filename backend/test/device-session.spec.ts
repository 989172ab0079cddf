import { PayloadError, SessionCloseReason, SessionListener } from '@edgewise/plugin-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceAuthenticator } from '../src/transport/device-authenticator';
import { SessionRegistry } from '../src/transport/session-registry';
import type { CoreDeviceSession } from '../src/transport/device-session';
import { ApiClient, startTestApp, TENANT_ADMIN, TestApp } from './harness';

/** What a transport would have sent the device. */
class RecordingListener implements SessionListener {
  readonly updates: string[] = [];
  readonly closes: SessionCloseReason[] = [];
  onAttributeUpdate(payload: string) {
    this.updates.push(payload);
  }
  onServerRpc() {
    return Promise.resolve();
  }
  onClose(reason: SessionCloseReason) {
    this.closes.push(reason);
  }
}

/** The core side of the transport seam, driven as a transport drives it, observed through the REST API. */
describe('device sessions in the core', () => {
  let app: TestApp;
  let api: ApiClient;
  let registry: SessionRegistry;

  const openSession = async (token: string): Promise<{ session: CoreDeviceSession; listener: RecordingListener; deviceId: string }> => {
    const deviceId = (await api.post(`/api/device?accessToken=${token}`, { name: `dev-${token}` })).body.id.id;
    const auth = await app.running.app.get(DeviceAuthenticator).authenticate({ type: 'ACCESS_TOKEN', token });
    if (!auth.ok) throw new Error(auth.reason);
    const listener = new RecordingListener();
    return { session: registry.open(auth.device, listener), listener, deviceId };
  };

  beforeAll(async () => {
    app = await startTestApp();
    api = await app.api.login(TENANT_ADMIN);
    registry = app.running.app.get(SessionRegistry);
  });
  afterAll(() => app?.close());

  it('stores posted telemetry with ThingsBoard typing once the root chain has processed it', async () => {
    const { session, deviceId } = await openSession('S1');
    await session.postTelemetry('{"temperature":25,"d":42.0,"s":"12","n":null}');
    const read = () => api.get(`/api/plugins/telemetry/DEVICE/${deviceId}/values/timeseries?useStrictDataTypes=true`);
    let latest = await read();
    for (const until = Date.now() + 10_000; !latest.body.temperature && Date.now() < until; latest = await read()) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(latest.text).toMatch(/"d":\[\{"ts":\d+,"value":42\.0\}\]/);
    expect(latest.body.temperature[0].value).toBe(25);
    expect(latest.body.s[0].value).toBe(12);
    expect(latest.body.n).toBeUndefined();
  });

  it('refuses malformed or mis-shaped payloads with PayloadError and stores nothing', async () => {
    const { session, deviceId } = await openSession('S2');
    await expect(session.postTelemetry('not json')).rejects.toBeInstanceOf(PayloadError);
    await expect(session.postTelemetry('42')).rejects.toThrow("Can't parse value: 42");
    await expect(session.postAttributes('[{"a":1}]')).rejects.toBeInstanceOf(PayloadError);
    expect((await api.get(`/api/plugins/telemetry/DEVICE/${deviceId}/keys/timeseries`)).body).toEqual([]);
    expect((await api.get(`/api/plugins/telemetry/DEVICE/${deviceId}/keys/attributes/CLIENT_SCOPE`)).body).toEqual([]);
  });

  it('answers attribute requests with typed values, everything when no keys are named', async () => {
    const { session, deviceId } = await openSession('S3');
    await session.postAttributes('{"fw":"v1.0","ratio":0.5}');
    await api.post(`/api/plugins/telemetry/DEVICE/${deviceId}/SHARED_SCOPE`, { target: 22, mode: 'eco' });
    expect(JSON.parse(await session.getAttributes({ clientKeys: ['fw'], sharedKeys: ['target'] }))).toEqual({
      client: { fw: 'v1.0' },
      shared: { target: 22 },
    });
    expect(JSON.parse(await session.getAttributes({}))).toEqual({
      client: { fw: 'v1.0', ratio: 0.5 },
      shared: { mode: 'eco', target: 22 },
    });
    expect(await session.getAttributes({ clientKeys: ['nope'] })).toBe('{}');
  });

  it('pushes shared-attribute saves and deletions to subscribed sessions only', async () => {
    const { session, listener, deviceId } = await openSession('S4');
    await api.post(`/api/plugins/telemetry/DEVICE/${deviceId}/SHARED_SCOPE`, { ignored: 1 });
    expect(listener.updates).toEqual([]);
    session.setAttributeSubscription(true);
    await api.post(`/api/plugins/telemetry/DEVICE/${deviceId}/SHARED_SCOPE`, { target: 23 });
    await api.post(`/api/plugins/telemetry/DEVICE/${deviceId}/SERVER_SCOPE`, { secret: 1 });
    await api.delete(`/api/plugins/telemetry/DEVICE/${deviceId}/SHARED_SCOPE?keys=target`);
    expect(listener.updates).toEqual(['{"target":23}', '{"deleted":["target"]}']);
  });

  it('closes every session of a device whose credentials change or which is deleted', async () => {
    const { listener, deviceId } = await openSession('S5');
    const second = new RecordingListener();
    const auth = await app.running.app.get(DeviceAuthenticator).authenticate({ type: 'ACCESS_TOKEN', token: 'S5' });
    if (auth.ok) registry.open(auth.device, second);
    const creds = (await api.get(`/api/device/${deviceId}/credentials`)).body;
    await api.post('/api/device/credentials', { ...creds, credentialsId: 'S5-new' });
    expect(listener.closes).toEqual(['CREDENTIALS_UPDATED']);
    expect(second.closes).toEqual(['CREDENTIALS_UPDATED']);
    expect(registry.sessionsOf(deviceId).size).toBe(0);

    const { listener: third, deviceId: other } = await openSession('S6');
    await api.delete(`/api/device/${other}`);
    expect(third.closes).toEqual(['DEVICE_DELETED']);
  });
});
