import type { EntityId } from '@edgewise/plugin-api';
import { Inject, Injectable } from '@nestjs/common';
import type { SecurityUser } from '../auth/security-user';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { EntityDirectory, parseEntityId } from '../relations/entity-directory';
import { AttributesService } from '../telemetry/attributes.service';
import { AGGREGATIONS, HistoryPlan, INTERVAL_TYPES, planHistory } from '../telemetry/history-query';
import { ATTRIBUTE_SCOPES, AttributeScope } from '../telemetry/kv-entry';
import { valueAsString } from '../telemetry/kv-json';
import { TimeseriesService, TsSeries } from '../telemetry/timeseries.service';
import { SubscriptionRegistry } from './subscription-registry';
import { TelemetrySubscription, TelemetrySubscriptionOptions } from './telemetry-subscriptions';
import { CommandBody, readBool, readEnum, readInt, readKeyList, readString } from './ws-commands';
import { TsPair, telemetryUpdate, WsCommandError } from './ws-protocol';
import type { WsSession } from './ws-session';

/** ThingsBoard's default `limit` of history reads over the WebSocket API. */
const DEFAULT_LIMIT = 100;

/** Series as telemetry updates carry them: `[ts, value as text]` pairs per key. */
export function toPairs(series: TsSeries): Map<string, TsPair[]> {
  const pairs = new Map<string, TsPair[]>();
  for (const [key, points] of series)
    pairs.set(
      key,
      points.map((p) => [p.ts, p.entry ? valueAsString(p.entry) : null]),
    );
  return pairs;
}

/**
 * The legacy commands (device-api.md §9.2): `tsSubCmds`, `attrSubCmds`, `historyCmds` — or `TIMESERIES`,
 * `ATTRIBUTES`, `TIMESERIES_HISTORY` in the current wrapper. Entities are checked with the REST API's rule:
 * another tenant's (or, for a customer user, another customer's) entity gets an error update, never data.
 */
@Injectable()
export class TelemetryCommands {
  constructor(
    private readonly registry: SubscriptionRegistry,
    private readonly timeseries: TimeseriesService,
    private readonly attributes: AttributesService,
    private readonly directory: EntityDirectory,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async subscribeTimeseries(session: WsSession, cmdId: number, body: CommandBody): Promise<void> {
    if (readBool(body, 'unsubscribe')) return this.unsubscribe(session, cmdId, body);
    const entity = await this.readableEntity(session.user!, body);
    const keys = readKeyList(body);
    const timeWindow = readInt(body, 'timeWindow', 0);
    // With a time window, the first message is the history [startTs, startTs + timeWindow], then every new point.
    const plan =
      keys && timeWindow > 0 ? this.plan(body, readInt(body, 'startTs', 0), readInt(body, 'startTs', 0) + timeWindow) : undefined;
    const subscription = this.subscribe(session, cmdId, entity.id, {
      kind: 'timeseries',
      keys,
      latestOnly: readString(body, 'scope') === 'LATEST_TELEMETRY',
    });
    await this.startWith(session, cmdId, subscription, async () =>
      toPairs(plan ? await this.timeseries.history(entity.id, keys!, plan) : await this.timeseries.latest(entity.id, keys)),
    );
  }

  async subscribeAttributes(session: WsSession, cmdId: number, body: CommandBody): Promise<void> {
    if (readBool(body, 'unsubscribe')) return this.unsubscribe(session, cmdId, body);
    const entity = await this.readableEntity(session.user!, body);
    const keys = readKeyList(body);
    const scope = readEnum<AttributeScope>(body, 'scope', ATTRIBUTE_SCOPES);
    const subscription = this.subscribe(session, cmdId, entity.id, { kind: 'attributes', keys, scope, latestOnly: false });
    await this.startWith(session, cmdId, subscription, async () => {
      const state = new Map<string, TsPair[]>();
      for (const attribute of await this.attributes.find(entity.id, scope, keys)) {
        const pairs = state.get(attribute.key) ?? [];
        pairs.push([attribute.lastUpdateTs, valueAsString(attribute)]);
        state.set(attribute.key, pairs);
      }
      return state;
    });
  }

  /** One answer with the data, no subscription. */
  async history(session: WsSession, cmdId: number, body: CommandBody): Promise<void> {
    const entity = await this.readableEntity(session.user!, body);
    const keys = readKeyList(body);
    if (!keys) throw WsCommandError.badRequest('Keys are empty!');
    const plan = this.plan(body, readInt(body, 'startTs', 0), readInt(body, 'endTs', 0));
    session.send(telemetryUpdate(cmdId, toPairs(await this.timeseries.history(entity.id, keys, plan))));
  }

  /** The entity a command names, if the caller may read it (ApiError 400/403/404 otherwise). */
  async readableEntity(user: SecurityUser, body: CommandBody): Promise<EntityId> {
    const rawId = readString(body, 'entityId');
    if (!rawId) throw WsCommandError.badRequest('Device id is empty!');
    const entity = parseEntityId(readString(body, 'entityType'), rawId);
    await this.directory.readable(user, entity);
    return entity;
  }

  private subscribe(session: WsSession, cmdId: number, entityId: string, options: TelemetrySubscriptionOptions): TelemetrySubscription {
    const subscription = new TelemetrySubscription(session, cmdId, entityId, options, this.registry);
    session.addSubscription(cmdId, subscription);
    subscription.listen();
    return subscription;
  }

  /** Reads the current state and sends it; a failed read ends the subscription (its error update follows). */
  private async startWith(
    session: WsSession,
    cmdId: number,
    subscription: TelemetrySubscription,
    read: () => Promise<Map<string, TsPair[]>>,
  ) {
    try {
      subscription.start(await read());
    } catch (e) {
      session.cancel(cmdId, subscription);
      throw e;
    }
  }

  /** `unsubscribe: true` cancels the `cmdId`; without an entity id it cancels everything the session holds, as in ThingsBoard. */
  private unsubscribe(session: WsSession, cmdId: number, body: CommandBody): void {
    if (readString(body, 'entityId')) session.cancel(cmdId);
    else session.cancelAll();
  }

  private plan(body: CommandBody, startTs: number, endTs: number): HistoryPlan {
    return planHistory(
      {
        startTs,
        endTs,
        interval: readInt(body, 'interval', 0),
        intervalType: readEnum(body, 'intervalType', INTERVAL_TYPES),
        timeZone: readString(body, 'timeZoneId'),
        limit: readInt(body, 'limit', 0) || DEFAULT_LIMIT,
        agg: readEnum(body, 'agg', AGGREGATIONS, 'NONE'),
        orderBy: 'DESC',
      },
      this.config.tsMaxIntervals,
    );
  }
}
