/**
 * The rule message: what flows through rule chains. Shapes and names follow ThingsBoard's TbMsg so that
 * scripts and exported chains written for ThingsBoard behave the same here.
 */

/** ThingsBoard's entity types, as they appear in `{"entityType": …, "id": …}` objects. */
export type EntityType =
  | 'TENANT'
  | 'CUSTOMER'
  | 'USER'
  | 'DASHBOARD'
  | 'ASSET'
  | 'ASSET_PROFILE'
  | 'DEVICE'
  | 'DEVICE_PROFILE'
  | 'ENTITY_VIEW'
  | 'ALARM'
  | 'RULE_CHAIN'
  | 'RULE_NODE'
  | 'EDGE'
  | 'OTA_PACKAGE'
  | 'QUEUE';

export interface EntityId {
  entityType: EntityType;
  id: string;
}

export type RuleMsgDataType = 'JSON' | 'TEXT' | 'BINARY';

/**
 * A rule message. Immutable: nodes derive changed copies with `ctx.transformMsg` (same id) or create new
 * messages with `ctx.newMsg` (new id). `data` is text (JSON for device messages, exactly as the core
 * normalised it); `metadata` is a string map (`deviceName`, `deviceType`, `ts`, …).
 */
export interface RuleMsg {
  readonly id: string;
  /** When the message was created (epoch ms). */
  readonly ts: number;
  /** One of `MSG_TYPES`, or any custom type a node or script sets. */
  readonly type: string;
  readonly originator: Readonly<EntityId>;
  /** The originator's customer, when it has one. */
  readonly customerId: string | null;
  readonly metadata: Readonly<Record<string, string>>;
  readonly data: string;
  readonly dataType: RuleMsgDataType;
  /** Queue the message travels on (`Main` unless a profile or a checkpoint said otherwise). */
  readonly queueName: string;
}

/**
 * ThingsBoard's message types and the relation label a "message type switch" routes each by
 * (TbMsgType.ruleNodeConnection); types without a label route by `Other`.
 */
export const MSG_TYPE_RELATIONS = {
  POST_ATTRIBUTES_REQUEST: 'Post attributes',
  POST_TELEMETRY_REQUEST: 'Post telemetry',
  TO_SERVER_RPC_REQUEST: 'RPC Request from Device',
  ACTIVITY_EVENT: 'Activity Event',
  INACTIVITY_EVENT: 'Inactivity Event',
  CONNECT_EVENT: 'Connect Event',
  DISCONNECT_EVENT: 'Disconnect Event',
  ENTITY_CREATED: 'Entity Created',
  ENTITY_UPDATED: 'Entity Updated',
  ENTITY_DELETED: 'Entity Deleted',
  ENTITY_ASSIGNED: 'Entity Assigned',
  ENTITY_UNASSIGNED: 'Entity Unassigned',
  ATTRIBUTES_UPDATED: 'Attributes Updated',
  ATTRIBUTES_DELETED: 'Attributes Deleted',
  ALARM: 'Alarm',
  ALARM_CREATED: 'Alarm Created',
  ALARM_UPDATED: 'Alarm Updated',
  ALARM_SEVERITY_UPDATED: 'Alarm Severity Updated',
  ALARM_ACK: 'Alarm Acknowledged',
  ALARM_CLEAR: 'Alarm Cleared',
  ALARM_DELETE: 'Other',
  ALARM_ASSIGNED: 'Alarm Assigned',
  ALARM_UNASSIGNED: 'Alarm Unassigned',
  COMMENT_CREATED: 'Comment Created',
  COMMENT_UPDATED: 'Comment Updated',
  RPC_CALL_FROM_SERVER_TO_DEVICE: 'RPC Request to Device',
  ENTITY_ASSIGNED_FROM_TENANT: 'Entity Assigned From Tenant',
  ENTITY_ASSIGNED_TO_TENANT: 'Entity Assigned To Tenant',
  ENTITY_ASSIGNED_TO_EDGE: 'Other',
  ENTITY_UNASSIGNED_FROM_EDGE: 'Other',
  TIMESERIES_UPDATED: 'Timeseries Updated',
  TIMESERIES_DELETED: 'Timeseries Deleted',
  RPC_QUEUED: 'RPC Queued',
  RPC_SENT: 'RPC Sent',
  RPC_DELIVERED: 'RPC Delivered',
  RPC_SUCCESSFUL: 'RPC Successful',
  RPC_TIMEOUT: 'RPC Timeout',
  RPC_EXPIRED: 'RPC Expired',
  RPC_FAILED: 'RPC Failed',
  RPC_DELETED: 'RPC Deleted',
  RELATION_ADD_OR_UPDATE: 'Relation Added or Updated',
  RELATION_DELETED: 'Relation Deleted',
  RELATIONS_DELETED: 'All Relations Deleted',
  PROVISION_SUCCESS: 'Other',
  PROVISION_FAILURE: 'Other',
  SEND_EMAIL: 'Other',
  REST_API_REQUEST: 'REST API request',
} as const;

export type MsgType = keyof typeof MSG_TYPE_RELATIONS;

/** The relation label a "message type switch" uses for a type (`Other` for custom types). */
export function msgTypeRelation(type: string): string {
  return (MSG_TYPE_RELATIONS as Record<string, string>)[type] ?? 'Other';
}

/** Relation labels most nodes use. */
export const RELATION = {
  SUCCESS: 'Success',
  FAILURE: 'Failure',
  TRUE: 'True',
  FALSE: 'False',
  OTHER: 'Other',
} as const;
