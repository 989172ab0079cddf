import { PayloadError } from '@edgewise/plugin-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProvisioningService } from '../src/provisioning/provisioning.service';
import { DeviceAuthenticator } from '../src/transport/device-authenticator';
import { ApiClient, startTestApp, SYSADMIN, TENANT_ADMIN, TestApp } from './harness';
import { RuleMessageRecorder } from './rule-message-recorder';
import { createSecondTenant, okBody, uniqueName } from './tenant-fixtures';

const NOT_FOUND = { errorMsg: 'Provision data was not found!', status: 'NOT_FOUND' };
const FAILURE = { errorMsg: 'Failed to provision device!', status: 'FAILURE' };

/** The core side of device provisioning (device-api.md §1.11), as a transport calls it, observed through the REST API. */
describe('device provisioning', () => {
  let app: TestApp;
  let api: ApiClient;
  let tenantId: string;
  let recorder: RuleMessageRecorder;

  /** What the device gets: the parsed JSON answer, checked against the status the transport sees. */
  const provision = async (request: Record<string, unknown>): Promise<any> => {
    const response = await app.running.app.get(ProvisioningService).provision(JSON.stringify(request));
    const json = JSON.parse(response.json);
    expect(json.status).toBe(response.status);
    return json;
  };

  /** A profile with provisioning; the key and secret are unique per call. */
  const provisioningProfile = async (provisionType: string, name = uniqueName('Provisioned')) => {
    const key = uniqueName('key');
    const secret = uniqueName('secret');
    const profile = okBody(
      await api.post('/api/deviceProfile', {
        name,
        type: 'DEFAULT',
        transportType: 'DEFAULT',
        provisionType,
        provisionDeviceKey: key,
        profileData: {
          configuration: { type: 'DEFAULT' },
          transportConfiguration: { type: 'DEFAULT' },
          provisionConfiguration: { type: provisionType, provisionDeviceSecret: secret },
        },
      }),
      'provisioning profile',
    );
    return { profile, keys: { provisionDeviceKey: key, provisionDeviceSecret: secret } };
  };

  const deviceNamed = async (name: string) => okBody(await api.get(`/api/tenant/devices?deviceName=${encodeURIComponent(name)}`), name);
  const serverAttributes = async (deviceId: string) =>
    Object.fromEntries(
      okBody(await api.get(`/api/plugins/telemetry/DEVICE/${deviceId}/values/attributes/SERVER_SCOPE`), 'attributes').map(
        (a: { key: string; value: unknown }) => [a.key, a.value],
      ),
    );
  const authenticates = async (credentials: Parameters<DeviceAuthenticator['authenticate']>[0]) => {
    const result = await app.running.app.get(DeviceAuthenticator).authenticate(credentials);
    return result.ok ? result.device.deviceName : result.failure;
  };

  beforeAll(async () => {
    app = await startTestApp();
    api = await app.api.login(TENANT_ADMIN);
    tenantId = okBody(await api.get('/api/auth/user'), 'me').tenantId.id;
    recorder = await RuleMessageRecorder.asRootChain(app, api);
  });
  afterAll(() => app?.close());

  describe('device profile settings', () => {
    it('refuses provisioning settings that cannot work, with a 400 that says what to send', async () => {
      const body = (provisionType: string, provisionConfiguration: unknown, provisionDeviceKey?: string) => ({
        name: uniqueName('P'),
        type: 'DEFAULT',
        transportType: 'DEFAULT',
        provisionType,
        provisionDeviceKey,
        profileData: { configuration: { type: 'DEFAULT' }, transportConfiguration: { type: 'DEFAULT' }, provisionConfiguration },
      });
      const noKey = await api.post(
        '/api/deviceProfile',
        body('ALLOW_CREATE_NEW_DEVICES', { type: 'ALLOW_CREATE_NEW_DEVICES', provisionDeviceSecret: 's' }),
      );
      expect(noKey.status).toBe(400);
      expect(noKey.body.message).toMatch(/needs a provisionDeviceKey/);
      const mismatch = await api.post(
        '/api/deviceProfile',
        body('CHECK_PRE_PROVISIONED_DEVICES', { type: 'ALLOW_CREATE_NEW_DEVICES', provisionDeviceSecret: 's' }, 'k'),
      );
      expect(mismatch.status).toBe(400);
      expect(mismatch.body.message).toMatch(/must be the same/);
    });

    it('keeps provision keys unique across tenants', async () => {
      const { keys } = await provisioningProfile('ALLOW_CREATE_NEW_DEVICES');
      const sysadmin = await app.api.login(SYSADMIN);
      const { adminApi } = await createSecondTenant(sysadmin);
      const clash = await adminApi.post('/api/deviceProfile', {
        name: 'Elsewhere',
        type: 'DEFAULT',
        transportType: 'DEFAULT',
        provisionType: 'ALLOW_CREATE_NEW_DEVICES',
        provisionDeviceKey: keys.provisionDeviceKey,
        profileData: {
          configuration: { type: 'DEFAULT' },
          transportConfiguration: { type: 'DEFAULT' },
          provisionConfiguration: { type: 'ALLOW_CREATE_NEW_DEVICES', provisionDeviceSecret: 'other' },
        },
      });
      expect(clash.status).toBe(400);
      expect(clash.body).toMatchObject({ message: 'Device profile with such provision device key already exists!', errorCode: 31 });
    });
  });

  describe('ALLOW_CREATE_NEW_DEVICES', () => {
    it('creates the device in the profile with a generated token it can connect with, marked provisioned', async () => {
      const { profile, keys } = await provisioningProfile('ALLOW_CREATE_NEW_DEVICES');
      const name = uniqueName('New');
      const answer = await provision({ deviceName: ` ${name} `, ...keys });
      expect(Object.keys(answer)).toEqual(['credentialsValue', 'credentialsType', 'status']);
      expect(answer).toMatchObject({ credentialsType: 'ACCESS_TOKEN', status: 'SUCCESS' });
      expect(answer.credentialsValue).toMatch(/^[A-Za-z0-9]{20}$/);

      const device = await deviceNamed(name); // the name was trimmed
      expect(device).toMatchObject({ type: profile.name, deviceProfileId: profile.id, additionalInfo: {} });
      expect(await serverAttributes(device.id.id)).toMatchObject({ provisionState: 'provisioned' });
      expect(await authenticates({ type: 'ACCESS_TOKEN', token: answer.credentialsValue })).toBe(name);
    });

    it('tells the rule engine: ENTITY_CREATED with the device, then PROVISION_SUCCESS with the request', async () => {
      const { keys } = await provisioningProfile('ALLOW_CREATE_NEW_DEVICES');
      const name = uniqueName('Told');
      await provision({ deviceName: name, ...keys, token: uniqueName('TOLD') });
      const device = await deviceNamed(name);
      const [created] = await recorder.messages('ENTITY_CREATED', device.id.id);
      expect(created).toMatchObject({ originator: { entityType: 'DEVICE', id: device.id.id }, metadata: { tenantId }, data: device });
      const [provisioned] = await recorder.messages('PROVISION_SUCCESS', device.id.id);
      expect(provisioned.metadata).toEqual({ tenantId });
      expect(provisioned.data).toMatchObject({ deviceName: name, credentialsType: 'ACCESS_TOKEN', credentials: keys, gateway: false });
      // Nothing else: in particular no second ENTITY_CREATED (the engine may process the two in either order).
      expect((await recorder.about(device.id.id)).map((m) => m.type).sort()).toEqual(['ENTITY_CREATED', 'PROVISION_SUCCESS']);
    });

    it('uses the requested credentials: access token, MQTT basic (missing fields "") and X.509 certificate', async () => {
      const { keys } = await provisioningProfile('ALLOW_CREATE_NEW_DEVICES');
      const token = uniqueName('TOKEN');
      expect(await provision({ deviceName: uniqueName('T'), ...keys, token })).toEqual({
        credentialsValue: token,
        credentialsType: 'ACCESS_TOKEN',
        status: 'SUCCESS',
      });

      const basicName = uniqueName('B');
      const clientId = uniqueName('client');
      const basic = await provision({
        deviceName: basicName,
        ...keys,
        credentialsType: 'MQTT_BASIC',
        clientId,
        username: 'u1',
        password: 'p1',
      });
      expect(basic).toEqual({
        credentialsValue: { clientId, userName: 'u1', password: 'p1' },
        credentialsType: 'MQTT_BASIC',
        status: 'SUCCESS',
      });
      expect(await authenticates({ type: 'MQTT_BASIC', clientId, username: 'u1', password: 'p1' })).toBe(basicName);
      const userOnly = await provision({
        deviceName: uniqueName('U'),
        ...keys,
        credentialsType: 'MQTT_BASIC',
        username: uniqueName('user'),
      });
      expect(userOnly.credentialsValue).toEqual({ clientId: '', userName: expect.any(String), password: '' });

      const x509Name = uniqueName('X');
      const body = Buffer.from(uniqueName('certificate')).toString('base64');
      const x509 = await provision({
        deviceName: x509Name,
        ...keys,
        credentialsType: 'X509_CERTIFICATE',
        hash: `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`,
      });
      expect(x509).toEqual({ credentialsValue: body, credentialsType: 'X509_CERTIFICATE', status: 'SUCCESS' });
      expect(await authenticates({ type: 'X509_CERTIFICATE', certificate: body })).toBe(x509Name);
    });

    it('generates a token when the request carries no credential fields, whatever credentialsType says; names nameless devices', async () => {
      const { keys } = await provisioningProfile('ALLOW_CREATE_NEW_DEVICES');
      const answer = await provision({ ...keys, credentialsType: 'MQTT_BASIC' });
      expect(answer).toMatchObject({ credentialsType: 'ACCESS_TOKEN', status: 'SUCCESS' });
      const auth = await app.running.app.get(DeviceAuthenticator).authenticate({ type: 'ACCESS_TOKEN', token: answer.credentialsValue });
      expect(auth.ok && auth.device.deviceName).toMatch(/^[A-Za-z0-9]{20}$/);
    });

    it('marks a device provisioned as a gateway', async () => {
      const { keys } = await provisioningProfile('ALLOW_CREATE_NEW_DEVICES');
      const name = uniqueName('Gw');
      await provision({ deviceName: name, ...keys, gateway: true });
      expect((await deviceNamed(name)).additionalInfo).toEqual({ gateway: true });
    });

    it('answers FAILURE for an existing name (PROVISION_FAILURE to the rule engine) and for unusable credentials, creating nothing', async () => {
      const { keys } = await provisioningProfile('ALLOW_CREATE_NEW_DEVICES');
      const name = uniqueName('Twice');
      await provision({ deviceName: name, ...keys });
      expect(await provision({ deviceName: name, ...keys })).toEqual(FAILURE);
      const device = await deviceNamed(name);
      const [failure] = await recorder.messages('PROVISION_FAILURE', device.id.id);
      expect(failure.metadata).toEqual({ tenantId });

      const taken = uniqueName('TAKEN');
      await provision({ deviceName: uniqueName('First'), ...keys, token: taken });
      for (const request of [
        { token: taken },
        { credentialsType: 'ACCESS_TOKEN', clientId: 'only-client' },
        { credentialsType: 'MQTT_BASIC', clientId: 'c', password: 'p' },
        { credentialsType: 'X509_CERTIFICATE', hash: 'not a certificate!' },
      ]) {
        const refused = uniqueName('Refused');
        expect(await provision({ deviceName: refused, ...keys, ...request }), JSON.stringify(request)).toEqual(FAILURE);
        expect((await api.get(`/api/tenant/devices?deviceName=${refused}`)).status).toBe(404);
      }
    });
  });

  describe('CHECK_PRE_PROVISIONED_DEVICES', () => {
    it('hands out the existing credentials of a device of the profile once, ignoring requested ones', async () => {
      const { profile, keys } = await provisioningProfile('CHECK_PRE_PROVISIONED_DEVICES');
      const name = uniqueName('Pre');
      const token = uniqueName('PRE');
      const device = okBody(await api.post(`/api/device?accessToken=${token}`, { name, deviceProfileId: profile.id }), 'device');

      expect(await provision({ deviceName: name, ...keys, token: 'IGNORED' })).toEqual({
        credentialsValue: token,
        credentialsType: 'ACCESS_TOKEN',
        status: 'SUCCESS',
      });
      expect(await serverAttributes(device.id.id)).toMatchObject({ provisionState: 'provisioned' });
      expect(await recorder.messages('PROVISION_SUCCESS', device.id.id)).toHaveLength(1);

      expect(await provision({ deviceName: name, ...keys })).toEqual(FAILURE);
      expect(await recorder.messages('PROVISION_FAILURE', device.id.id)).toHaveLength(1);
    });

    it('answers FAILURE for a missing device, a device of another profile, and no name', async () => {
      const { keys } = await provisioningProfile('CHECK_PRE_PROVISIONED_DEVICES');
      const elsewhere = uniqueName('Elsewhere');
      okBody(await api.post('/api/device', { name: elsewhere }), 'device of the default profile');
      expect(await provision({ deviceName: uniqueName('Missing'), ...keys })).toEqual(FAILURE);
      expect(await provision({ deviceName: elsewhere, ...keys })).toEqual(FAILURE);
      expect(await provision({ ...keys })).toEqual(FAILURE);
    });
  });

  describe('order of checks and NOT_FOUND', () => {
    it('answers NOT_FOUND for an empty, unknown or disabled key and a wrong secret; a blank name fails first', async () => {
      const { keys } = await provisioningProfile('ALLOW_CREATE_NEW_DEVICES');
      expect(await provision({ ...keys, provisionDeviceSecret: 'wrong' })).toEqual(NOT_FOUND);
      expect(await provision({ ...keys, provisionDeviceKey: '' })).toEqual(NOT_FOUND);
      expect(await provision({ ...keys, provisionDeviceSecret: '' })).toEqual(NOT_FOUND);
      expect(await provision({ provisionDeviceKey: 'no-such-key', provisionDeviceSecret: 's' })).toEqual(NOT_FOUND);
      expect(await provision({ deviceName: '   ', provisionDeviceKey: 'no-such-key', provisionDeviceSecret: 's' })).toEqual(FAILURE);

      const disabled = await provisioningProfile('DISABLED');
      // A disabled profile may keep its key and secret; provisioning still finds nothing.
      expect(await provision({ deviceName: uniqueName('D'), ...disabled.keys })).toEqual(NOT_FOUND);
    });

    it('rejects malformed requests with PayloadError instead of an answer', async () => {
      const service = app.running.app.get(ProvisioningService);
      await expect(service.provision('{"provisionDeviceKey":"k"}')).rejects.toBeInstanceOf(PayloadError);
      await expect(service.provision('not json')).rejects.toBeInstanceOf(PayloadError);
      await expect(service.provision('{"provisionDeviceKey":"k","provisionDeviceSecret":"s","credentialsType":"X"}')).rejects.toThrow(
        /credentialsType/,
      );
    });
  });
});
