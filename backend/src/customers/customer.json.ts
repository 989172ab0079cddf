import { entityId } from '../database/ids';
import { contactJson } from './contact';
import type { CustomerEntity } from './customer.entity';

/** Customer as ThingsBoard serialises it (rest-api.md §5.1); `name` repeats the title. */
export function customerJson(c: CustomerEntity) {
  return {
    id: entityId('CUSTOMER', c.id),
    createdTime: c.createdTime,
    additionalInfo: c.additionalInfo,
    ...contactJson(c),
    title: c.title,
    tenantId: entityId('TENANT', c.tenantId),
    externalId: null,
    version: c.version,
    name: c.title,
  };
}

/** A customer is public when the platform made it for public dashboards. */
export const isPublicCustomer = (c: CustomerEntity): boolean => c.additionalInfo?.isPublic === true;
