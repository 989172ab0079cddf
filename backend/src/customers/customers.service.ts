import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { randomInt } from 'node:crypto';
import { DataSource, In, Repository } from 'typeorm';
import { AuditLogService } from '../audit-log/audit-log.service';
import type { SecurityUser } from '../auth/security-user';
import { newId, normalName, NULL_UUID } from '../database/ids';
import { isUniqueViolation } from '../database/unique-violation';
import { updateVersioned } from '../database/versioned-update';
import { DeviceEntity } from '../devices/device.entity';
import { DeviceEvents } from '../devices/device-events';
import { ApiError } from '../errors/api-error';
import { likePattern, PageData, PageLink, toPageData } from '../paging/page-link';
import { parseUuid } from '../paging/uuid-param';
import { deleteUsers } from '../users/user-removal';
import { contactFields } from './contact';
import { CustomerEntity } from './customer.entity';
import type { CustomerDto, NameConflictQuery } from './dto/customer.dto';

export const CUSTOMER_SORTABLE = { createdTime: 'createdTime', title: 'title', email: 'email', country: 'country', city: 'city' };

/** ThingsBoard keeps this title for the customer it creates for public dashboards. */
const PUBLIC_CUSTOMER_TITLE = 'Public';
const TITLE_TAKEN = 'Customer with such title already exists!';
const SUFFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

@Injectable()
export class CustomersService {
  constructor(
    @InjectRepository(CustomerEntity) private readonly customers: Repository<CustomerEntity>,
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditLogService,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** The customer if it exists and belongs to the tenant: 404 when unknown, 403 when another tenant's. */
  async getForTenant(tenantId: string, id: string): Promise<CustomerEntity> {
    const customer = await this.customers.findOneBy({ id });
    if (!customer) throw ApiError.notFound(`${normalName('CUSTOMER')} with id [${id}] is not found`);
    if (customer.tenantId !== tenantId) throw ApiError.forbidden();
    return customer;
  }

  /** A customer as the caller may read it: tenant admins any of their tenant's, customer users only their own. */
  async getReadable(user: SecurityUser, rawId: string): Promise<CustomerEntity> {
    const customer = await this.getForTenant(user.tenantId, parseUuid(rawId));
    if (user.authority === 'CUSTOMER_USER' && customer.id !== user.customerId) throw ApiError.forbidden();
    return customer;
  }

  async getByTitle(tenantId: string, title: string): Promise<CustomerEntity> {
    const customer = await this.customers.findOneBy({ tenantId, title });
    if (!customer) throw ApiError.notFound(`Customer with title [${title}] is not found`);
    return customer;
  }

  /** The tenant's customers among `ids`; ids of other tenants or of nothing are left out, as in ThingsBoard. */
  listByIds(tenantId: string, ids: string[]): Promise<CustomerEntity[]> {
    return this.customers.findBy({ tenantId, id: In(ids.map(parseUuid)) });
  }

  async page(tenantId: string, link: PageLink): Promise<PageData<CustomerEntity>> {
    const query = this.customers.createQueryBuilder('c').where('c.tenantId = :tenantId', { tenantId });
    if (link.textSearch) query.andWhere(`LOWER(c.title) LIKE :pattern ESCAPE '\\'`, { pattern: likePattern(link.textSearch) });
    if (link.sortProperty) query.orderBy(`c.${link.sortProperty}`, link.sortOrder);
    const [rows, total] = await query
      .skip(link.page * link.pageSize)
      .take(link.pageSize)
      .getManyAndCount();
    return toPageData(rows, total, link);
  }

  async save(user: SecurityUser, dto: CustomerDto, naming: NameConflictQuery): Promise<CustomerEntity> {
    const existing = dto.id?.id ? await this.getForTenant(user.tenantId, parseUuid(dto.id.id)) : undefined;
    const title = dto.title?.trim();
    if (!title) throw ApiError.badRequest('Customer title should be specified!');
    if (title === PUBLIC_CUSTOMER_TITLE) throw ApiError.badRequest("'Public' title for customer is system reserved!");
    const fields = {
      ...contactFields(dto),
      additionalInfo: dto.additionalInfo ?? null,
      title: await this.availableTitle(user.tenantId, title, existing?.id, naming),
    };
    let saved: CustomerEntity;
    try {
      saved = existing
        ? await updateVersioned(this.customers, 'CUSTOMER', existing, dto.version, fields)
        : await this.customers.save({ id: newId(), createdTime: Date.now(), tenantId: user.tenantId, ...fields });
    } catch (e) {
      if (isUniqueViolation(e)) throw ApiError.badRequest(TITLE_TAKEN); // taken concurrently
      throw e;
    }
    await this.audit.record({
      user,
      entityType: 'CUSTOMER',
      entityId: saved.id,
      entityName: saved.title,
      customerId: saved.id,
      actionType: existing ? 'UPDATED' : 'ADDED',
    });
    return saved;
  }

  /** Unassigns the customer's devices and deletes its users with it, in one transaction. */
  async delete(user: SecurityUser, rawId: string): Promise<void> {
    const customer = await this.getForTenant(user.tenantId, parseUuid(rawId));
    const unassigned = await this.db.transaction(async (tx) => {
      const devices = tx.getRepository(DeviceEntity);
      const assigned = await devices.find({ where: { tenantId: customer.tenantId, customerId: customer.id }, select: { id: true } });
      await devices.update({ tenantId: customer.tenantId, customerId: customer.id }, { customerId: NULL_UUID });
      await deleteUsers(tx, { tenantId: customer.tenantId, customerId: customer.id });
      await tx.getRepository(CustomerEntity).delete({ id: customer.id });
      return assigned;
    });
    // Looked up, not injected: the devices module depends on this one.
    const deviceEvents = this.moduleRef.get(DeviceEvents, { strict: false });
    for (const device of unassigned) deviceEvents.emit('updated', device.id);
    await this.audit.record({
      user,
      entityType: 'CUSTOMER',
      entityId: customer.id,
      entityName: customer.title,
      customerId: customer.id,
      actionType: 'DELETED',
    });
  }

  /** `title` when no other customer of the tenant has it; otherwise refused, or suffixed under UNIQUIFY. */
  private async availableTitle(tenantId: string, title: string, ownId: string | undefined, naming: NameConflictQuery): Promise<string> {
    const isTaken = async (candidate: string) => {
      const holder = await this.customers.findOneBy({ tenantId, title: candidate });
      return holder !== null && holder.id !== ownId;
    };
    if (!(await isTaken(title))) return title;
    if (naming.nameConflictPolicy !== 'UNIQUIFY') throw ApiError.badRequest(TITLE_TAKEN);
    const separator = naming.uniquifySeparator ?? '_';
    for (let attempt = 1; ; attempt++) {
      const suffix = naming.uniquifyStrategy === 'INCREMENTAL' ? String(attempt) : randomSuffix();
      const candidate = `${title}${separator}${suffix}`;
      if (!(await isTaken(candidate))) return candidate;
    }
  }
}

/** Six random lower-case letters and digits, like ThingsBoard's RANDOM uniquify strategy. */
const randomSuffix = (): string => Array.from({ length: 6 }, () => SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)]).join('');
