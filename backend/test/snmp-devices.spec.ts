import type { PolledDeviceChange } from '@edgewise/plugin-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolledDevices } from '../src/transport/polled-devices';
import { ApiClient, startTestApp, TENANT_ADMIN, TestApp } from './harness';
import { okBody, uniqueName } from './tenant-fixtures';

const PROFILE_CONFIG = {
  type: 'SNMP',
  timeoutMs: 500,
  retries: 0,
  communicationConfigs: [
    {
      spec: 'TELEMETRY_QUERYING',
      queryingFrequencyMs: 5000,
      mappings: [{ oid: '1.3.6.1.2.1.1.3.0', key: 'uptime', dataType: 'LONG' }],
    },
    { spec: 'TO_DEVICE_RPC_REQUEST', mappings: [{ oid: '.1.3.6.1.2.1.1.4.0', key: 'contact', dataType: 'STRING' }] },
  ],
};
const AGENT = { type: 'SNMP', host: '192.0.2.10', port: 161, protocolVersion: 'V2C', community: 'public' };
const V3_AGENT = {
  type: 'SNMP',
  host: '192.0.2.11',
  port: 161,
  protocolVersion: 'V3',
  username: 'tb',
  securityName: 'tb',
  contextName: '',
  engineId: '',
  authenticationProtocol: 'SHA_256',
  authenticationPassphrase: 'authpass',
  privacyProtocol: 'AES_128',
  privacyPassphrase: 'privpass',
};

/**
 * The core side of SNMP (device-api.md §7): SNMP transport configurations are checked when saved, and the SNMP
 * transport is told which devices to poll, and of every change to them.
 */
