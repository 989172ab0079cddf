import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startTestApp, SYSADMIN, TENANT_ADMIN, TestApp } from './harness';

describe('auth', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ LOGIN_MAX_ATTEMPTS: '5' });
  });
  afterAll(() => app?.close());

  it('logs the demo tenant admin in and returns a token pair', async () => {
    const res = await app.api.post('/api/auth/login', TENANT_ADMIN);
    expect(res.status).toBe(200);
    expect(typeof res.body.token).toBe('string');
    expect(typeof res.body.refreshToken).toBe('string');
    const me = await app.api.withToken(res.body.token).get('/api/deviceProfileInfo/default');
    expect(me.status).toBe(200);
    expect(me.body.name).toBe('default');
  });

  it('refuses a wrong password with 401 and errorCode 10', async () => {
    const res = await app.api.post('/api/auth/login', { username: TENANT_ADMIN.username, password: 'nope' });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ status: 401, message: 'Invalid username or password', errorCode: 10 });
    expect(typeof res.body.timestamp).toBe('number');
  });

  it('answers an unknown account exactly like a wrong password', async () => {
    const res = await app.api.post('/api/auth/login', { username: 'nobody@example.com', password: 'nope' });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ message: 'Invalid username or password', errorCode: 10 });
  });

  it('refuses calls without a token with 401', async () => {
    const res = await app.api.get('/api/deviceProfiles?pageSize=10&page=0');
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ status: 401, errorCode: 10 });
  });

  it('refuses a forged token', async () => {
    const res = await new ApiClient(app.url, 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl').get(
      '/api/deviceProfiles?pageSize=1&page=0',
    );
    expect(res.status).toBe(401);
  });

  it('exchanges a refresh token for a new pair, and refuses an access token there', async () => {
    const login = await app.api.post('/api/auth/login', TENANT_ADMIN);
    const refreshed = await app.api.post('/api/auth/token', { refreshToken: login.body.refreshToken });
    expect(refreshed.status).toBe(200);
    expect((await app.api.withToken(refreshed.body.token).get('/api/deviceProfileInfo/default')).status).toBe(200);
    expect((await app.api.post('/api/auth/token', { refreshToken: login.body.token })).status).toBe(401);
    // a refresh token is not an access token
    expect((await app.api.withToken(login.body.refreshToken).get('/api/deviceProfileInfo/default')).status).toBe(401);
  });

  it('logout revokes the tokens issued before it', async () => {
    const api = await app.api.login(TENANT_ADMIN);
    expect((await api.post('/api/auth/logout')).status).toBe(200);
    expect((await api.get('/api/deviceProfileInfo/default')).status).toBe(401);
  });

  it('lets a role call only what it may: sysadmin gets 403 on tenant endpoints', async () => {
    const sys = await app.api.login(SYSADMIN);
    const res = await sys.get('/api/deviceProfiles?pageSize=10&page=0');
    expect(res.status).toBe(403);
    expect(res.body.errorCode).toBe(20);
  });

  it('rate-limits repeated failed logins with 429 and Retry-After, even for the right password', async () => {
    const victim = { username: SYSADMIN.username, password: 'wrong' };
    for (let i = 0; i < 5; i++) expect((await app.api.post('/api/auth/login', victim)).status).toBe(401);
    const blocked = await app.api.post('/api/auth/login', SYSADMIN);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(blocked.body.errorCode).toBe(33);
  });
});
