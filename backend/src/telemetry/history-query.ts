import { assertTimeZone, CalendarInterval, nextCalendarBoundary } from './calendar';

export const AGGREGATIONS = ['NONE', 'AVG', 'MIN', 'MAX', 'SUM', 'COUNT'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];
export const INTERVAL_TYPES = ['MILLISECONDS', 'WEEK', 'WEEK_ISO', 'MONTH', 'QUARTER'] as const;
export type IntervalType = (typeof INTERVAL_TYPES)[number];

const DAY = 86_400_000;
/** What ThingsBoard counts a calendar bucket as when checking the bucket limit. */
const NOMINAL_LENGTH: Record<CalendarInterval, number> = { WEEK: 7 * DAY, WEEK_ISO: 7 * DAY, MONTH: 30 * DAY, QUARTER: 90 * DAY };

/** A half-open aggregation bucket [start, end) reported at ts = its midpoint. */
export interface Bucket {
  start: number;
  end: number;
  ts: number;
}

export type HistoryPlan =
  | { kind: 'raw'; startTs: number; endTs: number; limit: number; order: 'ASC' | 'DESC' }
  | { kind: 'aggregated'; agg: Exclude<Aggregation, 'NONE'>; buckets: Bucket[] };

export interface HistoryParams {
  startTs: number;
  endTs: number;
  interval: number;
  intervalType?: IntervalType;
  timeZone?: string;
  limit: number;
  agg: Aggregation;
  orderBy: string;
}

/** A history request the caller must fix; the message says how. */
export class HistoryQueryError extends Error {}

/** Buckets from startTs, each ending at start+interval or the next calendar boundary, the last cut at endTs. */
function bucketsOf(startTs: number, endTs: number, nextEnd: (start: number) => number): Bucket[] {
  const buckets: Bucket[] = [];
  const endPeriod = Math.max(startTs + 1, endTs);
  for (let start = startTs; start < endPeriod;) {
    const end = Math.min(nextEnd(start), endPeriod);
    buckets.push({ start, end, ts: start + Math.floor((end - start) / 2) });
    start = end;
  }
  return buckets;
}

/** Turns validated request parameters into a raw or aggregated plan, with ThingsBoard's rules and messages (§8.5). */
export function planHistory(p: HistoryParams, maxIntervals: number): HistoryPlan {
  if (p.limit < 1) throw new HistoryQueryError(`Invalid limit ${p.limit}: it must be at least 1`);
  const order = p.orderBy.toUpperCase();
  if (order !== 'ASC' && order !== 'DESC') {
    throw new HistoryQueryError(`Invalid value '${p.orderBy}' for orders given; Has to be either 'desc' or 'asc' (case insensitive)`);
  }
  const calendar = p.intervalType && p.intervalType !== 'MILLISECONDS' ? p.intervalType : undefined;
  if (p.agg === 'NONE' || (!calendar && p.interval === 0))
    return { kind: 'raw', startTs: p.startTs, endTs: p.endTs, limit: p.limit, order };
  const timeZone = p.timeZone || 'UTC';
  if (calendar) {
    try {
      assertTimeZone(timeZone);
    } catch {
      throw new HistoryQueryError(`Unknown timeZone '${timeZone}': use an IANA zone name such as Europe/Berlin or UTC`);
    }
  }
  const interval = calendar ? NOMINAL_LENGTH[calendar] : p.interval;
  if (interval < 1) {
    throw new HistoryQueryError(
      `Invalid TsKvQuery: 'interval' must be greater than 0, but got ${interval}. Please check your query parameters and ensure 'endTs' is greater than 'startTs' or increase 'interval'.`,
    );
  }
  const intervals = Math.trunc((p.endTs - p.startTs) / Math.max(interval, 1000));
  if (intervals > maxIntervals || intervals < 0) {
    throw new HistoryQueryError(
      `Incorrect TsKvQuery. Number of intervals is to high - ${intervals}. Please increase 'interval' parameter for your query or reduce the time range of the query.`,
    );
  }
  const nextEnd = calendar ? (start: number) => nextCalendarBoundary(start, calendar, timeZone) : (start: number) => start + interval;
  return { kind: 'aggregated', agg: p.agg, buckets: bucketsOf(p.startTs, p.endTs, nextEnd) };
}
