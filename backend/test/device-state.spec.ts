import type { SessionListener } from '@edgewise/plugin-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceAuthenticator } from '../src/transport/device-authenticator';
import { SessionRegistry } from '../src/transport/session-registry';
import { ApiClient, startTestApp, TENANT_ADMIN, TestApp } from './harness';

const silent: SessionListener = { onAttributeUpdate() {}, onServerRpc: () => Promise.resolve(), onClose() {} };

/** Connectivity state as an integrator reads it: SERVER_SCOPE attributes of the device (device-api.md §5). */
describe('device activity state', () => {
  let app: TestApp;
  let api: ApiClient;
  let sequence = 0;

  const newDevice = async () => {
    const token = `STATE-${++sequence}`;
    const deviceId: string = (await api.post(`/api/device?accessToken=${token}`, { name: token })).body.id.id;
    const auth = await app.running.app.get(DeviceAuthenticator).authenticate({ type: 'ACCESS_TOKEN', token });
    if (!auth.ok) throw new Error(auth.reason);
    return { deviceId, identity: auth.device };
  };
  const state = async (deviceId: string): Promise<Record<string, unknown>> => {
    const res = await api.get(`/api/plugins/telemetry/DEVICE/${deviceId}/values/attributes/SERVER_SCOPE`);
    return Object.fromEntries((res.body as { key: string; value: unknown }[]).map((a) => [a.key, a.value]));
  };
  const eventually = async (check: () => Promise<boolean>, timeoutMs = 5000) => {
    const end = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > end) throw new Error('state not reached in time');
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  beforeAll(async () => {
    app = await startTestApp({ DEVICE_STATE_CHECK_INTERVAL_MS: '100', DEVICE_ACTIVITY_REPORT_MS: '50' });
    api = await app.api.login(TENANT_ADMIN);
  });
  afterAll(() => app?.close());

  it('marks a connecting device active with its connect and activity times', async () => {
    const { deviceId, identity } = await newDevice();
    const before = Date.now();
    app.running.app.get(SessionRegistry).open(identity, silent);
    await eventually(async () => (await state(deviceId)).active === true);
    const s = await state(deviceId);
    expect(s.lastConnectTime).toBeGreaterThanOrEqual(before);
    expect(s.lastActivityTime).toBeGreaterThanOrEqual(before);
    const infos = await api.get('/api/tenant/deviceInfos?pageSize=100&page=0&active=true');
    expect(infos.body.data.map((d: any) => d.id.id)).toContain(deviceId);
  });

  it('moves lastActivityTime forward on uplinks, and records the disconnect without going inactive', async () => {
    const { deviceId, identity } = await newDevice();
    const session = app.running.app.get(SessionRegistry).open(identity, silent);
    await eventually(async () => (await state(deviceId)).active === true);
    const first = (await state(deviceId)).lastActivityTime as number;
    await new Promise((r) => setTimeout(r, 20));
    await session.postTelemetry('{"t":1}');
    await eventually(async () => ((await state(deviceId)).lastActivityTime as number) > first);
    session.close();
    await eventually(async () => typeof (await state(deviceId)).lastDisconnectTime === 'number');
    expect((await state(deviceId)).active).toBe(true);
  });

  it('makes a silent device inactive after its own inactivityTimeout, then active again on activity', async () => {
    const { deviceId, identity } = await newDevice();
    const session = app.running.app.get(SessionRegistry).open(identity, silent);
    await eventually(async () => (await state(deviceId)).active === true);
    await api.post(`/api/plugins/telemetry/DEVICE/${deviceId}/SERVER_SCOPE`, { inactivityTimeout: 300 });
    await eventually(async () => (await state(deviceId)).active === false);
    // Inactive only once the device was silent for its own timeout (not the 10-minute default).
    const inactive = await state(deviceId);
    expect((inactive.inactivityAlarmTime as number) - (inactive.lastActivityTime as number)).toBeGreaterThanOrEqual(300);
    session.reportActivity();
    await eventually(async () => (await state(deviceId)).active === true);
  });

  it('counts a one-request session (HTTP) as activity but not as a connection', async () => {
    const { deviceId, identity } = await newDevice();
    const session = app.running.app.get(SessionRegistry).open(identity, silent, 'request');
    await session.postTelemetry('{"t":2}');
    session.close();
    await eventually(async () => (await state(deviceId)).active === true);
    const s = await state(deviceId);
    expect(s.lastConnectTime).toBeUndefined();
    expect(s.lastDisconnectTime).toBeUndefined();
  });
});
