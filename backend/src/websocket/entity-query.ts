import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, Repository, SelectQueryBuilder } from 'typeorm';
import { customerScope } from '../access/tenant-access';
import type { SecurityUser } from '../auth/security-user';
import { DeviceEntity } from '../devices/device.entity';
import { likePattern } from '../paging/page-link';
import { parseUuid } from '../paging/uuid-param';
import { AttributesService } from '../telemetry/attributes.service';
import type { AttributeScope } from '../telemetry/kv-entry';
import { valueAsString } from '../telemetry/kv-json';
import { TimeseriesService } from '../telemetry/timeseries.service';
import { CommandBody, readArray, readBool, readEnum, readInt, readObject, readString, readStringList } from './ws-commands';
import { ENTITY_KEY_TYPES, EntityDataJson, EntityKey, EntityKeyType, TsValue, WsCommandError } from './ws-protocol';

/** ThingsBoard's max_entities_per_data_subscription: the most entities one entity-data command may page through. */
export const MAX_ENTITIES_PER_SUBSCRIPTION = 10_000;

/** The entity filters this API understands, all over devices (ThingsBoard's EntityFilter subset). */
export interface DeviceFilter {
  ids?: string[];
  types?: string[];
  /** Case-insensitive name prefix (ThingsBoard's `entityNameFilter` / `deviceNameFilter`). */
  namePrefix?: string;
}

export interface EntityPageLink {
  pageSize: number;
  page: number;
  textSearch?: string;
  sortColumn: string;
  sortDirection: 'ASC' | 'DESC';
  dynamic: boolean;
}

/** Entity fields of a device and the SQL to sort by them. */
const DEVICE_FIELDS: Record<string, { column?: string; value: (d: DeviceEntity) => string }> = {
  name: { column: 'd.name', value: (d) => d.name },
  label: { column: 'd.label', value: (d) => d.label ?? '' },
  type: { column: 'd.type', value: (d) => d.type },
  createdTime: { column: 'd.created_time', value: (d) => String(d.createdTime) },
  entityType: { value: () => 'DEVICE' },
  additionalInfo: { value: (d) => (d.additionalInfo ? JSON.stringify(d.additionalInfo) : '') },
};

const FILTER_TYPES = ['singleEntity', 'entityList', 'entityType', 'deviceType', 'entityName'];
const ATTRIBUTE_SCOPE_OF: Partial<Record<EntityKeyType, AttributeScope>> = {
  CLIENT_ATTRIBUTE: 'CLIENT_SCOPE',
  SHARED_ATTRIBUTE: 'SHARED_SCOPE',
  SERVER_ATTRIBUTE: 'SERVER_SCOPE',
};

/** The key types whose values come from the attributes of `scope` (ATTRIBUTE: any scope). */
export const attributeKeyTypes = (scope: AttributeScope): EntityKeyType[] => [
  'ATTRIBUTE',
  ...(Object.keys(ATTRIBUTE_SCOPE_OF) as EntityKeyType[]).filter((type) => ATTRIBUTE_SCOPE_OF[type] === scope),
];

function requireDevices(entityType: unknown): void {
  if (entityType !== 'DEVICE')
    throw WsCommandError.badRequest(`Entity type ${JSON.stringify(entityType ?? null)} is not supported in entity queries yet: use DEVICE`);
}

/** `query.entityFilter` (and the refusal of `keyFilters`, which are not supported yet). */
export function readDeviceFilter(query: CommandBody): DeviceFilter {
  if (readArray(query, 'keyFilters')?.length)
    throw WsCommandError.badRequest('keyFilters are not supported yet: filter by entity type, name or list');
  const filter = readObject(query, 'entityFilter');
  if (!filter) throw WsCommandError.badRequest('Query is empty! Give query.entityFilter, e.g. {"type":"entityType","entityType":"DEVICE"}');
  switch (readString(filter, 'type')) {
    case 'singleEntity': {
      const single = readObject(filter, 'singleEntity');
      requireDevices(single?.entityType);
      return { ids: [parseUuid(String(single!.id))] };
    }
    case 'entityList':
      requireDevices(filter.entityType);
      return { ids: (readStringList(filter, 'entityList') ?? []).map((id) => parseUuid(id)) };
    case 'entityType':
      requireDevices(filter.entityType);
      return {};
    case 'deviceType':
      return {
        types: readStringList(filter, 'deviceTypes') ?? [readString(filter, 'deviceType') ?? ''],
        namePrefix: readString(filter, 'deviceNameFilter'),
      };
    case 'entityName':
      requireDevices(filter.entityType);
      return { namePrefix: readString(filter, 'entityNameFilter') };
    default:
      throw WsCommandError.badRequest(
        `Entity filter type ${JSON.stringify(filter.type ?? null)} is not supported yet: use one of ${FILTER_TYPES.join(', ')}`,
      );
  }
}

