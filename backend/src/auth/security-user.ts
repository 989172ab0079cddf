import type { Authority } from '../users/user.entity';

/** Who is calling: taken from a verified access token. */
export interface SecurityUser {
  id: string;
  email: string;
  authority: Authority;
  tenantId: string;
  customerId: string;
}

/** Claims of our tokens; the names follow ThingsBoard's so its client libraries can read them. */
export interface TokenClaims {
  sub: string;
  userId: string;
  scopes: string[];
  tenantId: string;
  customerId: string;
  firstName?: string | null;
  lastName?: string | null;
  enabled: boolean;
  isPublic: boolean;
  /** Token generation of the user's credentials when issued; logout and password change bump it. */
  gen: number;
  iss: string;
}

export const REFRESH_SCOPE = 'REFRESH_TOKEN';
export const TOKEN_ISSUER = 'edgewise';
