import type { EntityId, RuleMsg } from '@edgewise/plugin-api';
import { ApiError } from '../errors/api-error';

/** ThingsBoard's event types (rest-api.md §4.1); calculated-field debug events are accepted in queries only. */
export const EVENT_TYPES = ['DEBUG_RULE_NODE', 'DEBUG_RULE_CHAIN', 'LC_EVENT', 'ERROR', 'STATS', 'DEBUG_CALCULATED_FIELD'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** An event type from a path or a filter, case-insensitive, with ThingsBoard's refusal. */
export function resolveEventType(raw: unknown): EventType {
  const found = typeof raw === 'string' ? EVENT_TYPES.find((t) => t === raw.toUpperCase()) : undefined;
  if (!found) throw ApiError.badRequest(`Event type: '${String(raw)}' is not supported!`);
  return found;
}

/** The parts of a rule message a debug event keeps. */
export type DebugMsg = Pick<RuleMsg, 'id' | 'type' | 'originator' | 'data' | 'metadata' | 'dataType'>;

interface EventBase {
  tenantId: string;
  /** The entity the event is about: the rule node, rule chain or device. */
  entity: EntityId;
  /** Event time, epoch ms; default now. */
  ts?: number;
}

/** One event as the rule engine reports it; the body fields are those of rest-api.md §4.2. */
export type EventRecord =
  | (EventBase & {
      type: 'DEBUG_RULE_NODE';
      direction: 'IN' | 'OUT';
      msg: DebugMsg;
      /** OUT: the label it left by; IN: the label it arrived by (absent for a chain's first node). */
      relationType?: string;
      error?: string;
    })
  | (EventBase & { type: 'DEBUG_RULE_CHAIN'; message?: string; error?: string })
  | (EventBase & { type: 'LC_EVENT'; event: string; success: boolean; error?: string })
  | (EventBase & { type: 'ERROR'; method: string; error: string })
  | (EventBase & { type: 'STATS'; messagesProcessed: number; errorsOccurred: number });

/** A rule node's IN or OUT debug event, counted against the tenant's debug rate limit. */
export interface RuleNodeDebugInput {
  tenantId: string;
  /** The chain the node runs in: the rate-limit notice is recorded on it. */
  ruleChainId: string;
  ruleNodeId: string;
  ts?: number;
  direction: 'IN' | 'OUT';
  msg: DebugMsg;
  relationType?: string;
  error?: string;
}

/** Lifecycle of a rule node or chain: `STARTED`, `STOPPED`, `UPDATED` …; failed when `error` is given. */
export interface LifecycleInput {
  tenantId: string;
  entity: EntityId;
  event: string;
  error?: string;
  ts?: number;
}

export interface ErrorInput {
  tenantId: string;
  entity: EntityId;
  /** Where it happened, e.g. `onMsg` or `init`. */
  method: string;
  error: string;
  ts?: number;
}

/** Counters of one reporting period. */
export interface StatsInput {
  tenantId: string;
  entity: EntityId;
  messagesProcessed: number;
  errorsOccurred: number;
  ts?: number;
}
