import { Inject, Injectable } from '@nestjs/common';
import type { SecurityUser } from '../auth/security-user';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { AGGREGATIONS, HistoryPlan, INTERVAL_TYPES, planHistory } from '../telemetry/history-query';
import { valueAsString } from '../telemetry/kv-json';
import { TimeseriesService } from '../telemetry/timeseries.service';
import {
  attributeKeyTypes,
  DeviceFilter,
  EntityPageLink,
  EntityQueries,
  mergeKeys,
  MAX_ENTITIES_PER_SUBSCRIPTION,
  readDeviceFilter,
  readEntityKeys,
  readEntityPageLink,
} from './entity-query';
import { liveCount, LiveQuery } from './live-query';
import { DEVICES_KEY, Notice, NoticeListener } from './notices';
import { SubscriptionRegistry } from './subscription-registry';
import { CommandBody, readEnum, readInt, readObject, readString, readStringList } from './ws-commands';
import { cmdUpdate, EntityDataJson, EntityKey, EntityKeyType, TsValue, WsCommandError } from './ws-protocol';
import type { Subscription, WsSession } from './ws-session';

/** ThingsBoard's default `limit` of time-series reads. */
const DEFAULT_LIMIT = 100;

/** `tsCmd` / `historyCmd`: which keys, and the history read that starts them. */
interface SeriesCommand {
  keys: string[];
  plan: HistoryPlan;
}

interface EntityDataRequest {
  query: CommandBody;
  filter: DeviceFilter;
  pageLink: EntityPageLink;
  /** entityFields and latestValues of the query, plus `latestCmd` keys. */
  keys: EntityKey[];
  /** Keys whose changes are pushed (`latestCmd`). */
  liveKeys: EntityKey[];
  history?: SeriesCommand;
  /** `tsCmd`: history, then every new point of its keys. */
  series?: SeriesCommand;
}

/**
 * `entityDataCmds` and `entityCountCmds` (ThingsBoard's EntityDataCmd / EntityCountCmd) over devices: a page of
 * entities with entity fields and latest values, live latest values (`latestCmd`), history (`historyCmd`) and
 * history-then-live series (`tsCmd`); and live counts.
 */
@Injectable()
export class EntityDataCommands {
  constructor(
    private readonly registry: SubscriptionRegistry,
    private readonly queries: EntityQueries,
    private readonly timeseries: TimeseriesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async entityData(session: WsSession, cmdId: number, body: CommandBody): Promise<void> {
    // A command without a query updates the previous one of the same cmdId (e.g. a new time window).
    const previous = session.subscription(cmdId);
    const query = readObject(body, 'query') ?? (previous instanceof EntityDataContext ? previous.request.query : undefined);
    if (!query) throw WsCommandError.badRequest('Query is empty! Give query.entityFilter and query.pageLink');
    const latestKeys = readEntityKeys(readObject(body, 'latestCmd') ?? {}, 'keys');
    const request: EntityDataRequest = {
      query,
      filter: readDeviceFilter(query),
      pageLink: readEntityPageLink(query),
      keys: mergeKeys(readEntityKeys(query, 'entityFields'), readEntityKeys(query, 'latestValues'), latestKeys),
      liveKeys: latestKeys,
      history: this.seriesCommand(readObject(body, 'historyCmd'), 'endTs'),
      series: this.seriesCommand(readObject(body, 'tsCmd'), 'timeWindow'),
    };
    const context = new EntityDataContext(session, cmdId, request, this.registry, this.queries, this.timeseries);
    await session.startSubscription(cmdId, context, () => context.load());
    if (request.pageLink.dynamic) context.refreshEvery(this.config.wsQueryRefreshMs);
  }

  async entityCount(session: WsSession, cmdId: number, body: CommandBody): Promise<void> {
    const filter = readDeviceFilter(readObject(body, 'query') ?? {});
    const user = session.user!;
    const live = liveCount(this.registry, session, cmdId, 'COUNT_DATA', () => this.queries.count(user, filter));
    await session.startSubscription(cmdId, live, () => live.runNow());
    live.listenTo(DEVICES_KEY).every(this.config.wsQueryRefreshMs);
  }

  /** `tsCmd` ({startTs, timeWindow}) or `historyCmd` ({startTs, endTs}), with ThingsBoard's interval/agg/limit members. */
  private seriesCommand(raw: CommandBody | undefined, end: 'endTs' | 'timeWindow'): SeriesCommand | undefined {
    if (!raw) return undefined;
    const keys = readStringList(raw, 'keys');
    if (!keys) throw WsCommandError.badRequest('Keys are empty!');
    const startTs = readInt(raw, 'startTs', 0);
    const endTs = end === 'endTs' ? readInt(raw, 'endTs', 0) : startTs + readInt(raw, 'timeWindow', 0);
    const plan = planHistory(
      {
        startTs,
        endTs,
        interval: readInt(raw, 'interval', 0),
        intervalType: readEnum(raw, 'intervalType', INTERVAL_TYPES),
        timeZone: readString(raw, 'timeZoneId'),
        limit: readInt(raw, 'limit', 0) || DEFAULT_LIMIT,
        agg: readEnum(raw, 'agg', AGGREGATIONS, 'NONE'),
        orderBy: 'DESC',
      },
      this.config.tsMaxIntervals,
    );
    return { keys, plan };
  }
}

/** Per entity of the page: the current value of each live key, to drop stale and repeated updates as ThingsBoard does. */
type LatestState = Map<string, TsValue>;

/** One `entityDataCmds` subscription: its page of devices, their listeners, and what it has sent. */
class EntityDataContext implements Subscription {
  private readonly user: SecurityUser;
  private entityIds: string[] = [];
  private readonly listeners = new Map<string, NoticeListener>();
  private readonly latest = new Map<string, Map<EntityKeyType, LatestState>>();
  private readonly seriesLatest = new Map<string, LatestState>();
  /** Notices that arrived while the page was being read; replayed once it is sent. */
  private waiting?: [string, readonly Notice[]][];
  private refresher?: LiveQuery;
  private cancelled = false;

