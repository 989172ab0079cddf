import { randomBytes } from 'node:crypto';
import { ApiError, ErrorCode } from '../errors/api-error';
import type { UserCredentialsEntity } from './user.entity';

/** ThingsBoard's default lifetime of an activation link. */
const ACTIVATION_TTL_MS = 24 * 60 * 60 * 1000;

/** A fresh unguessable token (256 bits, URL-safe) and its expiry, for credentials awaiting activation. */
export const newActivationToken = (now = Date.now()) => ({
  activateToken: randomBytes(32).toString('base64url'),
  activateTokenExpires: now + ACTIVATION_TTL_MS,
});

export const isActivationExpired = (creds: UserCredentialsEntity, now = Date.now()): boolean =>
  creds.activateTokenExpires !== null && creds.activateTokenExpires < now;

/** ThingsBoard's default password policy: at least 6 characters. */
const MIN_PASSWORD_LENGTH = 6;

export function assertPasswordPolicy(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new ApiError(400, `Password must be ${MIN_PASSWORD_LENGTH} or more characters in length.`, ErrorCode.PASSWORD_VIOLATION);
  }
}
