import { createHash, randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Format, Lwm2mTestClient } from './support/lwm2m-client';
import { Product, RestClient, restClient, startProduct } from './support/product.mjs';
import { clientAttributesOnceStored, eventually, latestOnceStored, serverAttributes } from './support/rest-checks';

/** The LwM2M profile of the tests (device-api.md §6.2): what is read, observed, and stored under which key. */
const TRANSPORT_CONFIGURATION = {
  type: 'LWM2M',
  observeAttr: {
    keyName: {
      '/3_1.2/0/0': 'manufacturer',
      '/3_1.2/0/6': 'powerSources',
      '/3_1.2/0/9': 'batteryLevel',
      '/3_1.2/0/14': 'utcOffset',
      '/3303_1.1/0/5700': 'temperature',
      '/5_1.1/0/3': 'fwUpdateState',
      '/5_1.1/0/5': 'fwUpdateResult',
      '/5_1.1/0/6': 'fwPkgName',
      '/5_1.1/0/7': 'fwPkgVersion',
    },
    observe: ['/3303_1.1/0/5700', '/5_1.1/0/3', '/5_1.1/0/5'],
    attribute: ['/3_1.2/0/0', '/3_1.2/0/14', '/5_1.1/0/6', '/5_1.1/0/7'],
    telemetry: ['/3_1.2/0/6', '/3_1.2/0/9', '/3303_1.1/0/5700', '/5_1.1/0/3', '/5_1.1/0/5'],
    attributeLwm2m: { '/3303_1.1/0/5700': { pmin: 1, pmax: 60 } },
    initAttrTelAsObsStrategy: false,
    observeStrategy: 'SINGLE',
  },
  bootstrapServerUpdateEnable: false,
  bootstrap: [],
  clientLwM2mSettings: {
    fwUpdateStrategy: 1,
    swUpdateStrategy: 1,
    clientOnlyObserveAfterConnect: 1,
    powerMode: 'DRX',
    defaultObjectIDVer: '1.0',
  },
};
/** The model of the client's vendor object 33000 (not among the built-in models), as a tenant uploads it. */
const LEVEL_SENSOR_XML = `<?xml version="1.0" encoding="UTF-8"?>
<LWM2M><Object ObjectType="MODefinition"><Name>Level Sensor</Name><ObjectID>33000</ObjectID><ObjectVersion>1.0</ObjectVersion>
<MultipleInstances>Single</MultipleInstances><Mandatory>Optional</Mandatory><Resources>
<Item ID="1"><Name>Level</Name><Operations>R</Operations><MultipleInstances>Single</MultipleInstances><Mandatory>Mandatory</Mandatory>
<Type>Integer</Type></Item></Resources></Object></LWM2M>`;
const NO_SEC_BOOTSTRAP = { bootstrapServer: { securityMode: 'NO_SEC' }, lwm2mServer: { securityMode: 'NO_SEC' } };

/**
 * The LwM2M transport of the built product (device-api.md §6), driven by an LwM2M client on UDP as a device would
 * (LwM2M 1.1 with SenML JSON, and 1.0 with TLV), and checked through the REST API as an integrator would.
 */
