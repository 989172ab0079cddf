/**
 * The core services a rule node may use, always through `ctx.services` and always scoped to the tenant
 * the message belongs to (a node can never reach another tenant's data). Every method is asynchronous
 * and rejects with an Error whose message says what went wrong; the engine turns a rejection in `onMsg`
 * into the message leaving by `Failure`.
 */

import type { EntityId } from './rule-msg';

/** ThingsBoard's stored value types. */
export type KvType = 'BOOLEAN' | 'LONG' | 'DOUBLE' | 'STRING' | 'JSON';

/**
 * A typed value: BOOLEAN → boolean; LONG → number while a safe integer, bigint beyond; DOUBLE → number;
 * STRING → string; JSON → the serialized JSON text.
 */
export interface KvRecord {
  key: string;
  type: KvType;
  value: boolean | number | bigint | string;
  /** Timeseries: the point's ts; attributes: last update time. */
  ts: number;
}

export type AttributeScope = 'CLIENT_SCOPE' | 'SHARED_SCOPE' | 'SERVER_SCOPE';

export interface AttributesApi {
  /** Attributes of an entity in one scope; all of them when `keys` is absent. Missing keys are left out. */
  find(entity: EntityId, scope: AttributeScope, keys?: readonly string[]): Promise<KvRecord[]>;
  /**
   * Saves a JSON object of key/values (text as a device would send it, or an object) with ThingsBoard's
   * typing rules. SHARED_SCOPE changes are pushed to the device's sessions when `notifyDevice` is not false.
   * Rejects when `values` is not a JSON object of valid keys.
   */
  save(
    entity: EntityId,
    scope: AttributeScope,
    values: string | Readonly<Record<string, unknown>>,
    options?: { ts?: number; notifyDevice?: boolean },
  ): Promise<void>;
  remove(entity: EntityId, scope: AttributeScope, keys: readonly string[], options?: { notifyDevice?: boolean }): Promise<void>;
}

export interface TimeseriesApi {
  /**
   * Saves telemetry given as device JSON (`{"k":v}`, `{"ts":…,"values":{…}}` or an array of those); points
   * without their own ts get `defaultTs`. Rejects when the JSON is not telemetry.
   */
  save(entity: EntityId, telemetry: string, defaultTs: number, options?: { ttlSeconds?: number }): Promise<void>;
  /** Latest value per key; keys never written are left out. */
  latest(entity: EntityId, keys: readonly string[]): Promise<KvRecord[]>;
}

/** What every entity has, plus what its kind adds (`type`/`label` for devices and assets, `email` for users …). */
export interface EntityFields {
  id: EntityId;
  name: string;
  createdTime: number;
  tenantId: string;
  customerId: string | null;
  /** Device/asset profile name. */
  type?: string;
  label?: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  title?: string;
  phone?: string;
  country?: string;
  city?: string;
  address?: string;
  zip?: string;
  additionalInfo?: Readonly<Record<string, unknown>> | null;
}

export interface DeviceProfileView {
  id: string;
  name: string;
  /** `profileData` exactly as stored (alarm rules under `alarms`). */
  profileData: Readonly<Record<string, unknown>>;
  defaultRuleChainId: string | null;
  defaultQueueName: string | null;
}

export interface EntitiesApi {
  /** Null when the entity does not exist (or belongs to another tenant). */
  get(entity: EntityId): Promise<EntityFields | null>;
  findByName(entityType: EntityType, name: string): Promise<EntityFields | null>;
  /** The device profile of a device, null when the device is gone. */
  deviceProfileOf(deviceId: string): Promise<DeviceProfileView | null>;
  /** Assigns a device/asset to a customer (by customer title; created when missing and `createIfMissing`). */
  assignToCustomer(entity: EntityId, customerTitle: string, options?: { createIfMissing?: boolean }): Promise<EntityFields>;
  unassignFromCustomer(entity: EntityId): Promise<void>;
}

type EntityType = EntityId['entityType'];

export type RelationDirection = 'FROM' | 'TO';

export interface Relation {
  from: EntityId;
  to: EntityId;
  type: string;
  /** `COMMON` for user relations. */
  typeGroup: string;
  additionalInfo?: Readonly<Record<string, unknown>> | null;
}

export interface RelationQuery {
  root: EntityId;
  /** FROM: relations whose `from` is the root (root → others); TO: the reverse. */
  direction: RelationDirection;
  relationType?: string;
  /** Only entities of these types at the far end. */
  entityTypes?: readonly EntityType[];
  /** Levels to follow (1 = direct relations only). */
  maxLevel?: number;
}

