import { createHash, randomBytes } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectMqtt } from './support/mqtt-client';
import { Product, RestClient, restClient, startProduct } from './support/product.mjs';
import { stateReport } from './support/ota-device';
import { eventually } from './support/rest-checks';

/** The firmware every test delivers: 1 MB of random bytes. */
const FIRMWARE = randomBytes(1024 * 1024);
const FIRMWARE_SHA256 = createHash('sha256').update(FIRMWARE).digest('hex');
const LIMIT_BYTES = 2 * 1024 * 1024;
const CHUNK_BYTES = 32 * 1024;
const REPORTED_STATES = ['DOWNLOADING', 'DOWNLOADED', 'VERIFIED', 'UPDATING', 'UPDATED'];

interface FwAttributes {
  fw_title: string;
  fw_version: string;
  fw_size: number;
  fw_checksum_algorithm: string;
  fw_checksum: string;
}

/**
 * Firmware over the air with the built product (device-api.md §1.12, §2.6, §8.8): a package uploaded over
 * REST, assigned to a device profile, downloaded chunk by chunk by an MQTT device (mqtt.js) and an HTTP device
 * (fetch), each verifying the checksum it was told and reporting its progress as ThingsBoard devices do.
 */
describe('OTA firmware updates', () => {
  let product: Product;
  let rest: RestClient;
  let profileId: string;
  let packageId: string;
  /** The tenant administrator's access token, for the multipart uploads RestClient does not send. */
  let adminToken: string;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    product = await startProduct({ OTA_MAX_PACKAGE_BYTES: String(LIMIT_BYTES) });
    rest = await restClient(product.url);
    adminToken = (await rest.request('POST', '/api/auth/login', { username: 'tenant@thingsboard.org', password: 'tenant' })).body.token;
    const profile = await rest.request('POST', '/api/deviceProfile', {
      name: 'ota-trackers',
      type: 'DEFAULT',
      transportType: 'DEFAULT',
      profileData: { configuration: { type: 'DEFAULT' }, transportConfiguration: { type: 'DEFAULT' } },
    });
    profileId = profile.body.id.id;
  });
  afterEach(() => clients.splice(0).forEach((c) => c.end(true)));
  afterAll(() => product?.stop());

  /** `POST /api/otaPackage/{id}` with the binary as the multipart part `file`. */
  const uploadFirmware = async (id: string, data: Buffer, query = 'checksumAlgorithm=SHA256') => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(data)], { type: 'application/octet-stream' }), 'tracker-1.1.bin');
    const response = await fetch(`${product.url}/api/otaPackage/${id}?${query}`, {
      method: 'POST',
      headers: { 'x-authorization': `Bearer ${adminToken}` },
      body: form,
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  const createPackage = async (version: string) => {
    const info = await rest.request('POST', '/api/otaPackage', {
      title: 'tracker',
      version,
      type: 'FIRMWARE',
      deviceProfileId: { entityType: 'DEVICE_PROFILE', id: profileId },
    });
    expect(info.status).toBe(200);
    return info.body.id.id as string;
  };

  const createDevice = async (name: string, token: string) => {
    const created = await rest.request('POST', `/api/device?accessToken=${token}`, { name, deviceProfileId: { id: profileId } });
    expect(created.status).toBe(200);
    return created.body.id.id as string;
  };

  const updateStatus = async (deviceId: string) =>
    (await rest.request('GET', `/api/otaPackage/status?type=FIRMWARE&deviceId=${deviceId}&pageSize=1&page=0`)).body.data[0];

  it('uploads a 1 MB firmware and assigns it to the device profile', async () => {
    packageId = await createPackage('1.1');
    const uploaded = await uploadFirmware(packageId, FIRMWARE, `checksumAlgorithm=SHA256&checksum=${FIRMWARE_SHA256}`);
    expect(uploaded).toMatchObject({
      status: 200,
      body: {
        hasData: true,
        dataSize: FIRMWARE.length,
        checksumAlgorithm: 'SHA256',
        checksum: FIRMWARE_SHA256,
        fileName: 'tracker-1.1.bin',
      },
    });
    const profile = (await rest.request('GET', `/api/deviceProfile/${profileId}`)).body;
    const assigned = await rest.request('POST', '/api/deviceProfile', {
      ...profile,
      firmwareId: { entityType: 'OTA_PACKAGE', id: packageId },
    });
    expect(assigned.status).toBe(200);
  });

  it('delivers it to an MQTT device chunk by chunk; the device verifies it and reports its way to UPDATED', async () => {
    const deviceId = await createDevice('ota-mqtt-device', 'OTA_MQTT_TOKEN');
    const client = await connectMqtt(product.ports.mqtt.mqtt, { username: 'OTA_MQTT_TOKEN' });
    clients.push(client);
    // As the ThingsBoard SDKs do: ask for the fw_* shared attributes on connect, and listen for later pushes.
    const attributes = new Promise<FwAttributes>((resolve) =>
      client.on('message', (topic, payload) => {
        const text = payload.toString();
        if (topic === 'v1/devices/me/attributes/response/1') resolve(JSON.parse(text).shared);
        else if (topic === 'v1/devices/me/attributes' && JSON.parse(text).fw_title) resolve(JSON.parse(text));
      }),
    );
    await client.subscribeAsync('v1/devices/me/attributes', { qos: 1 });
    await client.subscribeAsync('v1/devices/me/attributes/response/+', { qos: 1 });
    await client.subscribeAsync('v2/fw/response/+/chunk/+', { qos: 1 });
    await client.publishAsync(
      'v1/devices/me/attributes/request/1',
      '{"sharedKeys":"fw_title,fw_version,fw_size,fw_checksum_algorithm,fw_checksum"}',
      { qos: 1 },
    );
    const fw = await attributes;
    expect(fw).toMatchObject({ fw_title: 'tracker', fw_version: '1.1', fw_size: FIRMWARE.length, fw_checksum_algorithm: 'SHA256' });

    const report = (state: string) => client.publishAsync('v1/devices/me/telemetry', stateReport(state), { qos: 1 });
    await report('DOWNLOADING');
    const chunks: Buffer[] = [];
    for (let chunk = 0; ; chunk++) {
      const received = new Promise<Buffer>((resolve) =>
        client.once('message', function onChunk(topic, payload) {
          if (topic === `v2/fw/response/1/chunk/${chunk}`) resolve(payload);
          else client.once('message', onChunk);
        }),
      );
      await client.publishAsync(`v2/fw/request/1/chunk/${chunk}`, String(CHUNK_BYTES), { qos: 1 });
      const bytes = await received;
      if (bytes.length === 0) break; // past the end: the download is complete
      chunks.push(bytes);
    }
    const downloaded = Buffer.concat(chunks);
    expect(chunks).toHaveLength(FIRMWARE.length / CHUNK_BYTES);
    expect(createHash('sha256').update(downloaded).digest('hex')).toBe(fw.fw_checksum);
    for (const state of REPORTED_STATES.slice(1)) await report(state);
    await client.publishAsync('v1/devices/me/telemetry', '{"current_fw_title":"tracker","current_fw_version":"1.1"}', { qos: 1 });

    const status = await eventually(
      () => updateStatus(deviceId),
      (s) => s?.state === 'UPDATED' && s?.currentTitle === 'tracker' && s?.rollout === 'FINISHED',
    );
    expect(status).toMatchObject({
      deviceName: 'ota-mqtt-device',
      rollout: 'FINISHED',
      targetTitle: 'tracker',
      targetVersion: '1.1',
      state: 'UPDATED',
      currentTitle: 'tracker',
      // Stored as a DOUBLE by the JSON type cast (as ThingsBoard does), shown as the device wrote it.
      currentVersion: '1.1',
    });
    const history = await rest.request(
      'GET',
      `/api/plugins/telemetry/DEVICE/${deviceId}/values/timeseries?keys=fw_state&startTs=0&endTs=${Date.now() + 1000}&orderBy=ASC`,
    );
    expect(history.body.fw_state.map((p: { value: string }) => p.value)).toEqual(['QUEUED', 'INITIATED', ...REPORTED_STATES]);
  });

  it('delivers it to an HTTP device the same way', async () => {
    const token = 'OTA_HTTP_TOKEN';
    const deviceId = await createDevice('ota-http-device', token);
    const device = (path: string, init?: RequestInit) => fetch(`${product.url}/api/v1/${token}${path}`, init);
    const readShared = async () =>
      (
        (await (await device('/attributes?sharedKeys=fw_title,fw_version,fw_size,fw_checksum_algorithm,fw_checksum')).json()) as {
          shared?: FwAttributes;
        }
      ).shared;
    const fw = (await eventually(readShared, (values) => values?.fw_title !== undefined))!;
    expect(fw).toMatchObject({ fw_title: 'tracker', fw_version: '1.1', fw_size: FIRMWARE.length });

    const report = async (state: string) =>
      expect((await device('/telemetry', { method: 'POST', body: stateReport(state) })).status).toBe(200);
    await report('DOWNLOADING');
    const chunks: Buffer[] = [];
    for (let chunk = 0; ; chunk++) {
      const response = await device(`/firmware?title=${fw.fw_title}&version=${fw.fw_version}&size=${CHUNK_BYTES}&chunk=${chunk}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-filename')).toBe('tracker-1.1.bin');
      const bytes = Buffer.from(await response.arrayBuffer());
      if (bytes.length === 0) break;
      chunks.push(bytes);
    }
    expect(createHash('sha256').update(Buffer.concat(chunks)).digest('hex')).toBe(fw.fw_checksum);
    for (const state of REPORTED_STATES.slice(1)) await report(state);

    const status = await eventually(
      () => updateStatus(deviceId),
      // The rollout step follows the reported state moments later (it reacts to the stored telemetry).
      (s) => s?.state === 'UPDATED' && s?.rollout === 'FINISHED',
    );
    expect(status).toMatchObject({ deviceName: 'ota-http-device', rollout: 'FINISHED', targetVersion: '1.1', state: 'UPDATED' });
  });

  it('pushes a new assignment to a subscribed device, and the deletion of its attributes on unassignment', async () => {
    const token = 'OTA_PUSH_TOKEN';
    await createDevice('ota-push-device', token);
    const client = await connectMqtt(product.ports.mqtt.mqtt, { username: token });
    clients.push(client);
    const pushes: Record<string, unknown>[] = [];
    client.on('message', (_topic, payload) => pushes.push(JSON.parse(payload.toString())));
    await client.subscribeAsync('v1/devices/me/attributes', { qos: 1 });

    const newer = await createPackage('1.2');
    expect((await uploadFirmware(newer, randomBytes(1000))).status).toBe(200);
    const profile = (await rest.request('GET', `/api/deviceProfile/${profileId}`)).body;
    await rest.request('POST', '/api/deviceProfile', { ...profile, firmwareId: { entityType: 'OTA_PACKAGE', id: newer } });
    const announced = await eventually(
      async () => pushes.find((p) => p.fw_version === '1.2'),
      (p) => p !== undefined,
    );
    expect(announced).toMatchObject({ fw_title: 'tracker', fw_version: '1.2', fw_size: 1000, fw_checksum_algorithm: 'SHA256' });

    const current = (await rest.request('GET', `/api/deviceProfile/${profileId}`)).body;
    await rest.request('POST', '/api/deviceProfile', { ...current, firmwareId: { entityType: 'OTA_PACKAGE', id: packageId } });
    await eventually(
      async () => pushes.filter((p) => p.fw_version === '1.1').length,
      (n) => n === 1,
    );
    await rest.request('POST', '/api/deviceProfile', {
      ...(await rest.request('GET', `/api/deviceProfile/${profileId}`)).body,
      firmwareId: null,
    });
    const deleted = await eventually(
      async () => pushes.find((p) => Array.isArray(p.deleted) && p.deleted.includes('fw_title')),
      (p) => p !== undefined,
    );
    expect(deleted).toEqual({
      deleted: expect.arrayContaining(['fw_title', 'fw_version', 'fw_size', 'fw_checksum', 'fw_checksum_algorithm']),
    });
    // Back to 1.1 for the next test.
    await rest.request('POST', '/api/deviceProfile', {
      ...(await rest.request('GET', `/api/deviceProfile/${profileId}`)).body,
      firmwareId: { entityType: 'OTA_PACKAGE', id: packageId },
    });
  });

  it('answers bad requests the way the contract says', async () => {
    const token = 'OTA_BAD_INPUT_TOKEN';
    await createDevice('ota-bad-input-device', token);
    const firmware = (query: string) => fetch(`${product.url}/api/v1/${token}/firmware?${query}`);
    const past = await firmware(`title=tracker&version=1.1&size=${CHUNK_BYTES}&chunk=${FIRMWARE.length / CHUNK_BYTES}`);
    expect(past.status).toBe(200);
    expect((await past.arrayBuffer()).byteLength).toBe(0);
    expect((await firmware('title=tracker&version=9.9')).status).toBe(400);
    expect((await fetch(`${product.url}/api/v1/${token}/software?title=tracker&version=1.1`)).status).toBe(404);

    // MQTT: past the end is an empty chunk; nothing assigned is NOT_FOUND on v2/fw/error, then the server disconnects.
    const client = await connectMqtt(product.ports.mqtt.mqtt, { username: token });
    clients.push(client);
    await client.subscribeAsync('v2/fw/response/+/chunk/+', { qos: 1 });
    await client.subscribeAsync('v2/fw/error', { qos: 1 });
    const messages: { topic: string; payload: Buffer }[] = [];
    client.on('message', (topic, payload) => messages.push({ topic, payload }));
    await client.publishAsync('v2/fw/request/2/chunk/1024', '1024', { qos: 1 });
    await eventually(
      async () => messages.length,
      (n) => n === 1,
    );
    expect(messages[0]).toMatchObject({ topic: 'v2/fw/response/2/chunk/1024', payload: Buffer.alloc(0) });
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish('v2/sw/request/3/chunk/0', '1024', { qos: 1 });
    await closed;
    expect(messages[1]).toMatchObject({ topic: 'v2/fw/error' });
    expect(messages[1].payload.toString()).toBe('NOT_FOUND');

    const tooLarge = await uploadFirmware(await createPackage('too-large'), randomBytes(LIMIT_BYTES + 1));
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.message).toMatch(/limit of 2097152 bytes/);

    const refused = await rest.request('DELETE', `/api/otaPackage/${packageId}`);
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/referenced by the device profile cannot be deleted! Device profile 'ota-trackers'/);
  });
});
