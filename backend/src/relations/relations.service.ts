import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityId, EntityType, Relation, RelationDirection, RelationsApi } from '@edgewise/plugin-api';
import { Brackets, Repository } from 'typeorm';
import type { SecurityUser } from '../auth/security-user';
import type { JsonObject } from '../database/column-transformers';
import { DeviceEvents } from '../devices/device-events';
import { ApiError } from '../errors/api-error';
import { EntityDirectory, entityKey, EntityOwner } from './entity-directory';
import { RELATION_TYPE_GROUPS, RelationEntity, RelationTypeGroup } from './relation.entity';
import { fromIdOf, relationJson, toIdOf } from './relation.json';
import { matchesFilters, parseRelation, RelationFilter, RelationKey, RelationsQuery } from './relation-requests';

/** Ids per IN list of one level of a multi-level search. */
const IDS_PER_QUERY = 500;

/** A relation with the names of its ends, for the `/info` variants. */
export interface RelationWithNames {
  relation: RelationEntity;
  fromName: string;
  toName: string;
}

/** What a multi-level search follows. */
interface Traversal {
  tenantId: string;
  root: EntityId;
  direction: RelationDirection;
  typeGroup: RelationTypeGroup;
  /** 0 or less: every level. */
  maxLevel: number;
  fetchLastLevelOnly: boolean;
}

/** A frontier entity of a search and the relations that reached it from the entity that found it. */
interface Reached {
  foundBy: string;
  via: RelationEntity[];
}

const keyColumns = (key: RelationKey) => ({
  fromId: key.from.id,
  fromType: key.from.entityType,
  typeGroup: key.typeGroup,
  type: key.type,
  toId: key.to.id,
  toType: key.to.entityType,
});

/**
 * Entity relations: ThingsBoard's REST semantics (both ends must be readable by the caller; lists leave out
 * what the caller may not read) and the tenant-scoped `RelationsApi` rule nodes use. Every query stays inside
 * one tenant's relations.
 */
@Injectable()
export class RelationsService implements OnModuleDestroy {
  private readonly logger = new Logger('Relations');
  private readonly onDeviceDeleted = (deviceId: string) =>
    void this.deleteAllOf({ entityType: 'DEVICE', id: deviceId }).catch((e: Error) =>
      this.logger.error(`relations of deleted device ${deviceId} not removed: ${e.message}`),
    );

  constructor(
    @InjectRepository(RelationEntity) private readonly relations: Repository<RelationEntity>,
    private readonly directory: EntityDirectory,
    private readonly deviceEvents: DeviceEvents,
  ) {
    deviceEvents.on('deleted', this.onDeviceDeleted);
  }

  onModuleDestroy(): void {
    this.deviceEvents.off('deleted', this.onDeviceDeleted);
  }

  /** Creates or updates (same ends, type group and type) a relation between two entities the caller can read. */
  async save(user: SecurityUser, body: unknown): Promise<RelationEntity> {
    const input = parseRelation(body);
    await this.readableEnds(user, input);
    return this.upsert(user.tenantId, input, input.additionalInfo);
  }

  /** Deletes one relation; 404 when there is none. Returns what was deleted. */
  async delete(user: SecurityUser, key: RelationKey): Promise<RelationEntity> {
    await this.readableEnds(user, key);
    const existing = await this.relations.findOneBy({ ...keyColumns(key), tenantId: user.tenantId });
    if (!existing) throw ApiError.notFound();
    await this.relations.delete({ ...keyColumns(key), tenantId: user.tenantId });
    return existing;
  }

  /** Deletes the entity's COMMON relations in both directions (DELETE /api/relations). */
  async deleteCommonRelations(user: SecurityUser, entity: EntityId): Promise<void> {
    await this.directory.readable(user, entity);
    await this.deleteWhere(entity, user.tenantId, 'COMMON');
  }

  async get(user: SecurityUser, key: RelationKey): Promise<RelationEntity> {
    await this.readableEnds(user, key);
    const relation = await this.relations.findOneBy({ ...keyColumns(key), tenantId: user.tenantId });
    if (!relation) throw ApiError.notFound();
    return relation;
  }

  /** Direct relations from (FROM) or to (TO) an entity, optionally of one type. */
  async list(
    user: SecurityUser,
    root: EntityId,
    direction: RelationDirection,
    typeGroup: RelationTypeGroup,
    type?: string,
  ): Promise<RelationWithNames[]> {
    await this.directory.readable(user, root);
    const rows = await this.edges(user.tenantId, direction, [root], typeGroup, type);
    return this.readableOnly(user, rows);
  }

