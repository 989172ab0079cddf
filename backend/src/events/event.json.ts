import type { JsonObject } from '../database/column-transformers';
import { entityId, EntityType } from '../database/ids';
import type { EventEntity } from './event.entity';

function putIfSet(body: JsonObject, key: string, value: unknown): void {
  if (value !== null && value !== undefined) body[key] = value;
}

/** The type-specific `body` of an EventInfo (rest-api.md §4.2); fields without a value are left out. */
export function eventBody(e: EventEntity): JsonObject {
  const body: JsonObject = { server: e.server };
  switch (e.eventType) {
    case 'DEBUG_RULE_NODE':
      putIfSet(body, 'type', e.eType);
      if (e.eEntityId) Object.assign(body, { entityId: e.eEntityId, entityType: e.eEntityType });
      putIfSet(body, 'msgId', e.eMsgId);
      putIfSet(body, 'msgType', e.eMsgType);
      putIfSet(body, 'dataType', e.eDataType);
      putIfSet(body, 'relationType', e.eRelationType);
      putIfSet(body, 'data', e.eData);
      putIfSet(body, 'metadata', e.eMetadata);
      putIfSet(body, 'error', e.eError);
      break;
    case 'LC_EVENT':
      Object.assign(body, { event: e.eType, success: e.eSuccess === true });
      putIfSet(body, 'error', e.eError);
      break;
    case 'ERROR':
      Object.assign(body, { method: e.eMethod });
      putIfSet(body, 'error', e.eError);
      break;
    case 'STATS':
      Object.assign(body, { messagesProcessed: e.eMessagesProcessed ?? 0, errorsOccurred: e.eErrorsOccurred ?? 0 });
      break;
    case 'DEBUG_RULE_CHAIN':
      putIfSet(body, 'message', e.eMessage);
      putIfSet(body, 'error', e.eError);
      break;
  }
  return body;
}

/**
 * EventInfo as ThingsBoard serialises it: a plain `{"id"}` id, and the entity typed as the request named it
 * (ThingsBoard's `toInfo(entityType)`).
 */
export const eventInfoJson = (e: EventEntity, entityType: string) => ({
  id: { id: e.id },
  createdTime: e.ts,
  tenantId: entityId('TENANT', e.tenantId),
  type: e.eventType,
  uid: e.id,
  entityId: { entityType: entityType as EntityType, id: e.entityId },
  body: eventBody(e),
});
