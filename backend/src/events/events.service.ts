import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { EntityId } from '@edgewise/plugin-api';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource, Repository, WhereExpressionBuilder } from 'typeorm';
import type { SecurityUser } from '../auth/security-user';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import type { JsonObject } from '../database/column-transformers';
import { isUuid, newId } from '../database/ids';
import { ApiError } from '../errors/api-error';
import { PageData, PageLink, toPageData } from '../paging/page-link';
import { EntityDirectory } from '../relations/entity-directory';
import { DebugRateLimiter } from './debug-rate-limiter';
import { EventEntity } from './event.entity';
import { eventBody } from './event.json';
import { EventFilter, filterConditions } from './event-filter';
import { ErrorInput, EventRecord, EventType, LifecycleInput, RuleNodeDebugInput, StatsInput } from './event-types';
import { EventWriter } from './event-writer';

/** Rows per INSERT: 22 columns × 500 stays far below SQLite's and PostgreSQL's bind-parameter limits. */
const ROWS_PER_INSERT = 500;
/** Expired events are deleted this many at a time, so a long backlog never holds the database for long. */
const EXPIRED_PER_DELETE = 5000;
const DAY_MS = 86_400_000;
export const RATE_LIMIT_NOTICE = 'Reached debug mode rate limit!';

/** Which events of one entity a query or a clear addresses. */
export interface EventSelection {
  tenantId: string;
  entityId: string;
  eventType: EventType;
  startTime?: number;
  endTime?: number;
  filter?: EventFilter;
}

export interface RetentionResult {
  /** Older than EVENTS_TTL_DAYS. */
  expired: number;
  /** Beyond EVENTS_MAX_PER_ENTITY of one entity and type. */
  trimmed: number;
}

/** The column values of an event's body fields; the rest stay NULL. */
type BodyColumns = Partial<Omit<EventEntity, 'tenantId' | 'entityId' | 'eventType' | 'ts' | 'id' | 'entityType' | 'server'>>;

function bodyColumns(event: EventRecord): BodyColumns {
  switch (event.type) {
    case 'DEBUG_RULE_NODE': {
      const { msg } = event;
      return {
        eType: event.direction,
        eEntityId: isUuid(msg.originator.id) ? msg.originator.id : null,
        eEntityType: msg.originator.entityType,
        eMsgId: isUuid(msg.id) ? msg.id : null,
        eMsgType: msg.type,
        eDataType: msg.dataType,
        eRelationType: event.relationType ?? null,
        eData: msg.data,
        // Debug only: the one place a message's metadata is serialised.
        eMetadata: JSON.stringify(msg.metadata),
        eError: event.error ?? null,
      };
    }
    case 'DEBUG_RULE_CHAIN':
      return { eMessage: event.message ?? null, eError: event.error ?? null };
    case 'LC_EVENT':
      return { eType: event.event, eSuccess: event.success, eError: event.error ?? null };
    case 'ERROR':
      return { eMethod: event.method, eError: event.error };
    case 'STATS':
      return { eMessagesProcessed: event.messagesProcessed, eErrorsOccurred: event.errorsOccurred };
  }
}

/**
 * Rule-engine events (rest-api.md §4): recording never blocks the caller (events are group-committed by a
 * bounded writer), reading and clearing for the REST API, and retention (EVENTS_TTL_DAYS, and at most
 * about EVENTS_MAX_PER_ENTITY per entity and event type).
 */