  /** EntityRelationsQuery: relations found level by level from the root, then filtered. */
  async query(user: SecurityUser, query: RelationsQuery): Promise<RelationWithNames[]> {
    await this.directory.readable(user, query.root);
    const found = await this.related({ tenantId: user.tenantId, ...query });
    return this.readableOnly(user, this.filtered(found, query.direction, query.filters));
  }

  /** Removes every relation of the entity, all groups, both directions (the entity is gone). */
  async deleteAllOf(entity: EntityId): Promise<void> {
    await this.deleteWhere(entity);
  }

  /** The relations API of one tenant's rule engine: every read and write stays inside that tenant. */
  forTenant(tenantId: string): RelationsApi {
    return {
      find: async (query) => {
        const found = await this.related({
          tenantId,
          root: query.root,
          direction: query.direction,
          typeGroup: 'COMMON',
          maxLevel: query.maxLevel ?? 1,
          fetchLastLevelOnly: false,
        });
        const filters =
          query.relationType || query.entityTypes ? [{ relationType: query.relationType, entityTypes: query.entityTypes }] : [];
        return this.filtered(found, query.direction, filters).map(relationJson);
      },
      exists: async (from, to, type) => this.relations.existsBy({ ...keyColumns({ from, to, type, typeGroup: 'COMMON' }), tenantId }),
      save: async (relation) => {
        if (!(RELATION_TYPE_GROUPS as readonly string[]).includes(relation.typeGroup))
          throw new Error(`Relation type group "${relation.typeGroup}" is not one of ${RELATION_TYPE_GROUPS.join(', ')}`);
        await this.requireInTenant(tenantId, [relation.from, relation.to]);
        await this.upsert(tenantId, relation, (relation.additionalInfo as JsonObject | null | undefined) ?? null);
      },
      remove: async (from, to, type) => {
        const result = await this.relations.delete({ ...keyColumns({ from, to, type, typeGroup: 'COMMON' }), tenantId });
        return (result.affected ?? 0) > 0;
      },
    };
  }

  /** ThingsBoard checks both ends of a relation like any read of them (404, 403). */
  private async readableEnds(user: SecurityUser, ends: { from: EntityId; to: EntityId }): Promise<void> {
    await this.directory.readable(user, ends.from);
    await this.directory.readable(user, ends.to);
  }

  private async upsert(
    tenantId: string,
    key: Omit<Relation, 'additionalInfo'>,
    additionalInfo: JsonObject | null,
  ): Promise<RelationEntity> {
    const row: RelationEntity = { ...keyColumns({ ...key, typeGroup: key.typeGroup as RelationTypeGroup }), tenantId, additionalInfo };
    await this.relations.upsert(row, ['fromId', 'fromType', 'typeGroup', 'type', 'toId', 'toType']);
    return row;
  }

  /** Rule nodes may only relate entities of their own tenant; types without a table here are refused. */
  private async requireInTenant(tenantId: string, ends: EntityId[]): Promise<void> {
    for (const end of ends)
      if (!this.directory.supports(end.entityType))
        throw new Error(
          `Relations with ${end.entityType} entities are not supported yet: use ${this.directory.supportedTypes().join(', ')}`,
        );
    const owners = await this.directory.owners(ends);
    for (const end of ends) {
      const owner = owners.get(entityKey(end));
      if (!owner || owner.tenantId !== tenantId)
        throw new Error(`${end.entityType} ${end.id} does not exist in this tenant: a relation needs two existing entities`);
    }
  }

  private async deleteWhere(entity: EntityId, tenantId?: string, typeGroup?: RelationTypeGroup): Promise<void> {
    const query = this.relations
      .createQueryBuilder()
      .delete()
      .where(
        new Brackets((q) =>
          q
            .where('from_id = :id AND from_type = :type', { id: entity.id, type: entity.entityType })
            .orWhere('to_id = :id AND to_type = :type', { id: entity.id, type: entity.entityType }),
        ),
      );
    if (tenantId) query.andWhere('tenant_id = :tenantId', { tenantId });
    if (typeGroup) query.andWhere('relation_type_group = :typeGroup', { typeGroup });
    await query.execute();
  }

