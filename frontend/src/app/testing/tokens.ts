import type { Authority } from '../core/api-models';

const base64url = (value: object) => btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** An access token shaped like the server's (unsigned: the admin never checks signatures). */
export function accessToken(options: { email?: string; authority?: Authority; lifetimeS?: number; issuedAt?: number } = {}): string {
  const iat = Math.floor((options.issuedAt ?? Date.now()) / 1000);
  const claims = {
    sub: options.email ?? 'tenant@thingsboard.org',
    userId: 'user-1',
    scopes: [options.authority ?? 'TENANT_ADMIN'],
    tenantId: 'tenant-1',
    customerId: '13814000-1dd2-11b2-8080-808080808080',
    firstName: null,
    lastName: null,
    iat,
    exp: iat + (options.lifetimeS ?? 9000),
  };
  return `${base64url({ alg: 'HS512' })}.${base64url(claims)}.signature`;
}

/** sessionStorage stand-in. */
export class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem = (key: string) => this.items.get(key) ?? null;
  setItem = (key: string, value: string) => void this.items.set(key, value);
  removeItem = (key: string) => void this.items.delete(key);
}
