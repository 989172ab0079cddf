import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Repository } from 'typeorm';
import { AuditLogService } from '../audit-log/audit-log.service';
import type { SecurityUser } from '../auth/security-user';
import { assertEmailFormat } from '../customers/contact';
import { CustomerEntity } from '../customers/customer.entity';
import { dialectOf } from '../database/dialect';
import { newId, normalName, NULL_UUID } from '../database/ids';
import { isUniqueViolation } from '../database/unique-violation';
import { updateVersioned } from '../database/versioned-update';
import { ApiError } from '../errors/api-error';
import { likePattern, PageData, PageLink, toPageData } from '../paging/page-link';
import { parseUuid } from '../paging/uuid-param';
import { TenantEntity } from '../tenants/tenant.entity';
import { newActivationToken } from './credentials-policy';
import type { UserDto } from './dto/user.dto';
import { Authority, UserCredentialsEntity, UserEntity } from './user.entity';
import { recordUserAction } from './user-audit';
import { DERIVED_INFO_KEYS } from './user.json';
import { deleteUsers } from './user-removal';

export const USER_SORTABLE = { createdTime: 'createdTime', firstName: 'firstName', lastName: 'lastName', email: 'email' };

type UserPlacement = Pick<UserEntity, 'tenantId' | 'customerId' | 'authority'>;

/**
 * ThingsBoard's permission rules for acting on a user: the system administrator manages administrators,
 * a tenant administrator the users of its tenant, a customer user only itself.
 */
function mayManageUser(caller: SecurityUser, target: UserPlacement & { id?: string }): boolean {
  switch (caller.authority) {
    case 'SYS_ADMIN':
      return target.authority !== 'CUSTOMER_USER';
    case 'TENANT_ADMIN':
      return target.authority !== 'SYS_ADMIN' && target.tenantId === caller.tenantId;
    case 'CUSTOMER_USER':
      return target.id === caller.id;
  }
}

/** Which tenant and customer each authority must (not) belong to (ThingsBoard's UserDataValidator). */
function assertPlacement({ authority, tenantId, customerId }: UserPlacement): void {
  const hasTenant = tenantId !== NULL_UUID;
  const hasCustomer = customerId !== NULL_UUID;
  if (authority === 'SYS_ADMIN' && (hasTenant || hasCustomer))
    throw ApiError.badRequest("System administrator can't be assigned neither to tenant nor to customer!");
  if (authority === 'TENANT_ADMIN' && !hasTenant) throw ApiError.badRequest('Tenant administrator should be assigned to tenant!');
  if (authority === 'TENANT_ADMIN' && hasCustomer) throw ApiError.badRequest("Tenant administrator can't be assigned to customer!");
  if (authority === 'CUSTOMER_USER' && !(hasTenant && hasCustomer))
    throw ApiError.badRequest('Customer user should be assigned to customer!');
}

function assertPlacementUnchanged(existing: UserEntity, requested: UserPlacement): void {
  if (requested.tenantId !== existing.tenantId) throw ApiError.badRequest("Can't update user tenant id!");
  if (requested.customerId !== existing.customerId) throw ApiError.badRequest("Can't update user customer id!");
  if (requested.authority !== existing.authority) throw ApiError.badRequest("Can't update user authority!");
}

