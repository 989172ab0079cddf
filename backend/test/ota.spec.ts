import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './eventually';
import { ApiClient, HttpResult, startTestApp, SYSADMIN, TENANT_ADMIN, TestApp } from './harness';
import { createSecondTenant, okBody, uniqueName } from './tenant-fixtures';

const LIMIT_BYTES = 64 * 1024;

/** A device profile made through the REST API; returns its id. */
async function createProfile(api: ApiClient, name = uniqueName('ota-profile')): Promise<string> {
  const body = {
    name,
    type: 'DEFAULT',
    transportType: 'DEFAULT',
    profileData: { configuration: { type: 'DEFAULT' }, transportConfiguration: { type: 'DEFAULT' } },
  };
  return okBody(await api.post('/api/deviceProfile', body), 'create profile').id.id;
}

/** Sets (or clears, with null) a profile's package of `field`, as the admin UI does: read, change, save. */
async function assignToProfile(api: ApiClient, profileId: string, field: 'firmwareId' | 'softwareId', packageId: string | null) {
  const profile = okBody(await api.get(`/api/deviceProfile/${profileId}`), 'read profile');
  return api.post('/api/deviceProfile', { ...profile, [field]: packageId && { entityType: 'OTA_PACKAGE', id: packageId } });
}

async function createDevice(api: ApiClient, profileId: string, token = uniqueName('OTA_TOKEN')) {
  const device = okBody(
    await api.post(`/api/device?accessToken=${token}`, { name: uniqueName('ota-device'), deviceProfileId: { id: profileId } }),
    'create device',
  );
  return { id: device.id.id as string, token, device };
}

function packageInfo(profileId: string, overrides: Record<string, unknown> = {}) {
  return {
    title: uniqueName('fw'),
    version: '1.0',
    tag: 'fw 1.0',
    type: 'FIRMWARE',
    deviceProfileId: { entityType: 'DEVICE_PROFILE', id: profileId },
    ...overrides,
  };
}