  /** One level: the relations whose near end (from for FROM, to for TO) is one of `near`. */
  private async edges(
    tenantId: string,
    direction: RelationDirection,
    near: readonly EntityId[],
    typeGroup: RelationTypeGroup,
    type?: string,
  ): Promise<RelationEntity[]> {
    const side = direction === 'FROM' ? 'from' : 'to';
    const wanted = new Set(near.map(entityKey));
    const rows: RelationEntity[] = [];
    for (let i = 0; i < near.length; i += IDS_PER_QUERY) {
      const query = this.relations
        .createQueryBuilder('r')
        .where(`r.${side}Id IN (:...ids)`, { ids: near.slice(i, i + IDS_PER_QUERY).map((e) => e.id) })
        .andWhere('r.typeGroup = :typeGroup', { typeGroup })
        .andWhere('r.tenantId = :tenantId', { tenantId });
      if (type) query.andWhere('r.type = :type', { type });
      rows.push(
        ...(await query
          .orderBy('r.type')
          .addOrderBy(`r.${side === 'from' ? 'to' : 'from'}Id`)
          .getMany()),
      );
    }
    // Ids are unique across types; the type check keeps ThingsBoard's (id, type) identity exact.
    return rows.filter((r) => wanted.has(entityKey(direction === 'FROM' ? fromIdOf(r) : toIdOf(r))));
  }

  /**
   * ThingsBoard's multi-level search, level by level (one query per level): every relation of the group is
   * followed; an entity is expanded once, so cycles end. With `fetchLastLevelOnly` only the relations of the
   * last level are kept: those found at `maxLevel`, and those reaching an entity nothing further relates to.
   */
  private async related(t: Traversal): Promise<RelationEntity[]> {
    const maxLevel = t.maxLevel > 0 ? t.maxLevel : Number.POSITIVE_INFINITY;
    const far = t.direction === 'FROM' ? toIdOf : fromIdOf;
    const near = t.direction === 'FROM' ? fromIdOf : toIdOf;
    const seen = new Set([entityKey(t.root)]);
    let frontier = new Map<string, { id: EntityId; reached: Reached }>([
      [entityKey(t.root), { id: t.root, reached: { foundBy: '', via: [] } }],
    ]);
    const result: RelationEntity[] = [];
    for (let level = 1; frontier.size > 0 && level <= maxLevel; level++) {
      const rows = await this.edges(
        t.tenantId,
        t.direction,
        [...frontier.values()].map((f) => f.id),
        t.typeGroup,
      );
      const bySource = new Map<string, RelationEntity[]>();
      for (const row of rows) {
        const source = entityKey(near(row));
        const list = bySource.get(source);
        if (list) list.push(row);
        else bySource.set(source, [row]);
      }
      const next = new Map<string, { id: EntityId; reached: Reached }>();
      for (const [key, { reached }] of frontier) {
        const out = bySource.get(key) ?? [];
        if (!t.fetchLastLevelOnly) result.push(...out);
        else if (out.length === 0) result.push(...reached.via);
        else if (level === maxLevel) result.push(...out);
        for (const row of out) {
          const child = far(row);
          const childKey = entityKey(child);
          if (!seen.has(childKey)) {
            seen.add(childKey);
            next.set(childKey, { id: child, reached: { foundBy: key, via: [row] } });
          } else if (next.get(childKey)?.reached.foundBy === key) {
            next.get(childKey)!.reached.via.push(row);
          }
        }
      }
      frontier = next;
    }
    return result;
  }

  private filtered(rows: RelationEntity[], direction: RelationDirection, filters: readonly RelationFilter[]): RelationEntity[] {
    const far = direction === 'FROM' ? toIdOf : fromIdOf;
    return rows.filter((r) => matchesFilters(filters, r.type, far(r).entityType as EntityType));
  }

  /** Keeps the relations whose both ends the caller may read, with the ends' names. */
  private async readableOnly(user: SecurityUser, rows: RelationEntity[]): Promise<RelationWithNames[]> {
    const owners = await this.directory.owners(rows.flatMap((r) => [fromIdOf(r), toIdOf(r)]));
    const visible = (id: EntityId): EntityOwner | undefined => {
      const owner = owners.get(entityKey(id));
      return this.directory.canRead(user, id, owner) ? owner : undefined;
    };
    const result: RelationWithNames[] = [];
    for (const relation of rows) {
      const from = visible(fromIdOf(relation));
      const to = visible(toIdOf(relation));
      if (from && to) result.push({ relation, fromName: from.name, toName: to.name });
    }
    return result;
  }
}
