import { contactJson } from '../customers/contact';
import { entityId } from '../database/ids';
import type { TenantEntity } from './tenant.entity';

/** Tenant as ThingsBoard serialises it; Edgewise has no tenant profiles, so `tenantProfileId` is null. */
export function tenantJson(t: TenantEntity) {
  return {
    id: entityId('TENANT', t.id),
    createdTime: t.createdTime,
    additionalInfo: t.additionalInfo,
    ...contactJson(t),
    title: t.title,
    region: t.region,
    tenantProfileId: null,
    version: t.version,
    name: t.title,
  };
}
