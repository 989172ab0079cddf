import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { firstValueFrom } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accessToken, MemoryStorage } from '../testing/tokens';
import { authInterceptor } from './auth.interceptor';
import { AuthService, TOKEN_STORAGE } from './auth.service';

describe('authInterceptor', () => {
  let http: HttpTestingController;
  let client: HttpClient;
  const token = accessToken();

  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([authInterceptor])),
        provideHttpClientTesting(),
        { provide: TOKEN_STORAGE, useValue: new MemoryStorage() },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    client = TestBed.inject(HttpClient);
    const login = TestBed.inject(AuthService).login('tenant@thingsboard.org', 'tenant');
    http.expectOne('/api/auth/login').flush({ token, refreshToken: 'refresh-1' });
    await login;
  });
  afterEach(() => http.verify());

  /** Lets the interceptor's token lookup (a promise) run. */
  const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

  it('sends the access token as ThingsBoard expects it', async () => {
    const response = firstValueFrom(client.get('/api/tenant/devices'));
    await tick();
    const request = http.expectOne('/api/tenant/devices');
    expect(request.request.headers.get('X-Authorization')).toBe(`Bearer ${token}`);
    request.flush({ data: [] });
    await expect(response).resolves.toEqual({ data: [] });
  });

  it('renews the token and retries once when a call is refused with 401', async () => {
    const response = firstValueFrom(client.get('/api/device/1'));
    await tick();
    http.expectOne('/api/device/1').flush({ status: 401, message: 'Token has expired', errorCode: 11 }, { status: 401, statusText: '' });
    await tick();
    const renewed = accessToken({ lifetimeS: 100 });
    http.expectOne('/api/auth/token').flush({ token: renewed, refreshToken: 'refresh-2' });
    await tick();
    const retry = http.expectOne('/api/device/1');
    expect(retry.request.headers.get('X-Authorization')).toBe(`Bearer ${renewed}`);
    retry.flush({ name: 'Boiler-3' });
    await expect(response).resolves.toEqual({ name: 'Boiler-3' });
  });

  it('leaves requests to other sites and to the public API alone', async () => {
    for (const url of ['https://example.com/data.json', '/api/noauth/userPasswordPolicy']) {
      const response = firstValueFrom(client.get(url));
      const request = http.expectOne(url);
      expect(request.request.headers.has('X-Authorization')).toBe(false);
      request.flush({});
      await response;
    }
  });
});
