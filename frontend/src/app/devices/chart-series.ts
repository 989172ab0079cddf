import type { TelemetryMessage } from '../core/live-messages';
import type { SocketUpdate } from '../core/telemetry-socket';

/** `[ts, value]` points of one key, oldest first. */
export type Points = [number, number][];
export type SeriesData = ReadonlyMap<string, Points>;

/** The time ranges a chart offers, in the URL as their id. */
export const RANGES = [
  { id: '5m', label: 'Last 5 minutes', ms: 5 * 60_000 },
  { id: '15m', label: 'Last 15 minutes', ms: 15 * 60_000 },
  { id: '1h', label: 'Last hour', ms: 3_600_000 },
  { id: '6h', label: 'Last 6 hours', ms: 6 * 3_600_000 },
  { id: '1d', label: 'Last 24 hours', ms: 86_400_000 },
  { id: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { id: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
] as const;
export type Range = (typeof RANGES)[number];

/** The server splits a history read into at most 700 buckets (device-api.md §8.5). */
const MAX_BUCKETS = 700;

/**
 * History is asked for as averages over buckets sized so the chart gets about one point per 2 px of its
 * width — never raw millions of points — but no finer than a second.
 */
export function bucketMs(rangeMs: number, widthPx: number): number {
  const points = Math.min(MAX_BUCKETS - 1, Math.max(60, Math.round(widthPx / 2)));
  return Math.max(1000, Math.ceil(rangeMs / points));
}

/**
 * Folds updates of a history-then-live TIMESERIES subscription into numeric series: the first update after
 * (re)subscribing is the history (averaged buckets), later ones are new raw points, appended in time order.
 * Points older than `windowStart()` fall off; values that are not numbers are left out.
 */
export function applySeries(windowStart: () => number) {
  return (series: SeriesData | undefined, { initial, message }: SocketUpdate<TelemetryMessage>): SeriesData => {
    const next = new Map<string, Points>(initial ? [] : [...(series ?? [])].map(([key, points]) => [key, [...points]]));
    const start = windowStart();
    for (const [key, pairs] of Object.entries(message.data ?? {})) {
      const points = next.get(key) ?? [];
      for (const [ts, text] of pairs) {
        const value = text === null || text === '' ? NaN : Number(text);
        if (!Number.isFinite(value) || ts < start) continue;
        const at = points.findIndex(([existing]) => existing >= ts);
        if (at === -1) points.push([ts, value]);
        else if (points[at][0] === ts) points[at] = [ts, value];
        else points.splice(at, 0, [ts, value]);
      }
      next.set(key, points);
    }
    for (const [key, points] of next) {
      const firstKept = points.findIndex(([ts]) => ts >= start);
      next.set(key, firstKept === -1 ? [] : points.slice(firstKept));
    }
    return next;
  };
}
