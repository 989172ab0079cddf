import { DataSource } from 'typeorm';
import { hashPassword } from '../src/auth/password-hasher';
import { CustomerEntity } from '../src/customers/customer.entity';
import { newId, NULL_UUID } from '../src/database/ids';
import { DeviceProfileEntity } from '../src/device-profiles/device-profile.entity';
import { DeviceEntity } from '../src/devices/device.entity';
import { TenantEntity } from '../src/tenants/tenant.entity';
import { Authority, UserCredentialsEntity, UserEntity } from '../src/users/user.entity';
import { ApiClient, TENANT_ADMIN, TestApp } from './harness';

/**
 * Rows the telemetry tests need, inserted straight through the app's DataSource (the devices REST API is
 * written in parallel). Every device belongs to the demo tenant unless a tenant id is given.
 */
export class TelemetryFixtures {
  private constructor(
    private readonly app: TestApp,
    private readonly db: DataSource,
    readonly tenantId: string,
  ) {}

  static async of(app: TestApp): Promise<TelemetryFixtures> {
    const db = app.running.app.get(DataSource);
    const admin = await db.getRepository(UserEntity).findOneByOrFail({ email: TENANT_ADMIN.username });
    return new TelemetryFixtures(app, db, admin.tenantId);
  }

  async device(name: string, options: { tenantId?: string; customerId?: string } = {}): Promise<string> {
    const tenantId = options.tenantId ?? this.tenantId;
    const id = newId();
    const profile = await this.db.getRepository(DeviceProfileEntity).findOneBy({ tenantId, isDefault: true });
    await this.db.getRepository(DeviceEntity).insert({
      id,
      createdTime: Date.now(),
      tenantId,
      customerId: options.customerId ?? NULL_UUID,
      name,
      type: 'default',
      label: null,
      deviceProfileId: profile?.id ?? newId(),
      deviceData: null,
      firmwareId: null,
      softwareId: null,
      externalId: null,
      additionalInfo: null,
      version: 1,
    });
    return id;
  }

  async tenant(title: string): Promise<string> {
    const id = newId();
    await this.db
      .getRepository(TenantEntity)
      .insert({ id, createdTime: Date.now(), title, additionalInfo: null, version: 1 } as Partial<TenantEntity>);
    return id;
  }

  async customer(title: string): Promise<string> {
    const id = newId();
    await this.db
      .getRepository(CustomerEntity)
      .insert({ id, createdTime: Date.now(), tenantId: this.tenantId, title, additionalInfo: null, version: 1 } as Partial<CustomerEntity>);
    return id;
  }

  /** A user who can log in; returns a client carrying its token. */
  async user(email: string, authority: Authority, tenantId: string, customerId = NULL_UUID): Promise<ApiClient> {
    const id = newId();
    await this.db.getRepository(UserEntity).insert({
      id,
      createdTime: Date.now(),
      tenantId,
      customerId,
      email,
      authority,
      firstName: null,
      lastName: null,
      phone: null,
      additionalInfo: null,
      version: 1,
    });
    await this.db.getRepository(UserCredentialsEntity).insert({
      userId: id,
      passwordHash: await hashPassword('secret'),
      enabled: true,
      activateToken: null,
      activateTokenExpires: null,
      lastLoginTs: null,
      tokenGeneration: 0,
    });
    return this.app.api.login({ username: email, password: 'secret' });
  }

  /** Counts rows of a table for one entity, to prove a refused request wrote nothing. */
  async rows(table: 'ts_kv' | 'ts_kv_latest' | 'attribute_kv', entityId: string): Promise<number> {
    const [row] = await this.db.query(
      `SELECT COUNT(*) AS n FROM ${table} WHERE entity_id = ${this.db.options.type === 'postgres' ? '$1' : '?'}`,
      [entityId],
    );
    return Number(row.n);
  }
}
