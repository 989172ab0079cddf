import type { AlarmChange, AlarmsApi, AlarmView } from '@edgewise/plugin-api';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { checkAccess } from '../access/tenant-access';
import { ActionType, AuditLogService } from '../audit-log/audit-log.service';
import type { SecurityUser } from '../auth/security-user';
import { EntityType } from '../database/ids';
import { ApiError } from '../errors/api-error';
import { parseUuid } from '../paging/uuid-param';
import { CoreMessages } from '../rule-engine/core-messages';
import { UserEntity } from '../users/user.entity';
import { AlarmCommentsService } from './alarm-comments.service';
import { AlarmEntities, entityKey } from './alarm-entities';
import { AlarmStore, AlarmWrite, AlarmWriteResult } from './alarm-store';
import { ALARM_SEVERITIES, AlarmEntity, AlarmSeverity } from './alarm.entity';
import { alarmInfoJson, AlarmInfoJson, alarmJson, alarmStatus } from './alarm.json';
import type { AlarmDto } from './dto/alarm.dto';

/** A user's alarm actions named alike in the audit log and in rule messages (ThingsBoard's ActionType and TbMsgType). */
type AlarmUserAction = 'ALARM_ACK' | 'ALARM_CLEAR' | 'ALARM_ASSIGNED' | 'ALARM_UNASSIGNED';

const isSeverity = (value: unknown): value is AlarmSeverity => (ALARM_SEVERITIES as readonly unknown[]).includes(value);

/**
 * Alarms as users see them through the REST API (rest-api.md §3): access rules, ThingsBoard's refusals,
 * system comments, audit entries and rule-engine notifications around the store's operations — and, through
 * `forTenant`, the rule engine's view of the same alarms.
 */
@Injectable()
export class AlarmsService {
  constructor(
    private readonly store: AlarmStore,
    private readonly entities: AlarmEntities,
    private readonly comments: AlarmCommentsService,
    private readonly audit: AuditLogService,
    private readonly messages: CoreMessages,
    @InjectRepository(AlarmEntity) private readonly alarms: Repository<AlarmEntity>,
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
  ) {}

  /** The alarm by id if the caller may see it: its tenant's admins, and users of the customer it belongs to. */
  async get(user: SecurityUser, rawId: string): Promise<AlarmEntity> {
    const id = parseUuid(rawId);
    return checkAccess(user, 'ALARM', id, await this.alarms.findOneBy({ id }));
  }

  async info(alarm: AlarmEntity): Promise<AlarmInfoJson> {
    return (await this.infos([alarm]))[0];
  }

  /** AlarmInfo of each alarm, with one lookup per originator kind and one for the assignees. */
  async infos(alarms: readonly AlarmEntity[]): Promise<AlarmInfoJson[]> {
    const originators = await this.entities.findAll(alarms.map((a) => ({ entityType: a.originatorType, id: a.originatorId })));
    const assigneeIds = [...new Set(alarms.flatMap((a) => (a.assigneeId ? [a.assigneeId] : [])))];
    const assignees = new Map((await this.users.findBy({ id: In(assigneeIds) })).map((u) => [u.id, u]));
    return alarms.map((a) =>
      alarmInfoJson(
        a,
        originators.get(entityKey({ entityType: a.originatorType, id: a.originatorId })),
        a.assigneeId ? assignees.get(a.assigneeId) : undefined,
      ),
    );
  }

