import type { SecurityUser } from '../auth/security-user';
import { EntityType, NULL_UUID, normalName } from '../database/ids';
import { ApiError } from '../errors/api-error';

/**
 * The one rule for reading an entity by id: unknown → 404 (rest-api.md §0.2), another tenant's → 403,
 * and a customer user may only see what is assigned to its own customer.
 */
export function checkAccess<T extends { tenantId: string; customerId?: string | null }>(
  user: SecurityUser,
  entityType: EntityType,
  id: string,
  entity: T | null | undefined,
): T {
  if (!entity) throw ApiError.notFound(`${normalName(entityType)} with id [${id}] is not found`);
  if (entity.tenantId !== user.tenantId) throw ApiError.forbidden();
  if (user.authority === 'CUSTOMER_USER' && entity.customerId !== undefined && entity.customerId !== user.customerId) {
    throw ApiError.forbidden();
  }
  return entity;
}

/** Customer users are scoped to their customer; everyone else sees the whole tenant. */
export const customerScope = (user: SecurityUser): string | undefined => (user.authority === 'CUSTOMER_USER' ? user.customerId : undefined);

export const isNullUuid = (id: string | null | undefined) => !id || id === NULL_UUID;
