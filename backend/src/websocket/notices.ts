import type { AttributeScope } from '../telemetry/kv-entry';

/** `[key, ts, value as ThingsBoard's getValueAsString renders it]`; a deleted key is `[key, 0, '']`, as ThingsBoard announces it. */
export type NoticeEntry = [key: string, ts: number, value: string];

/**
 * Something live subscribers may want to hear about, addressed by `key`: an entity id for its timeseries and
 * attributes, `alarmsKey(tenantId)` for any alarm change of a tenant, `DEVICES_KEY` for any device change.
 * Plain JSON, so it can travel to other cluster nodes as is.
 */
export type Notice =
  | { kind: 'timeseries'; key: string; entries: NoticeEntry[] }
  | { kind: 'attributes'; key: string; scope: AttributeScope; entries: NoticeEntry[] }
  | { kind: 'alarms'; key: string }
  | { kind: 'devices'; key: string };

export const alarmsKey = (tenantId: string): string => `alarms:${tenantId}`;
export const DEVICES_KEY = 'devices';

/** Keys that name an entity (a UUID), as opposed to the tenant-wide and global ones. */
export const isEntityKey = (key: string): boolean => !key.includes(':') && key !== DEVICES_KEY;

/** A subscription's view of the registry: everything published for its key since the last flush, in order. Must not throw. */
export interface NoticeListener {
  onNotices(notices: readonly Notice[]): void;
}
