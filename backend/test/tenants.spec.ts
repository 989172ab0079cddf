import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceEvents } from '../src/devices/device-events';
import { ApiClient, startTestApp, SYSADMIN, TENANT_ADMIN, TestApp } from './harness';
import { createCustomerUser, createSecondTenant, okBody, uniqueName } from './tenant-fixtures';

describe('tenants', () => {
  let app: TestApp;
  let sysApi: ApiClient;
  let tenantApi: ApiClient;

  beforeAll(async () => {
    app = await startTestApp();
    sysApi = await app.api.login(SYSADMIN);
    tenantApi = await app.api.login(TENANT_ADMIN);
  });
  afterAll(() => app?.close());

  const countTitled = async (text: string) =>
    okBody(await sysApi.get(`/api/tenants?pageSize=100&page=0&textSearch=${encodeURIComponent(text)}`), 'list').totalElements;

  it('creates a tenant in ThingsBoard’s shape, with its default device profile', async () => {
    const created = okBody(
      await sysApi.post('/api/tenant', { title: 'Acme', region: 'Global', country: 'Ukraine', additionalInfo: { description: 'd' } }),
      'create',
    );
    expect(created).toMatchObject({
      id: { entityType: 'TENANT' },
      title: 'Acme',
      name: 'Acme',
      region: 'Global',
      tenantProfileId: null,
      version: 1,
      country: 'Ukraine',
      city: null,
      email: null,
      additionalInfo: { description: 'd' },
      createdTime: expect.any(Number),
    });
    expect(okBody(await sysApi.get(`/api/tenant/${created.id.id}`), 'get')).toEqual(created);

    const admin = okBody(
      await sysApi.post('/api/user', { authority: 'TENANT_ADMIN', tenantId: created.id, email: `${uniqueName('acme')}@acme.example` }),
      'admin',
    );
    expect(admin.tenantId).toEqual(created.id);
  });

  it('gives a new tenant’s admin a working default device profile', async () => {
    const { adminApi } = await createSecondTenant(sysApi);
    expect(okBody(await adminApi.get('/api/deviceProfileInfo/default'), 'default profile').name).toBe('default');
  });

  it('refuses invalid bodies and writes nothing', async () => {
    const noTitle = await sysApi.post('/api/tenant', { title: '', country: 'Nowhere' });
    expect(noTitle.status).toBe(400);
    expect(noTitle.body.message).toBe('Tenant title should be specified!');
    const badEmail = await sysApi.post('/api/tenant', { title: 'Bad mail tenant', email: 'nope' });
    expect(badEmail.body.message).toBe("Invalid email address format 'nope'!");
    expect(await countTitled('Bad mail tenant')).toBe(0);
  });

  it('updates under optimistic locking', async () => {
    const created = okBody(await sysApi.post('/api/tenant', { title: uniqueName('Versioned') }), 'create');
    const updated = okBody(await sysApi.post('/api/tenant', { ...created, city: 'Kyiv', phone: '+380' }), 'update');
    expect(updated).toMatchObject({ city: 'Kyiv', phone: '+380', version: 2 });
    const stale = await sysApi.post('/api/tenant', { ...created, city: 'Lviv' });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ errorCode: 35, message: 'Tenant was already changed by someone else' });
    const unknownId = randomUUID();
    const unknown = await sysApi.post('/api/tenant', { id: { entityType: 'TENANT', id: unknownId }, title: 'Ghost tenant' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toBe(`Tenant with id [${unknownId}] is not found`);
    expect(await countTitled('Ghost tenant')).toBe(0);
  });

  it('pages tenants with title search and sorting', async () => {
    for (const title of ['Zeta list', 'Alpha list', 'Mid list']) okBody(await sysApi.post('/api/tenant', { title }), 'create');
    const page = okBody(await sysApi.get('/api/tenants?pageSize=2&page=0&textSearch=LIST&sortProperty=title&sortOrder=ASC'), 'page');
    expect(page).toMatchObject({ totalElements: 3, totalPages: 2, hasNext: true });
    expect(page.data.map((t: any) => t.title)).toEqual(['Alpha list', 'Mid list']);
    expect((await sysApi.get('/api/tenants?pageSize=10&page=-1')).status).toBe(400);
  });

  it('is for the system administrator only', async () => {
    const own = okBody(await tenantApi.get('/api/auth/user'), 'me').tenantId.id;
    for (const res of [
      await tenantApi.get('/api/tenants?pageSize=10&page=0'),
      await tenantApi.get(`/api/tenant/${own}`),
      await tenantApi.post('/api/tenant', { title: 'By tenant admin' }),
      await tenantApi.delete(`/api/tenant/${own}`),
    ]) {
      expect(res.status).toBe(403);
      expect(res.body.errorCode).toBe(20);
    }
    expect(await countTitled('By tenant admin')).toBe(0);
  });

  it('deleting a tenant removes everything it owns and nothing of other tenants', async () => {
    const { tenantId, adminApi } = await createSecondTenant(sysApi);
    const { customerId, userApi } = await createCustomerUser(adminApi, 'Doomed customer');
    const profile = okBody(
      await adminApi.post('/api/deviceProfile', {
        name: 'P1',
        type: 'DEFAULT',
        transportType: 'DEFAULT',
        profileData: { configuration: { type: 'DEFAULT' }, transportConfiguration: { type: 'DEFAULT' } },
      }),
      'profile',
    );
    const device = okBody(await adminApi.post('/api/device', { name: 'D1', type: 'P1', deviceProfileId: profile.id }), 'device');
    okBody(await adminApi.post(`/api/customer/${customerId}/device/${device.id.id}`), 'assign');
    const deviceId = device.id.id;
    // Telemetry rows are written directly: the point is that they are gone afterwards, which no API can show.
    const db = app.running.app.get(DataSource);
    await db.query(
      `INSERT INTO attribute_kv (entity_id, attribute_scope, attribute_key, str_v, last_update_ts) VALUES ('${deviceId}', 'SERVER_SCOPE', 'k', 'v', 1)`,
    );
    await db.query(`INSERT INTO ts_kv (entity_id, key, ts, long_v) VALUES ('${deviceId}', 1, 1, 42)`);
    await db.query(`INSERT INTO ts_kv_latest (entity_id, key, ts, long_v) VALUES ('${deviceId}', 1, 1, 42)`);
    const otherTenantsUser = okBody(await tenantApi.get('/api/auth/user'), 'me').id.id;
    await db.query(
      `INSERT INTO attribute_kv (entity_id, attribute_scope, attribute_key, str_v, last_update_ts) VALUES ('${otherTenantsUser}', 'SERVER_SCOPE', 'k', 'kept', 1)`,
    );
    const rowsOf = async () => ({
      users: Number((await db.query(`SELECT COUNT(*) AS n FROM tb_user WHERE tenant_id = '${tenantId}'`))[0].n),
      customers: Number((await db.query(`SELECT COUNT(*) AS n FROM customer WHERE tenant_id = '${tenantId}'`))[0].n),
      profiles: Number((await db.query(`SELECT COUNT(*) AS n FROM device_profile WHERE tenant_id = '${tenantId}'`))[0].n),
      devices: Number((await db.query(`SELECT COUNT(*) AS n FROM device WHERE tenant_id = '${tenantId}'`))[0].n),
      credentials: Number((await db.query(`SELECT COUNT(*) AS n FROM device_credentials WHERE device_id = '${deviceId}'`))[0].n),
      attributes: Number((await db.query(`SELECT COUNT(*) AS n FROM attribute_kv WHERE entity_id = '${deviceId}'`))[0].n),
      timeseries: Number((await db.query(`SELECT COUNT(*) AS n FROM ts_kv WHERE entity_id = '${deviceId}'`))[0].n),
      latest: Number((await db.query(`SELECT COUNT(*) AS n FROM ts_kv_latest WHERE entity_id = '${deviceId}'`))[0].n),
    });
    expect(await rowsOf()).toEqual({
      users: 2,
      customers: 1,
      profiles: 2,
      devices: 1,
      credentials: 1,
      attributes: 1,
      timeseries: 1,
      latest: 1,
    });

    const deletedDevices: string[] = [];
    app.running.app.get(DeviceEvents).on('deleted', (id) => deletedDevices.push(id));

    expect((await sysApi.delete(`/api/tenant/${tenantId}`)).status).toBe(200);
    expect(deletedDevices).toEqual([deviceId]); // transports drop the device's sessions and cached credentials
    expect((await sysApi.get(`/api/tenant/${tenantId}`)).status).toBe(404);
    expect(await rowsOf()).toEqual({
      users: 0,
      customers: 0,
      profiles: 0,
      devices: 0,
      credentials: 0,
      attributes: 0,
      timeseries: 0,
      latest: 0,
    });
    expect((await adminApi.get('/api/auth/user')).status).toBe(401);
    expect((await userApi.get('/api/auth/user')).status).toBe(401);

    expect(okBody(await tenantApi.get('/api/deviceProfileInfo/default'), 'other tenant untouched').name).toBe('default');
    expect(await db.query(`SELECT str_v FROM attribute_kv WHERE entity_id = '${otherTenantsUser}'`)).toEqual([{ str_v: 'kept' }]);
    expect((await sysApi.delete(`/api/tenant/${tenantId}`)).status).toBe(404);
  });
});
