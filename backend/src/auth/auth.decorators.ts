import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Authority } from '../users/user.entity';
import type { SecurityUser } from './security-user';

export const PUBLIC_ROUTE = 'edgewise:public';
export const ALLOWED_AUTHORITIES = 'edgewise:authorities';

/** The route needs no token (login, health, device APIs that authenticate by device credentials). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** Only these authorities may call the route; others get 403. Without it, any signed-in user may. */
export const Roles = (...authorities: Authority[]) => SetMetadata(ALLOWED_AUTHORITIES, authorities);

/** The signed-in caller. */
export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): SecurityUser => ctx.switchToHttp().getRequest().user);
