/** Calendar arithmetic in an IANA time zone with nothing but Intl. */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Throws RangeError for a zone Intl does not know. */
export function assertTimeZone(timeZone: string): void {
  formatterFor(timeZone);
}

interface LocalDate {
  year: number;
  month: number; // 1-12
  day: number;
}

/** Local wall-clock fields of an instant, expressed as if it were UTC (ms). */
function wallClock(instant: number, timeZone: string): number {
  const f: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) if (part.type !== 'literal') f[part.type] = Number(part.value);
  return Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second);
}

function localDate(instant: number, timeZone: string): LocalDate {
  const d = new Date(wallClock(instant, timeZone));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** The instant local midnight starts on a date (after a DST gap at midnight: the first valid instant). */
function startOfDay({ year, month, day }: LocalDate, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day);
  let instant = wall - (wallClock(wall, timeZone) - wall);
  // The offset at the guess may differ from the offset at the answer (DST change that day): one correction.
  instant = wall - (wallClock(instant, timeZone) - instant);
  return wallClock(instant, timeZone) < wall ? instant + 3_600_000 : instant;
}

export type CalendarInterval = 'WEEK' | 'WEEK_ISO' | 'MONTH' | 'QUARTER';

/**
 * ThingsBoard's TimeUtils.calculateIntervalEnd: the start of the next week (Sunday- or Monday-based),
 * month or quarter after the one containing `instant`, in `timeZone`.
 */
export function nextCalendarBoundary(instant: number, type: CalendarInterval, timeZone: string): number {
  const { year, month, day } = localDate(instant, timeZone);
  const utcDay = new Date(Date.UTC(year, month - 1, day));
  switch (type) {
    case 'WEEK':
    case 'WEEK_ISO': {
      const daysIntoWeek = type === 'WEEK' ? utcDay.getUTCDay() : (utcDay.getUTCDay() + 6) % 7;
      const next = new Date(Date.UTC(year, month - 1, day - daysIntoWeek + 7));
      return startOfDay({ year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() }, timeZone);
    }
    case 'MONTH':
      return startOfDay(normalized(year, month + 1), timeZone);
    case 'QUARTER':
      return startOfDay(normalized(year, Math.floor((month - 1) / 3) * 3 + 4), timeZone);
  }
}

/** First day of a month given as possibly > 12. */
function normalized(year: number, month: number): LocalDate {
  const d = new Date(Date.UTC(year, month - 1, 1));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: 1 };
}
