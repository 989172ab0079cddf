import { Injectable } from '@nestjs/common';
import type { EntityId, EntityType } from '@edgewise/plugin-api';
import { DataSource } from 'typeorm';
import { checkAccess } from '../access/tenant-access';
import type { SecurityUser } from '../auth/security-user';
import { EntityType as CoreEntityType, NULL_UUID } from '../database/ids';
import { ApiError } from '../errors/api-error';
import { parseUuid } from '../paging/uuid-param';
import { placeholders, SqlRunner } from '../telemetry/sql-runner';

/** Every entity type ThingsBoard's `{"entityType", "id"}` objects may name (the rule-node seam's list). */
const KNOWN_TYPES = {
  TENANT: true,
  CUSTOMER: true,
  USER: true,
  DASHBOARD: true,
  ASSET: true,
  ASSET_PROFILE: true,
  DEVICE: true,
  DEVICE_PROFILE: true,
  ENTITY_VIEW: true,
  ALARM: true,
  RULE_CHAIN: true,
  RULE_NODE: true,
  EDGE: true,
  OTA_PACKAGE: true,
  QUEUE: true,
} satisfies Record<EntityType, true>;

/** Who owns an entity, and what ThingsBoard calls it (`fromName`/`toName`, the N/A of a gone entity aside). */
export interface EntityOwner {
  tenantId: string;
  /** The null UUID when no customer can see it (unassigned devices, tenants, profiles). */
  customerId: string;
  name: string;
}

/**
 * Where the owner of one entity type is read: a table (or a join) and SQL expressions for its columns, e.g.
 * rule nodes: `{ table: 'rule_node n JOIN rule_chain c ON c.id = n.rule_chain_id', id: 'n.id', name: 'n.name',
 * tenantId: 'c.tenant_id' }`.
 */
export interface EntityTable {
  table: string;
  /** Default `id`. */
  id?: string;
  name: string;
  tenantId: string;
  /** Absent: the entity belongs to no customer. */
  customerId?: string;
}

const BUILT_IN: [EntityType, EntityTable][] = [
  ['TENANT', { table: 'tenant', name: 'title', tenantId: 'id' }],
  ['CUSTOMER', { table: 'customer', name: 'title', tenantId: 'tenant_id', customerId: 'id' }],
  ['USER', { table: 'tb_user', name: 'email', tenantId: 'tenant_id', customerId: 'customer_id' }],
  ['DEVICE', { table: 'device', name: 'name', tenantId: 'tenant_id', customerId: 'customer_id' }],
  ['DEVICE_PROFILE', { table: 'device_profile', name: 'name', tenantId: 'tenant_id' }],
];

/** Ids per IN list: far below SQLite's and PostgreSQL's bind-parameter limits. */
const IDS_PER_QUERY = 500;

export const entityKey = (id: EntityId): string => `${id.entityType}:${id.id}`;

/** An entity type from request text: 400 unless it is one of ThingsBoard's. */
export function parseEntityType(raw: unknown, what = 'entity'): EntityType {
  if (typeof raw !== 'string' || !raw) throw ApiError.badRequest(`The ${what} type should be specified (e.g. DEVICE)`);
  if (!(raw in KNOWN_TYPES)) throw ApiError.badRequest(`Unknown entity type '${raw}': use one of ${Object.keys(KNOWN_TYPES).join(', ')}`);
  return raw as EntityType;
}

/** `{"entityType": …, "id": …}` from request text: 400 for an unknown type or a malformed UUID. */
export function parseEntityId(rawType: unknown, rawId: unknown, what = 'entity'): EntityId {
  const entityType = parseEntityType(rawType, what);
  if (typeof rawId !== 'string' || !rawId) throw ApiError.badRequest(`The ${what} id should be specified`);
  return { entityType, id: parseUuid(rawId) };
}

/**
 * Finds the owner and name of entities of the types that have a table here, in one query per type. Other
 * features add their entity types with `register` (e.g. rule chains), so relations, events and access
 * checks reach them without this file knowing their tables.
 */
@Injectable()
export class EntityDirectory {
  private readonly tables = new Map<string, EntityTable>(BUILT_IN);
  private readonly sql: SqlRunner;

  constructor(dataSource: DataSource) {
    this.sql = new SqlRunner(dataSource);
  }

  register(entityType: EntityType, table: EntityTable): void {
    this.tables.set(entityType, table);
  }

  supports(entityType: string): boolean {
    return this.tables.has(entityType);
  }

  supportedTypes(): string[] {
    return [...this.tables.keys()];
  }

  /** 400 naming the type when entities of it cannot be checked yet. */
  requireSupported(entityType: string): void {
    if (!this.supports(entityType))
      throw ApiError.badRequest(`Entity type ${entityType} is not supported here yet: use one of ${this.supportedTypes().join(', ')}`);
  }

  /** Owners of the given entities, by `entityKey`; unknown ids and unsupported types are left out. */
  async owners(ids: readonly EntityId[]): Promise<Map<string, EntityOwner>> {
    const byType = new Map<string, Set<string>>();
    for (const id of ids) {
      if (!this.tables.has(id.entityType)) continue;
      let set = byType.get(id.entityType);
      if (!set) byType.set(id.entityType, (set = new Set()));
      set.add(id.id);
    }
    const found = new Map<string, EntityOwner>();
    for (const [entityType, idSet] of byType) {
      const t = this.tables.get(entityType)!;
      const all = [...idSet];
      for (let i = 0; i < all.length; i += IDS_PER_QUERY) {
        const chunk = all.slice(i, i + IDS_PER_QUERY);
        const rows = await this.sql.query<{ id: string; name: string; tenant_id: string; customer_id: string }>(
          `SELECT ${t.id ?? 'id'} AS id, ${t.name} AS name, ${t.tenantId} AS tenant_id, ${t.customerId ?? `'${NULL_UUID}'`} AS customer_id
           FROM ${t.table} WHERE ${t.id ?? 'id'} IN (${placeholders(chunk.length)})`,
          chunk,
        );
        for (const row of rows)
          found.set(`${entityType}:${String(row.id).toLowerCase()}`, {
            tenantId: String(row.tenant_id),
            customerId: String(row.customer_id),
            name: row.name,
          });
      }
    }
    return found;
  }

  /**
   * The entity as the caller may see it: 400 for a type that cannot be checked yet, 404 when unknown, 403
   * when another tenant's or (for customer users) another customer's.
   */
  async readable(user: SecurityUser, id: EntityId): Promise<EntityOwner> {
    this.requireSupported(id.entityType);
    return this.check(user, id, (await this.owners([id])).get(entityKey(id)));
  }

  /** The same rule as a yes/no, for lists that silently drop what the caller may not see. */
  canRead(user: SecurityUser, id: EntityId, owner: EntityOwner | undefined): boolean {
    try {
      this.check(user, id, owner);
      return true;
    } catch {
      return false;
    }
  }

  /** tenant-access's rule, plus: the system administrator owns the tenants. */
  private check(user: SecurityUser, id: EntityId, owner: EntityOwner | undefined): EntityOwner {
    if (owner && id.entityType === 'TENANT' && user.authority === 'SYS_ADMIN') return owner;
    return checkAccess(user, id.entityType as CoreEntityType, id.id, owner);
  }
}