/** `query.pageLink` of an entity-data query; sorting by entity fields only. */
export function readEntityPageLink(query: CommandBody): EntityPageLink {
  const link = readObject(query, 'pageLink') ?? {};
  const pageSize = readInt(link, 'pageSize', 0);
  const page = readInt(link, 'page', 0);
  if (pageSize < 1 || pageSize > MAX_ENTITIES_PER_SUBSCRIPTION)
    throw WsCommandError.badRequest(`Invalid pageLink.pageSize ${pageSize}: use 1 to ${MAX_ENTITIES_PER_SUBSCRIPTION}`);
  if (page < 0) throw WsCommandError.badRequest(`Invalid pageLink.page ${page}: pages count from 0`);
  const sortOrder = readObject(link, 'sortOrder');
  let sortColumn = 'd.created_time';
  let sortDirection: 'ASC' | 'DESC' = 'ASC';
  if (sortOrder) {
    const key = readEntityKey(readObject(sortOrder, 'key') ?? {});
    const column = key.type === 'ENTITY_FIELD' ? DEVICE_FIELDS[key.key]?.column : undefined;
    if (!column) {
      const sortable = Object.keys(DEVICE_FIELDS).filter((field) => DEVICE_FIELDS[field].column);
      throw WsCommandError.badRequest(
        `Sorting by ${key.type} ${key.key} is not supported yet: sort by an ENTITY_FIELD (${sortable.join(', ')})`,
      );
    }
    sortColumn = column;
    sortDirection = readEnum(sortOrder, 'direction', ['ASC', 'DESC'] as const, 'ASC');
  }
  return {
    pageSize,
    page,
    textSearch: readString(link, 'textSearch')?.trim() || undefined,
    sortColumn,
    sortDirection,
    dynamic: readBool(link, 'dynamic'),
  };
}

export function readEntityKey(raw: CommandBody): EntityKey {
  const type = readEnum(raw, 'type', ENTITY_KEY_TYPES);
  const key = readString(raw, 'key');
  if (!type || !key) throw WsCommandError.badRequest('An entity key needs a type (e.g. TIME_SERIES) and a key');
  return { type, key };
}

export function readEntityKeys(body: CommandBody, name: string): EntityKey[] {
  return (readArray(body, name) ?? []).map((raw) => {
    if (typeof raw !== 'object' || raw === null) throw WsCommandError.badRequest(`Invalid ${name}: expected {"type":…,"key":…} objects`);
    return readEntityKey(raw as CommandBody);
  });
}

/** Merges key lists without duplicates, keeping the first occurrence's order. */
export function mergeKeys(...lists: readonly EntityKey[][]): EntityKey[] {
  const seen = new Set<string>();
  return lists.flat().filter((k) => !seen.has(`${k.type}:${k.key}`) && seen.add(`${k.type}:${k.key}`));
}

/** The devices the API's entity queries select, seen as the caller may: their tenant's, or their customer's. */
@Injectable()
export class EntityQueries {
  constructor(
    @InjectRepository(DeviceEntity) private readonly devices: Repository<DeviceEntity>,
    private readonly timeseries: TimeseriesService,
    private readonly attributes: AttributesService,
  ) {}

