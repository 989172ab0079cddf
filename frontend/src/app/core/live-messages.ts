import type { AlarmInfo, PageData } from './api-models';
import type { SocketMessage } from './telemetry-socket';

/** `[ts, value]` pairs per key; a deleted key arrives as `[0, ""]` (or a null value). */
export type TsPairs = Record<string, [number, string | null][]>;

/** Telemetry and attribute updates (TIMESERIES, ATTRIBUTES, TIMESERIES_HISTORY; device-api.md §9.3). */
export interface TelemetryMessage extends SocketMessage {
  data: TsPairs | null;
}

/** ALARM_DATA updates: a whole page in `data`, or changed alarms of the current page in `update`. */
export interface AlarmDataMessage extends SocketMessage {
  data: PageData<AlarmInfo> | null;
  update: AlarmInfo[] | null;
}

/** ENTITY_COUNT and ALARM_COUNT updates. */
export interface CountMessage extends SocketMessage {
  count: number;
}

/** True for the pair ThingsBoard sends when a key was deleted. */
export const isDeletion = ([ts, value]: [number, string | null]) => value === null || (ts === 0 && value === '');
