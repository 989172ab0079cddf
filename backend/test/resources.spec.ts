import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILT_IN_MODELS_DIRECTORY } from '@edgewise/transport-lwm2m';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NULL_UUID } from '../src/database/ids';
import { ResourcesService } from '../src/resources/resources.service';
import { ApiClient, startTestApp, SYSADMIN, TENANT_ADMIN, TestApp } from './harness';
import { createSecondTenant } from './tenant-fixtures';

const base64 = (text: string) => Buffer.from(text).toString('base64');
const TEMPERATURE_XML = readFileSync(join(BUILT_IN_MODELS_DIRECTORY, '3303.xml'), 'utf8');
/** A vendor object as a tenant would upload it. */
const levelSensorXml = (version = '1.0') =>
  `<?xml version="1.0" encoding="UTF-8"?><LWM2M><Object ObjectType="MODefinition"><Name>Level Sensor</Name><ObjectID>33000</ObjectID>` +
  `<ObjectVersion>${version}</ObjectVersion><MultipleInstances>Single</MultipleInstances><Mandatory>Optional</Mandatory><Resources>` +
  `<Item ID="1"><Name>Level</Name><Operations>R</Operations><MultipleInstances>Single</MultipleInstances><Mandatory>Mandatory</Mandatory>` +
  `<Type>Integer</Type></Item></Resources></Object></LWM2M>`;
const model = (fileName: string, xml: string) => ({ resourceType: 'LWM2M_MODEL', fileName, data: base64(xml) });

/** The resource library for LwM2M object models (ThingsBoard's `/api/resource`, device-api.md §6.2). */
describe('LwM2M models in the resource library', () => {
  let app: TestApp;
  let tenant: ApiClient;
  let sysadmin: ApiClient;

  beforeAll(async () => {
    app = await startTestApp();
    tenant = await app.api.login(TENANT_ADMIN);
    sysadmin = await app.api.login(SYSADMIN);
  });
  afterAll(() => app?.close());

  it('stores an uploaded model keyed by object id and version, titled from the model, as ThingsBoard does', async () => {
    const saved = await tenant.post('/api/resource', model('level.xml', levelSensorXml()));
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({
      id: { entityType: 'TB_RESOURCE', id: expect.any(String) },
      title: 'Level Sensor id=33000 v1.0',
      resourceType: 'LWM2M_MODEL',
      resourceKey: '33000_1.0',
      fileName: 'level.xml',
      etag: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const id = saved.body.id.id;
    expect((await tenant.get(`/api/resource/info/${id}`)).body).toEqual(saved.body);
    expect((await tenant.get(`/api/resource/${id}`)).body.data).toBe(base64(levelSensorXml()));
    const download = await tenant.get(`/api/resource/lwm2m/${id}/download`);
    expect(download.text).toBe(levelSensorXml());
    expect(download.headers.get('x-filename')).toBe('level.xml');

    const again = await tenant.post('/api/resource', model('level-copy.xml', levelSensorXml()));
    expect(again).toMatchObject({ status: 400, body: { message: 'Resource with such resourceKey already exists!' } });
    expect((await tenant.post('/api/resource', model('level-1.1.xml', levelSensorXml('1.1')))).body.resourceKey).toBe('33000_1.1');
  });

  it('refuses a file that is not an OMA DDF model, naming it, and what it cannot store', async () => {
    const broken = await tenant.post('/api/resource', model('broken.xml', '<LWM2M><Object><Name>x</Name>'));
    expect(broken.status).toBe(400);
    expect(broken.body.message).toMatch(/LwM2M model broken\.xml is not a valid OMA DDF file/);
    const badType = await tenant.post('/api/resource', model('bad-type.xml', levelSensorXml().replace('Integer', 'Decimal')));
    expect(badType.body.message).toMatch(/bad-type\.xml .*resource 1: <Type> decimal is not a DDF type/);
    expect((await tenant.post('/api/resource', { resourceType: 'LWM2M_MODEL', fileName: 'empty.xml' })).body.message).toBe(
      'Resource data should be specified!',
    );
    expect((await tenant.post('/api/resource', { resourceType: 'JKS', fileName: 'keys.jks', data: 'AAAA' })).body.message).toMatch(
      /Resource type JKS is not supported by Edgewise/,
    );
  });

  it("lists the system administrator's models to every tenant, who may read but not delete them", async () => {
    const system = await sysadmin.post('/api/resource', model('3303.xml', TEMPERATURE_XML));
    expect(system.body).toMatchObject({ tenantId: { id: NULL_UUID }, resourceKey: '3303_1.1', title: 'Temperature id=3303 v1.1' });
    const listed = await tenant.get('/api/resource?pageSize=50&page=0&resourceType=LWM2M_MODEL&sortProperty=title&sortOrder=ASC');
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((r: { resourceKey: string }) => r.resourceKey)).toEqual(['33000_1.0', '33000_1.1', '3303_1.1']);
    expect(listed.body.data[0].data).toBeUndefined();
    const own = await tenant.get('/api/resource/tenant?pageSize=50&page=0');
    expect(own.body.data.map((r: { resourceKey: string }) => r.resourceKey).sort()).toEqual(['33000_1.0', '33000_1.1']);
    expect((await tenant.get(`/api/resource/info/${system.body.id.id}`)).status).toBe(200);
    expect((await tenant.delete(`/api/resource/${system.body.id.id}`)).status).toBe(403);

    const { tenantId: otherTenantId, adminApi: otherTenant } = await createSecondTenant(sysadmin);
    const others = await otherTenant.get('/api/resource?pageSize=50&page=0');
    expect(others.body.data.map((r: { resourceKey: string }) => r.resourceKey)).toEqual(['3303_1.1']);

    // A deleted tenant's models go with it.
    expect((await otherTenant.post('/api/resource', model('level.xml', levelSensorXml()))).status).toBe(200);
    expect((await sysadmin.delete(`/api/tenant/${otherTenantId}`)).status).toBe(200);
    const left = await app.running.app.get(ResourcesService).lwm2mModels(otherTenantId);
    expect(left.map((file) => file.fileName)).toEqual(['3303.xml']);
  });

  it("gives the LwM2M transport the system's models, then the tenant's own", async () => {
    const tenantId = (await tenant.get('/api/auth/user')).body.tenantId.id;
    const files = await app.running.app.get(ResourcesService).lwm2mModels(tenantId);
    expect(files.map((file) => file.fileName)).toEqual(['3303.xml', expect.stringMatching(/^level/), expect.stringMatching(/^level/)]);
    expect(files[0].xml).toBe(TEMPERATURE_XML);
  });

  it('deletes a model: it is gone from the library', async () => {
    const saved = await tenant.post('/api/resource', model('gone.xml', levelSensorXml('2.0')));
    expect(await tenant.delete(`/api/resource/${saved.body.id.id}`)).toMatchObject({ status: 200, body: { success: true } });
    expect((await tenant.get(`/api/resource/info/${saved.body.id.id}`)).status).toBe(404);
  });
});
