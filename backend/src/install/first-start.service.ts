import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { hashPassword, verifyPassword } from '../auth/password-hasher';
import type { AppConfig } from '../config/app-config';
import { SETTINGS } from '../config/config.schema';
import { APP_CONFIG } from '../config/config.module';
import { newId, NULL_UUID } from '../database/ids';
import { TenantsService } from '../tenants/tenants.service';
import { Authority, UserCredentialsEntity, UserEntity } from '../users/user.entity';

/**
 * On a fresh database: a system administrator and a default tenant with its administrator, using
 * ThingsBoard's demo accounts unless configured otherwise, so ThingsBoard tools work out of the box.
 */
@Injectable()
export class FirstStartService implements OnApplicationBootstrap {
  private readonly logger = new Logger('FirstStart');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly db: DataSource,
    private readonly tenants: TenantsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const users = this.db.getRepository(UserEntity);
    if ((await users.count()) === 0) {
      this.logger.log('fresh database: creating the system administrator and the default tenant');
      await this.createUser('SYS_ADMIN', this.config.sysadminEmail, this.config.sysadminPassword, NULL_UUID);
      const tenant = await this.tenants.create('Tenant');
      await this.createUser('TENANT_ADMIN', this.config.tenantAdminEmail, this.config.tenantAdminPassword, tenant.id);
    }
    await this.warnAboutDemoPasswords();
  }

  private async createUser(authority: Authority, email: string, password: string, tenantId: string) {
    const id = newId();
    await this.db.transaction(async (tx) => {
      await tx.getRepository(UserEntity).insert({
        id,
        createdTime: Date.now(),
        tenantId,
        customerId: NULL_UUID,
        email,
        authority,
        firstName: null,
        lastName: null,
        phone: null,
        additionalInfo: {},
        version: 1,
      });
      await tx.getRepository(UserCredentialsEntity).insert({
        userId: id,
        passwordHash: await hashPassword(password),
        enabled: true,
        activateToken: null,
        activateTokenExpires: null,
        lastLoginTs: null,
        tokenGeneration: 0,
      });
    });
  }

  /** Warns while a demo account still accepts ThingsBoard's public demo password. */
  private async warnAboutDemoPasswords() {
    const demoAccounts = [
      [this.config.sysadminEmail, SETTINGS.sysadminPassword],
      [this.config.tenantAdminEmail, SETTINGS.tenantAdminPassword],
    ] as const;
    for (const [email, passwordSetting] of demoAccounts) {
      const user = await this.db.getRepository(UserEntity).findOneBy({ email });
      const creds = user && (await this.db.getRepository(UserCredentialsEntity).findOneBy({ userId: user.id }));
      if (creds?.passwordHash && (await verifyPassword(creds.passwordHash, passwordSetting.default))) {
        this.logger.warn(
          `${email} still has ThingsBoard's public demo password: change it (POST /api/auth/changePassword, or set ${passwordSetting.env} before the first start).`,
        );
      }
    }
  }
}
