import type { AlarmInfo, AlarmSearchStatus, AlarmSeverity, PageData } from '../core/api-models';
import { follow } from '../core/follow';
import type { AlarmDataMessage } from '../core/live-messages';
import type { SocketCommand, SocketUpdate } from '../core/telemetry-socket';

export type AlarmSortProperty = 'createdTime' | 'severity' | 'type' | 'status';

/** Which alarms a list shows: the tenant's (a customer user's: the customer's), or one device's. */
export interface AlarmQuery {
  page: number;
  pageSize: number;
  /** Empty: any status. */
  statuses: readonly AlarmSearchStatus[];
  /** Empty: any severity. */
  severities: readonly AlarmSeverity[];
  textSearch?: string;
  deviceId?: string;
  sortProperty: AlarmSortProperty;
  sortOrder: 'ASC' | 'DESC';
}

/** ThingsBoard's ALARM_DATA command (AlarmDataCmd) for a query. */
export function alarmDataCommand(query: AlarmQuery): SocketCommand {
  return {
    type: 'ALARM_DATA',
    query: {
      ...(query.deviceId ? { entityFilter: { type: 'singleEntity', singleEntity: { entityType: 'DEVICE', id: query.deviceId } } } : {}),
      pageLink: {
        page: query.page,
        pageSize: query.pageSize,
        textSearch: query.textSearch || undefined,
        statusList: query.statuses,
        severityList: query.severities,
        searchPropagatedAlarms: false,
        sortOrder: { key: { type: 'ALARM_FIELD', key: query.sortProperty }, direction: query.sortOrder },
      },
    },
  };
}

/** A new page replaces the list; changed alarms of the current page replace their old selves. */
export function applyAlarmUpdate(page: PageData<AlarmInfo> | undefined, { message }: SocketUpdate<AlarmDataMessage>): PageData<AlarmInfo> {
  if (message.data) return message.data;
  if (!page) return { data: [], totalPages: 0, totalElements: 0, hasNext: false };
  if (!message.update?.length) return page;
  const changed = new Map(message.update.map((alarm) => [alarm.id.id, alarm]));
  return { ...page, data: page.data.map((alarm) => changed.get(alarm.id.id) ?? alarm) };
}

/** A page of alarms kept current as alarms are raised, acknowledged and cleared (ALARM_DATA over the WebSocket API). */
export const followAlarms = (query: () => AlarmQuery | undefined) => follow(query, alarmDataCommand, applyAlarmUpdate);
