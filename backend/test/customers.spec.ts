import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceEvents } from '../src/devices/device-events';
import { ApiClient, startTestApp, SYSADMIN, TENANT_ADMIN, TestApp } from './harness';
import { createCustomerUser, createSecondTenant, okBody, uniqueName } from './tenant-fixtures';

const NULL_UUID = '13814000-1dd2-11b2-8080-808080808080';

describe('customers', () => {
  let app: TestApp;
  let tenantApi: ApiClient;
  let otherTenantApi: ApiClient;

  beforeAll(async () => {
    app = await startTestApp();
    tenantApi = await app.api.login(TENANT_ADMIN);
    ({ adminApi: otherTenantApi } = await createSecondTenant(await app.api.login(SYSADMIN)));
  });
  afterAll(() => app?.close());

  const create = async (body: Record<string, unknown>, query = '') =>
    okBody(await tenantApi.post(`/api/customer${query}`, body), 'create customer');
  const countTitled = async (text: string) =>
    okBody(await tenantApi.get(`/api/customers?pageSize=100&page=0&textSearch=${encodeURIComponent(text)}`), 'list').totalElements;

  it('creates a customer whose name repeats its title, and refuses the same title again (checklist 23)', async () => {
    const created = await create({ title: 'C1', country: 'Ukraine', email: 'ops@company-a.example', additionalInfo: { description: 'd' } });
    expect(created).toMatchObject({
      id: { entityType: 'CUSTOMER' },
      title: 'C1',
      name: 'C1',
      version: 1,
      country: 'Ukraine',
      city: null,
      email: 'ops@company-a.example',
      additionalInfo: { description: 'd' },
    });
    expect(created.tenantId.entityType).toBe('TENANT');

    const again = await tenantApi.post('/api/customer', { title: 'C1' });
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ errorCode: 31, message: 'Customer with such title already exists!' });

    const reserved = await tenantApi.post('/api/customer', { title: 'Public' });
    expect(reserved.status).toBe(400);
    expect(reserved.body.message).toBe("'Public' title for customer is system reserved!");
  });

  it('refuses invalid bodies with the reason and writes nothing', async () => {
    const noTitle = await tenantApi.post('/api/customer', { title: '  ', country: 'Nowhere-land' });
    expect(noTitle.status).toBe(400);
    expect(noTitle.body.message).toBe('Customer title should be specified!');

    const badEmail = await tenantApi.post('/api/customer', { title: 'Bad mail customer', email: 'not-an-email' });
    expect(badEmail.status).toBe(400);
    expect(badEmail.body.message).toBe("Invalid email address format 'not-an-email'!");
    expect(await countTitled('Bad mail customer')).toBe(0);
  });

  it('appends a suffix instead of refusing under nameConflictPolicy=UNIQUIFY', async () => {
    await create({ title: 'Dup' });
    const random = await create({ title: 'Dup' }, '?nameConflictPolicy=UNIQUIFY');
    expect(random.title).toMatch(/^Dup_[a-z0-9]{6}$/);
    expect(random.name).toBe(random.title);
    const first = await create({ title: 'Dup' }, '?nameConflictPolicy=UNIQUIFY&uniquifyStrategy=INCREMENTAL&uniquifySeparator=-');
    const second = await create({ title: 'Dup' }, '?nameConflictPolicy=UNIQUIFY&uniquifyStrategy=INCREMENTAL&uniquifySeparator=-');
    expect([first.title, second.title]).toEqual(['Dup-1', 'Dup-2']);
    expect((await tenantApi.post('/api/customer?nameConflictPolicy=FAIL', { title: 'Dup' })).status).toBe(400);
    expect((await tenantApi.post('/api/customer?nameConflictPolicy=MERGE', { title: 'Dup' })).status).toBe(400);
  });

  it('updates under optimistic locking: a stale version is a 409, a null version overwrites', async () => {
    const customer = await create({ title: 'Versioned' });
    const updated = okBody(await tenantApi.post('/api/customer', { ...customer, city: 'Lviv' }), 'update');
    expect(updated).toMatchObject({ id: customer.id, city: 'Lviv', version: 2, createdTime: customer.createdTime });

    const stale = await tenantApi.post('/api/customer', { ...customer, city: 'Odesa' });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ errorCode: 35, message: 'Customer was already changed by someone else' });
    expect(okBody(await tenantApi.get(`/api/customer/${customer.id.id}`), 'get').city).toBe('Lviv');

    const overwritten = okBody(await tenantApi.post('/api/customer', { ...customer, version: null, city: 'Odesa' }), 'overwrite');
    expect(overwritten).toMatchObject({ city: 'Odesa', version: 3 });
  });

  it('refuses renaming to another customer’s title, and updating an unknown id', async () => {
    const customer = await create({ title: 'Rename me' });
    const clash = await tenantApi.post('/api/customer', { ...customer, title: 'C1' });
    expect(clash.status).toBe(400);
    expect(clash.body.message).toBe('Customer with such title already exists!');

    const unknownId = randomUUID();
    const unknown = await tenantApi.post('/api/customer', { id: { entityType: 'CUSTOMER', id: unknownId }, title: 'Ghost' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toBe(`Customer with id [${unknownId}] is not found`);
    expect(await countTitled('Ghost')).toBe(0);
  });

  it('serves short info, the bare title, lookup by title and by id list', async () => {
    const customer = await create({ title: 'Lookup Co' });
    expect(okBody(await tenantApi.get(`/api/customer/${customer.id.id}/shortInfo`), 'shortInfo')).toEqual({
      title: 'Lookup Co',
      isPublic: false,
    });

    const title = await tenantApi.get(`/api/customer/${customer.id.id}/title`);
    expect(title.status).toBe(200);
    expect(title.text).toBe('Lookup Co');
    expect(title.headers.get('content-type')).toMatch(/^application\/text/);

    expect(okBody(await tenantApi.get('/api/tenant/customers?customerTitle=Lookup%20Co'), 'byTitle').id).toEqual(customer.id);
    expect((await tenantApi.get('/api/tenant/customers?customerTitle=Nobody')).status).toBe(404);

    const c1 = okBody(await tenantApi.get('/api/tenant/customers?customerTitle=C1'), 'byTitle');
    const listed = okBody(await tenantApi.get(`/api/customers/list?customerIds=${customer.id.id},${c1.id.id},${randomUUID()}`), 'list');
    expect(listed.map((c: any) => c.title).sort()).toEqual(['C1', 'Lookup Co']);
  });

  it('pages customers with title search and the listed sort properties', async () => {
    for (const title of ['Paging b', 'Paging a', 'Paging c']) await create({ title, city: title.slice(-1) });
    const page = okBody(
      await tenantApi.get('/api/customers?pageSize=2&page=0&textSearch=PAGING&sortProperty=title&sortOrder=DESC'),
      'page',
    );
    expect(page).toMatchObject({ totalElements: 3, totalPages: 2, hasNext: true });
    expect(page.data.map((c: any) => c.title)).toEqual(['Paging c', 'Paging b']);
    const byCity = okBody(
      await tenantApi.get('/api/customers?pageSize=10&page=0&textSearch=paging&sortProperty=city&sortOrder=ASC'),
      'page',
    );
    expect(byCity.data.map((c: any) => c.city)).toEqual(['a', 'b', 'c']);

    const badSort = await tenantApi.get('/api/customers?pageSize=10&page=0&sortProperty=phone');
    expect(badSort.status).toBe(400);
    expect((await tenantApi.get('/api/customers?pageSize=0&page=0')).status).toBe(400);
  });

  it('isolates tenants: another tenant gets 403 for the customer, everyone gets 404 for an unknown id (checklist 26)', async () => {
    const customer = await create({ title: uniqueName('Tenant A customer') });
    const id = customer.id.id;
    for (const path of [`/api/customer/${id}`, `/api/customer/${id}/shortInfo`, `/api/customer/${id}/title`]) {
      const res = await otherTenantApi.get(path);
      expect(res.status, path).toBe(403);
      expect(res.body).toMatchObject({ errorCode: 20, message: "You don't have permission to perform this operation!" });
    }
    expect((await otherTenantApi.post('/api/customer', { ...customer, title: 'Hijacked' })).status).toBe(403);
    expect((await otherTenantApi.delete(`/api/customer/${id}`)).status).toBe(403);
    expect(okBody(await tenantApi.get(`/api/customer/${id}`), 'still there').title).toBe(customer.title);
    expect(okBody(await otherTenantApi.get('/api/customers?pageSize=100&page=0'), 'list').data).toEqual([]);

    const unknownId = randomUUID();
    const unknown = await otherTenantApi.get(`/api/customer/${unknownId}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ errorCode: 32, message: `Customer with id [${unknownId}] is not found` });
    const malformed = await tenantApi.get('/api/customer/abc');
    expect(malformed.status).toBe(400);
    expect(malformed.body.message).toBe('Invalid UUID string: abc');
  });

  it('lets a customer user read only its own customer', async () => {
    const { customerId, userApi } = await createCustomerUser(tenantApi, uniqueName('Own customer'));
    const other = await create({ title: uniqueName('Someone else') });
    expect(okBody(await userApi.get(`/api/customer/${customerId}`), 'own').id.id).toBe(customerId);
    expect((await userApi.get(`/api/customer/${customerId}/title`)).status).toBe(200);
    expect((await userApi.get(`/api/customer/${other.id.id}`)).status).toBe(403);
    expect((await userApi.get('/api/customers?pageSize=10&page=0')).status).toBe(403);
    expect((await userApi.post('/api/customer', { title: 'By customer user' })).status).toBe(403);
  });

  it('deleting a customer unassigns its devices and deletes its users', async () => {
    const { customerId, userApi } = await createCustomerUser(tenantApi, uniqueName('Doomed'));
    const me = okBody(await userApi.get('/api/auth/user'), 'me');
    const device = okBody(await tenantApi.post('/api/device', { name: uniqueName('assigned'), type: 'default' }), 'device');
    okBody(await tenantApi.post(`/api/customer/${customerId}/device/${device.id.id}`), 'assign');
    const updatedDevices: string[] = [];
    app.running.app.get(DeviceEvents).on('updated', (deviceId) => updatedDevices.push(deviceId));

    expect((await tenantApi.delete(`/api/customer/${customerId}`)).status).toBe(200);
    expect((await tenantApi.get(`/api/customer/${customerId}`)).status).toBe(404);
    expect((await tenantApi.get(`/api/user/${me.id.id}`)).status).toBe(404);
    expect((await userApi.get('/api/auth/user')).status).toBe(401);
    expect(okBody(await tenantApi.get(`/api/device/${device.id.id}`), 'device').customerId.id).toBe(NULL_UUID);
    expect(updatedDevices).toEqual([device.id.id]); // transports and caches hear of the change
  });

  it('records additions in the audit log (checklist 29)', async () => {
    const customer = await create({ title: uniqueName('Audited') });
    const logs = okBody(await tenantApi.get('/api/audit/logs?pageSize=50&page=0&actionTypes=ADDED'), 'audit');
    const entry = logs.data.find((log: any) => log.entityId?.id === customer.id.id);
    expect(entry).toMatchObject({
      entityId: { entityType: 'CUSTOMER' },
      entityName: customer.title,
      actionStatus: 'SUCCESS',
      id: { id: expect.any(String) },
    });
    expect(entry.id.entityType).toBeUndefined();
  });
});
