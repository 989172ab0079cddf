import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { AuditLogService } from '../audit-log/audit-log.service';
import type { SecurityUser } from '../auth/security-user';
import { contactFields } from '../customers/contact';
import { CustomerEntity } from '../customers/customer.entity';
import { DeviceProfileEntity } from '../device-profiles/device-profile.entity';
import { DeviceProfilesService } from '../device-profiles/device-profiles.service';
import { DeviceEntity } from '../devices/device.entity';
import { DeviceEvents } from '../devices/device-events';
import { newId, normalName } from '../database/ids';
import { updateVersioned } from '../database/versioned-update';
import { ApiError } from '../errors/api-error';
import { likePattern, PageData, PageLink, toPageData } from '../paging/page-link';
import { parseUuid } from '../paging/uuid-param';
import { deleteUsers } from '../users/user-removal';
import type { TenantDto } from './dto/tenant.dto';
import { RuleChainEvents } from '../rule-chains/rule-chain-events';
import { RuleChainEntity } from '../rule-chains/rule-chain.entity';
import { RuleChainsService } from '../rule-chains/rule-chains.service';
import { TenantEntity } from './tenant.entity';

export const TENANT_SORTABLE = {
  createdTime: 'createdTime',
  title: 'title',
  region: 'region',
  email: 'email',
  country: 'country',
  state: 'state',
  city: 'city',
  address: 'address',
  address2: 'address2',
  zip: 'zip',
  phone: 'phone',
};

type TenantDetails = Partial<Omit<TenantEntity, 'id' | 'createdTime' | 'title' | 'version'>>;

/** Every entity id a tenant owns, for the tables keyed by entity id alone (attributes, timeseries). */
const TENANT_ENTITY_IDS = `SELECT id FROM device WHERE tenant_id = :tenantId
  UNION SELECT id FROM customer WHERE tenant_id = :tenantId
  UNION SELECT id FROM tb_user WHERE tenant_id = :tenantId`;
const ENTITY_DATA_TABLES = ['attribute_kv', 'ts_kv', 'ts_kv_latest'];
/** Rows keyed by a parent the tenant owns, deleted before their parents: [table, condition]. */
const CHILD_ROWS: [string, string][] = [
  ['alarm_comment', 'alarm_id IN (SELECT id FROM alarm WHERE tenant_id = :tenantId)'],
  ['rule_node', 'rule_chain_id IN (SELECT id FROM rule_chain WHERE tenant_id = :tenantId)'],
  ['rule_chain_version', 'rule_chain_id IN (SELECT id FROM rule_chain WHERE tenant_id = :tenantId)'],
];
/** Tables whose rows carry their tenant's id. */
const TENANT_TABLES = ['entity_alarm', 'alarm', 'relation', 'event', 'rpc', 'rule_chain', 'ota_device_update', 'ota_package', 'resource'];

@Injectable()
export class TenantsService {
  constructor(
    @InjectRepository(TenantEntity) private readonly tenants: Repository<TenantEntity>,
    @InjectDataSource() private readonly db: DataSource,
    private readonly deviceProfiles: DeviceProfilesService,
    private readonly audit: AuditLogService,
    private readonly deviceEvents: DeviceEvents,
    private readonly ruleChains: RuleChainsService,
    private readonly ruleChainEvents: RuleChainEvents,
  ) {}

  /** A tenant comes with its default device profile and root rule chain, as in ThingsBoard. */
  async create(title: string, details: TenantDetails = {}): Promise<TenantEntity> {
    const tenant = await this.tenants.save({ id: newId(), createdTime: Date.now(), title, additionalInfo: {}, ...details });
    await this.deviceProfiles.createDefault(tenant.id);
    await this.ruleChains.createDefaultRootChain(tenant.id);
    return tenant;
  }

  findById(id: string): Promise<TenantEntity | null> {
    return this.tenants.findOneBy({ id });
  }

  async get(rawId: string): Promise<TenantEntity> {
    const id = parseUuid(rawId);
    const tenant = await this.tenants.findOneBy({ id });
    if (!tenant) throw ApiError.notFound(`${normalName('TENANT')} with id [${id}] is not found`);
    return tenant;
  }

  async page(link: PageLink): Promise<PageData<TenantEntity>> {
    const query = this.tenants.createQueryBuilder('t');
    if (link.textSearch) query.where(`LOWER(t.title) LIKE :pattern ESCAPE '\\'`, { pattern: likePattern(link.textSearch) });
    if (link.sortProperty) query.orderBy(`t.${link.sortProperty}`, link.sortOrder);
    const [rows, total] = await query
      .skip(link.page * link.pageSize)
      .take(link.pageSize)
      .getManyAndCount();
    return toPageData(rows, total, link);
  }

  async save(user: SecurityUser, dto: TenantDto): Promise<TenantEntity> {
    const existing = dto.id?.id ? await this.get(dto.id.id) : undefined;
    const title = dto.title?.trim();
    if (!title) throw ApiError.badRequest('Tenant title should be specified!');
    const details = { ...contactFields(dto), region: dto.region ?? null, additionalInfo: dto.additionalInfo ?? null };
    const saved = existing
      ? await updateVersioned(this.tenants, 'TENANT', existing, dto.version, { title, ...details })
      : await this.create(title, details);
    await this.audit.record({
      user,
      entityType: 'TENANT',
      entityId: saved.id,
      entityName: saved.title,
      actionType: existing ? 'UPDATED' : 'ADDED',
    });
    return saved;
  }

  /** Deletes the tenant with everything it owns, in one transaction: nothing of it survives a failure halfway. */
  async delete(user: SecurityUser, rawId: string): Promise<void> {
    const tenant = await this.get(rawId);
    const deleted = await this.db.transaction(async (tx) => {
      const tenantId = tenant.id;
      const devices = await tx.getRepository(DeviceEntity).find({ where: { tenantId }, select: { id: true } });
      const chains = await tx.getRepository(RuleChainEntity).find({ where: { tenantId }, select: { id: true } });
      for (const table of ENTITY_DATA_TABLES) {
        await deleteWhere(tx, table, `entity_id = :tenantId OR entity_id IN (${TENANT_ENTITY_IDS})`, tenantId);
      }
      for (const [table, condition] of CHILD_ROWS) await deleteWhere(tx, table, condition, tenantId);
      for (const table of TENANT_TABLES) await deleteWhere(tx, table, 'tenant_id = :tenantId', tenantId);
      await deleteWhere(tx, 'device_credentials', 'device_id IN (SELECT id FROM device WHERE tenant_id = :tenantId)', tenantId);
      await tx.getRepository(DeviceEntity).delete({ tenantId });
      await tx.getRepository(DeviceProfileEntity).delete({ tenantId });
      await deleteUsers(tx, { tenantId });
      await tx.getRepository(CustomerEntity).delete({ tenantId });
      await tx.getRepository(TenantEntity).delete({ id: tenantId });
      return { devices, chains };
    });
    for (const device of deleted.devices) this.deviceEvents.emit('deleted', device.id);
    // The running engine stops the tenant's chains.
    for (const chain of deleted.chains) await this.ruleChainEvents.deleted(tenant.id, chain.id);
    await this.audit.record({ user, entityType: 'TENANT', entityId: tenant.id, entityName: tenant.title, actionType: 'DELETED' });
  }
}

/** Tables without an entity class (owned by telemetry) are reached by name. */
const deleteWhere = (tx: EntityManager, table: string, condition: string, tenantId: string) =>
  tx.createQueryBuilder().delete().from(table).where(condition, { tenantId }).execute();