describe('LwM2M transport', () => {
  let product: Product;
  let rest: RestClient;
  let profileId: string;
  let sequence = 0;
  const clients: Lwm2mTestClient[] = [];

  beforeAll(async () => {
    product = await startProduct();
    rest = await restClient(product.url);
    profileId = await createProfile('lwm2m-sensors');
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.close();
  });
  afterAll(() => product?.stop());

  async function createProfile(name: string, observeAttr: object = TRANSPORT_CONFIGURATION.observeAttr): Promise<string> {
    const created = await rest.request('POST', '/api/deviceProfile', {
      name,
      type: 'DEFAULT',
      transportType: 'LWM2M',
      profileData: { configuration: { type: 'DEFAULT' }, transportConfiguration: { ...TRANSPORT_CONFIGURATION, observeAttr } },
    });
    expect(created.status).toBe(200);
    return created.body.id.id;
  }

  /** A device with NoSec LwM2M credentials for `endpoint`, and a client for it (not registered yet). */
  async function device(options: { version?: '1.0' | '1.1'; lifetimeS?: number; profile?: string } = {}) {
    const endpoint = `lwm2m-e2e-${++sequence}`;
    const created = await rest.request('POST', '/api/device-with-credentials', {
      device: { name: endpoint, deviceProfileId: { entityType: 'DEVICE_PROFILE', id: options.profile ?? profileId } },
      credentials: {
        credentialsType: 'LWM2M_CREDENTIALS',
        credentialsValue: JSON.stringify({ client: { securityConfigClientMode: 'NO_SEC', endpoint }, bootstrap: NO_SEC_BOOTSTRAP }),
      },
    });
    expect(created.status).toBe(200);
    const client = await Lwm2mTestClient.start({ endpoint, serverPort: product.ports.lwm2m.lwm2m, ...options });
    clients.push(client);
    return { id: created.body.id.id as string, client };
  }

  const rpc = async (deviceId: string, method: string, params: unknown) => {
    const answered = await rest.request('POST', `/api/rpc/twoway/${deviceId}`, { method, params });
    expect(answered.status).toBe(200);
    return answered.body;
  };
  const connectivity = async (deviceId: string) => serverAttributes(rest, deviceId);

  it('registers a client (2.01 at /rd/{id}); the mapped values land as telemetry and client attributes; it is connected', async () => {
    const { id, client } = await device();
    const registered = await client.register();
    expect(registered.code).toBe('2.01');
    expect(registered.locationPath).toEqual(['rd', expect.any(String)]);

    const telemetry = await latestOnceStored(rest, id, 'temperature');
    expect(telemetry.temperature[0].value).toBe('21.5');
    expect((await latestOnceStored(rest, id, 'batteryLevel')).batteryLevel[0].value).toBe('87');
    expect(JSON.parse((await latestOnceStored(rest, id, 'powerSources')).powerSources[0].value as string)).toEqual({ 0: 1, 1: 5 });
    const attributes = await clientAttributesOnceStored(rest, id, 'utcOffset');
    expect(attributes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: 'manufacturer', value: 'Edgewise Test Labs' }),
        expect.objectContaining({ key: 'utcOffset', value: '+01' }),
        expect.objectContaining({ key: 'fwPkgName', value: 'tracker' }),
      ]),
    );
    // SenML JSON for a 1.1 client that lists it; the observed path is observed (not read) and gets its Write-Attributes.
    expect(client.requests).toEqual(expect.arrayContaining(['GET /3/0/9', 'GET /3303/0/5700', 'PUT /3303/0/5700?pmax=60&pmin=1']));
    expect(client.observedPaths()).toEqual(expect.arrayContaining(['/3303/0/5700', '/5/0/3', '/5/0/5']));
    expect(client.formats).toEqual(expect.arrayContaining([`/3/0/9 ${Format.SENML_JSON}`, `/3/0/6 ${Format.SENML_JSON}`]));
    expect((await connectivity(id)).lastConnectTime).toEqual(expect.any(Number));
  });

  it('stores an observed change as telemetry', async () => {
    const { id, client } = await device();
    await client.register();
    await eventually(
      async () => client.observedPaths(),
      (paths) => paths.includes('/3303/0/5700'),
    );
    await client.set('/3303/0/5700', 24.75);
    const latest = await eventually(
      async () => (await latestOnceStored(rest, id, 'temperature')).temperature[0].value,
      (value) => value === '24.75',
    );
    expect(latest).toBe('24.75');
  });

  it('round-trips Read, WriteReplace, Execute and Discover RPCs through POST /api/rpc/twoway/{deviceId}', async () => {
    const { id, client } = await device();
    await client.register();
    await latestOnceStored(rest, id, 'batteryLevel');
    expect(await rpc(id, 'Read', { id: '/3/0/9' })).toEqual({ result: 'CONTENT', value: 87 });
    expect(await rpc(id, 'Read', { key: 'manufacturer' })).toEqual({ result: 'CONTENT', value: 'Edgewise Test Labs' });
    expect(await rpc(id, 'WriteReplace', { id: '/3_1.2/0/14', value: '+02' })).toEqual({ result: 'CHANGED' });
    expect(client.values.get('/3/0/14')).toBe('+02');
    expect(await rpc(id, 'Execute', { id: '/3/0/4' })).toEqual({ result: 'CHANGED' });
    expect(client.executed).toEqual([{ path: '/3/0/4', argument: '' }]);
    const discovered = await rpc(id, 'Discover', { id: '/3/0' });
    expect(discovered).toMatchObject({ result: 'CONTENT', value: expect.stringContaining('</3/0/9>') });
    expect(await rpc(id, 'WriteReplace', { id: '/3/0/9', value: 1 })).toEqual({
      result: 'METHOD_NOT_ALLOWED',
      error: '/3/0/9 is not writable',
    });
    expect(await rpc(id, 'Reboot', {})).toEqual({ result: 'METHOD_NOT_ALLOWED', error: 'Unsupported operation type: Reboot' });
  });

  it('speaks TLV with an LwM2M 1.0 client', async () => {
    const { id, client } = await device({ version: '1.0' });
    expect((await client.register()).code).toBe('2.01');
    expect(JSON.parse((await latestOnceStored(rest, id, 'powerSources')).powerSources[0].value as string)).toEqual({ 0: 1, 1: 5 });
    expect((await latestOnceStored(rest, id, 'temperature')).temperature[0].value).toBe('21.5');
    expect(await rpc(id, 'Read', { id: '/3/0' })).toMatchObject({
      result: 'CONTENT',
      value: { 0: 'Edgewise Test Labs', 9: 87, 14: '+01' },
    });
    expect(await rpc(id, 'WriteReplace', { id: '/3/0/14', value: '-03' })).toEqual({ result: 'CHANGED' });
    expect(client.values.get('/3/0/14')).toBe('-03');
    expect(client.formats).toEqual(expect.arrayContaining([`/3/0/6 ${Format.TLV}`, `/3/0 ${Format.TLV}`, `/3/0/14 ${Format.TLV}`]));
  });

  it('writes a shared attribute named in keyName to its resource', async () => {
    const { id, client } = await device();
    await client.register();
    await clientAttributesOnceStored(rest, id, 'utcOffset');
    await rest.request('POST', `/api/plugins/telemetry/DEVICE/${id}/SHARED_SCOPE`, { utcOffset: '+05' });
    expect(
      await eventually(
        async () => client.values.get('/3/0/14'),
        (value) => value === '+05',
      ),
    ).toBe('+05');
  });

  it('marks the device disconnected when the client de-registers', async () => {
    const { id, client } = await device();
    await client.register();
    await eventually(
      () => connectivity(id),
      (state) => typeof state.lastConnectTime === 'number',
    );
    expect((await client.deregister()).code).toBe('2.02');
    const state = await eventually(
      () => connectivity(id),
      (current) => typeof current.lastDisconnectTime === 'number',
    );
    expect(state.lastDisconnectTime).toBeGreaterThanOrEqual(state.lastConnectTime as number);
  });

  it('marks the device disconnected when the registration lifetime passes without an Update', async () => {
    const { id, client } = await device({ lifetimeS: 2 });
    await client.register();
    const state = await eventually(
      () => connectivity(id),
      (current) => typeof current.lastDisconnectTime === 'number',
    );
    expect(state.lastDisconnectTime).toBeGreaterThanOrEqual(state.lastConnectTime as number);
    expect((await client.update()).code).toBe('4.04'); // the registration is gone: the client must register again
  });

  it('refuses an endpoint it does not know with 4.03', async () => {
    const client = await Lwm2mTestClient.start({ endpoint: 'nobody-knows-me', serverPort: product.ports.lwm2m.lwm2m });
    clients.push(client);
    const refused = await client.register();
    expect(refused.code).toBe('4.03');
    expect(refused.payload.toString()).toMatch(/nobody-knows-me/);
  });

  it('maps a vendor object whose model a tenant uploaded to the resource library (/api/resource, LWM2M_MODEL)', async () => {
    const uploaded = await rest.request('POST', '/api/resource', {
      resourceType: 'LWM2M_MODEL',
      fileName: 'level-sensor.xml',
      data: Buffer.from(LEVEL_SENSOR_XML).toString('base64'),
    });
    expect(uploaded.body).toMatchObject({ resourceKey: '33000_1.0', title: 'Level Sensor id=33000 v1.0' });
    const vendorProfile = await createProfile('lwm2m-vendor', { keyName: { '/33000_1.0/0/1': 'level' }, telemetry: ['/33000_1.0/0/1'] });
    const { id, client } = await device({ profile: vendorProfile });
    await client.register();
    expect((await latestOnceStored(rest, id, 'level')).level[0].value).toBe('42');
    expect(await rpc(id, 'Read', { key: 'level' })).toEqual({ result: 'CONTENT', value: 42 });
  });

  it('updates the firmware through object 5 after a package is uploaded and assigned over REST: fw_state reaches UPDATED', async () => {
    const otaProfileId = await createProfile('lwm2m-ota');
    const { id, client } = await device({ profile: otaProfileId });
    await client.register();
    await clientAttributesOnceStored(rest, id, 'fwPkgVersion');

    const firmware = randomBytes(64 * 1024);
    const packageId = await uploadFirmware(otaProfileId, firmware);
    const profile = (await rest.request('GET', `/api/deviceProfile/${otaProfileId}`)).body;
    expect(
      (await rest.request('POST', '/api/deviceProfile', { ...profile, firmwareId: { entityType: 'OTA_PACKAGE', id: packageId } })).status,
    ).toBe(200);

    const history = await eventually(
      async () =>
        (
          await rest.request(
            'GET',
            `/api/plugins/telemetry/DEVICE/${id}/values/timeseries?keys=fw_state&startTs=0&endTs=${Date.now() + 1000}&orderBy=ASC`,
          )
        ).body?.fw_state?.map((point: { value: string }) => point.value) ?? [],
      (states: string[]) => states.includes('UPDATED'),
      30_000,
    );
    // QUEUED and INITIATED come from the core's rollout; the rest from the client's state and result resources (§6.4).
    expect(history).toEqual(['QUEUED', 'INITIATED', 'DOWNLOADING', 'DOWNLOADED', 'UPDATING', 'UPDATED']);
    expect(client.firmware?.sha256).toBe(createHash('sha256').update(firmware).digest('hex'));
    expect(client.formats).toContain(`/5/0/0 ${Format.OPAQUE}`);
    expect(client.executed).toEqual([{ path: '/5/0/2', argument: '' }]);
    expect(client.values.get('/5/0/7')).toBe('1.1');
  });

  /** An OTA package of the profile with `data` as its binary; returns its id. */
  async function uploadFirmware(deviceProfileId: string, data: Buffer): Promise<string> {
    const info = await rest.request('POST', '/api/otaPackage', {
      title: 'tracker',
      version: '1.1',
      type: 'FIRMWARE',
      deviceProfileId: { entityType: 'DEVICE_PROFILE', id: deviceProfileId },
    });
    expect(info.status).toBe(200);
    const login = await rest.request('POST', '/api/auth/login', { username: 'tenant@thingsboard.org', password: 'tenant' });
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(data)], { type: 'application/octet-stream' }), 'tracker-1.1.bin');
    const uploaded = await fetch(`${product.url}/api/otaPackage/${info.body.id.id}?checksumAlgorithm=SHA256`, {
      method: 'POST',
      headers: { 'x-authorization': `Bearer ${login.body.token}` },
      body: form,
    });
    expect(uploaded.status).toBe(200);
    return info.body.id.id;
  }
});
