import { entityId, optionalEntityId } from '../database/ids';
import type { UserEntity } from '../users/user.entity';
import type { AlarmEntityInfo } from './alarm-entities';
import type { AlarmCommentEntity, AlarmEntity, AlarmStatus } from './alarm.entity';

export const alarmStatus = (a: Pick<AlarmEntity, 'cleared' | 'acknowledged'>): AlarmStatus =>
  `${a.cleared ? 'CLEARED' : 'ACTIVE'}_${a.acknowledged ? 'ACK' : 'UNACK'}`;

/** Alarm as ThingsBoard serialises it (rest-api.md §3.2). */
export function alarmJson(a: AlarmEntity) {
  return {
    id: entityId('ALARM', a.id),
    createdTime: a.createdTime,
    tenantId: entityId('TENANT', a.tenantId),
    customerId: optionalEntityId('CUSTOMER', a.customerId),
    type: a.type,
    originator: { entityType: a.originatorType, id: a.originatorId },
    severity: a.severity,
    acknowledged: a.acknowledged,
    cleared: a.cleared,
    assigneeId: optionalEntityId('USER', a.assigneeId),
    startTs: a.startTs,
    endTs: a.endTs,
    ackTs: a.ackTs,
    clearTs: a.clearTs,
    assignTs: a.assignTs,
    details: a.details ?? null,
    propagate: a.propagate,
    propagateToOwner: a.propagateToOwner,
    propagateToTenant: a.propagateToTenant,
    propagateRelationTypes: a.propagateRelationTypes ?? [],
    name: a.type,
    status: alarmStatus(a),
  };
}

/** `assignee` of AlarmInfo. */
export const alarmAssigneeJson = (u: UserEntity) => ({
  id: entityId('USER', u.id),
  firstName: u.firstName,
  lastName: u.lastName,
  email: u.email,
});

/** AlarmInfo: the alarm plus its originator's names and its assignee; `Deleted` once the originator is gone. */
export function alarmInfoJson(a: AlarmEntity, originator: AlarmEntityInfo | undefined, assignee: UserEntity | undefined) {
  const name = originator?.name ?? 'Deleted';
  const label = originator?.label ?? 'Deleted';
  return {
    ...alarmJson(a),
    originatorName: name,
    originatorLabel: label,
    originatorDisplayName: label,
    assignee: assignee ? alarmAssigneeJson(assignee) : null,
  };
}

export type AlarmInfoJson = ReturnType<typeof alarmInfoJson>;

/** AlarmComment (rest-api.md §3.4): a plain id, no entity type. */
export const alarmCommentJson = (c: AlarmCommentEntity) => ({
  id: { id: c.id },
  createdTime: c.createdTime,
  alarmId: entityId('ALARM', c.alarmId),
  userId: optionalEntityId('USER', c.userId),
  type: c.type,
  comment: c.comment,
});

/** AlarmCommentInfo: the comment with its author's names (all null for system comments). */
export const alarmCommentInfoJson = (c: AlarmCommentEntity, author: UserEntity | undefined) => ({
  ...alarmCommentJson(c),
  firstName: author?.firstName ?? null,
  lastName: author?.lastName ?? null,
  email: author?.email ?? null,
});
