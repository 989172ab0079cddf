import { isUuid } from '../database/ids';
import { ApiError } from '../errors/api-error';
import { likePattern } from '../paging/page-link';
import { EventType, resolveEventType } from './event-types';

/** An event filter body (rest-api.md §4.3), checked: text fields are "contains, any case" unless noted. */
export interface EventFilter {
  eventType: EventType;
  text: Partial<Record<TextField, string>>;
  /** DEBUG_RULE_NODE: exact originator id / message id. */
  entityId?: string;
  msgId?: string;
  /** Debug events: keep only those with an error. */
  isError: boolean;
  /** LC_EVENT `status`: `Success` keeps successes, any other text failures. */
  success?: boolean;
  /** STATS: min inclusive, max exclusive (as ThingsBoard compares them). */
  counters: Partial<Record<CounterField, number>>;
}

/** Filter field → event column it searches. */
const TEXT_COLUMNS = {
  server: 'server',
  errorStr: 'e_error',
  msgDirectionType: 'e_type',
  entityType: 'e_entity_type',
  msgType: 'e_msg_type',
  relationType: 'e_relation_type',
  dataSearch: 'e_data',
  metadataSearch: 'e_metadata',
  message: 'e_message',
  method: 'e_method',
  event: 'e_type',
} as const;
type TextField = keyof typeof TEXT_COLUMNS;

/** The text filters each event type has (ThingsBoard's EventFilter subclasses). */
const TEXT_FIELDS_OF: Record<EventType, readonly TextField[]> = {
  DEBUG_RULE_NODE: ['server', 'errorStr', 'msgDirectionType', 'entityType', 'msgType', 'relationType', 'dataSearch', 'metadataSearch'],
  DEBUG_RULE_CHAIN: ['server', 'errorStr', 'message'],
  ERROR: ['server', 'errorStr', 'method'],
  LC_EVENT: ['server', 'errorStr', 'event'],
  STATS: ['server'],
  DEBUG_CALCULATED_FIELD: ['server', 'errorStr', 'entityType', 'msgType'],
};

/** The filters with `isError` (ThingsBoard's DebugEventFilter). */
const DEBUG_TYPES: readonly EventType[] = ['DEBUG_RULE_NODE', 'DEBUG_RULE_CHAIN', 'DEBUG_CALCULATED_FIELD'];

const COUNTERS = {
  minMessagesProcessed: 'e_messages_processed >=',
  maxMessagesProcessed: 'e_messages_processed <',
  minErrorsOccurred: 'e_errors_occurred >=',
  maxErrorsOccurred: 'e_errors_occurred <',
} as const;
type CounterField = keyof typeof COUNTERS;

/** One SQL condition on the event table's own column names (usable in SELECT and DELETE). */
export interface Condition {
  sql: string;
  params: Record<string, unknown>;
}

const present = (value: unknown): boolean => value !== undefined && value !== null && value !== '';

function uuidField(body: Record<string, unknown>, field: string, what: string): string | undefined {
  const value = body[field];
  if (!present(value)) return undefined;
  if (typeof value !== 'string' || !isUuid(value)) throw ApiError.badRequest(`Failed to convert ${what} to UUID!`);
  return value.toLowerCase();
}

/** Reads a filter body; 400 for an unknown `eventType` or a field of the wrong kind. */
export function parseEventFilter(body: unknown): EventFilter {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw ApiError.badRequest('The event filter should be a JSON object with "eventType", e.g. {"eventType":"DEBUG_RULE_NODE"}');
  const raw = body as Record<string, unknown>;
  const eventType = resolveEventType(raw.eventType);
  const text: EventFilter['text'] = {};
  for (const field of TEXT_FIELDS_OF[eventType]) {
    const value = raw[field];
    if (!present(value)) continue;
    if (typeof value !== 'string') throw ApiError.badRequest(`Event filter field '${field}' should be text`);
    text[field] = value;
  }
  const counters: EventFilter['counters'] = {};
  if (eventType === 'STATS') {
    for (const field of Object.keys(COUNTERS) as CounterField[]) {
      const value = raw[field];
      if (!present(value)) continue;
      const n = typeof value === 'string' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n))
        throw ApiError.badRequest(`Event filter field '${field}' should be a whole number`);
      counters[field] = n;
    }
  }
  const isRuleNode = eventType === 'DEBUG_RULE_NODE';
  return {
    eventType,
    text,
    entityId: isRuleNode ? uuidField(raw, 'entityId', 'Entity Id') : undefined,
    msgId: isRuleNode ? uuidField(raw, 'msgId', 'Message Id') : undefined,
    isError: raw.isError === true && DEBUG_TYPES.includes(eventType),
    success: eventType === 'LC_EVENT' && present(raw.status) ? String(raw.status).toLowerCase() === 'success' : undefined,
    counters,
  };
}

/** The SQL conditions a filter adds to "this entity's events of this type". */
export function filterConditions(filter: EventFilter): Condition[] {
  const conditions: Condition[] = [];
  for (const [field, value] of Object.entries(filter.text) as [TextField, string][]) {
    const param = `f_${field}`;
    conditions.push({ sql: `LOWER(${TEXT_COLUMNS[field]}) LIKE :${param} ESCAPE '\\'`, params: { [param]: likePattern(value) } });
  }
  if (filter.entityId) conditions.push({ sql: 'e_entity_id = :f_entityId', params: { f_entityId: filter.entityId } });
  if (filter.msgId) conditions.push({ sql: 'e_msg_id = :f_msgId', params: { f_msgId: filter.msgId } });
  if (filter.isError) conditions.push({ sql: 'e_error IS NOT NULL', params: {} });
  if (filter.success !== undefined) conditions.push({ sql: 'e_success = :f_success', params: { f_success: filter.success } });
  for (const [field, value] of Object.entries(filter.counters) as [CounterField, number][]) {
    conditions.push({ sql: `${COUNTERS[field]} :f_${field}`, params: { [`f_${field}`]: value } });
  }
  return conditions;
}
