import { HttpErrorResponse, provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { accessToken, MemoryStorage } from '../testing/tokens';
import { AuthService, TOKEN_STORAGE } from './auth.service';

describe('AuthService', () => {
  let auth: AuthService;
  let http: HttpTestingController;
  let storage: MemoryStorage;

  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-01-01T12:00:00Z') });
    storage = new MemoryStorage();
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting(), { provide: TOKEN_STORAGE, useValue: storage }],
    });
    auth = TestBed.inject(AuthService);
    http = TestBed.inject(HttpTestingController);
  });
  afterEach(() => {
    http.verify();
    vi.useRealTimers();
  });

  /** Lets the service's awaits run after a response. */
  const settle = () => vi.advanceTimersByTimeAsync(0);

  async function logIn(lifetimeS = 9000) {
    const done = auth.login('tenant@thingsboard.org', 'tenant');
    http.expectOne('/api/auth/login').flush({ token: accessToken({ lifetimeS }), refreshToken: 'refresh-1' });
    await done;
  }

  it('logs in: knows the user and keeps only the refresh token in storage', async () => {
    await logIn();
    expect(auth.user()).toMatchObject({ email: 'tenant@thingsboard.org', authority: 'TENANT_ADMIN' });
    expect([...storage.items.values()]).toEqual(['refresh-1']);
  });

  it('renews the access token a minute before it expires, without any request asking', async () => {
    await logIn(9000);
    await vi.advanceTimersByTimeAsync((9000 - 61) * 1000);
    http.expectNone('/api/auth/token');
    await vi.advanceTimersByTimeAsync(2000);
    const refresh = http.expectOne('/api/auth/token');
    expect(refresh.request.body).toEqual({ refreshToken: 'refresh-1' });
    const renewed = accessToken({ lifetimeS: 9000 });
    refresh.flush({ token: renewed, refreshToken: 'refresh-2' });
    await settle();
    expect(await auth.validToken()).toBe(renewed);
    expect(storage.getItem('edgewise.refreshToken')).toBe('refresh-2');
  });

  it('renews once for everyone who needs a token while it is expired', async () => {
    await logIn(60);
    vi.setSystemTime(Date.now() + 61_000); // the timer did not fire yet (e.g. the laptop slept)
    const first = auth.validToken();
    const second = auth.validToken();
    const renewed = accessToken();
    http.expectOne('/api/auth/token').flush({ token: renewed, refreshToken: 'refresh-2' });
    expect(await first).toBe(renewed);
    expect(await second).toBe(renewed);
  });

  it('ends the session with a reason when the server refuses the refresh token', async () => {
    await logIn();
    const attempt = auth.refresh();
    http.expectOne('/api/auth/token').flush({ status: 401, message: 'Invalid refresh token' }, { status: 401, statusText: 'Unauthorized' });
    await expect(attempt).rejects.toBeInstanceOf(HttpErrorResponse);
    expect(auth.user()).toBeNull();
    expect(auth.endedBecause()).toMatch(/session has expired/);
    expect(storage.getItem('edgewise.refreshToken')).toBeNull();
  });

  it('keeps the session when the server cannot be reached, so a later request can try again', async () => {
    await logIn();
    const attempt = auth.refresh();
    http.expectOne('/api/auth/token').error(new ProgressEvent('error'), { status: 0 });
    await expect(attempt).rejects.toBeInstanceOf(HttpErrorResponse);
    expect(auth.user()).not.toBeNull();
    expect(storage.getItem('edgewise.refreshToken')).toBe('refresh-1');
  });

  it('resumes the tab’s session after a reload from the stored refresh token', async () => {
    storage.setItem('edgewise.refreshToken', 'refresh-9');
    const restoring = auth.restore();
    http.expectOne('/api/auth/token').flush({ token: accessToken({ email: 'ops@example.com' }), refreshToken: 'refresh-10' });
    await restoring;
    expect(auth.user()?.email).toBe('ops@example.com');
  });

  it('logs out locally and on the server', async () => {
    await logIn();
    const out = auth.logout();
    const request = http.expectOne('/api/auth/logout');
    expect(request.request.headers.get('X-Authorization')).toMatch(/^Bearer /);
    request.flush(null);
    await out;
    expect(auth.user()).toBeNull();
    expect(auth.endedBecause()).toBeNull();
    expect(storage.getItem('edgewise.refreshToken')).toBeNull();
  });
});
