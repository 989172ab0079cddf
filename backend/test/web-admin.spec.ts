import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startTestApp, TENANT_ADMIN, TestApp } from './harness';
import { WsTestClient } from './ws-client';

const INDEX_HTML = '<!doctype html><html><body><ew-root></ew-root><script src="main-3CNP2P2H.js"></script></body></html>';
const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

/** A folder laid out like `ng build` output: index.html, hashed scripts and media, an unhashed favicon. */
function fakeAdminBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), 'edgewise-admin-'));
  writeFileSync(join(dir, 'index.html'), INDEX_HTML);
  writeFileSync(join(dir, 'main-3CNP2P2H.js'), 'console.log("admin")');
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  mkdirSync(join(dir, 'media'));
  writeFileSync(join(dir, 'media', 'roboto-latin-400-normal-V3H5IIDP.woff2'), 'font');
  return dir;
}

describe('web admin served by the backend', () => {
  let app: TestApp;
  let dir: string;
  let tenant: ApiClient;

  beforeAll(async () => {
    dir = fakeAdminBuild();
    app = await startTestApp({ WEB_ADMIN_DIR: dir });
    tenant = await app.api.login(TENANT_ADMIN);
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / and for every admin page path, revalidated on each load', async () => {
    for (const path of ['/', '/devices', '/devices/784f394c-42b6-435a-983c-b7beff2784f9/timeseries?range=1h']) {
      const page = await app.api.request('GET', path, undefined, HTML);
      expect(page.status, path).toBe(200);
      expect(page.text).toBe(INDEX_HTML);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expect(page.headers.get('cache-control')).toBe('no-cache');
    }
  });

  it('caches hashed files for a year and revalidates the others', async () => {
    const script = await app.api.get('/main-3CNP2P2H.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await app.api.get('/media/roboto-latin-400-normal-V3H5IIDP.woff2')).headers.get('cache-control')).toMatch(/immutable/);
    expect((await app.api.get('/favicon.svg')).headers.get('cache-control')).toBe('no-cache');
  });

  it('answers a missing file with 404, not with the page (a stale script must not get HTML)', async () => {
    const missing = await app.api.request('GET', '/chunk-OLDHASH1.js', undefined, HTML);
    expect(missing.status).toBe(404);
    expect(missing.text).not.toContain('<ew-root>');
  });

  it('never shadows the API: unknown /api paths keep the JSON 404, known ones work, POSTs are not pages', async () => {
    const unknown = await app.api.request('GET', '/api/no-such-endpoint', undefined, HTML);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ status: 404 });
    expect((await app.api.request('GET', '/api/tenant/devices?pageSize=1&page=0', undefined, HTML)).status).toBe(401);
    expect((await tenant.get('/api/tenant/devices?pageSize=1&page=0')).status).toBe(200);
    expect((await app.api.request('POST', '/devices', {}, HTML)).text).not.toContain('<ew-root>');
    const explorer = await app.api.request('GET', '/v3/api-docs', undefined, HTML);
    expect(explorer.text).not.toContain('<ew-root>');
  });

  it('leaves the WebSocket endpoint alone', async () => {
    const login = await app.api.post('/api/auth/login', TENANT_ADMIN);
    const client = await WsTestClient.open(app.url, '/api/ws');
    client.send({
      authCmd: { cmdId: 0, token: login.body.token },
      cmds: [{ type: 'ENTITY_COUNT', cmdId: 1, query: { entityFilter: { type: 'entityType', entityType: 'DEVICE' } } }],
    });
    expect(await client.nextFor(1)).toMatchObject({ cmdId: 1, errorCode: 0, count: 0 });
    client.socket.close();
  });

  it('tells a signed-in admin the ports of the running device transports', async () => {
    const ports = await tenant.get('/api/web-admin/transports');
    expect(ports.status).toBe(200);
    expect(ports.body.mqtt.mqtt).toEqual(expect.any(Number));
    expect(ports.body.mqtt.mqtt).toBeGreaterThan(0);
    expect((await app.api.get('/api/web-admin/transports')).status).toBe(401);
  });
});

describe('web admin not built', () => {
  let app: TestApp;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edgewise-admin-missing-'));
    app = await startTestApp({ WEB_ADMIN_DIR: dir });
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says how to build it where the admin would be, and the API still works', async () => {
    const page = await app.api.request('GET', '/', undefined, HTML);
    expect(page.status).toBe(404);
    expect(page.text).toContain('npm run build -w @edgewise/frontend');
    expect((await app.api.post('/api/auth/login', TENANT_ADMIN)).status).toBe(200);
  });
});