describe('SNMP devices in the core', () => {
  let app: TestApp;
  let api: ApiClient;

  const profileBody = (transportConfiguration: unknown, transportType = 'SNMP') => ({
    name: uniqueName('snmp-profile'),
    type: 'DEFAULT',
    transportType,
    profileData: { configuration: { type: 'DEFAULT' }, transportConfiguration },
  });
  const createProfile = async (transportConfiguration: unknown = PROFILE_CONFIG) =>
    okBody(await api.post('/api/deviceProfile', profileBody(transportConfiguration)), 'create SNMP profile');
  const deviceBody = (profileId: string, transportConfiguration: unknown = AGENT) => ({
    name: uniqueName('snmp-device'),
    deviceProfileId: { entityType: 'DEVICE_PROFILE', id: profileId },
    deviceData: { configuration: { type: 'DEFAULT' }, transportConfiguration },
  });

  beforeAll(async () => {
    // The transport itself is tested in its package and e2e; here the core's side is observed on its own.
    app = await startTestApp({ SNMP_ENABLED: 'false' });
    api = await app.api.login(TENANT_ADMIN);
  });
  afterAll(() => app?.close());

  describe('validation when saved', () => {
    const refusedProfile = async (transportConfiguration: unknown, transportType = 'SNMP') => {
      const result = await api.post('/api/deviceProfile', profileBody(transportConfiguration, transportType));
      expect(result.status).toBe(400);
      return result.body.message as string;
    };
    const withConfig = (config: Record<string, unknown>) => ({ ...PROFILE_CONFIG, communicationConfigs: [config] });

    it('accepts ThingsBoard SNMP profiles and refuses broken ones with the field to fix', async () => {
      await createProfile();
      expect(await refusedProfile({ type: 'DEFAULT' })).toBe(
        'profileData.transportConfiguration.type must be "SNMP" when transportType is SNMP (got "DEFAULT")',
      );
      expect(await refusedProfile({ ...PROFILE_CONFIG, timeoutMs: -1 })).toMatch(
        /^profileData\.transportConfiguration\.timeoutMs must be a whole number of at least 0/,
      );
      expect(await refusedProfile({ ...PROFILE_CONFIG, retries: undefined })).toMatch(/\.retries must be a whole number of at least 0/);
      expect(await refusedProfile({ type: 'SNMP', timeoutMs: 500, retries: 0 })).toMatch(/\.communicationConfigs is required/);
      expect(await refusedProfile(withConfig({ spec: 'WALKING', mappings: [] }))).toMatch(
        /communicationConfigs\[0\]\.spec must be one of TELEMETRY_QUERYING, CLIENT_ATTRIBUTES_QUERYING, SHARED_ATTRIBUTES_SETTING, TO_DEVICE_RPC_REQUEST, TO_SERVER_RPC_REQUEST \(got "WALKING"\)/,
      );
      const mapping = { oid: '1.3.6.1.2.1.1.3.0', key: 'uptime', dataType: 'LONG' };
      expect(await refusedProfile(withConfig({ spec: 'TELEMETRY_QUERYING', queryingFrequencyMs: 0, mappings: [mapping] }))).toMatch(
        /communicationConfigs\[0\]\.queryingFrequencyMs must be a whole number of at least 1/,
      );
      expect(await refusedProfile(withConfig({ spec: 'SHARED_ATTRIBUTES_SETTING', mappings: [] }))).toMatch(
        /communicationConfigs\[0\]\.mappings must list at least one/,
      );
      expect(await refusedProfile(withConfig({ spec: 'SHARED_ATTRIBUTES_SETTING', mappings: [{ ...mapping, oid: '1.3.06.1' }] }))).toMatch(
        /mappings\[0\]\.oid must be a numeric OID such as 1\.3\.6\.1\.2\.1\.1\.3\.0 \(got "1\.3\.06\.1"\)/,
      );
      expect(await refusedProfile(withConfig({ spec: 'SHARED_ATTRIBUTES_SETTING', mappings: [{ ...mapping, key: ' ' }] }))).toMatch(
        /mappings\[0\]\.key is required/,
      );
      expect(await refusedProfile(withConfig({ spec: 'SHARED_ATTRIBUTES_SETTING', mappings: [{ ...mapping, dataType: 'INT' }] }))).toMatch(
        /mappings\[0\]\.dataType must be one of STRING, LONG, DOUBLE, BOOLEAN, JSON \(got "INT"\)/,
      );
    });

    it('accepts ThingsBoard SNMP device settings (v2c, v3) and refuses broken ones with the field to fix', async () => {
      const profile = await createProfile();
      const save = (transportConfiguration: unknown) => api.post('/api/device', deviceBody(profile.id.id, transportConfiguration));
      expect((await save(AGENT)).status).toBe(200);
      expect((await save(V3_AGENT)).status).toBe(200);
      expect((await save({ ...V3_AGENT, securityLevel: 'AUTH_NOPRIV', privacyProtocol: null, privacyPassphrase: null })).status).toBe(200);
      const refused = async (transportConfiguration: unknown) => {
        const result = await save(transportConfiguration);
        expect(result.status).toBe(400);
        return result.body.message as string;
      };
      expect(await refused({ ...AGENT, host: '' })).toMatch(/^deviceData\.transportConfiguration\.host is required/);
      expect(await refused({ ...AGENT, port: 70000 })).toMatch(/\.port must be the agent's UDP port, 1 to 65535/);
      expect(await refused({ ...AGENT, protocolVersion: 'V2' })).toMatch(/\.protocolVersion must be one of V1, V2C, V3 \(got "V2"\)/);
      expect(await refused({ ...AGENT, community: '' })).toMatch(/\.community is required: the SNMP community V2C requests carry/);
      expect(await refused({ ...V3_AGENT, username: ' ' })).toMatch(/\.username is required/);
      expect(await refused({ ...V3_AGENT, contextName: undefined })).toMatch(/\.contextName is required: .*use "" for the default context/);
      expect(await refused({ ...V3_AGENT, securityLevel: 'AUTH' })).toMatch(
        /\.securityLevel must be one of NOAUTH_NOPRIV, AUTH_NOPRIV, AUTH_PRIV/,
      );
      expect(await refused({ ...V3_AGENT, authenticationProtocol: 'SHA' })).toMatch(
        /\.authenticationProtocol must be one of SHA_1, SHA_224, SHA_256, SHA_384, SHA_512, MD5 \(got "SHA"\)/,
      );
      expect(await refused({ ...V3_AGENT, authenticationPassphrase: '' })).toMatch(/\.authenticationPassphrase is required/);
      expect(await refused({ ...V3_AGENT, privacyProtocol: 'AES_192' })).toMatch(/\.privacyProtocol must be one of DES, AES_128, AES_256/);
      expect(await refused({ ...V3_AGENT, privacyPassphrase: undefined })).toMatch(/\.privacyPassphrase is required/);
      // Settings of other transports are not SNMP's business.
      expect((await save({ type: 'DEFAULT' })).status).toBe(200);
    });
  });

  describe('the devices a polling transport is told about', () => {
    const changes: PolledDeviceChange[] = [];
    const changeFor = async (deviceId: string, kind: PolledDeviceChange['kind']) => {
      for (const until = Date.now() + 5000; Date.now() < until; await new Promise((resolve) => setTimeout(resolve, 20))) {
        const change = changes.find((c) => (c.kind === 'removed' ? c.deviceId : c.polled.device.deviceId) === deviceId && c.kind === kind);
        if (change) {
          changes.splice(changes.indexOf(change), 1);
          return change;
        }
      }
      throw new Error(`no ${kind} change for ${deviceId}; got ${JSON.stringify(changes)}`);
    };

    it('lists the devices of SNMP profiles with access tokens, with identity and both configurations', async () => {
      const profile = await createProfile();
      const polled = okBody(await api.post('/api/device?accessToken=SNMP_LISTED', deviceBody(profile.id.id)), 'device');
      const other = okBody(await api.post('/api/device', { name: uniqueName('mqtt-ish') }), 'default device');
      const { devices, stop } = await app.running.app.get(PolledDevices).watch('SNMP', () => {});
      stop();
      const listed = devices.find((d) => d.device.deviceId === polled.id.id);
      expect(listed).toEqual({
        device: {
          deviceId: polled.id.id,
          deviceName: polled.name,
          deviceType: profile.name,
          deviceProfileId: profile.id.id,
          tenantId: polled.tenantId.id,
          customerId: polled.customerId.id,
          transportType: 'SNMP',
          transportConfiguration: PROFILE_CONFIG,
          isGateway: false,
        },
        deviceTransportConfiguration: AGENT,
      });
      expect(devices.some((d) => d.device.deviceId === other.id.id)).toBe(false);
    });

    it('tells the watch about created, updated, re-profiled, re-credentialed and deleted devices', async () => {
      const watch = await app.running.app.get(PolledDevices).watch('SNMP', (change) => changes.push(change));
      try {
        const profile = await createProfile();
        const device = okBody(await api.post('/api/device', deviceBody(profile.id.id)), 'device');
        const created = await changeFor(device.id.id, 'upserted');
        expect(created.kind === 'upserted' && created.polled.deviceTransportConfiguration).toEqual(AGENT);

        const moved = { ...AGENT, host: '192.0.2.99' };
        okBody(await api.post('/api/device', { ...device, deviceData: { ...device.deviceData, transportConfiguration: moved } }), 'update');
        const updated = await changeFor(device.id.id, 'upserted');
        expect(updated.kind === 'upserted' && updated.polled.deviceTransportConfiguration).toEqual(moved);

        const slower = { ...PROFILE_CONFIG, timeoutMs: 2000 };
        okBody(
          await api.post('/api/deviceProfile', { ...profile, profileData: { ...profile.profileData, transportConfiguration: slower } }),
          'profile update',
        );
        const reprofiled = await changeFor(device.id.id, 'upserted');
        expect(reprofiled.kind === 'upserted' && reprofiled.polled.device.transportConfiguration).toEqual(slower);

        // ThingsBoard polls only devices with access-token credentials.
        const credentials = okBody(await api.get(`/api/device/${device.id.id}/credentials`), 'credentials');
        const basic = {
          ...credentials,
          credentialsType: 'MQTT_BASIC',
          credentialsId: null,
          credentialsValue: '{"clientId":"snmp-c","userName":"u","password":"p"}',
        };
        okBody(await api.post('/api/device/credentials', basic), 'credentials update');
        await changeFor(device.id.id, 'removed');
        okBody(
          await api.post('/api/device/credentials', { ...credentials, id: basic.id, credentialsId: 'SNMP_TOKEN_BACK', version: undefined }),
          'credentials back',
        );
        await changeFor(device.id.id, 'upserted');

        // Moved to a profile of another transport, then deleted.
        const plain = okBody(await api.post('/api/deviceProfile', profileBody({ type: 'DEFAULT' }, 'DEFAULT')), 'default profile');
        const current = okBody(await api.get(`/api/device/${device.id.id}`), 'device');
        okBody(await api.post('/api/device', { ...current, deviceProfileId: plain.id }), 'moved');
        await changeFor(device.id.id, 'removed');
        okBody(await api.post('/api/device', { ...current, version: undefined, deviceProfileId: profile.id }), 'moved back');
        await changeFor(device.id.id, 'upserted');
        expect((await api.delete(`/api/device/${device.id.id}`)).status).toBe(200);
        await changeFor(device.id.id, 'removed');
      } finally {
        watch.stop();
      }
    });
  });
});
