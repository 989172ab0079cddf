import type { AlarmView } from '@edgewise/plugin-api';

/**
 * An alarm as ThingsBoard's alarm nodes put it into message data (the Alarm JSON of rest-api.md §3.2). The
 * rule engine's AlarmView has no assignee, so `assigneeId` is null and `assignTs` 0 here.
 */
export function alarmMsgData(alarm: AlarmView, tenantId: string, customerId: string | null): string {
  return JSON.stringify({
    id: { entityType: 'ALARM', id: alarm.id },
    createdTime: alarm.createdTime,
    tenantId: { entityType: 'TENANT', id: tenantId },
    customerId: customerId ? { entityType: 'CUSTOMER', id: customerId } : null,
    type: alarm.type,
    originator: alarm.originator,
    severity: alarm.severity,
    acknowledged: alarm.acknowledged,
    cleared: alarm.cleared,
    assigneeId: null,
    startTs: alarm.startTs,
    endTs: alarm.endTs,
    ackTs: alarm.ackTs,
    clearTs: alarm.clearTs,
    assignTs: 0,
    details: alarm.details ?? null,
    propagate: alarm.propagate,
    propagateToOwner: alarm.propagateToOwner,
    propagateToTenant: alarm.propagateToTenant,
    propagateRelationTypes: alarm.propagateRelationTypes ?? [],
    name: alarm.type,
    status: alarm.status,
  });
}
