import { HttpBackend, HttpClient, HttpErrorResponse } from '@angular/common/http';
import { computed, inject, Injectable, InjectionToken, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import type { Authority } from '../core/api-models';
import { AccessClaims, readClaims } from './jwt';

interface TokenPair {
  token: string;
  refreshToken: string;
}

/** Who is logged in, as the access token says. */
export interface SessionUser {
  id: string;
  email: string;
  authority: Authority;
  tenantId: string;
  customerId: string;
  displayName: string;
}

/**
 * Where the refresh token is kept. sessionStorage: it survives a reload of the tab (so a reload does not log
 * out) but not closing the tab or the browser, and other sites cannot read it. Script running in the page
 * could read it — but such a script could use the session anyway; localStorage would only add exposure
 * (it outlives the browser) and a cookie would need the server to set and guard it, which ThingsBoard's API
 * (tokens in JSON bodies and an X-Authorization header) does not do. The access token stays in memory only.
 */
export const TOKEN_STORAGE = new InjectionToken<Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>>('TOKEN_STORAGE', {
  providedIn: 'root',
  factory: () => sessionStorage,
});

const REFRESH_TOKEN_KEY = 'edgewise.refreshToken';
/** Refresh this long before the access token expires (at most a fifth of its lifetime, for short-lived tokens). */
const REFRESH_AHEAD_MS = 60_000;
/** A request is sent with the current token only if the token stays valid at least this long. */
const MIN_VALIDITY_MS = 5_000;

const SESSION_EXPIRED = 'Your session has expired. Log in again to continue.';

function userOf(claims: AccessClaims): SessionUser {
  const name = [claims.firstName, claims.lastName].filter(Boolean).join(' ');
  return {
    id: claims.userId,
    email: claims.sub,
    authority: claims.scopes[0],
    tenantId: claims.tenantId,
    customerId: claims.customerId,
    displayName: name || claims.sub,
  };
}

/**
 * The login session: logs in and out, keeps the access token in memory and renews it before it expires
 * (and on demand when a request finds it expired), so someone can keep the admin open all day.
 */
@Injectable({ providedIn: 'root' })
export class AuthService {
  /** Bypasses the interceptors: these calls carry no access token and must not trigger a refresh themselves. */
  private readonly http = new HttpClient(inject(HttpBackend));
  private readonly storage = inject(TOKEN_STORAGE);
  private readonly session = signal<{ token: string; claims: AccessClaims } | null>(null);
  private refreshTimer?: ReturnType<typeof setTimeout>;
  private refreshInFlight?: Promise<string>;

  readonly user = computed(() => {
    const session = this.session();
    return session ? userOf(session.claims) : null;
  });
  /** Why the last session ended without the user logging out (shown on the login page); null otherwise. */
  readonly endedBecause = signal<string | null>(null);

  /** At start-up: resumes this tab's session when its refresh token is still good; otherwise the login page shows. */
  async restore(): Promise<void> {
    if (!this.storage.getItem(REFRESH_TOKEN_KEY)) return;
    try {
      await this.refresh();
    } catch {
      // Expired, revoked or the server is down: the login page says what to do.
    }
  }

  async login(username: string, password: string): Promise<void> {
    const pair = await firstValueFrom(this.http.post<TokenPair>('/api/auth/login', { username, password }));
    this.accept(pair);
  }

  /** Sets the password of an invited user (the link of their invitation carries `activateToken`) and logs them in. */
  async activate(activateToken: string, password: string): Promise<void> {
    const pair = await firstValueFrom(this.http.post<TokenPair>('/api/noauth/activate', { activateToken, password }));
    this.accept(pair);
  }

  /** Ends the session here and on the server (ThingsBoard's logout revokes the user's tokens). */
  async logout(): Promise<void> {
    const token = this.session()?.token;
    this.end(null);
    if (!token) return;
    try {
      await firstValueFrom(this.http.post('/api/auth/logout', null, { headers: { 'X-Authorization': `Bearer ${token}` } }));
    } catch {
      // Already logged out locally; the token expires on its own.
    }
  }

  /** The access token to send now: refreshed first when it is about to expire. Rejects when the session cannot go on. */
  async validToken(): Promise<string> {
    const session = this.session();
    if (session && session.claims.exp * 1000 - Date.now() > MIN_VALIDITY_MS) return session.token;
    return this.refresh();
  }

  /** Trades the refresh token for a new pair; callers at the same moment share one request. */
  refresh(): Promise<string> {
    this.refreshInFlight ??= this.renew().finally(() => (this.refreshInFlight = undefined));
    return this.refreshInFlight;
  }

  private async renew(): Promise<string> {
    const refreshToken = this.storage.getItem(REFRESH_TOKEN_KEY);
    if (!refreshToken) {
      if (this.session()) this.end(SESSION_EXPIRED);
      throw new Error(SESSION_EXPIRED);
    }
    try {
      return this.accept(await firstValueFrom(this.http.post<TokenPair>('/api/auth/token', { refreshToken })));
    } catch (e) {
      // Refused: the session is over. Anything else (server down, network): keep it and let the caller retry.
      if (e instanceof HttpErrorResponse && (e.status === 401 || e.status === 403)) this.end(SESSION_EXPIRED);
      throw e;
    }
  }

  private accept(pair: TokenPair): string {
    const claims = readClaims(pair.token);
    this.storage.setItem(REFRESH_TOKEN_KEY, pair.refreshToken);
    this.endedBecause.set(null);
    this.session.set({ token: pair.token, claims });
    this.scheduleRefresh(claims);
    return pair.token;
  }

  private scheduleRefresh(claims: AccessClaims): void {
    clearTimeout(this.refreshTimer);
    const lifetimeMs = (claims.exp - claims.iat) * 1000;
    const ahead = Math.min(REFRESH_AHEAD_MS, lifetimeMs / 5);
    const delay = Math.max(0, claims.exp * 1000 - ahead - Date.now());
    // A failed background refresh is retried by the next request (validToken), or ends the session when refused.
    this.refreshTimer = setTimeout(() => this.refresh().catch(() => undefined), delay);
  }

  private end(reason: string | null): void {
    clearTimeout(this.refreshTimer);
    this.storage.removeItem(REFRESH_TOKEN_KEY);
    this.session.set(null);
    this.endedBecause.set(reason);
  }
}
