import { Inject, Injectable } from '@nestjs/common';
import { customerScope } from '../access/tenant-access';
import { ALARM_SORTABLE, AlarmListFilter, AlarmQueries, AlarmStatusFilter } from '../alarms/alarm-queries';
import { ALARM_SEVERITIES, AlarmSeverity } from '../alarms/alarm.entity';
import type { AlarmInfoJson } from '../alarms/alarm.json';
import { AlarmsService } from '../alarms/alarms.service';
import type { SecurityUser } from '../auth/security-user';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import type { PageData, PageLink } from '../paging/page-link';
import { parseUuid } from '../paging/uuid-param';
import { DeviceFilter, EntityQueries, mergeKeys, readDeviceFilter, readEntityKey, readEntityKeys } from './entity-query';
import { liveCount, LiveQuery } from './live-query';
import { alarmsKey, DEVICES_KEY } from './notices';
import { SubscriptionRegistry } from './subscription-registry';
import { CommandBody, readBool, readEnum, readInt, readObject, readString, readStringList } from './ws-commands';
import { cmdUpdate, EntityDataJson, EntityKey, WsCommandError } from './ws-protocol';
import type { WsSession } from './ws-session';

/** ThingsBoard's max_entities_per_alarm_subscription (code default): alarms of at most this many entities are followed. */
const MAX_ENTITIES_PER_ALARM_SUBSCRIPTION = 1000;
const SEARCH_STATUSES = ['ANY', 'ACTIVE', 'CLEARED', 'ACK', 'UNACK'] as const;
type SearchStatus = (typeof SEARCH_STATUSES)[number];

/** ThingsBoard's AlarmData: the AlarmInfo plus the entity it was found for and that entity's requested values. */
type AlarmDataJson = AlarmInfoJson & { entityId: { entityType: string; id: string }; latest: EntityDataJson['latest'] };

/** What selects alarms, read from an AlarmDataPageLink or an AlarmCountQuery (same member names). */
interface AlarmCriteria {
  status: AlarmStatusFilter;
  types?: string[];
  severities?: AlarmSeverity[];
  assigneeId?: string;
  includePropagated: boolean;
  startTs: number;
  endTs: number;
  timeWindow: number;
}

/** ACTIVE/CLEARED set `cleared`, ACK/UNACK set `acknowledged`; both of a pair, or ANY, mean no filter. */
function statusFilter(statuses: readonly SearchStatus[]): AlarmStatusFilter {
  if (statuses.includes('ANY')) return {};
  const pick = (yes: SearchStatus, no: SearchStatus) =>
    statuses.includes(yes) === statuses.includes(no) ? undefined : statuses.includes(yes);
  return { cleared: pick('CLEARED', 'ACTIVE'), acknowledged: pick('ACK', 'UNACK') };
}

function readCriteria(raw: CommandBody): AlarmCriteria {
  const statuses = (readStringList(raw, 'statusList') ?? []).map((s) => {
    if (!(SEARCH_STATUSES as readonly string[]).includes(s))
      throw WsCommandError.badRequest(`Invalid statusList value '${s}': use ${SEARCH_STATUSES.join(', ')}`);
    return s as SearchStatus;
  });
  const severities = readStringList(raw, 'severityList')?.map((s) => {
    if (!(ALARM_SEVERITIES as readonly string[]).includes(s))
      throw WsCommandError.badRequest(`Invalid severityList value '${s}': use ${ALARM_SEVERITIES.join(', ')}`);
    return s as AlarmSeverity;
  });
  const assignee = raw.assigneeId;
  const assigneeId =
    typeof assignee === 'string'
      ? assignee
      : typeof assignee === 'object' && assignee
        ? readString(assignee as CommandBody, 'id')
        : undefined;
  return {
    status: statusFilter(statuses),
    types: readStringList(raw, 'typeList'),
    severities,
    assigneeId: assigneeId ? parseUuid(assigneeId) : undefined,
    includePropagated: readBool(raw, 'searchPropagatedAlarms'),
    startTs: readInt(raw, 'startTs', 0),
    endTs: readInt(raw, 'endTs', 0),
    timeWindow: readInt(raw, 'timeWindow', 0),
  };
}

/**
 * `alarmDataCmds` and `alarmCountCmds` (ThingsBoard's AlarmDataCmd / AlarmCountCmd): a page of alarms, or their
 * number, of the entities a filter selects (or of the whole tenant — a customer user's customer — without one),
 * kept current as alarms change. Changes of alarms on the page arrive as `update`, anything that changes the
 * page itself as a new `data`.
 */
