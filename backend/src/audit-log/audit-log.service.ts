import type { JsonObject } from '../database/column-transformers';
import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, Repository } from 'typeorm';
import type { SecurityUser } from '../auth/security-user';
import { EntityType, newId, NULL_UUID } from '../database/ids';
import { likePattern, PageData, PageLink, toPageData } from '../paging/page-link';
import { AuditLogEntity } from './audit-log.entity';

export type ActionType =
  | 'ADDED'
  | 'DELETED'
  | 'UPDATED'
  | 'ATTRIBUTES_UPDATED'
  | 'ATTRIBUTES_DELETED'
  | 'TIMESERIES_UPDATED'
  | 'TIMESERIES_DELETED'
  | 'RPC_CALL'
  | 'CREDENTIALS_UPDATED'
  | 'ASSIGNED_TO_CUSTOMER'
  | 'UNASSIGNED_FROM_CUSTOMER'
  | 'ACTIVATED'
  | 'SUSPENDED'
  | 'CREDENTIALS_READ'
  | 'ATTRIBUTES_READ'
  | 'ALARM_ACK'
  | 'ALARM_CLEAR'
  | 'ALARM_DELETE'
  | 'ALARM_ASSIGNED'
  | 'ALARM_UNASSIGNED'
  | 'LOGIN'
  | 'LOGOUT'
  | 'LOCKOUT';

export const ACTION_TYPES: readonly ActionType[] = [
  'ADDED',
  'DELETED',
  'UPDATED',
  'ATTRIBUTES_UPDATED',
  'ATTRIBUTES_DELETED',
  'TIMESERIES_UPDATED',
  'TIMESERIES_DELETED',
  'RPC_CALL',
  'CREDENTIALS_UPDATED',
  'ASSIGNED_TO_CUSTOMER',
  'UNASSIGNED_FROM_CUSTOMER',
  'ACTIVATED',
  'SUSPENDED',
  'CREDENTIALS_READ',
  'ATTRIBUTES_READ',
  'ALARM_ACK',
  'ALARM_CLEAR',
  'ALARM_DELETE',
  'ALARM_ASSIGNED',
  'ALARM_UNASSIGNED',
  'LOGIN',
  'LOGOUT',
  'LOCKOUT',
];

export interface AuditEntry {
  user: SecurityUser;
  entityType: EntityType;
  entityId: string;
  entityName?: string | null;
  customerId?: string;
  actionType: ActionType;
  actionData?: JsonObject;
  failure?: string;
}

export interface AuditLogFilter {
  startTime: number;
  endTime: number;
  actionTypes?: string[];
  entityType?: string;
  entityId?: string;
  userId?: string;
  customerId?: string;
}

export const AUDIT_SORTABLE = {
  createdTime: 'createdTime',
  entityType: 'entityType',
  entityName: 'entityName',
  userName: 'userName',
  actionType: 'actionType',
  actionStatus: 'actionStatus',
};

@Injectable()
export class AuditLogService {
  private readonly logger = new Logger('AuditLog');

  constructor(@InjectRepository(AuditLogEntity) private readonly logs: Repository<AuditLogEntity>) {}

  /** Records who did what to which entity. A failing audit write is logged, never fails the user's request. */
  async record(entry: AuditEntry): Promise<void> {
    try {
      await this.logs.insert({
        id: newId(),
        createdTime: Date.now(),
        tenantId: entry.user.tenantId,
        customerId: entry.customerId ?? entry.user.customerId ?? NULL_UUID,
        entityType: entry.entityType,
        entityId: entry.entityId,
        entityName: entry.entityName ?? null,
        userId: entry.user.id,
        userName: entry.user.email,
        actionType: entry.actionType,
        actionData: entry.actionData ?? null,
        actionStatus: entry.failure ? 'FAILURE' : 'SUCCESS',
        actionFailureDetails: entry.failure ?? null,
      });
    } catch (e) {
      this.logger.error(`audit entry for ${entry.actionType} ${entry.entityType} ${entry.entityId} not written: ${(e as Error).message}`);
    }
  }

  /** An entry about a device, the most frequent subject. */
  recordDevice(
    user: SecurityUser,
    device: { id: string; name: string; customerId: string },
    actionType: ActionType,
    actionData?: Record<string, unknown>,
  ): Promise<void> {
    return this.record({
      user,
      entityType: 'DEVICE',
      entityId: device.id,
      entityName: device.name,
      customerId: device.customerId,
      actionType,
      actionData,
    });
  }

  async find(tenantId: string, filter: AuditLogFilter, link: PageLink): Promise<PageData<AuditLogEntity>> {
    const query = this.logs
      .createQueryBuilder('a')
      .where('a.tenantId = :tenantId', { tenantId })
      .andWhere('a.createdTime >= :start AND a.createdTime <= :end', { start: filter.startTime, end: filter.endTime });
    if (filter.actionTypes?.length) query.andWhere('a.actionType IN (:...types)', { types: filter.actionTypes });
    if (filter.entityType) query.andWhere('a.entityType = :entityType', { entityType: filter.entityType });
    if (filter.entityId) query.andWhere('a.entityId = :entityId', { entityId: filter.entityId });
    if (filter.userId) query.andWhere('a.userId = :userId', { userId: filter.userId });
    if (filter.customerId) query.andWhere('a.customerId = :customerId', { customerId: filter.customerId });
    if (link.textSearch) {
      const pattern = likePattern(link.textSearch);
      query.andWhere(
        new Brackets((q) => {
          for (const column of ['entityType', 'entityName', 'userName', 'actionType', 'actionStatus']) {
            q.orWhere(`LOWER(a.${column}) LIKE :pattern ESCAPE '\\'`, { pattern });
          }
        }),
      );
    }
    query.orderBy(`a.${link.sortProperty ?? 'createdTime'}`, link.sortProperty ? link.sortOrder : 'DESC');
    const [rows, total] = await query
      .skip(link.page * link.pageSize)
      .take(link.pageSize)
      .getManyAndCount();
    return toPageData(rows, total, link);
  }
}
