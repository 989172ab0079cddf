/**
 * ThingsBoard's client credentials for external systems (`{"type": "anonymous" | "basic" | "cert.PEM" | "sas", …}`).
 * Anonymous and basic (user name + password) are supported; certificates and Azure SAS tokens are not yet,
 * and a node configured with them refuses to start instead of connecting without them.
 */

export type ClientCredentials =
  | { type: 'anonymous' }
  | { type: 'basic'; username?: string | null; password?: string | null }
  | { type: 'cert.PEM' | 'sas'; [field: string]: unknown };

export const ANONYMOUS: ClientCredentials = { type: 'anonymous' };

export const credentialsSchema = {
  type: ['object', 'null'],
  title: 'Credentials',
  properties: {
    type: { type: 'string', enum: ['anonymous', 'basic'], title: 'Credentials type' },
    username: { type: ['string', 'null'], title: 'Username' },
    password: { type: ['string', 'null'], title: 'Password' },
  },
  required: ['type'],
} as const;

/** The user name and password to send, or null for anonymous access; throws for credentials not supported. */
export function basicCredentials(credentials: ClientCredentials | null | undefined): { username: string; password: string } | null {
  const type = credentials?.type ?? 'anonymous';
  if (type === 'anonymous') return null;
  if (credentials?.type === 'basic') return { username: credentials.username ?? '', password: credentials.password ?? '' };
  throw new Error(`Credentials of type "${type}" are not supported yet: use "anonymous" or "basic"`);
}
