import { KeyedLock, type EntityId, type RaiseAlarmRequest } from '@edgewise/plugin-api';
import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { dialectOf } from '../database/dialect';
import { newId } from '../database/ids';
import { isUniqueViolation } from '../database/unique-violation';
import { ApiError } from '../errors/api-error';
import { RelationsService } from '../relations/relations.service';
import { AlarmEntities, entityKey } from './alarm-entities';
import { AlarmEvents } from './alarm-events';
import { AlarmCommentEntity, AlarmEntity, AlarmSeverity, EntityAlarmEntity } from './alarm.entity';

/**
 * A raise or an update. `undefined` members keep what the alarm has (or take the default on creation);
 * `null` details clear them.
 */
export type AlarmWrite = RaiseAlarmRequest;

export interface AlarmWriteResult {
  alarm: AlarmEntity;
  created: boolean;
  /** Something about the alarm changed (always true for a new alarm). */
  modified: boolean;
  /** The severity before an update that changed it. */
  previousSeverity?: AlarmSeverity;
}

/** How many times a raise re-reads after losing a race (a concurrent raise created, or a clear closed, the alarm). */
const RAISE_ATTEMPTS = 5;

/**
 * SQLite runs on one connection, where TypeORM cannot run two transactions at once ("cannot start a
 * transaction within a transaction"): alarm transactions take turns there.
 */
const sqliteTransactions = new KeyedLock();

const PROPAGATION_FIELDS = ['propagate', 'propagateToOwner', 'propagateToTenant', 'propagateRelationTypes'] as const;

/**
 * Alarm persistence with ThingsBoard's rules, whoever asks (REST or rule engine): one uncleared alarm per
 * originator and type, a cleared alarm is never re-opened, and every alarm is linked to the entities it shows on.
 *
 * "One active alarm" holds under concurrency: raises for the same originator and type are serialised in this
 * process, and the partial unique index `alarm_active_unq` (originator, type WHERE NOT cleared) makes the
 * database refuse a second active alarm from any other process; the loser re-reads and updates instead.
 */
