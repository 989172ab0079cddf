import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startTestApp, SYSADMIN, TENANT_ADMIN, TestApp } from './harness';
import { activateUser, createCustomerUser, createSecondTenant, FIXTURE_PASSWORD, okBody, uniqueName } from './tenant-fixtures';

describe('users', () => {
  let app: TestApp;
  let sysApi: ApiClient;
  let tenantApi: ApiClient;
  let secondTenant: { tenantId: string; adminApi: ApiClient };
  let c1: any;

  beforeAll(async () => {
    app = await startTestApp();
    sysApi = await app.api.login(SYSADMIN);
    tenantApi = await app.api.login(TENANT_ADMIN);
    secondTenant = await createSecondTenant(sysApi);
    c1 = okBody(await tenantApi.post('/api/customer', { title: 'C1' }), 'create C1');
  });
  afterAll(() => app?.close());

  const newEmail = (prefix = 'user') => `${uniqueName(prefix)}@example.test`;
  const anonymous = () => new ApiClient(app.url);
  const customerUser = (email: string, customerId = c1.id) => ({ authority: 'CUSTOMER_USER', customerId, email, firstName: 'Olena' });
  const countByEmail = async (email: string) =>
    okBody(await tenantApi.get(`/api/users?pageSize=10&page=0&textSearch=${encodeURIComponent(email)}`), 'search').totalElements;

  it('activation flow: create → activation link → set password → logged in (checklist 24)', async () => {
    const email = newEmail('operator');
    const created = okBody(await tenantApi.post('/api/user?sendActivationMail=false', customerUser(email)), 'create');
    expect(created).toMatchObject({
      id: { entityType: 'USER' },
      email,
      name: email,
      authority: 'CUSTOMER_USER',
      customerId: c1.id,
      firstName: 'Olena',
      version: 1,
    });
    expect(created.additionalInfo).toMatchObject({ userActivated: false, userCredentialsEnabled: false, lastLoginTs: null });
    const read = await tenantApi.get(`/api/user/${created.id.id}`);
    expect(read.body.additionalInfo.userActivated).toBe(false);
    expect(read.text).not.toMatch(/activateToken|password/i);
    expect((await anonymous().post('/api/auth/login', { username: email, password: 'anything' })).status).toBe(401);

    const link = await tenantApi.get(`/api/user/${created.id.id}/activationLink`);
    expect(link.status).toBe(200);
    expect(link.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(link.text).toContain('/api/noauth/activate?activateToken=');
    const activateToken = new URL(link.text).searchParams.get('activateToken')!;

    const opened = await fetch(link.text, { redirect: 'manual' });
    expect(opened.status).toBe(303);
    expect(opened.headers.get('location')).toBe(`/login/createPassword?activateToken=${activateToken}`);

    const weak = await anonymous().post('/api/noauth/activate', { activateToken, password: '123' });
    expect(weak.status).toBe(400);
    expect(weak.body.message).toMatch(/6 or more characters/);

    const activated = await anonymous().post('/api/noauth/activate?sendActivationMail=false', {
      activateToken,
      password: 'operator-secret',
    });
    expect(activated.status).toBe(200);
    expect(typeof activated.body.token).toBe('string');
    expect(typeof activated.body.refreshToken).toBe('string');
    expect(okBody(await anonymous().withToken(activated.body.token).get('/api/auth/user'), 'me').email).toBe(email);
    await anonymous().login({ username: email, password: 'operator-secret' });

    const after = okBody(await tenantApi.get(`/api/user/${created.id.id}`), 'read');
    expect(after.additionalInfo).toMatchObject({ userActivated: true, userCredentialsEnabled: true, lastLoginTs: expect.any(Number) });
    const linkAgain = await tenantApi.get(`/api/user/${created.id.id}/activationLink`);
    expect(linkAgain.status).toBe(400);
    expect(linkAgain.body.message).toBe('User is already activated!');
    const reused = await anonymous().post('/api/noauth/activate', { activateToken, password: 'other-secret' });
    expect(reused.status).toBe(400);
    expect(reused.body.message).toBe(`Unable to find user credentials by activateToken [${activateToken}]`);
    expect((await fetch(link.text, { redirect: 'manual' })).status).toBe(409);
  });

  it('keeps e-mail addresses unique across the platform (checklist 24)', async () => {
    const email = newEmail('shared');
    okBody(await tenantApi.post('/api/user', customerUser(email)), 'create');
    const other = await secondTenant.adminApi.post('/api/user', { authority: 'TENANT_ADMIN', email });
    expect(other.status).toBe(400);
    expect(other.body).toMatchObject({ errorCode: 31, message: `User with email '${email}' already present in database!` });
  });

  it('refuses invalid users with the validator’s reason and writes nothing', async () => {
    const other = okBody(await secondTenant.adminApi.post('/api/customer', { title: uniqueName('Foreign') }), 'foreign customer');
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ authority: 'CUSTOMER_USER', customerId: c1.id }, 'User email should be specified!'],
      [{ ...customerUser('not-an-email') }, "Invalid email address format 'not-an-email'!"],
      [{ email: newEmail() }, "User authority isn't defined!"],
      [{ authority: 'TENANT_ADMIN', customerId: c1.id, email: newEmail() }, "Tenant administrator can't be assigned to customer!"],
      [{ authority: 'CUSTOMER_USER', email: newEmail() }, 'Customer user should be assigned to customer!'],
      [customerUser(newEmail(), other.id), "User can't be assigned to customer from different tenant!"],
      [customerUser(newEmail(), { entityType: 'CUSTOMER', id: randomUUID() }), 'User is referencing to non-existent customer!'],
    ];
    for (const [body, message] of cases) {
      const res = await tenantApi.post('/api/user', body);
      expect(res.status, message).toBe(400);
      expect(res.body.message).toBe(message);
      if (typeof body.email === 'string') expect(await countByEmail(body.email)).toBe(0);
    }
    expect((await tenantApi.post('/api/user', { authority: 'ROOT', email: newEmail() })).status).toBe(400);
  });

  it('enforces who may create whom', async () => {
    expect((await tenantApi.post('/api/user', { authority: 'SYS_ADMIN', email: newEmail() })).status).toBe(403);
    expect((await sysApi.post('/api/user', customerUser(newEmail()))).status).toBe(403);
    const { userApi } = await createCustomerUser(tenantApi, uniqueName('Customer'));
    expect((await userApi.post('/api/user', customerUser(newEmail()))).status).toBe(403);

    // A tenant admin's tenantId is always its own, whatever the body says.
    const email = newEmail('forced');
    const created = okBody(
      await secondTenant.adminApi.post('/api/user', { authority: 'TENANT_ADMIN', email, tenantId: c1.tenantId }),
      'create',
    );
    expect(created.tenantId.id).toBe(secondTenant.tenantId);
  });

  it('updates under optimistic locking and refuses to move a user', async () => {
    const created = okBody(await tenantApi.post('/api/user', customerUser(newEmail())), 'create');
    const updated = okBody(
      await tenantApi.post('/api/user', { ...created, lastName: 'K.', additionalInfo: { description: 'x', userActivated: true } }),
      'update',
    );
    expect(updated).toMatchObject({ lastName: 'K.', version: 2 });
    expect(updated.additionalInfo).toMatchObject({ description: 'x', userActivated: false });

    const stale = await tenantApi.post('/api/user', { ...created, lastName: 'Z.' });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ errorCode: 35, message: 'User was already changed by someone else' });

    const other = okBody(await tenantApi.post('/api/customer', { title: uniqueName('Other') }), 'customer');
    const moved = await tenantApi.post('/api/user', { ...updated, customerId: other.id });
    expect(moved.body.message).toBe("Can't update user customer id!");
    const promoted = await tenantApi.post('/api/user', { ...updated, authority: 'TENANT_ADMIN', customerId: null });
    expect(promoted.status).toBe(400);
    expect(okBody(await tenantApi.get(`/api/user/${created.id.id}`), 'read')).toMatchObject({
      authority: 'CUSTOMER_USER',
      customerId: c1.id,
      lastName: 'K.',
    });
  });

  it('isolates tenants: 403 for another tenant’s user, 404 for an unknown id', async () => {
    const created = okBody(await tenantApi.post('/api/user', customerUser(newEmail())), 'create');
    expect((await secondTenant.adminApi.get(`/api/user/${created.id.id}`)).status).toBe(403);
    expect((await secondTenant.adminApi.get(`/api/user/${created.id.id}/activationLink`)).status).toBe(403);
    expect((await secondTenant.adminApi.delete(`/api/user/${created.id.id}`)).status).toBe(403);
    expect((await secondTenant.adminApi.post('/api/user', { ...created, firstName: 'Hijacked' })).status).toBe(403);
    const unknownId = randomUUID();
    const unknown = await secondTenant.adminApi.get(`/api/user/${unknownId}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toBe(`User with id [${unknownId}] is not found`);
  });

  it('lets a customer user see itself and its own customer’s users only', async () => {
    const { customerId, userApi } = await createCustomerUser(tenantApi, uniqueName('Team'));
    const me = okBody(await userApi.get('/api/auth/user'), 'me');
    const colleague = okBody(
      await tenantApi.post('/api/user', customerUser(newEmail('colleague'), { entityType: 'CUSTOMER', id: customerId })),
      'colleague',
    );
    okBody(await tenantApi.post('/api/user', customerUser(newEmail('outsider'))), 'outsider');

    expect(okBody(await userApi.get(`/api/user/${me.id.id}`), 'self').email).toBe(me.email);
    expect((await userApi.get(`/api/user/${colleague.id.id}`)).status).toBe(403);
    const listed = okBody(await userApi.get('/api/users?pageSize=50&page=0&sortProperty=email&sortOrder=ASC'), 'list');
    expect(listed.data.map((u: any) => u.email)).toEqual([colleague.email, me.email].sort());
    expect((await userApi.delete(`/api/user/${colleague.id.id}`)).status).toBe(403);
    expect(okBody(await userApi.post('/api/user', { ...me, firstName: 'Self-edited' }), 'self edit').firstName).toBe('Self-edited');
  });

  it('lists users per tenant, per customer and the tenant admins for the sysadmin', async () => {
    const customer = okBody(await tenantApi.post('/api/customer', { title: uniqueName('Listing') }), 'customer');
    const emails = ['b', 'a'].map((p) => newEmail(`listing-${p}`));
    for (const email of emails) okBody(await tenantApi.post('/api/user', customerUser(email, customer.id)), 'create');

    const ofCustomer = okBody(
      await tenantApi.get(`/api/customer/${customer.id.id}/users?pageSize=10&page=0&sortProperty=email&sortOrder=DESC`),
      'customer users',
    );
    expect(ofCustomer.data.map((u: any) => u.email)).toEqual([...emails].sort().reverse());
    const searched = okBody(await tenantApi.get('/api/users?pageSize=1&page=0&textSearch=LISTING-'), 'search');
    expect(searched).toMatchObject({ totalElements: 2, hasNext: true });
    expect((await tenantApi.get('/api/users?pageSize=10&page=0&sortProperty=password')).status).toBe(400);
    expect((await secondTenant.adminApi.get(`/api/customer/${customer.id.id}/users?pageSize=10&page=0`)).status).toBe(403);

    const admins = okBody(await sysApi.get(`/api/tenant/${c1.tenantId.id}/users?pageSize=50&page=0`), 'admins');
    expect(admins.data.map((u: any) => u.email)).toContain(TENANT_ADMIN.username);
    expect(admins.data.every((u: any) => u.authority === 'TENANT_ADMIN')).toBe(true);
    expect((await tenantApi.get(`/api/tenant/${c1.tenantId.id}/users?pageSize=10&page=0`)).status).toBe(403);
  });

  it('keeps the last tenant admin and refuses the sysadmin deleting himself (checklist 25)', async () => {
    const { tenantId, adminApi } = await createSecondTenant(sysApi);
    const onlyAdmin = okBody(await adminApi.get('/api/auth/user'), 'me');
    const refused = await sysApi.delete(`/api/user/${onlyAdmin.id.id}`);
    expect(refused.status).toBe(400);
    expect(refused.body.message).toBe('At least one tenant administrator must remain!');

    const second = okBody(
      await sysApi.post('/api/user', {
        authority: 'TENANT_ADMIN',
        tenantId: { entityType: 'TENANT', id: tenantId },
        email: newEmail('admin2'),
      }),
      'admin 2',
    );
    expect((await sysApi.delete(`/api/user/${onlyAdmin.id.id}`)).status).toBe(200);
    expect((await adminApi.get('/api/auth/user')).status).toBe(401);
    expect((await sysApi.delete(`/api/user/${second.id.id}`)).status).toBe(400);

    const sysMe = okBody(await sysApi.get('/api/auth/user'), 'sysadmin');
    const self = await sysApi.delete(`/api/user/${sysMe.id.id}`);
    expect(self.status).toBe(403);
    expect(self.body.message).toBe('Sysadmin is not allowed to delete himself');
  });

  it('changePassword checks the current password and ends older sessions', async () => {
    const { userApi } = await createCustomerUser(tenantApi, uniqueName('Password'));
    const me = okBody(await userApi.get('/api/auth/user'), 'me');
    const wrong = await userApi.post('/api/auth/changePassword', { currentPassword: 'nope', newPassword: 'brand-new-1' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.message).toBe("Current password doesn't match!");
    const same = await userApi.post('/api/auth/changePassword', { currentPassword: FIXTURE_PASSWORD, newPassword: FIXTURE_PASSWORD });
    expect(same.body.message).toBe('New password should be different from existing!');

    const changed = await userApi.post('/api/auth/changePassword', { currentPassword: FIXTURE_PASSWORD, newPassword: 'brand-new-1' });
    expect(changed.status).toBe(200);
    expect((await userApi.get('/api/auth/user')).status).toBe(401);
    expect((await anonymous().withToken(changed.body.token).get('/api/auth/user')).status).toBe(200);
    expect((await anonymous().post('/api/auth/login', { username: me.email, password: FIXTURE_PASSWORD })).status).toBe(401);
    await anonymous().login({ username: me.email, password: 'brand-new-1' });

    const audit = okBody(await tenantApi.get('/api/audit/logs?pageSize=50&page=0&actionTypes=CREDENTIALS_UPDATED,ACTIVATED'), 'audit');
    const actions = audit.data.filter((log: any) => log.entityId?.id === me.id.id).map((log: any) => log.actionType);
    expect(actions.sort()).toEqual(['ACTIVATED', 'CREDENTIALS_UPDATED']);
  });

  it('disabling credentials locks the user out until enabled again', async () => {
    const { userApi } = await createCustomerUser(tenantApi, uniqueName('Suspended'));
    const me = okBody(await userApi.get('/api/auth/user'), 'me');
    expect((await tenantApi.post(`/api/user/${me.id.id}/userCredentialsEnabled?userCredentialsEnabled=false`)).status).toBe(200);
    expect((await userApi.get('/api/auth/user')).status).toBe(401);
    expect((await anonymous().post('/api/auth/login', { username: me.email, password: FIXTURE_PASSWORD })).status).toBe(401);
    expect(okBody(await tenantApi.get(`/api/user/${me.id.id}`), 'read').additionalInfo.userCredentialsEnabled).toBe(false);

    expect((await tenantApi.post(`/api/user/${me.id.id}/userCredentialsEnabled?userCredentialsEnabled=true`)).status).toBe(200);
    await anonymous().login({ username: me.email, password: FIXTURE_PASSWORD });
    expect((await tenantApi.post(`/api/user/${me.id.id}/userCredentialsEnabled?userCredentialsEnabled=maybe`)).status).toBe(400);
  });

  it('deleting a user ends its sessions', async () => {
    const created = okBody(await tenantApi.post('/api/user', customerUser(newEmail('leaving'))), 'create');
    const userApi = await activateUser(tenantApi, created.id.id);
    expect((await tenantApi.delete(`/api/user/${created.id.id}`)).status).toBe(200);
    expect((await userApi.get('/api/auth/user')).status).toBe(401);
    expect((await tenantApi.get(`/api/user/${created.id.id}`)).status).toBe(404);
  });
});