export interface RelationsApi {
  find(query: RelationQuery): Promise<Relation[]>;
  exists(from: EntityId, to: EntityId, type: string): Promise<boolean>;
  /** Creates or updates (idempotent). */
  save(relation: Relation): Promise<void>;
  /** Resolves false when there was no such relation. */
  remove(from: EntityId, to: EntityId, type: string): Promise<boolean>;
}

export type AlarmSeverity = 'CRITICAL' | 'MAJOR' | 'MINOR' | 'WARNING' | 'INDETERMINATE';

/** An alarm as the REST API shows it (rest-api.md §3.2). */
export interface AlarmView {
  id: string;
  createdTime: number;
  type: string;
  originator: EntityId;
  severity: AlarmSeverity;
  acknowledged: boolean;
  cleared: boolean;
  startTs: number;
  endTs: number;
  ackTs: number;
  clearTs: number;
  details: unknown;
  propagate: boolean;
  propagateToOwner: boolean;
  propagateToTenant: boolean;
  propagateRelationTypes: string[] | null;
  status: 'ACTIVE_UNACK' | 'ACTIVE_ACK' | 'CLEARED_UNACK' | 'CLEARED_ACK';
}

export interface RaiseAlarmRequest {
  originator: EntityId;
  type: string;
  severity: AlarmSeverity;
  details?: unknown;
  /** Default now. */
  startTs?: number;
  endTs?: number;
  propagate?: boolean;
  propagateToOwner?: boolean;
  propagateToTenant?: boolean;
  propagateRelationTypes?: readonly string[] | null;
}

export interface AlarmChange {
  alarm: AlarmView;
  /** What happened: a new alarm, the active one updated (severity and/or details), or cleared. */
  outcome: 'CREATED' | 'UPDATED' | 'CLEARED';
  /** The previous severity when an update changed it. */
  previousSeverity?: AlarmSeverity;
}

export interface AlarmsApi {
  /** The uncleared alarm of that type on the originator, if any. */
  findActive(originator: EntityId, type: string): Promise<AlarmView | null>;
  /** Creates the alarm, or updates the active one of the same type (never re-opens a cleared alarm). */
  raise(request: RaiseAlarmRequest): Promise<AlarmChange>;
  /** Clears the active alarm of that type; null when there was none. */
  clear(originator: EntityId, type: string, options?: { details?: unknown; clearTs?: number }): Promise<AlarmChange | null>;
}

export interface DeviceRpcRequest {
  deviceId: string;
  method: string;
  /** JSON text of the params. */
  params: string;
  oneway: boolean;
  /** Default: the device API's RPC timeout. */
  timeoutMs?: number;
  persistent?: boolean;
  /** Keeps the caller's id (e.g. a REST request id) so the reply reaches it. */
  requestUUID?: string;
  /** Extra info kept with a persistent RPC. */
  additionalInfo?: string;
}

export interface DeviceRpcResult {
  /** The device's reply (JSON text) for two-way calls; absent for one-way calls. */
  response?: string;
  /** Set when the call failed: `TIMEOUT`, `NO_ACTIVE_CONNECTION`, `DEVICE_OFFLINE` … */
  error?: string;
}

export interface RpcApi {
  /** Sends a server-side RPC to the device and resolves with its reply or the failure. */
  sendToDevice(request: DeviceRpcRequest): Promise<DeviceRpcResult>;
  /** Answers a device's own RPC request (`TO_SERVER_RPC_REQUEST`, metadata `requestId`/`sessionId`). */
  replyToDevice(reply: { deviceId: string; sessionId: string; requestId: number; body: string }): Promise<void>;
}

/** A user script compiled in the sandbox. */
export interface CompiledScript {
  /**
   * Calls the script with the given arguments (copied into the sandbox as JSON values). Rejects with a
   * clear message when the script throws, times out or exceeds its memory.
   */
  invoke(args: readonly unknown[]): Promise<unknown>;
  dispose(): void;
}

export interface ScriptsApi {
  /**
   * Compiles a script body into a function of `argNames` (ThingsBoard's `msg`, `metadata`, `msgType`).
   * Rejects with the syntax error when it does not compile.
   */
  compile(body: string, argNames: readonly string[]): Promise<CompiledScript>;
}

export interface RuleEngineServices {
  attributes: AttributesApi;
  timeseries: TimeseriesApi;
  entities: EntitiesApi;
  relations: RelationsApi;
  alarms: AlarmsApi;
  rpc: RpcApi;
  scripts: ScriptsApi;
}
