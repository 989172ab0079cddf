import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ApiError, ErrorCode } from '../errors/api-error';
import { UserCredentialsEntity, UserEntity } from '../users/user.entity';
import { LoginRateLimiter } from './login-rate-limiter';
import { hashPassword, verifyPassword } from './password-hasher';
import { REFRESH_SCOPE, SecurityUser, TOKEN_ISSUER, TokenClaims } from './security-user';

export interface TokenPair {
  token: string;
  refreshToken: string;
}

const INVALID_CREDENTIALS = 'Invalid username or password';

/** Checked against when the account does not exist, so both refusals take an argon2 verification's time. */
let decoyHash: Promise<string> | undefined;
const decoy = () => (decoyHash ??= hashPassword('decoy password for unknown accounts'));

@Injectable()
export class AuthService {
  /** Per account, and (five times looser, since many people may share an address) per client address. */
  private readonly accountLimiter: LoginRateLimiter;
  private readonly addressLimiter: LoginRateLimiter;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly jwt: JwtService,
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @InjectRepository(UserCredentialsEntity) private readonly credentials: Repository<UserCredentialsEntity>,
  ) {
    this.accountLimiter = new LoginRateLimiter(config.loginMaxAttempts, config.loginWindowMs);
    this.addressLimiter = new LoginRateLimiter(config.loginMaxAttempts * 5, config.loginWindowMs);
  }

  async login(username: string | undefined, password: string | undefined, clientAddress: string): Promise<TokenPair> {
    if (!username || !password) throw ApiError.unauthorized('Authentication failed');
    const account = username.toLowerCase();
    const wait = Math.max(this.accountLimiter.retryAfterSeconds(account), this.addressLimiter.retryAfterSeconds(clientAddress));
    if (wait > 0) throw ApiError.tooManyRequests(`Too many failed logins. Try again in ${wait} s.`, wait);

    const user = await this.users.findOneBy({ email: username });
    const creds = user ? await this.credentials.findOneBy({ userId: user.id }) : null;
    const passwordOk = await verifyPassword(creds?.passwordHash ?? (await decoy()), password);
    if (!user || !creds?.passwordHash || !passwordOk) {
      this.accountLimiter.recordFailure(account);
      this.addressLimiter.recordFailure(clientAddress);
      throw ApiError.unauthorized(INVALID_CREDENTIALS);
    }
    if (!creds.enabled) throw ApiError.unauthorized('User account is not active');
    this.accountLimiter.recordSuccess(account);
    await this.credentials.update({ userId: user.id }, { lastLoginTs: Date.now() });
    return this.issueTokens(user, creds.tokenGeneration);
  }

  async refresh(refreshToken: string | undefined): Promise<TokenPair> {
    if (!refreshToken) throw ApiError.unauthorized('Authentication failed');
    const claims = this.verify(refreshToken);
    if (!claims.scopes.includes(REFRESH_SCOPE)) throw ApiError.unauthorized('Invalid refresh token');
    const user = await this.users.findOneBy({ id: claims.userId });
    const creds = user ? await this.credentials.findOneBy({ userId: user.id }) : null;
    if (!user || !creds?.enabled || creds.tokenGeneration !== claims.gen) throw ApiError.unauthorized('Invalid refresh token');
    return this.issueTokens(user, creds.tokenGeneration);
  }

  /** Ends every session of the user: tokens issued before now stop working. */
  async logout(user: SecurityUser): Promise<void> {
    await this.credentials.increment({ userId: user.id }, 'tokenGeneration', 1);
  }

  /** Verifies signature and expiry of an access token and that it was not revoked; returns the caller. */
  async authenticate(token: string): Promise<SecurityUser> {
    const claims = this.verify(token);
    if (claims.scopes.includes(REFRESH_SCOPE)) throw ApiError.unauthorized('Authentication failed');
    const creds = await this.credentials.findOneBy({ userId: claims.userId });
    if (!creds?.enabled || creds.tokenGeneration !== claims.gen) throw ApiError.unauthorized('Authentication failed');
    return {
      id: claims.userId,
      email: claims.sub,
      authority: claims.scopes[0] as SecurityUser['authority'],
      tenantId: claims.tenantId,
      customerId: claims.customerId,
    };
  }

  async issueTokens(user: UserEntity, generation: number): Promise<TokenPair> {
    const base = {
      sub: user.email,
      userId: user.id,
      tenantId: user.tenantId,
      customerId: user.customerId,
      gen: generation,
      iss: TOKEN_ISSUER,
    };
    const access: TokenClaims = {
      ...base,
      scopes: [user.authority],
      firstName: user.firstName,
      lastName: user.lastName,
      enabled: true,
      isPublic: false,
    };
    const token = await this.jwt.signAsync(access, { expiresIn: Math.floor(this.config.jwtAccessTtlMs / 1000) });
    const refreshToken = await this.jwt.signAsync(
      { ...base, scopes: [REFRESH_SCOPE], enabled: true, isPublic: false },
      { expiresIn: Math.floor(this.config.jwtRefreshTtlMs / 1000) },
    );
    return { token, refreshToken };
  }

  private verify(token: string): TokenClaims {
    try {
      return this.jwt.verify<TokenClaims>(token, { issuer: TOKEN_ISSUER });
    } catch (e) {
      if ((e as Error).name === 'TokenExpiredError') throw ApiError.unauthorized('Token has expired', ErrorCode.JWT_EXPIRED);
      throw ApiError.unauthorized('Authentication failed');
    }
  }
}
