import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ApiError } from '../errors/api-error';
import type { Authority } from '../users/user.entity';
import { ALLOWED_AUTHORITIES, PUBLIC_ROUTE } from './auth.decorators';
import { AuthService } from './auth.service';

/** ThingsBoard clients send `X-Authorization: Bearer <jwt>`; plain `Authorization` works too. */
export function bearerToken(request: Request): string | undefined {
  const header = request.headers['x-authorization'] ?? request.headers.authorization;
  const value = Array.isArray(header) ? header[0] : header;
  const match = value?.match(/^Bearer\s+(\S+)$/i);
  return match?.[1];
}

/** Global guard: every route needs a valid access token unless marked @Public(); @Roles narrows who may call. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<Request & { user?: unknown }>();
    const token = bearerToken(request);
    if (!token) throw ApiError.unauthorized('Authentication failed');
    const user = await this.auth.authenticate(token);
    request.user = user;
    const allowed = this.reflector.getAllAndOverride<Authority[] | undefined>(ALLOWED_AUTHORITIES, targets);
    if (allowed && !allowed.includes(user.authority)) throw ApiError.forbidden();
    return true;
  }
}