const withoutDerivedInfo = (info: UserEntity['additionalInfo'] | undefined): UserEntity['additionalInfo'] =>
  Object.fromEntries(Object.entries(info ?? {}).filter(([key]) => !DERIVED_INFO_KEYS.includes(key)));

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @InjectRepository(UserCredentialsEntity) private readonly credentials: Repository<UserCredentialsEntity>,
    @InjectRepository(TenantEntity) private readonly tenants: Repository<TenantEntity>,
    @InjectRepository(CustomerEntity) private readonly customers: Repository<CustomerEntity>,
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditLogService,
  ) {}

  /** The user if the caller may act on it: 404 when unknown, 403 when outside the caller's reach. */
  async getAccessible(caller: SecurityUser, rawId: string): Promise<UserEntity> {
    const id = parseUuid(rawId);
    const user = await this.users.findOneBy({ id });
    if (!user) throw ApiError.notFound(`${normalName('USER')} with id [${id}] is not found`);
    if (!mayManageUser(caller, user)) throw ApiError.forbidden();
    return user;
  }

  async credentialsOf(userId: string): Promise<UserCredentialsEntity | undefined> {
    return (await this.credentials.findOneBy({ userId })) ?? undefined;
  }

  /** Credentials of many users at once, for lists. */
  async credentialsByUser(users: UserEntity[]): Promise<Map<string, UserCredentialsEntity>> {
    if (users.length === 0) return new Map();
    const rows = await this.credentials.findBy({ userId: In(users.map((u) => u.id)) });
    return new Map(rows.map((creds) => [creds.userId, creds]));
  }

  async page(scope: { tenantId: string; customerId?: string; authority?: Authority }, link: PageLink): Promise<PageData<UserEntity>> {
    const query = this.users.createQueryBuilder('u').where('u.tenantId = :tenantId', { tenantId: scope.tenantId });
    if (scope.customerId) query.andWhere('u.customerId = :customerId', { customerId: scope.customerId });
    if (scope.authority) query.andWhere('u.authority = :authority', { authority: scope.authority });
    if (link.textSearch) query.andWhere(`LOWER(u.email) LIKE :pattern ESCAPE '\\'`, { pattern: likePattern(link.textSearch) });
    if (link.sortProperty) query.orderBy(`u.${link.sortProperty}`, link.sortOrder);
    const [rows, total] = await query
      .skip(link.page * link.pageSize)
      .take(link.pageSize)
      .getManyAndCount();
    return toPageData(rows, total, link);
  }

  /**
   * Creates (no `id`) or updates a user (rest-api.md §5.3). A new user cannot log in until it sets a password
   * through its activation link.
   */
  async save(caller: SecurityUser, dto: UserDto): Promise<UserEntity> {
    const existing = dto.id?.id ? await this.getAccessible(caller, dto.id.id) : undefined;
    const email = dto.email?.trim();
    if (!email) throw ApiError.badRequest('User email should be specified!');
    assertEmailFormat(email);
    if (!dto.authority) throw ApiError.badRequest("User authority isn't defined!");
    const placement: UserPlacement = {
      authority: dto.authority,
      // Only the system administrator chooses the tenant; everyone else works in their own.
      tenantId:
        caller.authority === 'SYS_ADMIN'
          ? dto.tenantId?.id
            ? parseUuid(dto.tenantId.id)
            : (existing?.tenantId ?? NULL_UUID)
          : caller.tenantId,
      customerId: dto.customerId?.id ? parseUuid(dto.customerId.id) : (existing?.customerId ?? NULL_UUID),
    };
    if (!mayManageUser(caller, { ...placement, id: existing?.id })) throw ApiError.forbidden();
    assertPlacement(placement);
    if (existing) assertPlacementUnchanged(existing, placement);
    await this.assertEmailFree(email, existing?.id);
    await this.assertOwnersExist(placement);

    const fields = {
      email,
      firstName: dto.firstName ?? null,
      lastName: dto.lastName ?? null,
      phone: dto.phone ?? null,
      additionalInfo: withoutDerivedInfo(dto.additionalInfo),
    };
    let saved: UserEntity;
    try {
      saved = existing
        ? await updateVersioned(this.users, 'USER', existing, dto.version, fields)
        : await this.insertAwaitingActivation({ ...placement, ...fields });
    } catch (e) {
      if (isUniqueViolation(e)) throw emailTaken(email); // taken concurrently
      throw e;
    }
    await recordUserAction(this.audit, caller, saved, existing ? 'UPDATED' : 'ADDED');
    return saved;
  }

  async delete(caller: SecurityUser, rawId: string): Promise<void> {
    const user = await this.getAccessible(caller, rawId);
    if (caller.authority === 'SYS_ADMIN' && user.id === caller.id) throw ApiError.forbidden('Sysadmin is not allowed to delete himself');
    await this.db.transaction(async (tx) => {
      if (user.authority === 'TENANT_ADMIN') {
        // Serialises concurrent deletions of a tenant's admins, so two of them cannot remove the last two.
        if (dialectOf(this.db) === 'postgres') await tx.query('SELECT id FROM tenant WHERE id = $1 FOR UPDATE', [user.tenantId]);
        const admins = await tx.getRepository(UserEntity).countBy({ tenantId: user.tenantId, authority: 'TENANT_ADMIN' });
        if (admins <= 1) throw ApiError.badRequest('At least one tenant administrator must remain!');
      }
      await deleteUsers(tx, { id: user.id });
    });
    await recordUserAction(this.audit, caller, user, 'DELETED');
  }

  private async insertAwaitingActivation(fields: Omit<UserEntity, 'id' | 'createdTime' | 'version'>): Promise<UserEntity> {
    const id = newId();
    await this.db.transaction(async (tx) => {
      await tx.getRepository(UserEntity).insert({ id, createdTime: Date.now(), version: 1, ...fields });
      await tx
        .getRepository(UserCredentialsEntity)
        .insert({ userId: id, passwordHash: null, enabled: false, lastLoginTs: null, tokenGeneration: 0, ...newActivationToken() });
    });
    // Read back rather than echo the insert: PostgreSQL hands back the version column untransformed.
    return (await this.users.findOneBy({ id }))!;
  }

  /** E-mail addresses are logins, so they are unique across the whole platform, not per tenant. */
  private async assertEmailFree(email: string, ownId: string | undefined): Promise<void> {
    const holder = await this.users.findOneBy({ email });
    if (holder && holder.id !== ownId) throw emailTaken(email);
  }

  private async assertOwnersExist({ tenantId, customerId }: UserPlacement): Promise<void> {
    if (tenantId !== NULL_UUID && !(await this.tenants.existsBy({ id: tenantId })))
      throw ApiError.badRequest('User is referencing to non-existent tenant!');
    if (customerId === NULL_UUID) return;
    const customer = await this.customers.findOneBy({ id: customerId });
    if (!customer) throw ApiError.badRequest('User is referencing to non-existent customer!');
    if (customer.tenantId !== tenantId) throw ApiError.badRequest("User can't be assigned to customer from different tenant!");
  }
}

const emailTaken = (email: string) => ApiError.badRequest(`User with email '${email}' already present in database!`);
