import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startTestApp, SYSADMIN, TENANT_ADMIN, TestApp } from './harness';
import { createCustomerUser, createSecondTenant } from './tenant-fixtures';

const sha3 = (s: string) => createHash('sha3-256').update(s).digest('hex');

describe('devices', () => {
  let app: TestApp;
  let api: ApiClient;
  beforeAll(async () => {
    app = await startTestApp();
    api = await app.api.login(TENANT_ADMIN);
  });
  afterAll(() => app?.close());

  it('creates a device with a given access token and reads it back in ThingsBoard shape', async () => {
    const created = await api.post('/api/device?accessToken=A1_TEST_TOKEN', { name: 'Thermostat-1', type: 'default', label: 'Room 1' });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      id: { entityType: 'DEVICE' },
      name: 'Thermostat-1',
      type: 'default',
      label: 'Room 1',
      customerId: { entityType: 'CUSTOMER', id: '13814000-1dd2-11b2-8080-808080808080' },
      deviceProfileId: { entityType: 'DEVICE_PROFILE' },
      deviceData: { configuration: { type: 'DEFAULT' }, transportConfiguration: { type: 'DEFAULT' } },
      version: 1,
    });
    const id = created.body.id.id;
    expect((await api.get(`/api/device/${id}`)).body.name).toBe('Thermostat-1');
    const creds = await api.get(`/api/device/${id}/credentials`);
    expect(creds.body).toMatchObject({
      credentialsType: 'ACCESS_TOKEN',
      credentialsId: 'A1_TEST_TOKEN',
      credentialsValue: null,
      deviceId: { entityType: 'DEVICE', id },
    });
  });

  it('generates a 20-character token when none is given', async () => {
    const created = await api.post('/api/device', { name: 'Auto-token' });
    const creds = await api.get(`/api/device/${created.body.id.id}/credentials`);
    expect(creds.body.credentialsId).toMatch(/^[A-Za-z0-9]{20}$/);
  });

  it('refuses a duplicate access token with 400 and a reason, and creates nothing', async () => {
    await api.post('/api/device?accessToken=DUP_TOKEN', { name: 'Dup-1' });
    const second = await api.post('/api/device?accessToken=DUP_TOKEN', { name: 'Dup-2' });
    expect(second.status).toBe(400);
    expect(second.body).toMatchObject({
      status: 400,
      message: 'Device credentials are already assigned to another device!',
      errorCode: 31,
    });
    expect((await api.get('/api/tenant/devices?deviceName=Dup-2')).status).toBe(404);
  });

  it('refuses a duplicate name and a blank name', async () => {
    await api.post('/api/device', { name: 'Same-Name' });
    const dup = await api.post('/api/device', { name: 'Same-Name' });
    expect(dup.status).toBe(400);
    expect(dup.body.message).toBe('Device with such name already exists!');
    const blank = await api.post('/api/device', { name: '  ' });
    expect(blank.status).toBe(400);
    expect(blank.body.message).toBe('Device name should be specified!');
    const tooLong = await api.post('/api/device', { name: 'x'.repeat(256) });
    expect(tooLong.status).toBe(400);
  });

  it('creates the profile named by an unknown type, and keeps type equal to the profile name', async () => {
    const created = await api.post('/api/device', { name: 'Meter-1', type: 'Meter' });
    const profile = await api.get(`/api/deviceProfile/${created.body.deviceProfileId.id}`);
    expect(profile.body).toMatchObject({ name: 'Meter', transportType: 'DEFAULT', default: false });
    const renamed = await api.post('/api/deviceProfile', { ...profile.body, name: 'Energy meter' });
    expect(renamed.status).toBe(200);
    expect((await api.get(`/api/device/${created.body.id.id}`)).body.type).toBe('Energy meter');
  });

  it('updates a device, bumps its version, and refuses a stale version with 409', async () => {
    const created = (await api.post('/api/device', { name: 'Versioned' })).body;
    const updated = await api.post('/api/device', { ...created, label: 'new label' });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ label: 'new label', version: 2, id: created.id });
    const stale = await api.post('/api/device', { ...created, label: 'stale' });
    expect(stale.status).toBe(409);
    expect(stale.body.errorCode).toBe(35);
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    const unknown = await api.get('/api/device/5f0e2e50-7b1a-11ee-9a3c-6bd8c5a6a111');
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toBe('Device with id [5f0e2e50-7b1a-11ee-9a3c-6bd8c5a6a111] is not found');
    const malformed = await api.get('/api/device/abc');
    expect(malformed.status).toBe(400);
    expect(malformed.body.message).toBe('Invalid UUID string: abc');
  });

  it('deletes a device and its credentials', async () => {
    const created = await api.post('/api/device?accessToken=DELETE_ME', { name: 'To-delete' });
    expect((await api.delete(`/api/device/${created.body.id.id}`)).status).toBe(200);
    expect((await api.get(`/api/device/${created.body.id.id}`)).status).toBe(404);
    // the token is free again
    expect((await api.post('/api/device?accessToken=DELETE_ME', { name: 'Reuses-token' })).status).toBe(200);
  });

  describe('credentials', () => {
    it('stores MQTT basic credentials under the SHA3 lookup id and checks the combinations', async () => {
      const value = JSON.stringify({ clientId: 'c1', userName: 'u1', password: 'p1' });
      const created = await api.post('/api/device-with-credentials', {
        device: { name: 'Mqtt-basic' },
        credentials: { credentialsType: 'MQTT_BASIC', credentialsValue: value },
      });
      expect(created.status).toBe(200);
      const creds = (await api.get(`/api/device/${created.body.id.id}/credentials`)).body;
      expect(creds.credentialsId).toBe(sha3('c1|u1'));
      expect(JSON.parse(creds.credentialsValue)).toEqual({ clientId: 'c1', userName: 'u1', password: 'p1' });

      const userOnly = await api.post('/api/device/credentials', {
        ...creds,
        credentialsValue: JSON.stringify({ userName: 'only-user', password: 'x' }),
      });
      expect(userOnly.body.credentialsId).toBe('only-user');
      const clientOnly = await api.post('/api/device/credentials', {
        ...creds,
        credentialsValue: JSON.stringify({ clientId: 'only-client' }),
      });
      expect(clientOnly.body.credentialsId).toBe(sha3('only-client'));
      expect(clientOnly.body.version).toBe(creds.version + 2);

      const empty = await api.post('/api/device/credentials', { ...creds, credentialsValue: JSON.stringify({ password: 'x' }) });
      expect(empty.status).toBe(400);
      expect(empty.body.message).toBe('Both mqtt client id and user name are empty!');
      const clientWithPassword = await api.post('/api/device/credentials', {
        ...creds,
        credentialsValue: JSON.stringify({ clientId: 'c', password: 'x' }),
      });
      expect(clientWithPassword.status).toBe(400);
      // nothing changed by the refused updates
      expect((await api.get(`/api/device/${created.body.id.id}/credentials`)).body.credentialsId).toBe(sha3('only-client'));
    });

    it('stores an X.509 certificate trimmed, under the SHA3 of its body', async () => {
      const body = 'MIIBszCCAVmgAwIBAgIUQ2VydGlmaWNhdGVGb3JUZXN0czAKBggqhkjOPQQDAjAP';
      const pem = `-----BEGIN CERTIFICATE-----\r\n${body.slice(0, 30)}\n${body.slice(30)}\n-----END CERTIFICATE-----\n`;
      const created = await api.post('/api/device-with-credentials', {
        device: { name: 'X509-dev' },
        credentials: { credentialsType: 'X509_CERTIFICATE', credentialsValue: pem },
      });
      expect(created.status).toBe(200);
      const creds = (await api.get(`/api/device/${created.body.id.id}/credentials`)).body;
      expect(creds).toMatchObject({ credentialsType: 'X509_CERTIFICATE', credentialsId: sha3(body), credentialsValue: body });
    });

    it("refuses taking another device's token on update", async () => {
      await api.post('/api/device?accessToken=TAKEN', { name: 'Owner' });
      const other = await api.post('/api/device', { name: 'Thief' });
      const creds = (await api.get(`/api/device/${other.body.id.id}/credentials`)).body;
      const res = await api.post('/api/device/credentials', { ...creds, credentialsId: 'TAKEN' });
      expect(res.status).toBe(400);
      expect(res.body.message).toBe('Device credentials are already assigned to another device!');
    });
  });

  describe('paging, search and sort', () => {
    beforeAll(async () => {
      for (const [name, label] of [
        ['pg-alpha', 'Kitchen'],
        ['pg-bravo', 'Hall'],
        ['pg-charlie', 'kitchen sink'],
        ['pg-delta', null],
      ]) {
        await api.post('/api/device', { name, label, type: 'paging' });
      }
    });

    it('pages with totals and hasNext', async () => {
      const page0 = await api.get('/api/tenant/devices?pageSize=3&page=0&type=paging&sortProperty=name&sortOrder=ASC');
      expect(page0.status).toBe(200);
      expect(page0.body).toMatchObject({ totalElements: 4, totalPages: 2, hasNext: true });
      expect(page0.body.data.map((d: any) => d.name)).toEqual(['pg-alpha', 'pg-bravo', 'pg-charlie']);
      const page1 = await api.get('/api/tenant/devices?pageSize=3&page=1&type=paging&sortProperty=name&sortOrder=ASC');
      expect(page1.body).toMatchObject({ hasNext: false, data: [{ name: 'pg-delta' }] });
    });

    it('sorts descending and searches name or label case-insensitively', async () => {
      const desc = await api.get('/api/tenant/devices?pageSize=10&page=0&type=paging&sortProperty=name&sortOrder=DESC');
      expect(desc.body.data.map((d: any) => d.name)).toEqual(['pg-delta', 'pg-charlie', 'pg-bravo', 'pg-alpha']);
      const search = await api.get('/api/tenant/devices?pageSize=10&page=0&textSearch=KITCHEN&sortProperty=name&sortOrder=ASC');
      expect(search.body.data.map((d: any) => d.name)).toEqual(['pg-alpha', 'pg-charlie']);
      const literalPercent = await api.get('/api/tenant/devices?pageSize=10&page=0&textSearch=%25');
      expect(literalPercent.body.totalElements).toBe(0);
    });

    it('finds a device by exact name, and answers 404 for none', async () => {
      const found = await api.get('/api/tenant/devices?deviceName=pg-bravo');
      expect(found.body).toMatchObject({ name: 'pg-bravo', label: 'Hall' });
      expect((await api.get('/api/tenant/devices?deviceName=nope')).status).toBe(404);
    });

    it('lists device infos with profile name and activity', async () => {
      const infos = await api.get('/api/tenant/deviceInfos?pageSize=10&page=0&type=paging&sortProperty=name&sortOrder=ASC');
      expect(infos.body.data[0]).toMatchObject({ name: 'pg-alpha', deviceProfileName: 'paging', customerTitle: null, active: false });
    });

    it("refuses bad paging parameters with ThingsBoard's messages", async () => {
      const zero = await api.get('/api/tenant/devices?pageSize=0&page=0');
      expect(zero.status).toBe(400);
      expect(zero.body.message).toBe("Incorrect page link page size '0'. Page size must be greater than zero.");
      const badOrder = await api.get('/api/tenant/devices?pageSize=1&page=0&sortProperty=name&sortOrder=UP');
      expect(badOrder.body.message).toBe("Unsupported sort order 'UP'! Only 'ASC' or 'DESC' types are allowed.");
      const injection = await api.get('/api/tenant/devices?pageSize=1&page=0&sortProperty=name;drop');
      expect(injection.status).toBe(400);
      expect((await api.get('/api/tenant/devices?page=0')).status).toBe(400);
    });
  });

  describe('bad input', () => {
    it('answers malformed JSON with 400 and a reason, writing nothing', async () => {
      const res = await api.request('POST', '/api/device', '{"name": "broken",');
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/^Invalid JSON/);
      expect((await api.get('/api/tenant/devices?deviceName=broken')).status).toBe(404);
    });

    it('answers wrong types with 400', async () => {
      const res = await api.post('/api/device', { name: 42 });
      expect(res.status).toBe(400);
      expect(res.body.errorCode).toBe(31);
      expect(res.body.message).toContain('name');
    });

    it('answers an oversized body with 413 and the limit', async () => {
      const small = await startTestApp({ HTTP_MAX_BODY_BYTES: '2048' });
      try {
        const admin = await small.api.login(TENANT_ADMIN);
        const res = await admin.post('/api/device', { name: 'big', label: 'x'.repeat(5000) });
        expect(res.status).toBe(413);
        expect(res.body.message).toBe('Payload size exceeds the limit of 2048 bytes');
        expect((await admin.get('/api/tenant/devices?deviceName=big')).status).toBe(404);
      } finally {
        await small.close();
      }
    });
  });
});

