/** The ThingsBoard-compatible JSON the Edgewise REST and WebSocket APIs speak (device-api.md §8–9, rest-api.md). */

export type Authority = 'SYS_ADMIN' | 'TENANT_ADMIN' | 'CUSTOMER_USER';

export interface EntityId<T extends string = string> {
  entityType: T;
  id: string;
}

/** "No customer": ThingsBoard's null UUID. */
export const NULL_UUID = '13814000-1dd2-11b2-8080-808080808080';

export interface PageData<T> {
  data: T[];
  totalPages: number;
  totalElements: number;
  hasNext: boolean;
}

export interface PageQuery {
  page: number;
  pageSize: number;
  textSearch?: string;
  sortProperty?: string;
  sortOrder?: 'ASC' | 'DESC';
}

export interface User {
  id: EntityId<'USER'>;
  email: string;
  authority: Authority;
  firstName: string | null;
  lastName: string | null;
  tenantId: EntityId<'TENANT'>;
  customerId: EntityId<'CUSTOMER'>;
}

export interface Device {
  id: EntityId<'DEVICE'>;
  createdTime: number;
  name: string;
  type: string;
  label: string | null;
  customerId: EntityId<'CUSTOMER'>;
  deviceProfileId: EntityId<'DEVICE_PROFILE'>;
  additionalInfo: { gateway?: boolean; description?: string; [key: string]: unknown } | null;
  version?: number;
}

export interface DeviceInfo extends Device {
  customerTitle: string | null;
  deviceProfileName: string;
  active: boolean;
}

/** The device fields the create/edit form sends (`id` and `version` when editing). */
export type DeviceDraft = Pick<Device, 'name' | 'label' | 'additionalInfo'> &
  Partial<Pick<Device, 'id' | 'version' | 'deviceProfileId'>> & { type?: string };

export type CredentialsType = 'ACCESS_TOKEN' | 'MQTT_BASIC' | 'X509_CERTIFICATE' | 'LWM2M_CREDENTIALS';

export interface DeviceCredentials {
  id: { id: string };
  deviceId: EntityId<'DEVICE'>;
  credentialsType: CredentialsType;
  credentialsId: string | null;
  credentialsValue: string | null;
  version?: number;
}

export interface DeviceProfileName {
  id: EntityId<'DEVICE_PROFILE'>;
  name: string;
}

export const ALARM_SEVERITIES = ['CRITICAL', 'MAJOR', 'MINOR', 'WARNING', 'INDETERMINATE'] as const;
export type AlarmSeverity = (typeof ALARM_SEVERITIES)[number];
export type AlarmStatus = 'ACTIVE_UNACK' | 'ACTIVE_ACK' | 'CLEARED_UNACK' | 'CLEARED_ACK';
/** The status filters of alarm queries (ThingsBoard's AlarmSearchStatus). */
export const ALARM_SEARCH_STATUSES = ['ACTIVE', 'CLEARED', 'ACK', 'UNACK'] as const;
export type AlarmSearchStatus = (typeof ALARM_SEARCH_STATUSES)[number];

export interface AlarmInfo {
  id: EntityId<'ALARM'>;
  createdTime: number;
  type: string;
  originator: EntityId;
  originatorName: string;
  originatorLabel?: string | null;
  severity: AlarmSeverity;
  status: AlarmStatus;
  acknowledged: boolean;
  cleared: boolean;
  startTs: number;
  endTs: number;
  ackTs: number;
  clearTs: number;
  details: unknown;
}

export const ATTRIBUTE_SCOPES = ['CLIENT_SCOPE', 'SHARED_SCOPE', 'SERVER_SCOPE'] as const;
export type AttributeScope = (typeof ATTRIBUTE_SCOPES)[number];

/** One value as the WebSocket API sends it: ThingsBoard renders every value as text. */
export interface TsValue {
  ts: number;
  value: string;
}

/** Ports each running transport bound (`GET /api/web-admin/transports`), e.g. `{ mqtt: { mqtt: 1883 } }`. */
export type TransportPorts = Record<string, Record<string, number>>;
