/**
 * The WebSocket API's wire shapes (device-api.md §9), as ThingsBoard's TbWebSocketHandler,
 * TelemetrySubscriptionUpdate and CmdUpdate subclasses send them.
 */

/** `errorCode` of update messages (ThingsBoard's SubscriptionErrorCode). */
export const WsErrorCode = { NO_ERROR: 0, INTERNAL_ERROR: 1, BAD_REQUEST: 2, UNAUTHORIZED: 3 } as const;
export type WsErrorCode = (typeof WsErrorCode)[keyof typeof WsErrorCode];

/** Close codes (RFC 6455) where ThingsBoard uses them. */
export const CloseCode = {
  /** The server is stopping. */
  GOING_AWAY: 1001,
  /** A bad `authCmd` token or an unparsable first message on `/api/ws`. */
  BAD_DATA: 1007,
  /** No `authCmd`, or the client reads too slowly ("Max pending updates limit reached!"). */
  POLICY_VIOLATION: 1008,
  /** A bad `?token=`. */
  SERVER_ERROR: 1011,
} as const;

/** ThingsBoard's reason when a session's outgoing queue overflows (TbWebSocketHandler). */
export const SLOW_CLIENT_REASON = 'Max pending updates limit reached!';

/** A command that cannot be carried out; becomes an error update for its `cmdId`. */
export class WsCommandError extends Error {
  constructor(
    readonly code: WsErrorCode,
    message: string,
  ) {
    super(message);
  }

  static badRequest(message: string): WsCommandError {
    return new WsCommandError(WsErrorCode.BAD_REQUEST, message);
  }
}

/** `[ts, value]` of a telemetry update: the value as ThingsBoard's getValueAsString renders it, null for no data. */
export type TsPair = [ts: number, value: string | null];

/**
 * TelemetrySubscriptionUpdate: `data` per key (keys sorted, as ThingsBoard's TreeMap) and `latestValues`, the ts
 * of each key's last pair.
 */
export function telemetryUpdate(subscriptionId: number, data: ReadonlyMap<string, readonly TsPair[]>): string {
  const members: Record<string, readonly TsPair[]> = {};
  const latestValues: Record<string, number> = {};
  for (const key of [...data.keys()].sort()) {
    const pairs = data.get(key)!;
    members[key] = pairs;
    if (pairs.length) latestValues[key] = pairs[pairs.length - 1][0];
  }
  return JSON.stringify({ subscriptionId, errorCode: WsErrorCode.NO_ERROR, errorMsg: null, data: members, latestValues });
}

/** A TelemetrySubscriptionUpdate that reports a failure of the legacy command `subscriptionId`. */
export function telemetryError(subscriptionId: number, code: WsErrorCode, message: string): string {
  return JSON.stringify({ subscriptionId, errorCode: code, errorMsg: message, data: null, latestValues: {} });
}

/** ThingsBoard's CmdUpdateType of the newer commands' updates. */
export type CmdUpdateType = 'ENTITY_DATA' | 'ALARM_DATA' | 'COUNT_DATA' | 'ALARM_COUNT_DATA';

/** A CmdUpdate: `cmdId`, `errorCode`, `errorMsg`, `cmdUpdateType`, then the update's own members. */
export function cmdUpdate(cmdId: number, cmdUpdateType: CmdUpdateType, members: Record<string, unknown>): string {
  return JSON.stringify({ cmdId, errorCode: WsErrorCode.NO_ERROR, errorMsg: null, cmdUpdateType, ...members });
}

/** The members an error update of each type carries besides the error (ThingsBoard's error constructors leave them empty). */
const EMPTY_MEMBERS: Record<CmdUpdateType, Record<string, unknown>> = {
  ENTITY_DATA: { data: null, update: null, allowedEntities: 0 },
  ALARM_DATA: { data: null, update: null, allowedEntities: 0, totalEntities: 0 },
  COUNT_DATA: { count: 0 },
  ALARM_COUNT_DATA: { count: 0 },
};

export function cmdError(cmdId: number, cmdUpdateType: CmdUpdateType, code: WsErrorCode, message: string): string {
  return JSON.stringify({ cmdId, errorCode: code, errorMsg: message, cmdUpdateType, ...EMPTY_MEMBERS[cmdUpdateType] });
}

/** `{"ts":…,"value":"…"}` (ThingsBoard's TsValue). */
export interface TsValue {
  ts: number;
  value: string;
}

/** ThingsBoard's EntityKeyType: where a value of an entity comes from. */
export const ENTITY_KEY_TYPES = [
  'ENTITY_FIELD',
  'TIME_SERIES',
  'ATTRIBUTE',
  'CLIENT_ATTRIBUTE',
  'SHARED_ATTRIBUTE',
  'SERVER_ATTRIBUTE',
  'ALARM_FIELD',
] as const;
export type EntityKeyType = (typeof ENTITY_KEY_TYPES)[number];

export interface EntityKey {
  type: EntityKeyType;
  key: string;
}

/** ThingsBoard's EntityData: an entity with its latest values per key type and, for time-series commands, its series. */
export interface EntityDataJson {
  entityId: { entityType: string; id: string };
  latest: Partial<Record<EntityKeyType, Record<string, TsValue>>> | null;
  timeseries: Record<string, TsValue[]> | null;
  aggLatest: Record<string, never> | null;
}
