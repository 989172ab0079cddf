import { entityId } from '../database/ids';
import type { UserCredentialsEntity, UserEntity } from './user.entity';

/** Members of `additionalInfo` the server derives from the credentials; clients cannot set them. */
export const DERIVED_INFO_KEYS = ['userCredentialsEnabled', 'userActivated', 'lastLoginTs'];

/** Activated = the user has chosen a password through the activation link (or was created with one). */
export const isActivated = (creds: UserCredentialsEntity | undefined): boolean => !!creds?.passwordHash && !creds.activateToken;

/** User as ThingsBoard serialises it (rest-api.md §5.3). Credentials only feed the derived flags, never leak. */
export function userJson(u: UserEntity, creds: UserCredentialsEntity | undefined) {
  return {
    id: entityId('USER', u.id),
    createdTime: u.createdTime,
    additionalInfo: {
      ...u.additionalInfo,
      userCredentialsEnabled: creds?.enabled ?? false,
      userActivated: isActivated(creds),
      lastLoginTs: creds?.lastLoginTs ?? null,
    },
    tenantId: entityId('TENANT', u.tenantId),
    customerId: entityId('CUSTOMER', u.customerId),
    email: u.email,
    authority: u.authority,
    firstName: u.firstName,
    lastName: u.lastName,
    phone: u.phone,
    version: u.version,
    name: u.email,
  };
}
