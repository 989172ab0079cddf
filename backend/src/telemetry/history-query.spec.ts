import { describe, expect, it } from 'vitest';
import { HistoryParams, planHistory } from './history-query';

const base: HistoryParams = { startTs: 0, endTs: 25_000, interval: 10_000, limit: 100, agg: 'AVG', orderBy: 'DESC' };

describe('planHistory', () => {
  it('splits into buckets from startTs, cuts the last at endTs and reports midpoints', () => {
    expect(planHistory(base, 700)).toEqual({
      kind: 'aggregated',
      agg: 'AVG',
      buckets: [
        { start: 0, end: 10_000, ts: 5_000 },
        { start: 10_000, end: 20_000, ts: 15_000 },
        { start: 20_000, end: 25_000, ts: 22_500 },
      ],
    });
  });

  it('treats agg with interval 0 and no calendar type as raw', () => {
    expect(planHistory({ ...base, interval: 0, orderBy: 'asc' }, 700)).toEqual({
      kind: 'raw',
      startTs: 0,
      endTs: 25_000,
      limit: 100,
      order: 'ASC',
    });
  });

  it('starts calendar buckets at startTs and ends them at the calendar boundary', () => {
    const start = Date.parse('2024-01-10T00:00:00Z');
    const plan = planHistory(
      { ...base, startTs: start, endTs: Date.parse('2024-03-01T00:00:00Z'), interval: 0, intervalType: 'MONTH', timeZone: 'UTC' },
      700,
    );
    expect(plan.kind === 'aggregated' && plan.buckets.map((b) => new Date(b.end).toISOString())).toEqual([
      '2024-02-01T00:00:00.000Z',
      '2024-03-01T00:00:00.000Z',
    ]);
  });

  it('refuses too many buckets, a negative interval, bad limits, orders and zones', () => {
    expect(() => planHistory({ ...base, endTs: 701_000, interval: 1000 }, 700)).toThrow('Number of intervals is to high - 701');
    expect(() => planHistory({ ...base, endTs: 700_000, interval: 1 }, 700)).not.toThrow();
    expect(() => planHistory({ ...base, interval: -5 }, 700)).toThrow("'interval' must be greater than 0, but got -5");
    expect(() => planHistory({ ...base, limit: 0 }, 700)).toThrow('at least 1');
    expect(() => planHistory({ ...base, orderBy: 'up' }, 700)).toThrow("Invalid value 'up' for orders given");
    expect(() => planHistory({ ...base, intervalType: 'WEEK', timeZone: 'Mars/Olympus' }, 700)).toThrow("Unknown timeZone 'Mars/Olympus'");
  });
});