@Injectable()
export class AlarmCommands {
  constructor(
    private readonly registry: SubscriptionRegistry,
    private readonly entities: EntityQueries,
    private readonly alarmQueries: AlarmQueries,
    private readonly alarms: AlarmsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async alarmData(session: WsSession, cmdId: number, body: CommandBody): Promise<void> {
    const query = readObject(body, 'query');
    if (!query)
      throw WsCommandError.badRequest('Query is empty! Give query.pageLink (and query.entityFilter to follow some entities only)');
    const rawLink = readObject(query, 'pageLink') ?? {};
    const link = readAlarmPageLink(rawLink);
    const criteria = readCriteria(rawLink);
    const entityFilter = query.entityFilter ? readDeviceFilter(query) : undefined;
    const keys = mergeKeys(readEntityKeys(query, 'entityFields'), readEntityKeys(query, 'latestValues'));
    const user = session.user!;
    let sent: { ids: string[]; json: Map<string, string> } | undefined;
    const live = new LiveQuery(this.registry, async () => {
      const { filter, totalEntities } = await this.filter(user, criteria, entityFilter);
      const page = await this.page(user, filter, link, keys);
      const json = new Map(page.data.map((alarm) => [alarm.id.id, JSON.stringify(alarm)]));
      const ids = [...json.keys()];
      const samePage = sent && sent.ids.length === ids.length && ids.every((id, i) => id === sent!.ids[i]);
      const members = { allowedEntities: MAX_ENTITIES_PER_ALARM_SUBSCRIPTION, totalEntities };
      if (!samePage) session.send(cmdUpdate(cmdId, 'ALARM_DATA', { data: page, update: null, ...members }));
      else {
        const changed = page.data.filter((alarm) => sent!.json.get(alarm.id.id) !== json.get(alarm.id.id));
        if (changed.length) session.send(cmdUpdate(cmdId, 'ALARM_DATA', { data: null, update: changed, ...members }));
      }
      sent = { ids, json };
    });
    await this.start(session, cmdId, live, user, entityFilter);
  }

  async alarmCount(session: WsSession, cmdId: number, body: CommandBody): Promise<void> {
    const query = readObject(body, 'query') ?? {};
    const criteria = readCriteria(query);
    const entityFilter = query.entityFilter ? readDeviceFilter(query) : undefined;
    const user = session.user!;
    const live = liveCount(this.registry, session, cmdId, 'ALARM_COUNT_DATA', async () =>
      this.alarmQueries.count(user.tenantId, (await this.filter(user, criteria, entityFilter)).filter),
    );
    await this.start(session, cmdId, live, user, entityFilter);
  }

  /** Sends the first answer, then follows the tenant's alarms (and, with an entity filter, its devices). */
  private async start(session: WsSession, cmdId: number, live: LiveQuery, user: SecurityUser, entityFilter?: DeviceFilter): Promise<void> {
    await session.startSubscription(cmdId, live, () => live.runNow());
    live.listenTo(alarmsKey(user.tenantId));
    if (entityFilter) live.listenTo(DEVICES_KEY).every(this.config.wsQueryRefreshMs);
  }

  /** The alarm list filter for this moment (a `timeWindow` moves with the clock; the filter's devices may change). */
  private async filter(user: SecurityUser, criteria: AlarmCriteria, entityFilter?: DeviceFilter) {
    const filter: AlarmListFilter = {
      status: criteria.status,
      types: criteria.types,
      severities: criteria.severities,
      assigneeId: criteria.assigneeId,
      startTime: criteria.timeWindow > 0 ? Date.now() - criteria.timeWindow : criteria.startTs || undefined,
      endTime: criteria.endTs || undefined,
      customerId: customerScope(user),
    };
    let totalEntities = 0;
    if (entityFilter) {
      const ids = await this.entities.ids(user, entityFilter, MAX_ENTITIES_PER_ALARM_SUBSCRIPTION);
      filter.entitySet = { ids, includePropagated: criteria.includePropagated };
      totalEntities = ids.length;
    }
    return { filter, totalEntities };
  }

  private async page(user: SecurityUser, filter: AlarmListFilter, link: PageLink, keys: EntityKey[]): Promise<PageData<AlarmDataJson>> {
    const page = await this.alarmQueries.page(user.tenantId, filter, link);
    const infos = await this.alarms.infos(page.data);
    const latest = new Map<string, EntityDataJson['latest']>();
    if (keys.length) {
      const devices = await this.entities.byIds(user, [
        ...new Set(infos.filter((a) => a.originator.entityType === 'DEVICE').map((a) => a.originator.id)),
      ]);
      for (const entity of await this.entities.entityData(devices, keys)) latest.set(entity.entityId.id, entity.latest);
    }
    return { ...page, data: infos.map((info) => ({ ...info, entityId: info.originator, latest: latest.get(info.originator.id) ?? {} })) };
  }
}

/** AlarmDataPageLink paging and sorting; sorting by ALARM_FIELD keys (createdTime, severity, …) only. */
function readAlarmPageLink(raw: CommandBody): PageLink {
  const pageSize = readInt(raw, 'pageSize', 0);
  const page = readInt(raw, 'page', 0);
  if (pageSize < 1) throw WsCommandError.badRequest(`Invalid pageLink.pageSize ${pageSize}: it must be at least 1`);
  if (page < 0) throw WsCommandError.badRequest(`Invalid pageLink.page ${page}: pages count from 0`);
  const sortOrder = readObject(raw, 'sortOrder');
  let sortProperty: string | undefined;
  let direction: 'ASC' | 'DESC' = 'DESC';
  if (sortOrder) {
    const key = readEntityKey(readObject(sortOrder, 'key') ?? {});
    sortProperty = key.type === 'ALARM_FIELD' ? ALARM_SORTABLE[key.key as keyof typeof ALARM_SORTABLE] : undefined;
    if (!sortProperty)
      throw WsCommandError.badRequest(
        `Sorting alarms by ${key.type} ${key.key} is not supported yet: sort by an ALARM_FIELD (${Object.keys(ALARM_SORTABLE).join(', ')})`,
      );
    direction = readEnum(sortOrder, 'direction', ['ASC', 'DESC'] as const, 'ASC');
  }
  return { pageSize, page, textSearch: readString(raw, 'textSearch')?.trim() || undefined, sortProperty, sortOrder: direction };
}
