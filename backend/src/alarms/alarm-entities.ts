import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { SecurityUser } from '../auth/security-user';
import { EntityType, NULL_UUID, normalName } from '../database/ids';
import { ApiError } from '../errors/api-error';
import { parseUuid } from '../paging/uuid-param';

export interface EntityRef {
  entityType: string;
  id: string;
}

/** What alarms need to know about an entity they originate from or show on. */
export interface AlarmEntityInfo {
  entityType: string;
  id: string;
  tenantId: string;
  /** The entity's owning customer (ThingsBoard's `customerId`); null when it belongs to the tenant only. */
  customerId: string | null;
  name: string;
  /** The label, or the name when there is no label (ThingsBoard's alarm_info view). */
  label: string;
}

interface EntityTable {
  /** SQL of (id, tenant_id, customer_id, name, label) for `:...ids`. */
  select: string;
}

/** The entity kinds Edgewise stores, each with the SQL that describes rows of it. */
const TABLES: Partial<Record<string, EntityTable>> = {
  TENANT: { select: 'SELECT id, id AS tenant_id, NULL AS customer_id, title AS name, title AS label FROM tenant WHERE id IN (:...ids)' },
  CUSTOMER: {
    select: "SELECT id, tenant_id, NULL AS customer_id, title AS name, COALESCE(NULLIF(title, ''), email) AS label FROM customer WHERE id IN (:...ids)",
  },
  USER: { select: 'SELECT id, tenant_id, customer_id, email AS name, email AS label FROM tb_user WHERE id IN (:...ids)' },
  DEVICE: {
    select: "SELECT id, tenant_id, customer_id, name, COALESCE(NULLIF(label, ''), name) AS label FROM device WHERE id IN (:...ids)",
  },
  DEVICE_PROFILE: { select: 'SELECT id, tenant_id, NULL AS customer_id, name, name AS label FROM device_profile WHERE id IN (:...ids)' },
};

/** `ENTITY_TYPE:id`, the key of the maps below. */
export const entityKey = (ref: EntityRef): string => `${ref.entityType}:${ref.id}`;

/**
 * Looks up the entities alarms refer to, whatever their kind: names for AlarmInfo, owners for the alarm's
 * customer and propagation, tenants for access checks. Kinds Edgewise has no table for are "not found".
 */
@Injectable()
export class AlarmEntities {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async find(ref: EntityRef): Promise<AlarmEntityInfo | undefined> {
    return (await this.findAll([ref])).get(entityKey(ref));
  }

  /** Every entity of `refs` that exists, by `ENTITY_TYPE:id`. One query per entity kind. */
  async findAll(refs: readonly EntityRef[]): Promise<Map<string, AlarmEntityInfo>> {
    const found = new Map<string, AlarmEntityInfo>();
    const idsByType = new Map<string, Set<string>>();
    for (const ref of refs) idsByType.set(ref.entityType, (idsByType.get(ref.entityType) ?? new Set()).add(ref.id));
    for (const [entityType, ids] of idsByType) {
      const table = TABLES[entityType];
      if (!table) continue;
      const [sql, params] = this.db.driver.escapeQueryWithParameters(table.select, { ids: [...ids] });
      const rows: { id: string; tenant_id: string; customer_id: string | null; name: string; label: string }[] = await this.db.query(sql, params);
      for (const row of rows) {
        const customerId = row.customer_id && row.customer_id !== NULL_UUID ? row.customer_id : null;
        const info = { entityType, id: row.id, tenantId: row.tenant_id, customerId, name: row.name, label: row.label };
        found.set(entityKey(info), info);
      }
    }
    return found;
  }

  /**
   * The entity a path or body names, if the caller may read it (rest-api.md §0.2): unknown → 404, another
   * tenant's → 403; a customer user reads its own customer and what that customer owns, nothing else.
   */
  async readable(user: SecurityUser, entityType: string, rawId: string): Promise<AlarmEntityInfo> {
    const id = parseUuid(rawId);
    const entity = await this.find({ entityType, id });
    // normalName only reformats the text; kinds without a table still read naturally ("Asset with id …").
    if (!entity) throw ApiError.notFound(`${normalName(entityType as EntityType)} with id [${id}] is not found`);
    if (entity.tenantId !== user.tenantId) throw ApiError.forbidden();
    if (user.authority === 'CUSTOMER_USER') {
      const ownedByCaller = entityType === 'CUSTOMER' ? entity.id === user.customerId : entity.customerId === user.customerId;
      if (!ownedByCaller) throw ApiError.forbidden();
    }
    return entity;
  }
}