@Injectable()
export class AlarmStore {
  private readonly raises = new KeyedLock();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectRepository(AlarmEntity) private readonly alarms: Repository<AlarmEntity>,
    private readonly entities: AlarmEntities,
    private readonly relations: RelationsService,
    private readonly events: AlarmEvents,
  ) {}

  findActive(tenantId: string, originator: EntityId, type: string): Promise<AlarmEntity | null> {
    return this.alarms.findOneBy({ tenantId, originatorId: originator.id, type, cleared: false });
  }

  /** ThingsBoard's create-or-update-active: updates the uncleared alarm of that type on the originator, or creates one. */
  createOrUpdateActive(tenantId: string, request: AlarmWrite): Promise<AlarmWriteResult> {
    validateTimes(request);
    return this.raises.run(`${request.originator.id}|${request.type}`, async () => {
      for (let attempt = 0; attempt < RAISE_ATTEMPTS; attempt++) {
        const active = await this.findActive(tenantId, request.originator, request.type);
        const result = active ? await this.updateIfActive(active, request) : await this.insertUnlessActive(tenantId, request);
        if (result) return result;
      }
      throw new Error(
        `Alarm "${request.type}" of ${request.originator.entityType} ${request.originator.id} kept changing while being raised; try again`,
      );
    });
  }

  /** Updates an alarm by id, cleared or not (POST /api/alarm with an id). */
  async update(alarm: AlarmEntity, request: AlarmWrite): Promise<AlarmWriteResult> {
    validateTimes(request);
    const changes = changesFor(alarm, request);
    if (Object.keys(changes).length) await this.alarms.update({ id: alarm.id }, changes);
    return this.afterUpdate(alarm, changes);
  }

  /** Null when it was already acknowledged. */
  acknowledge(alarm: AlarmEntity, ackTs: number): Promise<AlarmEntity | null> {
    return this.conditionalUpdate(alarm.id, 'acknowledged = false', { acknowledged: true, ackTs });
  }

  /** Null when it was already cleared. `details` (when given) replaces the alarm's details. */
  clear(alarm: AlarmEntity, clearTs: number, details?: unknown): Promise<AlarmEntity | null> {
    const changes: QueryDeepPartialEntity<AlarmEntity> = { cleared: true, clearTs };
    if (details !== undefined) changes.details = details as AlarmEntity['details'];
    return this.conditionalUpdate(alarm.id, 'cleared = false', changes);
  }

  /** Null when it was already assigned to that user. */
  assign(alarm: AlarmEntity, assigneeId: string, assignTs: number): Promise<AlarmEntity | null> {
    return this.conditionalUpdate(
      alarm.id,
      '(assignee_id IS NULL OR assignee_id <> :assigneeId)',
      { assigneeId, assignTs },
      { assigneeId },
    );
  }

  /** Null when nobody was assigned. */
  unassign(alarm: AlarmEntity, assignTs: number): Promise<AlarmEntity | null> {
    return this.conditionalUpdate(alarm.id, 'assignee_id IS NOT NULL', { assigneeId: null, assignTs });
  }

  async delete(alarm: AlarmEntity): Promise<void> {
    await this.transaction(async (tx) => {
      await tx.delete(EntityAlarmEntity, { alarmId: alarm.id });
      await tx.delete(AlarmCommentEntity, { alarmId: alarm.id });
      await tx.delete(AlarmEntity, { id: alarm.id });
    });
    this.events.emit('changed', alarm, true);
  }

  private async updateIfActive(active: AlarmEntity, request: AlarmWrite): Promise<AlarmWriteResult | undefined> {
    const changes = changesFor(active, { ...request, endTs: request.endTs ?? Date.now() });
    if (Object.keys(changes).length) {
      const result = await this.alarms
        .createQueryBuilder()
        .update()
        .set(changes)
        .where('id = :id AND cleared = false', { id: active.id })
        .execute();
      // Cleared meanwhile: a cleared alarm is never re-opened, so the next attempt creates a new one.
      if (!result.affected) return undefined;
    } else if (!(await this.alarms.existsBy({ id: active.id, cleared: false }))) {
      return undefined;
    }
    return this.afterUpdate(active, changes);
  }

  private async insertUnlessActive(tenantId: string, request: AlarmWrite): Promise<AlarmWriteResult | undefined> {
    const originator = await this.entities.find(request.originator);
    if (originator && originator.tenantId !== tenantId) {
      throw ApiError.notFound(
        `The alarm originator ${request.originator.entityType} ${request.originator.id} does not belong to this tenant`,
      );
    }
    const now = Date.now();
    const startTs = request.startTs || now;
    const alarm: AlarmEntity = {
      id: newId(),
      createdTime: now,
      tenantId,
      customerId: originator?.customerId ?? null,
      type: request.type,
      originatorType: request.originator.entityType,
      originatorId: request.originator.id,
      severity: request.severity,
      acknowledged: false,
      cleared: false,
      startTs,
      endTs: request.endTs || startTs,
      ackTs: 0,
      clearTs: 0,
      assigneeId: null,
      assignTs: 0,
      details: request.details ?? null,
      propagate: request.propagate ?? false,
      propagateToOwner: request.propagateToOwner ?? false,
      propagateToTenant: request.propagateToTenant ?? false,
      propagateRelationTypes: request.propagateRelationTypes?.length ? [...request.propagateRelationTypes] : null,
    };
    const targets = await this.linkTargets(alarm);
    try {
      await this.transaction(async (tx) => {
        await tx.insert(AlarmEntity, alarm);
        await insertLinks(tx, alarm, targets);
      });
    } catch (e) {
      // Another process raised the same alarm first: update that one instead.
      if (isUniqueViolation(e)) return undefined;
      throw e;
    }
    this.events.emit('changed', alarm, false);
    return { alarm, created: true, modified: true };
  }

  private async afterUpdate(before: AlarmEntity, changes: QueryDeepPartialEntity<AlarmEntity>): Promise<AlarmWriteResult> {
    const alarm = (await this.alarms.findOneBy({ id: before.id }))!;
    if (PROPAGATION_FIELDS.some((field) => field in changes)) await insertLinks(this.db.manager, alarm, await this.linkTargets(alarm));
    const previousSeverity = alarm.severity !== before.severity ? before.severity : undefined;
    const modified = Object.keys(changes).length > 0;
    if (modified) this.events.emit('changed', alarm, false);
    return { alarm, created: false, modified, ...(previousSeverity ? { previousSeverity } : {}) };
  }

  /**
   * Every entity the alarm shows on (ThingsBoard's propagation): the originator; with `propagate` every entity
   * related to it upwards (relations *to* the originator, followed level by level), only along
   * `propagateRelationTypes` when given; its owner (customer, else tenant) with `propagateToOwner`; the
   * tenant with `propagateToTenant`.
   */
  private async linkTargets(alarm: AlarmEntity): Promise<EntityId[]> {
    const targets = new Map<string, EntityId>();
    const add = (ref: EntityId) => targets.set(entityKey(ref), ref);
    add({ entityType: alarm.originatorType, id: alarm.originatorId });
    if (alarm.propagate) {
      const related = await this.relations
        .forTenant(alarm.tenantId)
        .find({ root: { entityType: alarm.originatorType, id: alarm.originatorId }, direction: 'TO', maxLevel: Number.MAX_SAFE_INTEGER });
      const types = alarm.propagateRelationTypes;
      for (const relation of related) if (!types?.length || types.includes(relation.type)) add(relation.from);
    }
    if (alarm.propagateToOwner)
      add(alarm.customerId ? { entityType: 'CUSTOMER', id: alarm.customerId } : { entityType: 'TENANT', id: alarm.tenantId });
    if (alarm.propagateToTenant) add({ entityType: 'TENANT', id: alarm.tenantId });
    return [...targets.values()];
  }

  private transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (dialectOf(this.db) === 'postgres') return this.db.transaction(work);
    return sqliteTransactions.run('', () => this.db.transaction(work));
  }

  private async conditionalUpdate(
    id: string,
    condition: string,
    changes: QueryDeepPartialEntity<AlarmEntity>,
    params: Record<string, unknown> = {},
  ): Promise<AlarmEntity | null> {
    const result = await this.alarms
      .createQueryBuilder()
      .update()
      .set(changes)
      .where(`id = :id AND ${condition}`, { id, ...params })
      .execute();
    const changed = result.affected ? await this.alarms.findOneBy({ id }) : null;
    if (changed) this.events.emit('changed', changed, false);
    return changed;
  }
}