  constructor(
    private readonly session: WsSession,
    private readonly cmdId: number,
    readonly request: EntityDataRequest,
    private readonly registry: SubscriptionRegistry,
    private readonly queries: EntityQueries,
    private readonly timeseries: TimeseriesService,
  ) {
    this.user = session.user!;
  }

  private get live(): boolean {
    return this.request.liveKeys.length > 0 || this.request.series !== undefined;
  }

  /** Reads the page and sends it as `data`; listens to its entities first, so no change in between is lost. */
  async load(): Promise<void> {
    const { filter, pageLink } = this.request;
    const { devices, totalElements } = await this.queries.page(this.user, filter, pageLink);
    if (this.cancelled) return;
    this.waiting = [];
    this.listenTo(devices.map((d) => d.id));
    const data = await this.queries.entityData(devices, this.request.keys);
    const series = this.request.series ?? this.request.history;
    if (series) for (const entity of data) entity.timeseries = await this.readSeries(entity.entityId.id, series);
    if (this.cancelled) return;
    this.remember(data);
    const totalPages = Math.ceil(totalElements / pageLink.pageSize);
    const page = { data, totalPages, totalElements, hasNext: (pageLink.page + 1) * pageLink.pageSize < totalElements };
    this.session.send(cmdUpdate(this.cmdId, 'ENTITY_DATA', { data: page, update: null, allowedEntities: MAX_ENTITIES_PER_SUBSCRIPTION }));
    const waiting = this.waiting;
    this.waiting = undefined;
    for (const [entityId, notices] of waiting) this.onEntityNotices(entityId, notices);
  }

  /** Dynamic pages (`pageLink.dynamic`) follow devices coming and going: read again when the page's entities changed. */
  refreshEvery(periodMs: number): void {
    if (this.cancelled) return;
    this.refresher = new LiveQuery(this.registry, async () => {
      const { devices } = await this.queries.page(this.user, this.request.filter, this.request.pageLink);
      const ids = devices.map((d) => d.id);
      if (ids.length !== this.entityIds.length || ids.some((id, i) => id !== this.entityIds[i])) await this.load();
    })
      .listenTo(DEVICES_KEY)
      .every(periodMs);
  }

  cancel(): void {
    this.cancelled = true;
    this.refresher?.cancel();
    this.listenTo([]);
  }

  private listenTo(ids: string[]): void {
    for (const [id, listener] of this.listeners) this.registry.remove(id, listener);
    this.listeners.clear();
    this.entityIds = ids;
    if (!this.live || this.cancelled) return;
    for (const id of ids) {
      const listener: NoticeListener = { onNotices: (notices) => this.onEntityNotices(id, notices) };
      this.listeners.set(id, listener);
      this.registry.add(id, listener);
    }
  }

