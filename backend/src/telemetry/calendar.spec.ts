import { describe, expect, it } from 'vitest';
import { nextCalendarBoundary } from './calendar';

const utc = (iso: string) => Date.parse(iso);

describe('nextCalendarBoundary', () => {
  // 2024-01-10 is a Wednesday.
  it('WEEK ends at the next Sunday midnight, WEEK_ISO at the next Monday', () => {
    expect(nextCalendarBoundary(utc('2024-01-10T15:00:00Z'), 'WEEK', 'UTC')).toBe(utc('2024-01-14T00:00:00Z'));
    expect(nextCalendarBoundary(utc('2024-01-10T15:00:00Z'), 'WEEK_ISO', 'UTC')).toBe(utc('2024-01-15T00:00:00Z'));
    expect(nextCalendarBoundary(utc('2024-01-14T00:00:00Z'), 'WEEK', 'UTC')).toBe(utc('2024-01-21T00:00:00Z'));
  });

  it('MONTH and QUARTER roll over the year', () => {
    expect(nextCalendarBoundary(utc('2024-12-31T23:59:59Z'), 'MONTH', 'UTC')).toBe(utc('2025-01-01T00:00:00Z'));
    expect(nextCalendarBoundary(utc('2024-11-02T00:00:00Z'), 'QUARTER', 'UTC')).toBe(utc('2025-01-01T00:00:00Z'));
    expect(nextCalendarBoundary(utc('2024-02-15T00:00:00Z'), 'QUARTER', 'UTC')).toBe(utc('2024-04-01T00:00:00Z'));
  });

  it('uses local midnight of the time zone, across a DST change', () => {
    // Europe/Berlin: 2024-03-31 switches to CEST (+02:00); April starts at 2024-03-31T22:00Z.
    expect(nextCalendarBoundary(utc('2024-03-15T12:00:00Z'), 'MONTH', 'Europe/Berlin')).toBe(utc('2024-03-31T22:00:00Z'));
    // Late on Jan 31 UTC is already February in Tokyo.
    expect(nextCalendarBoundary(utc('2024-01-31T20:00:00Z'), 'MONTH', 'Asia/Tokyo')).toBe(utc('2024-02-29T15:00:00Z'));
  });
});