describe('device isolation between tenants and customers', () => {
  let app: TestApp;
  let tenantA: ApiClient;
  let tenantB: ApiClient;
  let customerUser: ApiClient;
  let customerId: string;
  let deviceA: string;
  let assigned: string;

  beforeAll(async () => {
    app = await startTestApp();
    tenantA = await app.api.login(TENANT_ADMIN);
    const sysadmin = await app.api.login(SYSADMIN);
    tenantB = (await createSecondTenant(sysadmin)).adminApi;
    ({ customerId, userApi: customerUser } = await createCustomerUser(tenantA, 'Company A'));
    deviceA = (await tenantA.post('/api/device', { name: 'A-private' })).body.id.id;
    assigned = (await tenantA.post('/api/device', { name: 'A-assigned' })).body.id.id;
    expect((await tenantA.post(`/api/customer/${customerId}/device/${assigned}`)).status).toBe(200);
  });
  afterAll(() => app?.close());

  it("refuses another tenant's device with 403 and hides it from lists", async () => {
    const read = await tenantB.get(`/api/device/${deviceA}`);
    expect(read.status).toBe(403);
    expect(read.body).toMatchObject({ errorCode: 20, message: "You don't have permission to perform this operation!" });
    expect((await tenantB.get(`/api/device/${deviceA}/credentials`)).status).toBe(403);
    expect((await tenantB.delete(`/api/device/${deviceA}`)).status).toBe(403);
    expect((await tenantB.post('/api/device', { id: { entityType: 'DEVICE', id: deviceA }, name: 'hijacked' })).status).toBe(403);
    expect((await tenantB.get('/api/tenant/devices?deviceName=A-private')).status).toBe(404);
    expect((await tenantB.get('/api/tenant/devices?pageSize=10&page=0')).body.totalElements).toBe(0);
    expect((await tenantA.get(`/api/device/${deviceA}`)).body.name).toBe('A-private');
  });

  it('lets a tenant reuse a device name another tenant has', async () => {
    expect((await tenantB.post('/api/device', { name: 'A-private' })).status).toBe(200);
  });

  it('shows a customer user only the devices of its customer', async () => {
    const page = await customerUser.get(`/api/customer/${customerId}/devices?pageSize=10&page=0`);
    expect(page.status).toBe(200);
    expect(page.body.data.map((d: any) => d.name)).toEqual(['A-assigned']);
    expect((await customerUser.get(`/api/device/${assigned}`)).status).toBe(200);
    expect((await customerUser.get(`/api/device/${deviceA}`)).status).toBe(403);
    expect((await customerUser.get('/api/tenant/devices?pageSize=10&page=0')).status).toBe(403);
    const infos = await tenantA.get(`/api/customer/${customerId}/deviceInfos?pageSize=10&page=0`);
    expect(infos.body.data[0]).toMatchObject({ name: 'A-assigned', customerTitle: 'Company A' });
  });

  it("refuses assigning a device to another tenant's customer", async () => {
    const { customerId: foreignCustomer } = await createCustomerUser(tenantB, 'Company B');
    const res = await tenantA.post(`/api/customer/${foreignCustomer}/device/${deviceA}`);
    expect(res.status).toBe(403);
    expect((await tenantA.get(`/api/device/${deviceA}`)).body.customerId.id).toBe('13814000-1dd2-11b2-8080-808080808080');
  });

  it('unassigns a device, after which the customer user no longer sees it', async () => {
    const res = await tenantA.delete(`/api/customer/device/${assigned}`);
    expect(res.status).toBe(200);
    expect(res.body.customerId.id).toBe('13814000-1dd2-11b2-8080-808080808080');
    expect((await customerUser.get(`/api/device/${assigned}`)).status).toBe(403);
  });
});