/** `POST /api/otaPackage/{id}` with a multipart `file` part, as the ThingsBoard UI sends it. */
async function upload(api: ApiClient, packageId: string, data: Buffer, query: string): Promise<HttpResult> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(data)], { type: 'application/x-firmware' }), 'tracker.bin');
  const response = await fetch(`${api.baseUrl}/api/otaPackage/${packageId}?${query}`, {
    method: 'POST',
    headers: { 'x-authorization': `Bearer ${api.token}` },
    body: form,
  });
  const text = await response.text();
  return { status: response.status, text, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

/** A package of the profile with `data` uploaded; returns its info. */
async function uploadedPackage(api: ApiClient, profileId: string, data: Buffer, overrides: Record<string, unknown> = {}) {
  const info = okBody(await api.post('/api/otaPackage', packageInfo(profileId, overrides)), 'create package');
  return okBody(await upload(api, info.id.id, data, 'checksumAlgorithm=SHA256'), 'upload');
}

const sharedAttributes = async (api: ApiClient, deviceId: string): Promise<Record<string, unknown>> =>
  Object.fromEntries(
    okBody(await api.get(`/api/plugins/telemetry/DEVICE/${deviceId}/values/attributes/SHARED_SCOPE`), 'shared').map(
      (a: { key: string; value: unknown }) => [a.key, a.value],
    ),
  );

const latest = async (api: ApiClient, deviceId: string, keys: string) =>
  okBody(await api.get(`/api/plugins/telemetry/DEVICE/${deviceId}/values/timeseries?keys=${keys}`), 'latest');

describe('OTA packages', () => {
  let app: TestApp;
  let api: ApiClient;
  let profileId: string;

  beforeAll(async () => {
    app = await startTestApp({ OTA_MAX_PACKAGE_BYTES: String(LIMIT_BYTES) });
    api = await app.api.login(TENANT_ADMIN);
    profileId = await createProfile(api);
  });
  afterAll(() => app?.close());

  const otaFiles = () => readdirSync(join(app.dataDir, 'ota')).filter((name) => name !== 'incoming');
  const incomingFiles = () => (existsSync(join(app.dataDir, 'ota', 'incoming')) ? readdirSync(join(app.dataDir, 'ota', 'incoming')) : []);

  it('creates a package description in ThingsBoard shape, without data yet', async () => {
    const created = await api.post(
      '/api/otaPackage',
      packageInfo(profileId, { title: 'tracker', additionalInfo: { description: 'first' } }),
    );
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      id: { entityType: 'OTA_PACKAGE' },
      tenantId: { entityType: 'TENANT' },
      deviceProfileId: { entityType: 'DEVICE_PROFILE', id: profileId },
      type: 'FIRMWARE',
      title: 'tracker',
      version: '1.0',
      tag: 'fw 1.0',
      url: null,
      hasData: false,
      fileName: null,
      checksumAlgorithm: null,
      dataSize: null,
      additionalInfo: { description: 'first' },
    });
    const again = await api.post('/api/otaPackage', packageInfo(profileId, { title: 'tracker' }));
    expect(again.status).toBe(400);
    expect(again.body.message).toBe('OtaPackage with such title and version already exists!');
  });

  it('lets an update change additionalInfo only', async () => {
    const created = okBody(await api.post('/api/otaPackage', packageInfo(profileId)), 'create');
    const updated = await api.post('/api/otaPackage', { ...created, additionalInfo: { description: 'second' } });
    expect(updated.body.additionalInfo).toEqual({ description: 'second' });
    const renamed = await api.post('/api/otaPackage', { ...created, version: '2.0' });
    expect(renamed.status).toBe(400);
    expect(renamed.body.message).toBe('Updating otaPackage version is prohibited!');
  });

  it('refuses descriptions without title, version, type or a device profile of the tenant', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ title: ' ' }, /title should be specified/],
      [{ version: '' }, /version should be specified/],
      [{ type: 'BOOTLOADER' }, /use FIRMWARE or SOFTWARE/],
      [{ deviceProfileId: null }, /set deviceProfileId/],
      [{ deviceProfileId: { id: '784f394c-42b6-435a-983c-b7beff2784f9' } }, /non-existent device profile/],
      [{ usesUrl: true }, /URL should be specified/],
    ];
    for (const [overrides, message] of cases) {
      const refused = await api.post('/api/otaPackage', packageInfo(profileId, overrides));
      expect(refused.status, JSON.stringify(overrides)).toBe(400);
      expect(refused.body.message).toMatch(message);
    }
  });

  it.each([
    ['SHA256', (d: Buffer) => createHash('sha256').update(d).digest('hex')],
    ['SHA384', (d: Buffer) => createHash('sha384').update(d).digest('hex')],
    ['SHA512', (d: Buffer) => createHash('sha512').update(d).digest('hex')],
    ['MD5', (d: Buffer) => createHash('md5').update(d).digest('hex')],
    // ThingsBoard prints CRC32 as its four bytes little-endian (what the device SDKs compare with).
    ['CRC32', (d: Buffer) => Buffer.from(new Uint32Array([crc32(d)]).buffer).toString('hex')],
  ])('stores an upload with its %s checksum and serves the same bytes back', async (algorithm, expected) => {
    const data = randomBytes(40_000);
    const created = okBody(await api.post('/api/otaPackage', packageInfo(profileId)), 'create');
    const stored = await upload(api, created.id.id, data, `checksumAlgorithm=${algorithm.toLowerCase()}`);
    expect(stored.status).toBe(200);
    expect(stored.body).toMatchObject({
      hasData: true,
      dataSize: data.length,
      fileName: 'tracker.bin',
      contentType: 'application/x-firmware',
      checksumAlgorithm: algorithm,
      checksum: expected(data),
    });
    expect(okBody(await api.get(`/api/otaPackage/info/${created.id.id}`), 'info')).toEqual(stored.body);

    const download = await fetch(`${app.url}/api/otaPackage/${created.id.id}/download`, {
      headers: { 'x-authorization': `Bearer ${api.token}` },
    });
    expect(download.status).toBe(200);
    expect(download.headers.get('x-filename')).toBe('tracker.bin');
    expect(download.headers.get('content-disposition')).toBe('attachment;filename=tracker.bin');
    expect(download.headers.get('content-type')).toBe('application/x-firmware');
    expect(Buffer.from(await download.arrayBuffer()).equals(data)).toBe(true);
  });

  it('accepts a given checksum that matches and refuses one that does not, keeping nothing', async () => {
    const data = randomBytes(1000);
    const sha = createHash('sha256').update(data).digest('hex');
    const matching = okBody(await api.post('/api/otaPackage', packageInfo(profileId)), 'create');
    expect((await upload(api, matching.id.id, data, `checksumAlgorithm=SHA256&checksum=${sha.toUpperCase()}`)).status).toBe(200);

    const wrong = okBody(await api.post('/api/otaPackage', packageInfo(profileId)), 'create');
    const refused = await upload(api, wrong.id.id, data, `checksumAlgorithm=SHA256&checksum=${'0'.repeat(64)}`);
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/^Wrong otaPackage file! Its SHA256 checksum is [0-9a-f]{64}, not the given 0+/);
    expect(okBody(await api.get(`/api/otaPackage/info/${wrong.id.id}`), 'info').hasData).toBe(false);
    expect(otaFiles()).not.toContain(wrong.id.id);
    expect(incomingFiles()).toEqual([]);
  });

  it('computes MURMUR3_32 and MURMUR3_128 from the complete file, checks a given one and keeps nothing on a mismatch', async () => {
    // Expected values from Python's mmh3 (seed 0), bytes little-endian: what ThingsBoard stores and its SDKs compare.
    const pattern = Buffer.from(Array.from({ length: 60_000 }, (_, i) => i % 251));
    const cases: [string, Buffer, string][] = [
      ['MURMUR3_32', pattern, '172e8c9d'],
      ['MURMUR3_128', pattern, '6b4f5cccad862899c96b44e2e8f896fa'],
      ['MURMUR3_32', Buffer.from('hello'), '47fa8b24'],
      ['MURMUR3_128', Buffer.from('hello'), '029bbd41b3a7d8cb191dae486a901e5b'],
    ];
    for (const [algorithm, data, expected] of cases) {
      const computed = okBody(await api.post('/api/otaPackage', packageInfo(profileId)), 'create');
      const stored = await upload(api, computed.id.id, data, `checksumAlgorithm=${algorithm.toLowerCase()}`);
      expect(stored.body, algorithm).toMatchObject({
        hasData: true,
        dataSize: data.length,
        checksumAlgorithm: algorithm,
        checksum: expected,
      });

      const given = okBody(await api.post('/api/otaPackage', packageInfo(profileId)), 'create');
      const matching = await upload(api, given.id.id, data, `checksumAlgorithm=${algorithm}&checksum=${expected.toUpperCase()}`);
      expect(matching.body, algorithm).toMatchObject({ checksumAlgorithm: algorithm, checksum: expected });
    }
    const download = await fetch(`${app.url}/api/otaPackage/${(await uploadedPackage(api, profileId, pattern)).id.id}/download`, {
      headers: { 'x-authorization': `Bearer ${api.token}` },
    });
    expect(Buffer.from(await download.arrayBuffer()).equals(pattern)).toBe(true);

    const wrong = okBody(await api.post('/api/otaPackage', packageInfo(profileId)), 'create');
    const refused = await upload(api, wrong.id.id, pattern, `checksumAlgorithm=MURMUR3_128&checksum=${'0'.repeat(32)}`);
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(
      /^Wrong otaPackage file! Its MURMUR3_128 checksum is 6b4f5cccad862899c96b44e2e8f896fa, not the given 0+/,
    );
    expect(okBody(await api.get(`/api/otaPackage/info/${wrong.id.id}`), 'info').hasData).toBe(false);
    expect(otaFiles()).not.toContain(wrong.id.id);
    expect(incomingFiles()).toEqual([]);
  });

  it('answers 413 to an upload over OTA_MAX_PACKAGE_BYTES and keeps nothing', async () => {
    const created = okBody(await api.post('/api/otaPackage', packageInfo(profileId)), 'create');
    const refused = await upload(api, created.id.id, randomBytes(LIMIT_BYTES + 1), 'checksumAlgorithm=SHA256');
    expect(refused.status).toBe(413);
    expect(refused.body.message).toMatch(`limit of ${LIMIT_BYTES} bytes: nothing was kept`);
    expect(okBody(await api.get(`/api/otaPackage/info/${created.id.id}`), 'info').hasData).toBe(false);
    expect(otaFiles()).not.toContain(created.id.id);
    expect(incomingFiles()).toEqual([]);
    // Exactly the limit is fine.
    expect((await upload(api, created.id.id, randomBytes(LIMIT_BYTES), 'checksumAlgorithm=SHA256')).status).toBe(200);
  });

  it('refuses a second upload, an unknown algorithm, a missing file and a URL package', async () => {
    const stored = await uploadedPackage(api, profileId, randomBytes(100));
    const again = await upload(api, stored.id.id, randomBytes(100), 'checksumAlgorithm=SHA256');
    expect(again.status).toBe(400);
    expect(again.body.message).toMatch(/^Updating otaPackage data is prohibited!/);

    const fresh = okBody(await api.post('/api/otaPackage', packageInfo(profileId)), 'create');
    const unknown = await upload(api, fresh.id.id, randomBytes(10), 'checksumAlgorithm=SHA1');
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/^Unsupported checksumAlgorithm 'SHA1': use one of .*MURMUR3_32, MURMUR3_128$/);
    expect((await upload(api, fresh.id.id, randomBytes(10), '')).body.message).toMatch(/'checksumAlgorithm' is not present/);
    const noFile = await api.request('POST', `/api/otaPackage/${fresh.id.id}?checksumAlgorithm=SHA256`, {});
    expect(noFile.status).toBe(400);
    expect(noFile.body.message).toMatch(/'file' is not present/);

    const byUrl = okBody(
      await api.post('/api/otaPackage', packageInfo(profileId, { url: 'http://example.test/fw.bin', usesUrl: true })),
      'url',
    );
    expect(byUrl).toMatchObject({ hasData: true, url: 'http://example.test/fw.bin', dataSize: null });
    expect((await upload(api, byUrl.id.id, randomBytes(10), 'checksumAlgorithm=SHA256')).body.message).toMatch(/URL present/);
    expect((await api.get(`/api/otaPackage/${byUrl.id.id}/download`)).status).toBe(400);
  });

  it('pages the tenant packages, and per profile and type only those that can be assigned', async () => {
    const otherProfile = await createProfile(api);
    const ready = await uploadedPackage(api, otherProfile, randomBytes(10), { title: 'paged-ready' });
    okBody(await api.post('/api/otaPackage', packageInfo(otherProfile, { title: 'paged-empty' })), 'empty');
    okBody(await api.post('/api/otaPackage', packageInfo(otherProfile, { title: 'paged-software', type: 'SOFTWARE' })), 'software');

    const forProfile = okBody(await api.get(`/api/otaPackages/${otherProfile}/FIRMWARE?pageSize=10&page=0`), 'profile page');
    expect(forProfile.data.map((p: { title: string }) => p.title)).toEqual(['paged-ready']);
    const searched = okBody(await api.get('/api/otaPackages?pageSize=1&page=0&textSearch=PAGED&sortProperty=title&sortOrder=DESC'), 'page');
    expect(searched).toMatchObject({ totalElements: 3, totalPages: 3, hasNext: true, data: [{ title: 'paged-software' }] });
    expect((await api.get('/api/otaPackages?pageSize=10&page=0&sortProperty=secret')).status).toBe(400);
    expect(ready.title).toBe('paged-ready');
  });

  it('deletes the packages of a deleted device profile with their binaries', async () => {
    const doomed = await createProfile(api);
    const stored = await uploadedPackage(api, doomed, randomBytes(10));
    expect(otaFiles()).toContain(stored.id.id);
    expect((await api.delete(`/api/deviceProfile/${doomed}`)).status).toBe(200);
    // The packages go right after the profile: the answer does not wait for them.
    const gone = await eventually(
      async () => ({ status: (await api.get(`/api/otaPackage/info/${stored.id.id}`)).status, file: otaFiles().includes(stored.id.id) }),
      (state) => state.status === 404 && !state.file,
    );
    expect(gone).toEqual({ status: 404, file: false });
  });

  it('keeps packages to their tenant', async () => {
    const stored = await uploadedPackage(api, profileId, randomBytes(10));
    const { adminApi } = await createSecondTenant(await app.api.login(SYSADMIN));
    expect((await adminApi.get(`/api/otaPackage/info/${stored.id.id}`)).status).toBe(403);
    expect((await adminApi.get(`/api/otaPackage/${stored.id.id}/download`)).status).toBe(403);
    expect(okBody(await adminApi.get('/api/otaPackages?pageSize=10&page=0'), 'page').totalElements).toBe(0);
    const otherProfile = await createProfile(adminApi);
    const device = await createDevice(adminApi, otherProfile);
    const foreign = await adminApi.post('/api/device', { ...device.device, firmwareId: { id: stored.id.id } });
    expect(foreign.body.message).toMatch(/^Can't assign non-existent firmware!/);
  });

  describe('assignment', () => {
    it('validates what devices and profiles are saved with', async () => {
      const firmware = await uploadedPackage(api, profileId, randomBytes(10));
      const software = await uploadedPackage(api, profileId, randomBytes(10), { type: 'SOFTWARE' });
      const empty = okBody(await api.post('/api/otaPackage', packageInfo(profileId)), 'empty');
      const otherProfile = await createProfile(api);
      const { device } = await createDevice(api, profileId);
      const save = (changes: Record<string, unknown>) => api.post('/api/device', { ...device, ...changes });

      expect((await save({ firmwareId: { id: software.id.id } })).body.message).toMatch(/^Can't assign firmware with type: SOFTWARE!/);
      expect((await save({ softwareId: { id: firmware.id.id } })).body.message).toMatch(/^Can't assign software with type: FIRMWARE!/);
      expect((await save({ firmwareId: { id: empty.id.id } })).body.message).toMatch(/^Can't assign firmware with empty data!/);
      expect((await save({ firmwareId: { id: 'not-a-uuid' } })).body.message).toMatch(/^Can't assign non-existent firmware!/);
      const moved = await save({ deviceProfileId: { id: otherProfile }, firmwareId: { id: firmware.id.id } });
      expect(moved.body.message).toMatch(/^Can't assign firmware with different deviceProfile!/);
      expect((await assignToProfile(api, otherProfile, 'firmwareId', firmware.id.id)).body.message).toMatch(/different deviceProfile/);
      expect((await save({ firmwareId: { id: firmware.id.id } })).body.firmwareId).toEqual({
        entityType: 'OTA_PACKAGE',
        id: firmware.id.id,
      });
    });

    it('queues, initiates and announces a profile assignment on devices without their own, and deletes it on unassignment', async () => {
      const ownProfile = await createProfile(api);
      const data = randomBytes(5000);
      const firmware = await uploadedPackage(api, ownProfile, data, { title: 'tracker-fw', version: '1.1', tag: 'tracker 1.1' });
      const own = await uploadedPackage(api, ownProfile, randomBytes(10), { title: 'own-fw', tag: null });
      const follower = await createDevice(api, ownProfile);
      const pinned = await createDevice(api, ownProfile);
      okBody(await api.post('/api/device', { ...pinned.device, firmwareId: { id: own.id.id } }), 'pin');

      okBody(await assignToProfile(api, ownProfile, 'firmwareId', firmware.id.id), 'assign');
      const attributes = await eventually(
        () => sharedAttributes(api, follower.id),
        (a) => a.fw_title !== undefined,
      );
      expect(attributes).toEqual({
        fw_title: 'tracker-fw',
        fw_version: '1.1',
        fw_tag: 'tracker 1.1',
        fw_size: 5000,
        fw_checksum_algorithm: 'SHA256',
        fw_checksum: createHash('sha256').update(data).digest('hex'),
      });
      const telemetry = await latest(api, follower.id, 'target_fw_title,target_fw_version,target_fw_tag,target_fw_ts,fw_state');
      expect(telemetry).toMatchObject({
        target_fw_title: [{ value: 'tracker-fw' }],
        target_fw_version: [{ value: '1.1' }],
        target_fw_tag: [{ value: 'tracker 1.1' }],
        fw_state: [{ value: 'INITIATED' }],
      });
      const history = okBody(
        await api.get(
          `/api/plugins/telemetry/DEVICE/${follower.id}/values/timeseries?keys=fw_state&startTs=0&endTs=${Date.now() + 1000}&orderBy=ASC`,
        ),
        'history',
      );
      expect(history.fw_state.map((p: { value: string }) => p.value)).toEqual(['QUEUED', 'INITIATED']);
      expect(Number(telemetry.target_fw_ts[0].value)).toBe(history.fw_state[0].ts);

      // The device with its own package keeps it; a package without tag has no fw_tag.
      const pinnedAttributes = await eventually(
        () => sharedAttributes(api, pinned.id),
        (a) => a.fw_title !== undefined,
      );
      expect(pinnedAttributes).toMatchObject({ fw_title: 'own-fw' });
      expect(pinnedAttributes).not.toHaveProperty('fw_tag');

      okBody(await assignToProfile(api, ownProfile, 'firmwareId', null), 'unassign');
      expect(
        await eventually(
          () => sharedAttributes(api, follower.id),
          (a) => Object.keys(a).length === 0,
        ),
      ).toEqual({});
      expect((await sharedAttributes(api, pinned.id)).fw_title).toBe('own-fw');
    });

    it('refuses to delete a package while a profile or device has it, naming where, then deletes it and its binary', async () => {
      const deleteProfile = await createProfile(api, uniqueName('Trackers'));
      const firmware = await uploadedPackage(api, deleteProfile, randomBytes(10));
      okBody(await assignToProfile(api, deleteProfile, 'firmwareId', firmware.id.id), 'assign profile');
      const onProfile = await api.delete(`/api/otaPackage/${firmware.id.id}`);
      expect(onProfile.status).toBe(400);
      expect(onProfile.body.message).toMatch(
        /^The otaPackage referenced by the device profile cannot be deleted! Device profile 'Trackers-/,
      );

      okBody(await assignToProfile(api, deleteProfile, 'firmwareId', null), 'unassign profile');
      const { device } = await createDevice(api, deleteProfile);
      okBody(await api.post('/api/device', { ...device, firmwareId: { id: firmware.id.id } }), 'assign device');
      const onDevice = await api.delete(`/api/otaPackage/${firmware.id.id}`);
      expect(onDevice.status).toBe(400);
      expect(onDevice.body.message).toMatch(`The otaPackage referenced by the devices cannot be deleted! Device '${device.name}' has it`);

      const current = okBody(await api.get(`/api/device/${device.id.id}`), 'device');
      okBody(await api.post('/api/device', { ...current, firmwareId: null }), 'unassign device');
      expect(otaFiles()).toContain(firmware.id.id);
      expect((await api.delete(`/api/otaPackage/${firmware.id.id}`)).status).toBe(200);
      expect((await api.get(`/api/otaPackage/info/${firmware.id.id}`)).status).toBe(404);
      expect(otaFiles()).not.toContain(firmware.id.id);
    });
  });
});

describe('OTA rollout limit', () => {
  let app: TestApp;
  let api: ApiClient;

  beforeAll(async () => {
    app = await startTestApp({ OTA_MAX_CONCURRENT_UPDATES: '1' });
    api = await app.api.login(TENANT_ADMIN);
  });
  afterAll(() => app?.close());

  const report = (token: string, state: string) =>
    fetch(`${app.url}/api/v1/${token}/telemetry`, { method: 'POST', body: JSON.stringify({ fw_state: state }) });
  const status = async (profileId: string) =>
    okBody(await api.get(`/api/otaPackage/status?type=FIRMWARE&deviceProfileId=${profileId}&pageSize=10&page=0`), 'status').data as {
      deviceName: string;
      rollout: string;
      state: string;
      targetTitle: string;
      currentVersion: string | null;
    }[];

  it('initiates one device at a time and the next when the updating one reports UPDATED or FAILED', async () => {
    const profileId = await createProfile(api);
    const firmware = await uploadedPackage(api, profileId, randomBytes(100), { title: 'rollout-fw' });
    const devices: Awaited<ReturnType<typeof createDevice>>[] = [];
    for (let i = 0; i < 3; i++) devices.push(await createDevice(api, profileId));
    const deviceNamed = (name: string) => devices.find((d) => d.device.name === name)!;
    okBody(await assignToProfile(api, profileId, 'firmwareId', firmware.id.id), 'assign');

    const first = await eventually(
      () => status(profileId),
      (rows) => rows.some((r) => r.rollout === 'INITIATED'),
    );
    expect(first).toHaveLength(3);
    expect(first.filter((r) => r.rollout === 'INITIATED')).toHaveLength(1);
    expect(first.filter((r) => r.rollout === 'QUEUED').map((r) => r.state)).toEqual(['QUEUED', 'QUEUED']);
    expect(first.every((r) => r.targetTitle === 'rollout-fw')).toBe(true);

    const attributed = async () => {
      const counts = await Promise.all(devices.map(async (d) => (await sharedAttributes(api, d.id)).fw_title !== undefined));
      return counts.filter(Boolean).length;
    };
    expect(await attributed()).toBe(1);

    const firstDevice = deviceNamed(first.find((r) => r.rollout === 'INITIATED')!.deviceName);
    expect((await report(firstDevice.token, 'DOWNLOADING')).status).toBe(200);
    // A version that looks like a number is shown as the device wrote it (`2.0`, not 2).
    const current = JSON.stringify({ current_fw_title: 'rollout-fw', current_fw_version: '2.0' });
    expect((await fetch(`${app.url}/api/v1/${firstDevice.token}/telemetry`, { method: 'POST', body: current })).status).toBe(200);
    expect((await report(firstDevice.token, 'UPDATED')).status).toBe(200);
    const second = await eventually(
      () => status(profileId),
      (rows) => rows.filter((r) => r.rollout === 'FINISHED').length === 1 && rows.some((r) => r.rollout === 'INITIATED'),
    );
    expect(second.find((r) => r.deviceName === firstDevice.device.name)).toMatchObject({
      rollout: 'FINISHED',
      state: 'UPDATED',
      currentVersion: '2.0',
    });
    expect(second.filter((r) => r.rollout === 'QUEUED')).toHaveLength(1);
    expect(await attributed()).toBe(2);

    const secondDevice = deviceNamed(second.find((r) => r.rollout === 'INITIATED')!.deviceName);
    await report(secondDevice.token, 'FAILED');
    const third = await eventually(
      () => status(profileId),
      (rows) => rows.filter((r) => r.rollout === 'FINISHED').length === 2 && rows.some((r) => r.rollout === 'INITIATED'),
    );
    expect(third.filter((r) => r.rollout === 'QUEUED')).toHaveLength(0);
    expect(await attributed()).toBe(3);
  });

  it('frees the place of an updating device that is deleted', async () => {
    const profileId = await createProfile(api);
    const firmware = await uploadedPackage(api, profileId, randomBytes(100), { title: 'rollout-delete' });
    await createDevice(api, profileId);
    await createDevice(api, profileId);
    okBody(await assignToProfile(api, profileId, 'firmwareId', firmware.id.id), 'assign');
    // The rollout of the previous test still holds nothing: its last device never reported.
    const rows = await eventually(
      () => status(profileId),
      (r) => r.length === 2,
    );
    expect(rows.every((r) => r.rollout === 'QUEUED')).toBe(true);

    const blocking = okBody(await api.get('/api/otaPackage/status?type=FIRMWARE&pageSize=50&page=0'), 'all').data.find(
      (r: { rollout: string }) => r.rollout === 'INITIATED',
    );
    expect((await api.delete(`/api/device/${blocking.deviceId.id}`)).status).toBe(200);
    const after = await eventually(
      () => status(profileId),
      (r) => r.some((row) => row.rollout === 'INITIATED'),
    );
    expect(after.filter((r) => r.rollout === 'INITIATED')).toHaveLength(1);
  });

  it('searches the status view by device name and asks for the package type', async () => {
    const none = okBody(await api.get('/api/otaPackage/status?type=FIRMWARE&textSearch=no-such-device&pageSize=10&page=0'), 'search');
    expect(none).toEqual({ data: [], totalPages: 0, totalElements: 0, hasNext: false });
    const some = okBody(await api.get('/api/otaPackage/status?type=firmware&textSearch=OTA-DEVICE&pageSize=2&page=0'), 'search');
    expect(some.data).toHaveLength(2);
    expect(some.hasNext).toBe(true);
    expect((await api.get('/api/otaPackage/status?pageSize=10&page=0')).body.message).toMatch(/'type' is not present/);
  });
});
