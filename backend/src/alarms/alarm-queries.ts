import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { Brackets, DataSource, In, Repository, SelectQueryBuilder } from 'typeorm';
import { likePattern, PageData, PageLink, toPageData } from '../paging/page-link';
import type { EntityId } from '@edgewise/plugin-api';
import { ALARM_SEVERITIES, AlarmEntity, AlarmSeverity } from './alarm.entity';

/** Which alarms by cleared/acknowledged; an absent member does not filter (ThingsBoard's AlarmStatusFilter). */
export interface AlarmStatusFilter {
  cleared?: boolean;
  acknowledged?: boolean;
}

export interface AlarmListFilter {
  status: AlarmStatusFilter;
  /** Only alarms linked to this entity (originated by or propagated to it). */
  entity?: EntityId;
  /** Only alarms of any of these entities: originated by them, or (with `includePropagated`) also propagated to them. */
  entitySet?: { ids: readonly string[]; includePropagated: boolean };
  /** Only alarms of this customer (a customer user's tenant-wide list). */
  customerId?: string;
  assigneeId?: string;
  startTime?: number;
  endTime?: number;
  types?: string[];
  severities?: AlarmSeverity[];
}

/** Derived `status` in SQL, for text search and sorting (the table stores the two flags). */
const STATUS_SQL =
  "(CASE WHEN a.cleared THEN (CASE WHEN a.acknowledged THEN 'CLEARED_ACK' ELSE 'CLEARED_UNACK' END) " +
  "ELSE (CASE WHEN a.acknowledged THEN 'ACTIVE_ACK' ELSE 'ACTIVE_UNACK' END) END)";

/** API sort names → SQL (rest-api.md §3.1; severity sorts as text, as in ThingsBoard). */
export const ALARM_SORTABLE = {
  createdTime: 'a.created_time',
  startTs: 'a.start_ts',
  endTs: 'a.end_ts',
  type: 'a.type',
  ackTs: 'a.ack_ts',
  clearTs: 'a.clear_ts',
  severity: 'a.severity',
  status: STATUS_SQL,
};

/** Alarm lists, highest severity and alarm types: read-only queries over the alarm and entity_alarm tables. */
@Injectable()
export class AlarmQueries {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectRepository(AlarmEntity) private readonly alarms: Repository<AlarmEntity>,
  ) {}

  async page(tenantId: string, filter: AlarmListFilter, link: PageLink): Promise<PageData<AlarmEntity>> {
    const query = this.filtered(tenantId, filter);
    if (link.textSearch) {
      const pattern = likePattern(link.textSearch);
      query.andWhere(
        new Brackets((q) => {
          for (const column of ['a.type', 'a.severity', STATUS_SQL]) q.orWhere(`LOWER(${column}) LIKE :pattern ESCAPE '\\'`, { pattern });
        }),
      );
    }
    const total = await query.clone().select('COUNT(*)', 'n').getRawOne<{ n: string | number }>();
    const rows = await query
      .select('a.id', 'id')
      .orderBy(link.sortProperty ?? 'a.created_time', link.sortProperty ? link.sortOrder : 'DESC')
      .addOrderBy('a.id', 'ASC')
      .offset(link.page * link.pageSize)
      .limit(link.pageSize)
      .getRawMany<{ id: string }>();
    const byId = new Map((await this.alarms.findBy({ id: In(rows.map((r) => r.id)) })).map((a) => [a.id, a]));
    return toPageData(
      rows.map((r) => byId.get(r.id)!),
      Number(total?.n ?? 0),
      link,
    );
  }

  async count(tenantId: string, filter: AlarmListFilter): Promise<number> {
    const row = await this.filtered(tenantId, filter).select('COUNT(*)', 'n').getRawOne<{ n: string | number }>();
    return Number(row?.n ?? 0);
  }

  /** The highest severity among the entity's alarms that match, or undefined when none does. */
  async highestSeverity(tenantId: string, filter: AlarmListFilter): Promise<AlarmSeverity | undefined> {
    const rows = await this.filtered(tenantId, filter).select('DISTINCT a.severity', 'severity').getRawMany<{ severity: AlarmSeverity }>();
    const present = new Set(rows.map((r) => r.severity));
    return ALARM_SEVERITIES.find((severity) => present.has(severity));
  }

  /** Distinct alarm types of the tenant, as ThingsBoard's EntitySubtype page. */
  async types(tenantId: string, link: PageLink): Promise<PageData<string>> {
    const query = this.db
      .createQueryBuilder()
      .from('alarm', 'a')
      .where('a.tenant_id = :tenantId', { tenantId })
      .select('DISTINCT a.type', 'type');
    if (link.textSearch) query.andWhere(`LOWER(a.type) LIKE :pattern ESCAPE '\\'`, { pattern: likePattern(link.textSearch) });
    const total = await query.clone().select('COUNT(DISTINCT a.type)', 'n').getRawOne<{ n: string | number }>();
    const rows = await query
      .orderBy('a.type', link.sortOrder)
      .offset(link.page * link.pageSize)
      .limit(link.pageSize)
      .getRawMany<{ type: string }>();
    return toPageData(
      rows.map((r) => r.type),
      Number(total?.n ?? 0),
      link,
    );
  }

  private filtered(tenantId: string, filter: AlarmListFilter): SelectQueryBuilder<object> {
    const query = this.db.createQueryBuilder().from('alarm', 'a').where('a.tenant_id = :tenantId', { tenantId });
    if (filter.entity) {
      query.innerJoin(
        'entity_alarm',
        'ea',
        'ea.alarm_id = a.id AND ea.tenant_id = :tenantId AND ea.entity_id = :entityId AND ea.entity_type = :entityType',
        { entityId: filter.entity.id, entityType: filter.entity.entityType },
      );
      if (filter.startTime !== undefined) query.andWhere('ea.created_time >= :startTime', { startTime: filter.startTime });
      if (filter.endTime !== undefined) query.andWhere('ea.created_time <= :endTime', { endTime: filter.endTime });
    }
    if (filter.entitySet) {
      const { ids, includePropagated } = filter.entitySet;
      if (ids.length === 0) query.andWhere('1 = 0');
      else if (includePropagated)
        query.andWhere('EXISTS (SELECT 1 FROM entity_alarm es WHERE es.alarm_id = a.id AND es.entity_id IN (:...entitySetIds))', {
          entitySetIds: ids,
        });
      else query.andWhere('a.originator_id IN (:...entitySetIds)', { entitySetIds: ids });
    }
    if (filter.customerId) query.andWhere('a.customer_id = :customerId', { customerId: filter.customerId });
    if (filter.startTime !== undefined) query.andWhere('a.created_time >= :startTime', { startTime: filter.startTime });
    if (filter.endTime !== undefined) query.andWhere('a.created_time <= :endTime', { endTime: filter.endTime });
    // Literal TRUE/FALSE: both databases read them, and no driver has to bind a boolean.
    if (filter.status.cleared !== undefined) query.andWhere(`a.cleared = ${filter.status.cleared ? 'TRUE' : 'FALSE'}`);
    if (filter.status.acknowledged !== undefined) query.andWhere(`a.acknowledged = ${filter.status.acknowledged ? 'TRUE' : 'FALSE'}`);
    if (filter.assigneeId) query.andWhere('a.assignee_id = :assigneeId', { assigneeId: filter.assigneeId });
    if (filter.types?.length) query.andWhere('a.type IN (:...types)', { types: filter.types });
    if (filter.severities?.length) query.andWhere('a.severity IN (:...severities)', { severities: filter.severities });
    return query;
  }
}
