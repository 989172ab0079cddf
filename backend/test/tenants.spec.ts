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
    // Rule chains (the default root chain and one more), a relation, an alarm with comments.
    const chain = okBody(await adminApi.post('/api/ruleChain', { name: 'Doomed chain' }), 'chain');
    okBody(
      await adminApi.post('/api/ruleChain/metadata', {
        ruleChainId: chain.id,
        firstNodeIndex: 0,
        nodes: [{ type: 'org.thingsboard.rule.engine.action.TbLogNode', name: 'Log', configuration: {} }],
        connections: [],
      }),
      'chain nodes',
    );
    okBody(
      await adminApi.post('/api/relation', { from: device.id, to: { entityType: 'CUSTOMER', id: customerId }, type: 'Contains' }),
      'relation',
    );
    const alarm = okBody(await adminApi.post('/api/alarm', { originator: device.id, type: 'Doomed', severity: 'MAJOR' }), 'alarm');
    okBody(await adminApi.post(`/api/alarm/${alarm.id.id}/comment`, { comment: { text: 'bye' } }), 'alarm comment');
    // Events and RPC rows come from running devices and chains; written directly here.
    await db.query(
      `INSERT INTO event (tenant_id, entity_id, event_type, ts, id, entity_type, server) VALUES ('${tenantId}', '${chain.id.id}', 'LC_EVENT', 1, '${randomUUID()}', 'RULE_CHAIN', 'test')`,
    );
    await db.query(
      `INSERT INTO rpc (id, created_time, tenant_id, device_id, expiration_time, request, status) VALUES ('${randomUUID()}', 1, '${tenantId}', '${deviceId}', 2, '{}', 'QUEUED')`,
    );
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

    const count = async (sql: string) => Number((await db.query(sql))[0].n);
    // Nodes, versions and comments are keyed by their chain or alarm: counted by the ids the tenant had.
    const idsOf = async (sql: string) => (await db.query(sql)).map((r: { id: string }) => `'${r.id}'`).join(', ');
    const chainIds = await idsOf(`SELECT id FROM rule_chain WHERE tenant_id = '${tenantId}'`);
    const alarmIds = await idsOf(`SELECT id FROM alarm WHERE tenant_id = '${tenantId}'`);
    const ruleEngineRowsOf = async () => ({
      ruleChains: await count(`SELECT COUNT(*) AS n FROM rule_chain WHERE tenant_id = '${tenantId}'`),
      ruleNodes: await count(`SELECT COUNT(*) AS n FROM rule_node WHERE rule_chain_id IN (${chainIds})`),
      chainVersions: await count(`SELECT COUNT(*) AS n FROM rule_chain_version WHERE rule_chain_id IN (${chainIds})`),
      relations: await count(`SELECT COUNT(*) AS n FROM relation WHERE tenant_id = '${tenantId}'`),
      events: await count(`SELECT COUNT(*) AS n FROM event WHERE tenant_id = '${tenantId}'`),
      alarms: await count(`SELECT COUNT(*) AS n FROM alarm WHERE tenant_id = '${tenantId}'`),
      alarmEntities: await count(`SELECT COUNT(*) AS n FROM entity_alarm WHERE tenant_id = '${tenantId}'`),
      alarmComments: await count(`SELECT COUNT(*) AS n FROM alarm_comment WHERE alarm_id IN (${alarmIds})`),
      rpc: await count(`SELECT COUNT(*) AS n FROM rpc WHERE tenant_id = '${tenantId}'`),
    });
    const before = await ruleEngineRowsOf();
    expect(before.ruleChains).toBe(2);
    for (const [table, rows] of Object.entries(before)) expect(rows, table).toBeGreaterThan(0);
    const otherTenantsChains = await count(`SELECT COUNT(*) AS n FROM rule_chain WHERE tenant_id <> '${tenantId}'`);

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
    expect(await ruleEngineRowsOf()).toEqual(Object.fromEntries(Object.keys(before).map((table) => [table, 0])));
    expect(await count(`SELECT COUNT(*) AS n FROM rule_chain WHERE tenant_id <> '${tenantId}'`)).toBe(otherTenantsChains);
    expect((await adminApi.get('/api/auth/user')).status).toBe(401);
    expect((await userApi.get('/api/auth/user')).status).toBe(401);

    expect(okBody(await tenantApi.get('/api/deviceProfileInfo/default'), 'other tenant untouched').name).toBe('default');
    expect(await db.query(`SELECT str_v FROM attribute_kv WHERE entity_id = '${otherTenantsUser}'`)).toEqual([{ str_v: 'kept' }]);
    expect((await sysApi.delete(`/api/tenant/${tenantId}`)).status).toBe(404);
  });
});