/** Links only ever get added, as in ThingsBoard: an alarm keeps showing where it once propagated. */
async function insertLinks(manager: EntityManager, alarm: AlarmEntity, targets: readonly EntityId[]): Promise<void> {
  const rows = targets.map((ref) => ({
    entityId: ref.id,
    entityType: ref.entityType,
    alarmId: alarm.id,
    tenantId: alarm.tenantId,
    createdTime: alarm.createdTime,
    alarmType: alarm.type,
    customerId: alarm.customerId,
  }));
  await manager.createQueryBuilder().insert().into(EntityAlarmEntity).values(rows).orIgnore().execute();
}

function validateTimes(request: AlarmWrite): void {
  if (request.endTs && request.startTs && request.startTs > request.endTs) {
    throw ApiError.badRequest("Alarm start ts can't be greater then alarm end ts!");
  }
}

/** What a write changes on an alarm: severity always, the rest only where the request says something. */
function changesFor(alarm: AlarmEntity, request: AlarmWrite): QueryDeepPartialEntity<AlarmEntity> {
  const changes: QueryDeepPartialEntity<AlarmEntity> = {};
  if (request.severity !== alarm.severity) changes.severity = request.severity;
  if (request.startTs && request.startTs !== alarm.startTs) changes.startTs = request.startTs;
  if (request.endTs && request.endTs !== alarm.endTs) changes.endTs = request.endTs;
  if (request.details !== undefined && JSON.stringify(request.details) !== JSON.stringify(alarm.details ?? null)) {
    changes.details = request.details as AlarmEntity['details'];
  }
  for (const flag of ['propagate', 'propagateToOwner', 'propagateToTenant'] as const) {
    if (request[flag] !== undefined && request[flag] !== alarm[flag]) changes[flag] = request[flag];
  }
  if (request.propagateRelationTypes !== undefined) {
    const types = request.propagateRelationTypes?.length ? [...request.propagateRelationTypes] : null;
    if (JSON.stringify(types) !== JSON.stringify(alarm.propagateRelationTypes)) changes.propagateRelationTypes = types;
  }
  return changes;
}