  /** POST /api/alarm (rest-api.md §3.3). */
  async save(user: SecurityUser, dto: AlarmDto): Promise<AlarmEntity> {
    if (!dto.originator?.id) throw ApiError.notFound();
    const existing = dto.id?.id ? await this.get(user, dto.id.id) : undefined;
    const originator = await this.entities.readable(user, dto.originator.entityType, dto.originator.id, 'originator');
    const missing = (['severity', 'type'] as const).filter((field) => !dto[field]);
    if (missing.length) throw ApiError.badRequest(`Validation error: ${missing.map((f) => `${f} must not be null`).join(', ')}`);
    if (!isSeverity(dto.severity))
      throw ApiError.badRequest(`Invalid alarm severity '${dto.severity}': use one of ${ALARM_SEVERITIES.join(', ')}`);
    const assignee = dto.assigneeId?.id ? await this.assignableUser(user, dto.assigneeId.id) : undefined;
    const startTs = dto.startTs || Date.now();
    const write: AlarmWrite = {
      type: dto.type!,
      originator: { entityType: originator.entityType, id: originator.id },
      severity: dto.severity,
      details: dto.details ?? null,
      startTs,
      endTs: dto.endTs || startTs,
      propagate: dto.propagate ?? false,
      propagateToOwner: dto.propagateToOwner ?? false,
      propagateToTenant: dto.propagateToTenant ?? false,
      propagateRelationTypes: dto.propagateRelationTypes ?? null,
    };
    const result = existing ? await this.store.update(existing, write) : await this.store.createOrUpdateActive(user.tenantId, write);
    let alarm = result.alarm;
    if (result.modified) {
      const info = await this.info(alarm);
      await this.record(user, alarm, result.created ? 'ADDED' : 'UPDATED', alarm.type, { entity: info });
      await this.messages.alarmChanged(user, result.created ? 'ENTITY_CREATED' : 'ENTITY_UPDATED', alarm, info);
    }
    if (dto.acknowledged && !alarm.acknowledged) alarm = (await this.acknowledge(user, alarm, dto.ackTs)) ?? alarm;
    if (dto.cleared && !alarm.cleared) alarm = (await this.clearAlarm(user, alarm, dto.clearTs)) ?? alarm;
    if (assignee && assignee.id !== alarm.assigneeId) alarm = (await this.assignTo(user, alarm, assignee, dto.assignTs)) ?? alarm;
    else if (!assignee && alarm.assigneeId) alarm = (await this.unassignAlarm(user, alarm, dto.assignTs)) ?? alarm;
    return alarm;
  }

  async ack(user: SecurityUser, rawId: string): Promise<AlarmEntity> {
    const acknowledged = await this.acknowledge(user, await this.get(user, rawId));
    if (!acknowledged) throw ApiError.badRequest('Alarm was already acknowledged!');
    return acknowledged;
  }

  async clear(user: SecurityUser, rawId: string): Promise<AlarmEntity> {
    const cleared = await this.clearAlarm(user, await this.get(user, rawId));
    if (!cleared) throw ApiError.badRequest('Alarm was already cleared!');
    return cleared;
  }

  async assign(user: SecurityUser, rawId: string, rawAssigneeId: string): Promise<AlarmEntity> {
    const alarm = await this.get(user, rawId);
    const assigned = await this.assignTo(user, alarm, await this.assignableUser(user, rawAssigneeId));
    if (!assigned) throw ApiError.badRequest('Alarm was already assigned to this user!');
    return assigned;
  }

  async unassign(user: SecurityUser, rawId: string): Promise<AlarmEntity> {
    const unassigned = await this.unassignAlarm(user, await this.get(user, rawId));
    if (!unassigned) throw ApiError.badRequest('Alarm was already unassigned!');
    return unassigned;
  }

  async delete(user: SecurityUser, rawId: string): Promise<void> {
    const alarm = await this.get(user, rawId);
    await this.store.delete(alarm);
    const originator = await this.entities.find({ entityType: alarm.originatorType, id: alarm.originatorId });
    await this.record(user, alarm, 'ALARM_DELETE', originator?.name ?? null, { alarmId: alarm.id, originatorId: alarm.originatorId });
    await this.messages.alarmChanged(user, 'ALARM_DELETE', alarm, alarmJson(alarm));
  }

  /** The rule engine's view of one tenant's alarms (plug-in API `AlarmsApi`); nothing here is audited. */
  forTenant(tenantId: string): AlarmsApi {
    return {
      findActive: async (originator, type) => {
        const alarm = await this.store.findActive(tenantId, originator, type);
        return alarm ? alarmView(alarm) : null;
      },
      raise: async (request) => {
        if (!isSeverity(request.severity))
          throw new Error(`Invalid alarm severity '${request.severity}': use one of ${ALARM_SEVERITIES.join(', ')}`);
        if (!request.type) throw new Error('The alarm type is empty: give the alarm a type');
        return alarmChange(await this.store.createOrUpdateActive(tenantId, request));
      },
      clear: async (originator, type, options) => {
        const active = await this.store.findActive(tenantId, originator, type);
        const cleared = active && (await this.store.clear(active, options?.clearTs || Date.now(), options?.details));
        return cleared ? { alarm: alarmView(cleared), outcome: 'CLEARED' } : null;
      },
    };
  }

