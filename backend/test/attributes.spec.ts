import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startTestApp, TENANT_ADMIN, TestApp } from './harness';
import { TelemetryFixtures } from './telemetry-fixtures';

const BASE = '/api/plugins/telemetry';

describe('attributes REST API', () => {
  let app: TestApp;
  let api: ApiClient;
  let fixtures: TelemetryFixtures;

  beforeAll(async () => {
    app = await startTestApp();
    api = await app.api.login(TENANT_ADMIN);
    fixtures = await TelemetryFixtures.of(app);
  });
  afterAll(() => app?.close());

  const post = (path: string, body: string, contentType = 'application/json') =>
    api.request('POST', `${BASE}/${path}`, body, { 'content-type': contentType });
  const values = async (device: string, suffix = '') => (await api.get(`${BASE}/DEVICE/${device}/values/attributes${suffix}`)).body;

  it('saves through all three path forms and answers 200 with an empty body', async () => {
    const device = await fixtures.device('attr-paths');
    const before = Date.now();
    for (const path of [`DEVICE/${device}/SERVER_SCOPE`, `DEVICE/${device}/attributes/SHARED_SCOPE`, `${device}/SERVER_SCOPE`]) {
      const res = await post(path, `{"from_${path.split('/').length}":1}`);
      expect(res.status, path).toBe(200);
      expect(res.text, path).toBe('');
    }
    const server = await values(device, '/SERVER_SCOPE');
    expect(server.map((a: { key: string }) => a.key)).toEqual(['from_2', 'from_3']);
    expect(server[0].lastUpdateTs).toBeGreaterThanOrEqual(before);
    expect((await values(device, '/SHARED_SCOPE')).map((a: { key: string }) => a.key)).toEqual(['from_4']);
  });

  it('answers typed values, doubles written as doubles, JSON embedded', async () => {
    const device = await fixtures.device('attr-types');
    await post(
      `DEVICE/${device}/SERVER_SCOPE`,
      '{"fw":"1.0","ratio":42.0,"count":7,"on":true,"name":"x","cfg":{"a":[1,2.50]},"numeric":"25"}',
    );
    const res = await api.get(`${BASE}/DEVICE/${device}/values/attributes/SERVER_SCOPE?keys=ratio,fw,cfg,numeric`);
    const text = res.text.replace(/"lastUpdateTs":\d+,/g, '');
    // "1.0" and "25" are numeric strings: JSON type cast stores them as DOUBLE / LONG.
    expect(text).toBe(
      '[{"key":"cfg","value":{"a":[1,2.50]}},{"key":"fw","value":1.0},{"key":"numeric","value":25},{"key":"ratio","value":42.0}]',
    );
    const all = await values(device);
    expect(Object.fromEntries(all.map((a: { key: string; value: unknown }) => [a.key, a.value]))).toMatchObject({
      count: 7,
      on: true,
      name: 'x',
    });
  });

  it('overwrites a saved key and moves its lastUpdateTs', async () => {
    const device = await fixtures.device('attr-overwrite');
    await post(`DEVICE/${device}/SHARED_SCOPE`, '{"mode":"eco"}');
    const [first] = await values(device, '/SHARED_SCOPE');
    await new Promise((r) => setTimeout(r, 5));
    await post(`DEVICE/${device}/SHARED_SCOPE`, '{"mode":2}');
    const [second] = await values(device, '/SHARED_SCOPE');
    expect(second.value).toBe(2);
    expect(second.lastUpdateTs).toBeGreaterThan(first.lastUpdateTs);
  });

  it('lists keys per scope and across scopes', async () => {
    const device = await fixtures.device('attr-keys');
    await post(`DEVICE/${device}/SERVER_SCOPE`, '{"b":1,"a":2}');
    await post(`DEVICE/${device}/SHARED_SCOPE`, '{"c":3}');
    expect((await api.get(`${BASE}/DEVICE/${device}/keys/attributes/SERVER_SCOPE`)).body).toEqual(['a', 'b']);
    expect((await api.get(`${BASE}/DEVICE/${device}/keys/attributes`)).body).toEqual(['a', 'b', 'c']);
    expect((await api.get(`${BASE}/DEVICE/${device}/keys/attributes/CLIENT_SCOPE`)).body).toEqual([]);
  });

  describe('refusals (400) write nothing', () => {
    it.each([
      ['CLIENT_SCOPE', '{"a":1}', 'application/json', 'Invalid scope: CLIENT_SCOPE'],
      ['SERVER_SCOPE', '{"a":', 'text/plain', 'Invalid JSON'],
      ['SERVER_SCOPE', '[1,2]', 'application/json', 'Request is not a JSON object'],
      ['SERVER_SCOPE', '42', 'application/json', 'Request is not a JSON object'],
      ['SERVER_SCOPE', '{}', 'application/json', 'No attributes data found in request body!'],
      ['SERVER_SCOPE', '{" ":1}', 'application/json', 'Key cannot be blank'],
      ['SERVER_SCOPE', '{"a":null}', 'application/json', "Can't parse value: null"],
    ])('%s %s → %s', async (scope, body, contentType, message) => {
      const device = await fixtures.device(`attr-bad-${scope}-${body}-${contentType}`);
      const res = await post(`DEVICE/${device}/${scope}`, body, contentType);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ status: 400, message });
      expect(await fixtures.rows('attribute_kv', device)).toBe(0);
    });

    it('refuses a malformed JSON body sent as JSON with the parser reason', async () => {
      const device = await fixtures.device('attr-bad-json');
      const res = await post(`DEVICE/${device}/SERVER_SCOPE`, '{"a":');
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/^Invalid JSON/);
    });

    it('refuses an unknown scope, naming the valid ones', async () => {
      const device = await fixtures.device('attr-bad-scope');
      const res = await post(`DEVICE/${device}/WHATEVER_SCOPE`, '{"a":1}');
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('CLIENT_SCOPE, SHARED_SCOPE, SERVER_SCOPE');
    });
  });

  describe('deleting', () => {
    it('deletes the named keys of one scope in both path forms, ignoring unknown keys', async () => {
      const device = await fixtures.device('attr-delete');
      await post(`DEVICE/${device}/SERVER_SCOPE`, '{"a":1,"b":2,"c":3}');
      await post(`DEVICE/${device}/SHARED_SCOPE`, '{"a":1}');
      expect((await api.delete(`${BASE}/DEVICE/${device}/SERVER_SCOPE?keys=a,zzz`)).status).toBe(200);
      expect((await api.delete(`${BASE}/${device}/SERVER_SCOPE?key=b`)).status).toBe(200);
      expect((await values(device, '/SERVER_SCOPE')).map((a: { key: string }) => a.key)).toEqual(['c']);
      expect((await values(device, '/SHARED_SCOPE')).map((a: { key: string }) => a.key)).toEqual(['a']);
    });

    it('refuses a delete without keys', async () => {
      const device = await fixtures.device('attr-delete-nokeys');
      await post(`DEVICE/${device}/SERVER_SCOPE`, '{"a":1}');
      const res = await api.delete(`${BASE}/DEVICE/${device}/SERVER_SCOPE`);
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('Empty keys: []');
      expect(await fixtures.rows('attribute_kv', device)).toBe(1);
    });
  });

  it("refuses another tenant's device with 403 and an unknown one with 404", async () => {
    const otherTenant = await fixtures.tenant('Attr other');
    const theirs = await fixtures.device('attr-theirs', { tenantId: otherTenant });
    expect((await post(`DEVICE/${theirs}/SERVER_SCOPE`, '{"a":1}')).status).toBe(403);
    expect((await api.get(`${BASE}/DEVICE/${theirs}/values/attributes`)).status).toBe(403);
    expect((await api.delete(`${BASE}/DEVICE/${theirs}/SERVER_SCOPE?keys=a`)).status).toBe(403);
    expect(await fixtures.rows('attribute_kv', theirs)).toBe(0);
    expect((await api.get(`${BASE}/DEVICE/3a5c9b1e-0000-4000-8000-000000000002/values/attributes`)).status).toBe(404);
  });

  it('records updates and deletes in the audit log', async () => {
    const device = await fixtures.device('attr-audited');
    await post(`DEVICE/${device}/SHARED_SCOPE`, '{"a":1}');
    await api.delete(`${BASE}/DEVICE/${device}/SHARED_SCOPE?keys=a`);
    const logs = await api.get(`/api/audit/logs/entity/DEVICE/${device}?pageSize=10&page=0`);
    expect(logs.body.data.map((l: { actionType: string }) => l.actionType).sort()).toEqual(['ATTRIBUTES_DELETED', 'ATTRIBUTES_UPDATED']);
  });
});
