import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AuditLogService } from '../audit-log/audit-log.service';
import { AuthService, TokenPair } from '../auth/auth.service';
import { hashPassword, verifyPassword } from '../auth/password-hasher';
import type { SecurityUser } from '../auth/security-user';
import { ApiError, ErrorCode } from '../errors/api-error';
import { assertPasswordPolicy, isActivationExpired, newActivationToken } from './credentials-policy';
import { UserCredentialsEntity, UserEntity } from './user.entity';
import { recordUserAction } from './user-audit';
import { UsersService } from './users.service';

const asSecurityUser = (user: UserEntity): SecurityUser => ({
  id: user.id,
  email: user.email,
  authority: user.authority,
  tenantId: user.tenantId,
  customerId: user.customerId,
});

/** Activation, password change and enabling/disabling of logins (rest-api.md §5.4). */
@Injectable()
export class UserCredentialsService {
  constructor(
    @InjectRepository(UserCredentialsEntity) private readonly credentials: Repository<UserCredentialsEntity>,
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly usersService: UsersService,
    private readonly auth: AuthService,
    private readonly audit: AuditLogService,
  ) {}

  /** The token of the user's activation link; an expired one is replaced, so the admin can always hand out a working link. */
  async activationToken(caller: SecurityUser, rawUserId: string): Promise<string> {
    const user = await this.usersService.getAccessible(caller, rawUserId);
    const creds = await this.credentialsOf(user.id);
    if (!creds.activateToken) throw ApiError.badRequest('User is already activated!');
    if (!isActivationExpired(creds)) return creds.activateToken;
    const renewed = newActivationToken();
    await this.credentials.update({ userId: user.id }, renewed);
    return renewed.activateToken;
  }

  /** Whether the activation link still works; unknown (or already used) tokens are a 409, as in ThingsBoard. */
  async activationLinkState(token: string): Promise<'valid' | 'expired'> {
    const creds = await this.credentials.findOneBy({ activateToken: token });
    if (!creds)
      throw new ApiError(
        409,
        'This activation link is unknown or was already used: ask your administrator for a new one',
        ErrorCode.INVALID_ARGUMENTS,
      );
    return isActivationExpired(creds) ? 'expired' : 'valid';
  }

  /** Sets the first password through the activation token and logs the user in. */
  async activate(token: string, password: string): Promise<TokenPair> {
    const creds = await this.credentials.findOneBy({ activateToken: token });
    if (!creds) throw unknownActivationToken(token);
    if (isActivationExpired(creds)) throw ApiError.badRequest('Activation token expired');
    assertPasswordPolicy(password);
    const activated = await this.credentials.update(
      { userId: creds.userId, activateToken: token }, // the token is single-use even under concurrent requests
      {
        passwordHash: await hashPassword(password),
        enabled: true,
        activateToken: null,
        activateTokenExpires: null,
        lastLoginTs: Date.now(),
      },
    );
    if (!activated.affected) throw unknownActivationToken(token);
    const user = (await this.users.findOneBy({ id: creds.userId }))!;
    await recordUserAction(this.audit, asSecurityUser(user), user, 'ACTIVATED');
    return this.auth.issueTokens(user, creds.tokenGeneration);
  }

  /** Replaces the caller's password; every token issued before stops working, the returned pair is the new session. */
  async changePassword(caller: SecurityUser, currentPassword: string, newPassword: string): Promise<TokenPair> {
    const creds = await this.credentialsOf(caller.id);
    if (!creds.passwordHash || !(await verifyPassword(creds.passwordHash, currentPassword)))
      throw ApiError.badRequest("Current password doesn't match!");
    if (newPassword === currentPassword) throw ApiError.badRequest('New password should be different from existing!');
    assertPasswordPolicy(newPassword);
    await this.credentials.update(
      { userId: caller.id },
      { passwordHash: await hashPassword(newPassword), tokenGeneration: () => 'token_generation + 1' },
    );
    const user = (await this.users.findOneBy({ id: caller.id }))!;
    await recordUserAction(this.audit, caller, user, 'CREDENTIALS_UPDATED');
    return this.auth.issueTokens(user, (await this.credentialsOf(caller.id)).tokenGeneration);
  }

  /** A disabled user can neither log in nor use tokens it already holds. */
  async setEnabled(caller: SecurityUser, rawUserId: string, enabled: boolean): Promise<void> {
    const user = await this.usersService.getAccessible(caller, rawUserId);
    await this.credentials.update({ userId: user.id }, { enabled });
    await recordUserAction(this.audit, caller, user, enabled ? 'ACTIVATED' : 'SUSPENDED');
  }

  private async credentialsOf(userId: string): Promise<UserCredentialsEntity> {
    const creds = await this.usersService.credentialsOf(userId);
    if (!creds) throw ApiError.notFound(`User credentials of user [${userId}] are not found`);
    return creds;
  }
}

const unknownActivationToken = (token: string) => ApiError.badRequest(`Unable to find user credentials by activateToken [${token}]`);
