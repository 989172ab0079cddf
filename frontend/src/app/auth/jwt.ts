import type { Authority } from '../core/api-models';

/** The claims of an Edgewise access token the admin reads (the names follow ThingsBoard's). */
export interface AccessClaims {
  /** The user's e-mail. */
  sub: string;
  userId: string;
  scopes: Authority[];
  tenantId: string;
  customerId: string;
  firstName?: string | null;
  lastName?: string | null;
  /** Expiry, seconds since the epoch. */
  exp: number;
  /** Issued at, seconds since the epoch. */
  iat: number;
}

/**
 * Reads a JWT's payload without checking its signature: the server checks tokens, the admin only needs
 * to know who it is and when to refresh. Throws on anything that is not a JWT.
 */
export function readClaims(token: string): AccessClaims {
  const payload = token.split('.')[1];
  if (!payload) throw new Error('The server sent a token that is not a JWT.');
  const base64 = payload
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(payload.length / 4) * 4, '=');
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as AccessClaims;
}