@Injectable()
export class EventsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Events');
  private readonly server = hostname();
  private readonly writer: EventWriter<EventEntity>;
  private readonly limiter: DebugRateLimiter;
  /** Events recorded per tenant/entity/type since that key was last trimmed to EVENTS_MAX_PER_ENTITY. */
  private readonly sinceTrim = new Map<string, { tenantId: string; entityId: string; eventType: string; count: number }>();
  private timer?: NodeJS.Timeout;
  private retention?: Promise<RetentionResult>;

  constructor(
    @InjectRepository(EventEntity) private readonly events: Repository<EventEntity>,
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly directory: EntityDirectory,
  ) {
    this.writer = new EventWriter((rows) => this.insert(rows), config.eventsBufferSize, this.logger);
    this.limiter = new DebugRateLimiter(config.eventsDebugRateLimit, config.eventsDebugRateLimitWindowMs);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.runRetention().catch(this.retentionFailed), this.config.eventsCleanupIntervalMs).unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.writer.drain();
    await this.retention?.catch(() => undefined);
  }

  /** Queues an event for writing and returns at once; it may be dropped when the database falls behind. */
  record(event: EventRecord): void {
    const row: EventEntity = {
      tenantId: event.tenantId,
      entityId: event.entity.id,
      eventType: event.type,
      ts: event.ts ?? Date.now(),
      id: newId(),
      entityType: event.entity.entityType,
      server: this.server,
      eType: null,
      eEntityId: null,
      eEntityType: null,
      eMsgId: null,
      eMsgType: null,
      eDataType: null,
      eRelationType: null,
      eData: null,
      eMetadata: null,
      eError: null,
      eSuccess: null,
      eMethod: null,
      eMessage: null,
      eMessagesProcessed: null,
      eErrorsOccurred: null,
      ...bodyColumns(event),
    };
    if (!this.writer.add(row)) return;
    const key = `${row.tenantId}|${row.entityId}|${row.eventType}`;
    const counted = this.sinceTrim.get(key);
    if (counted) counted.count++;
    else this.sinceTrim.set(key, { tenantId: row.tenantId, entityId: row.entityId, eventType: row.eventType, count: 1 });
  }

  /**
   * A rule node's IN/OUT debug event, within the tenant's debug rate limit: the first event over the limit
   * records one DEBUG_RULE_CHAIN notice on the chain instead, later ones are dropped until the limit refills
   * or `resetDebugRateLimit` is called.
   */
  recordRuleNodeDebug(input: RuleNodeDebugInput): void {
    const admission = this.limiter.admit(input.tenantId);
    if (admission === 'limitReached') {
      this.record({
        type: 'DEBUG_RULE_CHAIN',
        tenantId: input.tenantId,
        entity: { entityType: 'RULE_CHAIN', id: input.ruleChainId },
        ts: input.ts,
        message: RATE_LIMIT_NOTICE,
        error: input.error,
      });
    }
    if (admission !== 'allowed') return;
    this.record({
      type: 'DEBUG_RULE_NODE',
      tenantId: input.tenantId,
      entity: { entityType: 'RULE_NODE', id: input.ruleNodeId },
      ts: input.ts,
      direction: input.direction,
      msg: input.msg,
      relationType: input.relationType,
      error: input.error,
    });
  }

  recordLifecycle({ event, error, entity, tenantId, ts }: LifecycleInput): void {
    this.record({ type: 'LC_EVENT', tenantId, entity, ts, event, success: error === undefined, error });
  }

  recordError(input: ErrorInput): void {
    this.record({ type: 'ERROR', ...input });
  }

  recordStats(input: StatsInput): void {
    this.record({ type: 'STATS', ...input });
  }

  /** Called when a tenant's rule-chain metadata is saved (ThingsBoard resets the tenant's debug limiter then). */
  resetDebugRateLimit(tenantId: string): void {
    this.limiter.reset(tenantId);
  }

  /** Events dropped since start because the database could not keep up. */
  get droppedEvents(): number {
    return this.writer.dropped;
  }

  /** Resolves when every event recorded so far is written. */
  flush(): Promise<void> {
    return this.writer.drain();
  }

  /**
   * Checks that the caller may read the entity's events: `tenantId` (the query parameter, when given) must be
   * the caller's; entities with a table are checked like any read; rule nodes and chains are tenant-level,
   * so customer users get 403 and tenant isolation comes from the query's tenant.
   */
  async checkReadable(user: SecurityUser, entity: EntityId, tenantId?: string): Promise<void> {
    if (tenantId !== undefined && tenantId !== user.tenantId) throw ApiError.forbidden();
    if (this.directory.supports(entity.entityType)) await this.directory.readable(user, entity);
    else if (user.authority === 'CUSTOMER_USER') throw ApiError.forbidden();
  }

  async page(selection: EventSelection, link: PageLink): Promise<PageData<EventEntity>> {
    const query = this.events.createQueryBuilder('e');
    this.select(query, selection);
    const total = await query.clone().select('COUNT(*)', 'n').getRawOne<{ n: string | number }>();
    const order = link.sortProperty ? link.sortOrder : 'DESC';
    const rows = await query
      .orderBy(`e.${link.sortProperty ?? 'ts'}`, order)
      .addOrderBy('e.id', order)
      .offset(link.page * link.pageSize)
      .limit(link.pageSize)
      .getMany();
    return toPageData(rows, Number(total?.n ?? 0), link);
  }

  /** Deletes the selected events; resolves once events recorded earlier are written, so they go too. */
  async clear(selection: EventSelection): Promise<void> {
    await this.writer.drain();
    const query = this.events.createQueryBuilder().delete();
    this.select(query, selection);
    await query.execute();
  }

  /** The body of the node's newest IN debug event, if any. */
  async latestDebugIn(tenantId: string, ruleNodeId: string): Promise<JsonObject | undefined> {
    const event = await this.events.findOne({
      where: { tenantId, entityId: ruleNodeId, eventType: 'DEBUG_RULE_NODE', eType: 'IN' },
      order: { ts: 'DESC' },
    });
    return event ? eventBody(event) : undefined;
  }

  /** Every event of an entity (a deleted rule node or chain). */
  async deleteEventsOf(tenantId: string, entityId: string): Promise<void> {
    await this.writer.drain();
    await this.events.delete({ tenantId, entityId });
  }

  /**
   * Deletes expired events in bounded chunks, then trims every entity/type that received at least a tenth of
   * EVENTS_MAX_PER_ENTITY since its last trim back to that many (the newest kept; events sharing the
   * boundary timestamp are kept too, hence "about"). A trim reads EVENTS_MAX_PER_ENTITY index entries, so
   * trimming only after that much growth keeps the cost to a few index steps per recorded event.
   */
  runRetention(now = Date.now()): Promise<RetentionResult> {
    this.retention ??= this.retain(now).finally(() => (this.retention = undefined));
    return this.retention;
  }

  private readonly retentionFailed = (e: Error) => this.logger.error(`event retention failed, retried next period: ${e.message}`);

  private async retain(now: number): Promise<RetentionResult> {
    await this.writer.drain();
    let expired = 0;
    if (this.config.eventsTtlDays > 0) {
      const cutoff = now - this.config.eventsTtlDays * DAY_MS;
      let deleted: number;
      do {
        const result = await this.events
          .createQueryBuilder()
          .delete()
          .where(
            `(tenant_id, entity_id, event_type, ts, id) IN
             (SELECT tenant_id, entity_id, event_type, ts, id FROM event WHERE ts < :cutoff LIMIT ${EXPIRED_PER_DELETE})`,
            { cutoff },
          )
          .execute();
        deleted = result.affected ?? 0;
        expired += deleted;
      } while (deleted === EXPIRED_PER_DELETE);
    }
    let trimmed = 0;
    const keep = this.config.eventsMaxPerEntity;
    if (keep > 0) {
      const threshold = Math.max(1, Math.floor(keep / 10));
      for (const [key, grown] of this.sinceTrim) {
        if (grown.count < threshold) continue;
        this.sinceTrim.delete(key);
        const result = await this.events
          .createQueryBuilder()
          .delete()
          .where('tenant_id = :tenantId AND entity_id = :entityId AND event_type = :eventType', grown)
          .andWhere(
            `ts < (SELECT ts FROM event WHERE tenant_id = :tenantId AND entity_id = :entityId AND event_type = :eventType
                   ORDER BY ts DESC LIMIT 1 OFFSET ${keep - 1})`,
          )
          .execute();
        trimmed += result.affected ?? 0;
      }
    }
    return { expired, trimmed };
  }

  private select(query: WhereExpressionBuilder, s: EventSelection): void {
    query.where('tenant_id = :tenantId AND entity_id = :entityId AND event_type = :eventType', {
      tenantId: s.tenantId,
      entityId: s.entityId,
      eventType: s.eventType,
    });
    if (s.startTime !== undefined) query.andWhere('ts >= :startTime', { startTime: s.startTime });
    if (s.endTime !== undefined) query.andWhere('ts <= :endTime', { endTime: s.endTime });
    for (const condition of s.filter ? filterConditions(s.filter) : []) query.andWhere(condition.sql, condition.params);
  }

  /** SQLite has one connection: never write while TypeORM has a transaction open on it (we would join it). */
  private async insert(rows: EventEntity[]): Promise<void> {
    const sqlite = (this.db.driver as unknown as { databaseConnection?: { inTransaction?: boolean } }).databaseConnection;
    while (sqlite?.inTransaction) await sleep(1);
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
      await this.events
        .createQueryBuilder()
        .insert()
        .into(EventEntity)
        .values(rows.slice(i, i + ROWS_PER_INSERT))
        .updateEntity(false)
        .execute();
    }
  }
}