  private async readSeries(entityId: string, command: SeriesCommand): Promise<Record<string, TsValue[]>> {
    const found = await this.timeseries.history(entityId, command.keys, command.plan);
    const series: Record<string, TsValue[]> = {};
    for (const key of command.keys)
      series[key] = (found.get(key) ?? []).map((p) => ({ ts: p.ts, value: p.entry ? valueAsString(p.entry) : '' }));
    return series;
  }

  private remember(data: readonly EntityDataJson[]): void {
    this.latest.clear();
    this.seriesLatest.clear();
    for (const entity of data) {
      const byType = new Map<EntityKeyType, LatestState>();
      for (const [type, values] of Object.entries(entity.latest ?? {})) byType.set(type as EntityKeyType, new Map(Object.entries(values)));
      this.latest.set(entity.entityId.id, byType);
      const newest: LatestState = new Map();
      for (const [key, points] of Object.entries(entity.timeseries ?? {}))
        for (const point of points) if (point.ts >= (newest.get(key)?.ts ?? -1)) newest.set(key, point);
      this.seriesLatest.set(entity.entityId.id, newest);
    }
  }

  /** Pushes the changed live values of one entity as an `update`. */
  private onEntityNotices(entityId: string, notices: readonly Notice[]): void {
    if (this.cancelled) return;
    if (this.waiting) {
      this.waiting.push([entityId, notices]);
      return;
    }
    const latest: NonNullable<EntityDataJson['latest']> = {};
    const timeseries: Record<string, TsValue[]> = {};
    for (const notice of notices) {
      if (notice.kind !== 'timeseries' && notice.kind !== 'attributes') continue;
      const types: EntityKeyType[] = notice.kind === 'timeseries' ? ['TIME_SERIES'] : attributeKeyTypes(notice.scope);
      for (const [key, ts, value] of notice.entries) {
        for (const type of types) {
          if (!this.request.liveKeys.some((k) => k.type === type && k.key === key)) continue;
          if (this.accept(this.stateOf(this.latest, entityId, type), key, { ts, value }, true)) (latest[type] ??= {})[key] = { ts, value };
        }
        if (notice.kind === 'timeseries' && this.request.series?.keys.includes(key)) {
          if (this.accept(this.seriesState(entityId), key, { ts, value }, false)) (timeseries[key] ??= []).push({ ts, value });
        }
      }
    }
    const hasLatest = Object.keys(latest).length > 0;
    const hasSeries = Object.keys(timeseries).length > 0;
    if (!hasLatest && !hasSeries) return;
    const update: EntityDataJson = {
      entityId: { entityType: 'DEVICE', id: entityId },
      latest: hasLatest ? latest : null,
      timeseries: hasSeries ? timeseries : null,
      aggLatest: null,
    };
    this.session.send(
      cmdUpdate(this.cmdId, 'ENTITY_DATA', { data: null, update: [update], allowedEntities: MAX_ENTITIES_PER_SUBSCRIPTION }),
    );
  }

  /**
   * ThingsBoard's filter: a value equal to the current one is dropped; for latest values an older one too
   * (deletions, ts 0 with an empty value, always pass). Accepted values become current.
   */
  private accept(state: LatestState, key: string, value: TsValue, latestOnly: boolean): boolean {
    const current = state.get(key);
    const deleted = value.ts === 0 && value.value === '';
    if (current && !deleted) {
      if (current.ts === value.ts && current.value === value.value) return false;
      if (latestOnly && value.ts < current.ts) return false;
    }
    if (!current || value.ts >= current.ts || deleted) state.set(key, value);
    return true;
  }

  private stateOf(states: Map<string, Map<EntityKeyType, LatestState>>, entityId: string, type: EntityKeyType): LatestState {
    let byType = states.get(entityId);
    if (!byType) states.set(entityId, (byType = new Map()));
    let state = byType.get(type);
    if (!state) byType.set(type, (state = new Map()));
    return state;
  }

  private seriesState(entityId: string): LatestState {
    let state = this.seriesLatest.get(entityId);
    if (!state) this.seriesLatest.set(entityId, (state = new Map()));
    return state;
  }
}
