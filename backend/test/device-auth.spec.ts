import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceAuthenticator } from '../src/transport/device-authenticator';
import { ApiClient, startTestApp, TENANT_ADMIN, TestApp } from './harness';

const CERT_BODY = 'MIIBszCCAVmgAwIBAgIUQXV0aGVudGljYXRvclRlc3QwCgYIKoZIzj0EAwIwDw';

/** Device authentication as transports use it (device-api.md §1.2, checklist items 1 and 3). */
describe('device authentication', () => {
  let app: TestApp;
  let api: ApiClient;
  let auth: DeviceAuthenticator;
  const ids: Record<string, string> = {};

  const withCredentials = async (name: string, credentials: object) => {
    const res = await api.post('/api/device-with-credentials', { device: { name }, credentials });
    expect(res.status).toBe(200);
    ids[name] = res.body.id.id;
  };

  beforeAll(async () => {
    app = await startTestApp();
    api = await app.api.login(TENANT_ADMIN);
    auth = app.running.app.get(DeviceAuthenticator);
    ids.token = (await api.post('/api/device?accessToken=T1', { name: 'token-device' })).body.id.id;
    await withCredentials('basic-full', {
      credentialsType: 'MQTT_BASIC',
      credentialsValue: JSON.stringify({ clientId: 'c1', userName: 'u1', password: 'p1' }),
    });
    await withCredentials('basic-user-only', {
      credentialsType: 'MQTT_BASIC',
      credentialsValue: JSON.stringify({ userName: 'u2', password: 'p2' }),
    });
    await withCredentials('basic-client-only', { credentialsType: 'MQTT_BASIC', credentialsValue: JSON.stringify({ clientId: 'c3' }) });
    await withCredentials('x509', {
      credentialsType: 'X509_CERTIFICATE',
      credentialsValue: `-----BEGIN CERTIFICATE-----\n${CERT_BODY}\n-----END CERTIFICATE-----`,
    });
  });
  afterAll(() => app?.close());

  const deviceOf = async (request: Parameters<DeviceAuthenticator['authenticate']>[0]) => {
    const result = await auth.authenticate(request);
    return result.ok ? result.device.deviceName : result.failure;
  };

  it('finds a device by access token, with its identity', async () => {
    const result = await auth.authenticate({ type: 'ACCESS_TOKEN', token: 'T1' });
    expect(result).toMatchObject({
      ok: true,
      device: { deviceId: ids.token, deviceName: 'token-device', deviceType: 'default', transportType: 'DEFAULT', isGateway: false },
    });
    expect(await deviceOf({ type: 'ACCESS_TOKEN', token: 'nope' })).toBe('NOT_FOUND');
  });

  it('accepts an access token as MQTT username whatever the client id and password', async () => {
    expect(await deviceOf({ type: 'MQTT_BASIC', clientId: 'anything', username: 'T1', password: 'whatever' })).toBe('token-device');
  });

  it('matches MQTT basic credentials exactly and refuses a wrong password without fallback', async () => {
    expect(await deviceOf({ type: 'MQTT_BASIC', clientId: 'c1', username: 'u1', password: 'p1' })).toBe('basic-full');
    expect(await deviceOf({ type: 'MQTT_BASIC', clientId: 'c1', username: 'u1', password: 'wrong' })).toBe('BAD_CREDENTIALS');
    expect(await deviceOf({ type: 'MQTT_BASIC', clientId: 'c1', username: 'u1' })).toBe('BAD_CREDENTIALS');
    expect(await deviceOf({ type: 'MQTT_BASIC', clientId: 'other', username: 'u1', password: 'p1' })).toBe('NOT_FOUND');
  });

  it('falls back to a username-only credential, checking its password', async () => {
    expect(await deviceOf({ type: 'MQTT_BASIC', clientId: 'any-client', username: 'u2', password: 'p2' })).toBe('basic-user-only');
    expect(await deviceOf({ type: 'MQTT_BASIC', clientId: 'any-client', username: 'u2', password: 'bad' })).toBe('BAD_CREDENTIALS');
  });

  it('finds a client-id-only credential when no username is given', async () => {
    expect(await deviceOf({ type: 'MQTT_BASIC', clientId: 'c3' })).toBe('basic-client-only');
    expect(await deviceOf({ type: 'MQTT_BASIC', clientId: 'c4' })).toBe('NOT_FOUND');
  });

  it('finds a device by its certificate, PEM or bare body', async () => {
    expect(
      await deviceOf({
        type: 'X509_CERTIFICATE',
        certificate: `-----BEGIN CERTIFICATE-----\r\n${CERT_BODY}\r\n-----END CERTIFICATE-----\r\n`,
      }),
    ).toBe('x509');
    expect(await deviceOf({ type: 'X509_CERTIFICATE', certificate: CERT_BODY })).toBe('x509');
    expect(await deviceOf({ type: 'X509_CERTIFICATE', certificate: 'AAAA' })).toBe('NOT_FOUND');
  });

  it('stops accepting credentials the moment they are replaced or the device is deleted', async () => {
    const creds = (await api.get(`/api/device/${ids.token}/credentials`)).body;
    await api.post('/api/device/credentials', { ...creds, credentialsId: 'T1-new' });
    expect(await deviceOf({ type: 'ACCESS_TOKEN', token: 'T1' })).toBe('NOT_FOUND');
    expect(await deviceOf({ type: 'ACCESS_TOKEN', token: 'T1-new' })).toBe('token-device');
    await api.delete(`/api/device/${ids.token}`);
    expect(await deviceOf({ type: 'ACCESS_TOKEN', token: 'T1-new' })).toBe('NOT_FOUND');
  });
});