  private async acknowledge(user: SecurityUser, alarm: AlarmEntity, ackTs?: number): Promise<AlarmEntity | null> {
    const acknowledged = await this.store.acknowledge(alarm, ackTs || Date.now());
    if (acknowledged)
      await this.afterAction(user, acknowledged, 'ALARM_ACK', () => this.comments.addSystem(acknowledged, user, 'ACKED_BY_USER'));
    return acknowledged;
  }

  private async clearAlarm(user: SecurityUser, alarm: AlarmEntity, clearTs?: number): Promise<AlarmEntity | null> {
    const cleared = await this.store.clear(alarm, clearTs || Date.now());
    if (cleared) await this.afterAction(user, cleared, 'ALARM_CLEAR', () => this.comments.addSystem(cleared, user, 'CLEARED_BY_USER'));
    return cleared;
  }

  private async assignTo(user: SecurityUser, alarm: AlarmEntity, assignee: UserEntity, assignTs?: number): Promise<AlarmEntity | null> {
    const assigned = await this.store.assign(alarm, assignee.id, assignTs || Date.now());
    if (assigned)
      await this.afterAction(user, assigned, 'ALARM_ASSIGNED', () => this.comments.addSystem(assigned, user, 'ASSIGNED_TO_USER', assignee));
    return assigned;
  }

  private async unassignAlarm(user: SecurityUser, alarm: AlarmEntity, assignTs?: number): Promise<AlarmEntity | null> {
    const unassigned = await this.store.unassign(alarm, assignTs || Date.now());
    if (unassigned)
      await this.afterAction(user, unassigned, 'ALARM_UNASSIGNED', () => this.comments.addSystem(unassigned, user, 'UNASSIGNED_BY_USER'));
    return unassigned;
  }

  /** What every successful ack, clear, assign and unassign leaves behind: a system comment, an audit entry, a rule message. */
  private async afterAction(
    user: SecurityUser,
    alarm: AlarmEntity,
    action: AlarmUserAction,
    addComment: () => Promise<void>,
  ): Promise<void> {
    await addComment();
    const info = await this.info(alarm);
    await this.record(user, alarm, action, info.originatorName, { entity: info });
    await this.messages.alarmChanged(user, action, alarm, info);
  }

  /** A user of the caller's tenant the caller may assign alarms to; a customer user may only assign to itself. */
  private async assignableUser(user: SecurityUser, rawUserId: string): Promise<UserEntity> {
    const id = parseUuid(rawUserId);
    const assignee = checkAccess(user, 'USER', id, await this.users.findOneBy({ id }));
    if (user.authority === 'CUSTOMER_USER' && assignee.id !== user.id) throw ApiError.forbidden();
    return assignee;
  }

  /** Audit entries of alarm actions are about the originator, as in ThingsBoard. */
  private record(
    user: SecurityUser,
    alarm: AlarmEntity,
    action: ActionType,
    entityName: string | null,
    actionData: Record<string, unknown>,
  ) {
    return this.audit.record({
      user,
      entityType: alarm.originatorType as EntityType,
      entityId: alarm.originatorId,
      entityName,
      customerId: alarm.customerId ?? undefined,
      actionType: action,
      actionData,
    });
  }
}

/** The plug-in API's AlarmView of a stored alarm. */
export function alarmView(a: AlarmEntity): AlarmView {
  return {
    id: a.id,
    createdTime: a.createdTime,
    type: a.type,
    originator: { entityType: a.originatorType, id: a.originatorId },
    severity: a.severity,
    acknowledged: a.acknowledged,
    cleared: a.cleared,
    startTs: a.startTs,
    endTs: a.endTs,
    ackTs: a.ackTs,
    clearTs: a.clearTs,
    details: a.details ?? null,
    propagate: a.propagate,
    propagateToOwner: a.propagateToOwner,
    propagateToTenant: a.propagateToTenant,
    propagateRelationTypes: a.propagateRelationTypes ?? [],
    status: alarmStatus(a),
  };
}

function alarmChange(result: AlarmWriteResult): AlarmChange {
  return {
    alarm: alarmView(result.alarm),
    outcome: result.created ? 'CREATED' : 'UPDATED',
    ...(result.previousSeverity ? { previousSeverity: result.previousSeverity } : {}),
  };
}
