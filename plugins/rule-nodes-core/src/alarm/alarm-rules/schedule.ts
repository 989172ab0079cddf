/**
 * When a rule is active (ThingsBoard's AlarmRuleState.isActive): any time, on chosen weekdays between two
 * times of day, or per weekday with its own window — in the schedule's time zone (UTC when none).
 * Windows whose end is before their start wrap past midnight.
 */

import type { KeyValue } from './key-value';
import type { AlarmSchedule } from './profile-alarms';
import { AlarmRulesError, readSchedule } from './profile-alarms';

const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
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
    } catch {
      throw new AlarmRulesError(`Unknown time zone "${timeZone}" in an alarm schedule: use an IANA name such as Europe/Kyiv`);
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The local wall-clock time of an instant, written as if it were UTC. */
function wallClock(instant: number, timeZone: string): number {
  const f: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) if (part.type !== 'literal') f[part.type] = Number(part.value);
  return Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second) + (((instant % 1000) + 1000) % 1000);
}

/** ISO weekday (1 = Monday … 7 = Sunday) and milliseconds elapsed since local midnight. */
export function localDayTime(instant: number, timeZone: string): { dayOfWeek: number; msOfDay: number } {
  const wall = wallClock(instant, timeZone);
  const midnightWall = wall - (((wall % DAY_MS) + DAY_MS) % DAY_MS);
  // The instant local midnight happened: shift by the offset at midnight (it may differ from now's across DST).
  let midnight = midnightWall - (wallClock(instant, timeZone) - instant);
  midnight = midnightWall - (wallClock(midnight, timeZone) - midnight);
  return { dayOfWeek: new Date(midnightWall).getUTCDay() || 7, msOfDay: instant - midnight };
}

function inWindow(msOfDay: number, startsOn: number, endsOn: number): boolean {
  const end = endsOn === 0 ? DAY_MS : endsOn;
  return startsOn <= end ? startsOn <= msOfDay && msOfDay < end : startsOn < msOfDay || (msOfDay > 0 && msOfDay < end);
}

/**
 * Whether a rule with this schedule is active at `eventTs` (0: now). A schedule with a dynamic value takes
 * the attribute's JSON instead when it parses as a schedule of the same type.
 */
export function scheduleActive(schedule: AlarmSchedule | null, eventTs: number, dynamicValue: KeyValue | undefined): boolean {
  if (!schedule || schedule.type === 'ANY_TIME') return true;
  const effective = dynamicSchedule(schedule, dynamicValue) ?? schedule;
  const ts = eventTs || Date.now();
  const { dayOfWeek, msOfDay } = localDayTime(ts, effective.timezone ?? 'UTC');
  if (effective.type === 'SPECIFIC_TIME') {
    if (effective.daysOfWeek.length !== 7 && !effective.daysOfWeek.includes(dayOfWeek)) return false;
    return inWindow(msOfDay, effective.startsOn, effective.endsOn);
  }
  const item = effective.items.find((i) => i.dayOfWeek === dayOfWeek);
  return !!item?.enabled && inWindow(msOfDay, item.startsOn, item.endsOn);
}

function dynamicSchedule<S extends AlarmSchedule>(schedule: S, value: KeyValue | undefined): S | undefined {
  if (value?.type !== 'JSON') return undefined;
  try {
    const parsed = readSchedule({ ...(JSON.parse(value.value) as object), type: schedule.type }, 'dynamic schedule');
    return parsed as S;
  } catch {
    // As in ThingsBoard, an attribute that is not a schedule leaves the configured one in force.
    return undefined;
  }
}
