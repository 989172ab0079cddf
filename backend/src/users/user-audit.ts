import type { ActionType, AuditLogService } from '../audit-log/audit-log.service';
import type { SecurityUser } from '../auth/security-user';
import type { UserEntity } from './user.entity';

/** Files an action on `user` by `actor` under the user's customer, so the customer's audit view shows it. */
export const recordUserAction = (audit: AuditLogService, actor: SecurityUser, user: UserEntity, actionType: ActionType): Promise<void> =>
  audit.record({ user: actor, entityType: 'USER', entityId: user.id, entityName: user.email, customerId: user.customerId, actionType });