  async page(user: SecurityUser, filter: DeviceFilter, link: EntityPageLink): Promise<{ devices: DeviceEntity[]; totalElements: number }> {
    const query = this.filtered(user, filter);
    if (link.textSearch) {
      const pattern = likePattern(link.textSearch);
      query.andWhere(
        new Brackets((q) => {
          for (const column of ['d.name', 'd.label', 'd.type']) q.orWhere(`LOWER(${column}) LIKE :pattern ESCAPE '\\'`, { pattern });
        }),
      );
    }
    const totalElements = await query.getCount();
    const devices = await query
      .orderBy(link.sortColumn, link.sortDirection)
      .addOrderBy('d.id', 'ASC')
      .skip(link.page * link.pageSize)
      .take(link.pageSize)
      .getMany();
    return { devices, totalElements };
  }

  count(user: SecurityUser, filter: DeviceFilter): Promise<number> {
    return this.filtered(user, filter).getCount();
  }

  /** Ids of the first `limit` matching devices, oldest first. */
  async ids(user: SecurityUser, filter: DeviceFilter, limit: number): Promise<string[]> {
    const rows = await this.filtered(user, filter)
      .select('d.id', 'id')
      .orderBy('d.created_time', 'ASC')
      .limit(limit)
      .getRawMany<{ id: string }>();
    return rows.map((r) => r.id);
  }

  /** The caller's devices among `ids` (others are left out). */
  async byIds(user: SecurityUser, ids: readonly string[]): Promise<DeviceEntity[]> {
    return ids.length ? this.filtered(user, { ids: [...ids] }).getMany() : [];
  }

  /** EntityData of each device: the requested entity fields (ts = now) and latest values (`{ts:0,value:""}` when none). */
  async entityData(devices: readonly DeviceEntity[], keys: readonly EntityKey[]): Promise<EntityDataJson[]> {
    const now = Date.now();
    const tsKeys = keys.filter((k) => k.type === 'TIME_SERIES').map((k) => k.key);
    const attributeKeys = keys.filter((k) => k.type === 'ATTRIBUTE' || ATTRIBUTE_SCOPE_OF[k.type]);
    const data: EntityDataJson[] = [];
    for (const device of devices) {
      const latest: NonNullable<EntityDataJson['latest']> = {};
      const put = (type: EntityKeyType, key: string, value: TsValue) => ((latest[type] ??= {})[key] = value);
      for (const { type, key } of keys)
        if (type === 'ENTITY_FIELD') put(type, key, { ts: now, value: DEVICE_FIELDS[key]?.value(device) ?? '' });
      if (tsKeys.length) {
        for (const [key, [point]] of await this.timeseries.latest(device.id, tsKeys))
          put('TIME_SERIES', key, point.entry ? { ts: point.ts, value: valueAsString(point.entry) } : { ts: 0, value: '' });
      }
      if (attributeKeys.length) {
        const found = await this.attributes.find(device.id, undefined, [...new Set(attributeKeys.map((k) => k.key))]);
        for (const { type, key } of attributeKeys) {
          const scope = ATTRIBUTE_SCOPE_OF[type];
          // ATTRIBUTE (any scope): the most recently written of the key's scopes.
          const match = found
            .filter((a) => a.key === key && (!scope || a.scope === scope))
            .reduce<(typeof found)[number] | undefined>((best, a) => (!best || a.lastUpdateTs > best.lastUpdateTs ? a : best), undefined);
          put(type, key, match ? { ts: match.lastUpdateTs, value: valueAsString(match) } : { ts: 0, value: '' });
        }
      }
      data.push({ entityId: { entityType: 'DEVICE', id: device.id }, latest, timeseries: {}, aggLatest: {} });
    }
    return data;
  }

  private filtered(user: SecurityUser, filter: DeviceFilter): SelectQueryBuilder<DeviceEntity> {
    const query = this.devices.createQueryBuilder('d').where('d.tenant_id = :tenantId', { tenantId: user.tenantId });
    const customerId = customerScope(user);
    if (customerId) query.andWhere('d.customer_id = :customerId', { customerId });
    if (filter.ids) query.andWhere(filter.ids.length ? 'd.id IN (:...ids)' : '1 = 0', { ids: filter.ids });
    if (filter.types) query.andWhere('d.type IN (:...types)', { types: filter.types });
    // likePattern gives %text%; without its leading % it is a prefix match.
    if (filter.namePrefix) query.andWhere(`LOWER(d.name) LIKE :prefix ESCAPE '\\'`, { prefix: likePattern(filter.namePrefix).slice(1) });
    return query;
  }
}
