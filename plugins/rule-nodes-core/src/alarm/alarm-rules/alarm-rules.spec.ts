import { InMemoryServices, TEST_DEVICE } from '@edgewise/plugin-api/testing';
import { describe, expect, it } from 'vitest';
import type { AlarmOutcome } from './alarm-state';
import { DataSnapshot } from './data-snapshot';
import { AlarmIo, DeviceAlarmState } from './device-state';
import type { KeyValue } from './key-value';
import { telemetryBatches } from './message-values';
import { conditionHolds, EvalContext, splitList } from './predicates';
import { AlarmRulesError, AlarmSchedule, readProfileAlarms } from './profile-alarms';
import { ProfileRules } from './profile-rules';
import { localDayTime, scheduleActive } from './schedule';

// Profile JSON builders, in the shape ThingsBoard exports.
const value = (defaultValue: unknown, dynamicValue: unknown = null) => ({ defaultValue, userValue: null, dynamicValue });
const numeric = (key: string, operation: string, operand: unknown, type = 'TIME_SERIES') => ({
  key: { type, key },
  valueType: 'NUMERIC',
  value: null,
  predicate: { type: 'NUMERIC', operation, value: operand },
});
const rule = (filters: unknown[], spec: unknown = { type: 'SIMPLE' }, extra: Record<string, unknown> = {}) => ({
  condition: { condition: filters, spec },
  schedule: null,
  alarmDetails: null,
  dashboardId: null,
  ...extra,
});
const profile = (alarms: unknown[]) => ({ alarms });
const alarm = (createRules: Record<string, unknown>, clearRule: unknown = null, extra: Record<string, unknown> = {}) => ({
  id: 'rule-1',
  alarmType: 'High Temperature',
  createRules,
  clearRule,
  propagate: false,
  propagateToOwner: false,
  propagateToTenant: false,
  propagateRelationTypes: null,
  ...extra,
});

const noOwners = { customer: () => undefined, tenant: () => undefined };

/** A device under evaluation with the in-memory alarm service, fed telemetry at given times. */
function device(profileJson: Record<string, unknown>, owners: AlarmIo['owners'] = noOwners) {
  const services = new InMemoryServices();
  const state = new DeviceAlarmState(TEST_DEVICE, new ProfileRules(profileJson));
  const io = async (): Promise<AlarmIo> => ({ alarms: services.alarms, owners });
  return {
    services,
    state,
    telemetry: (ts: number, values: Record<string, unknown>): Promise<AlarmOutcome[]> =>
      state.onTelemetry(telemetryBatches(values, ts), io),
    attributes: (values: Record<string, unknown>) =>
      state.onAttributes({ ts: Date.now(), values: telemetryBatches(values, 0)[0].values }, io),
    harvest: (now: number) => state.harvest(now, io),
    relations: (outcomes: AlarmOutcome[]) => outcomes.map((o) => o.relation),
  };
}

const T0 = Date.UTC(2025, 5, 2, 12, 0, 0);
const MINUTE = 60_000;

describe('alarm rules: the scenarios of a device', () => {
  const repeating = profile([
    alarm(
      { CRITICAL: rule([numeric('temperature', 'GREATER', value(30))], { type: 'REPEATING', predicate: value(2) }) },
      rule([numeric('temperature', 'LESS_OR_EQUAL', value(25))]),
    ),
  ]);

  it('raises CRITICAL after temperature > 30 twice in a row (REPEATING 2), and clears it below the clear threshold', async () => {
    const d = device(repeating);
    expect(await d.telemetry(T0, { temperature: 31 })).toEqual([]);
    const raised = await d.telemetry(T0 + 1000, { temperature: 35 });
    expect(d.relations(raised)).toEqual(['Alarm Created']);
    expect(raised[0].alarm).toMatchObject({ type: 'High Temperature', severity: 'CRITICAL', status: 'ACTIVE_UNACK', startTs: T0 + 1000 });
    expect(raised[0].metadata).toEqual({ isNewAlarm: 'true', alarmConditionRepeats: '2' });

    expect(await d.telemetry(T0 + 2000, { temperature: 28 })).toEqual([]); // neither rule holds
    const cleared = await d.telemetry(T0 + 3000, { temperature: 24 });
    expect(d.relations(cleared)).toEqual(['Alarm Cleared']);
    expect(cleared[0].metadata).toEqual({ isClearedAlarm: 'true' });
    expect(d.services.alarmStore).toHaveLength(1);
    expect(d.services.alarmStore[0]).toMatchObject({ cleared: true });
  });

  it('starts counting again when the condition stops holding in between', async () => {
    const d = device(repeating);
    await d.telemetry(T0, { temperature: 31 });
    await d.telemetry(T0 + 1000, { temperature: 29 });
    expect(await d.telemetry(T0 + 2000, { temperature: 32 })).toEqual([]);
    expect(d.relations(await d.telemetry(T0 + 3000, { temperature: 33 }))).toEqual(['Alarm Created']);
  });

  it('ignores messages without the keys the rules use', async () => {
    const d = device(repeating);
    await d.telemetry(T0, { temperature: 31 });
    expect(await d.telemetry(T0 + 1000, { humidity: 80 })).toEqual([]);
    expect(d.relations(await d.telemetry(T0 + 2000, { temperature: 31 }))).toEqual(['Alarm Created']);
  });

  it('raises a DURATION alarm once the condition has held longer than required, measured by message times', async () => {
    const d = device(
      profile([
        alarm({ MAJOR: rule([numeric('temperature', 'GREATER', value(30))], { type: 'DURATION', unit: 'MINUTES', predicate: value(2) }) }),
      ]),
    );
    expect(await d.telemetry(T0, { temperature: 31 })).toEqual([]);
    expect(await d.telemetry(T0 + 2 * MINUTE, { temperature: 31 })).toEqual([]); // exactly 2 min: not longer yet
    const raised = await d.telemetry(T0 + 2 * MINUTE + 1, { temperature: 32 });
    expect(d.relations(raised)).toEqual(['Alarm Created']);
    expect(raised[0].metadata.alarmConditionDuration).toBe(String(2 * MINUTE + 1));
  });

  it('raises a DURATION alarm by the periodic check when no new message arrives', async () => {
    const d = device(
      profile([
        alarm({ MAJOR: rule([numeric('temperature', 'GREATER', value(30))], { type: 'DURATION', unit: 'SECONDS', predicate: value(90) }) }),
      ]),
    );
    await d.telemetry(T0, { temperature: 40 });
    expect(await d.harvest(T0 + 60_000)).toEqual([]);
    expect(d.relations(await d.harvest(T0 + 91_000))).toEqual(['Alarm Created']);
  });

  it('lets the highest matching severity win, updates upwards, and never downgrades an active alarm', async () => {
    const d = device(
      profile([
        alarm({
          CRITICAL: rule([numeric('temperature', 'GREATER', value(50))]),
          MAJOR: rule([numeric('temperature', 'GREATER', value(40))]),
          WARNING: rule([numeric('temperature', 'GREATER', value(30))]),
        }),
      ]),
    );
    const warning = await d.telemetry(T0, { temperature: 35 });
    expect(warning.map((o) => [o.relation, o.alarm.severity])).toEqual([['Alarm Created', 'WARNING']]);
    const critical = await d.telemetry(T0 + 1000, { temperature: 55 });
    expect(critical.map((o) => [o.relation, o.alarm.severity])).toEqual([['Alarm Severity Updated', 'CRITICAL']]);
    expect(critical[0].metadata).toEqual({ isExistingAlarm: 'true', isSeverityUpdated: 'true' });
    expect(await d.telemetry(T0 + 2000, { temperature: 45 })).toEqual([]); // MAJOR holds, but the alarm stays CRITICAL
    const again = await d.telemetry(T0 + 3000, { temperature: 60 });
    expect(again.map((o) => [o.relation, o.metadata.isExistingAlarm])).toEqual([['Alarm Updated', 'true']]);
    expect(d.services.alarmStore).toHaveLength(1);
  });

  it('fills ${key} in the alarm details with the current values of the condition keys', async () => {
    const d = device(
      profile([
        alarm({
          MAJOR: rule([numeric('temperature', 'GREATER', value(30)), numeric('humidity', 'GREATER', value(50))], undefined, {
            alarmDetails: 'Temperature ${temperature} at humidity ${humidity}, ${unknown}',
            dashboardId: { entityType: 'DASHBOARD', id: 'd0d0d0d0-0000-4000-8000-000000000000' },
          }),
        }),
      ]),
    );
    const [raised] = await d.telemetry(T0, { temperature: 31.5, humidity: 60 });
    expect(raised.alarm.details).toEqual({
      data: 'Temperature 31.5 at humidity 60, ${unknown}',
      dashboardId: 'd0d0d0d0-0000-4000-8000-000000000000',
    });
  });

  it('does not raise outside the schedule', async () => {
    const officeHours = {
      type: 'SPECIFIC_TIME',
      timezone: 'Europe/Kyiv',
      daysOfWeek: [1, 2, 3, 4, 5],
      startsOn: 9 * 3_600_000,
      endsOn: 18 * 3_600_000,
      dynamicValue: null,
    };
    const d = device(
      profile([alarm({ MAJOR: rule([numeric('temperature', 'GREATER', value(30))], undefined, { schedule: officeHours }) })]),
    );
    // Tuesday 2026-11-24: 20:00 in Kyiv (UTC+2) is outside, 10:00 inside.
    expect(await d.telemetry(Date.UTC(2026, 10, 24, 18, 0), { temperature: 35 })).toEqual([]);
    expect(d.relations(await d.telemetry(Date.UTC(2026, 10, 24, 8, 0), { temperature: 35 }))).toEqual(['Alarm Created']);
  });

  it('compares with a threshold taken from a device attribute, and falls back to the default without one', async () => {
    const dynamic = value(30, { resolvedValue: null, sourceType: 'CURRENT_DEVICE', sourceAttribute: 'maxTemperature', inherit: false });
    const d = device(
      profile([alarm({ MAJOR: rule([numeric('temperature', 'GREATER', dynamic)]) }, rule([numeric('temperature', 'LESS', dynamic)]))]),
    );
    expect(d.relations(await d.telemetry(T0, { temperature: 35 }))).toEqual(['Alarm Created']); // default 30
    expect(d.relations(await d.attributes({ maxTemperature: 40 }))).toEqual(['Alarm Cleared']); // 35 < 40 now
    expect(await d.telemetry(T0 + 1000, { temperature: 39 })).toEqual([]);
    expect(d.relations(await d.telemetry(T0 + 2000, { temperature: 41 }))).toEqual(['Alarm Created']);
  });

  it("inherits a threshold from the customer's, then the tenant's attribute", async () => {
    const inherited = value(100, { sourceType: 'CURRENT_DEVICE', sourceAttribute: 'limit', inherit: true });
    const profileJson = profile([alarm({ MAJOR: rule([numeric('temperature', 'GREATER', inherited)]) })]);
    const fromTenant = device(profileJson, { customer: () => undefined, tenant: () => ({ type: 'LONG', value: 20 }) });
    expect(fromTenant.relations(await fromTenant.telemetry(T0, { temperature: 25 }))).toEqual(['Alarm Created']);
    const fromCustomer = device(profileJson, {
      customer: () => ({ type: 'LONG', value: 30 }),
      tenant: () => ({ type: 'LONG', value: 20 }),
    });
    expect(await fromCustomer.telemetry(T0, { temperature: 25 })).toEqual([]);
  });

  it('takes the number of repeats from an attribute and fails clearly when it is not a number', async () => {
    const repeats = value(5, { sourceType: 'CURRENT_DEVICE', sourceAttribute: 'repeats', inherit: false });
    const d = device(
      profile([alarm({ MAJOR: rule([numeric('temperature', 'GREATER', value(30))], { type: 'REPEATING', predicate: repeats }) })]),
    );
    await d.attributes({ repeats: 1 });
    expect(d.relations(await d.telemetry(T0, { temperature: 31 }))).toEqual(['Alarm Created']);
    await d.attributes({ repeats: 'often' });
    await expect(d.telemetry(T0 + 1000, { temperature: 32 })).rejects.toThrow(
      "Could not convert attribute 'repeats' with value 'often' to numeric value!",
    );
  });

  it('forgets an alarm a user cleared, and raises a new one next time', async () => {
    const d = device(profile([alarm({ MAJOR: rule([numeric('temperature', 'GREATER', value(30))]) })]));
    const [first] = await d.telemetry(T0, { temperature: 35 });
    await d.services.alarms.clear(TEST_DEVICE, 'High Temperature');
    d.state.alarmCleared(first.alarm.id);
    const [second] = await d.telemetry(T0 + 1000, { temperature: 36 });
    expect(second.relation).toBe('Alarm Created');
    expect(second.alarm.id).not.toBe(first.alarm.id);
  });

  it('takes over the active alarm a previous run left behind', async () => {
    const d = device(profile([alarm({ MAJOR: rule([numeric('temperature', 'GREATER', value(30))]) })]));
    await d.services.alarms.raise({ originator: TEST_DEVICE, type: 'High Temperature', severity: 'MAJOR' });
    expect(d.relations(await d.telemetry(T0, { temperature: 35 }))).toEqual(['Alarm Updated']);
    expect(d.services.alarmStore).toHaveLength(1);
  });
});

describe('alarm rules: conditions', () => {
  /** Evaluates one filter against values put into a fresh snapshot. */
  function holds(filter: unknown, values: Record<string, KeyValue> = {}, owners: EvalContext['owners'] = noOwners): boolean {
    const rules = new ProfileRules(profile([alarm({ MAJOR: rule([filter]) })]));
    const snapshot = new DataSnapshot(rules.trackedKeys);
    for (const [id, kv] of Object.entries(values)) {
      const [type, key] = id.split(':') as ['TIME_SERIES', string];
      snapshot.put({ type, key }, 1, kv);
    }
    return conditionHolds(rules.alarms[0].createRules[0].rule.condition.condition, { snapshot, owners });
  }
  const ts = (v: KeyValue) => ({ 'TIME_SERIES:k': v });
  const str = (operation: string, operand: string, ignoreCase = false) => ({
    key: { type: 'TIME_SERIES', key: 'k' },
    valueType: 'STRING',
    predicate: { type: 'STRING', operation, ignoreCase, value: value(operand) },
  });

  it('compares numbers, converting text and booleans as ThingsBoard does', () => {
    expect(holds(numeric('k', 'GREATER_OR_EQUAL', value(30)), ts({ type: 'LONG', value: 30 }))).toBe(true);
    expect(holds(numeric('k', 'LESS', value(30)), ts({ type: 'STRING', value: ' 29.5 ' }))).toBe(true);
    expect(holds(numeric('k', 'EQUAL', value(1)), ts({ type: 'BOOLEAN', value: true }))).toBe(true);
    expect(holds(numeric('k', 'NOT_EQUAL', value(1)), ts({ type: 'STRING', value: 'warm' }))).toBe(false);
    expect(holds(numeric('k', 'GREATER', value('20')), ts({ type: 'DOUBLE', value: 20.5 }))).toBe(true);
    expect(holds(numeric('k', 'GREATER', value(20)))).toBe(false); // no value yet
  });

  it('compares text with every string operation, optionally ignoring case', () => {
    const warm = ts({ type: 'STRING', value: 'Warm' });
    expect(holds(str('EQUAL', 'warm'), warm)).toBe(false);
    expect(holds(str('EQUAL', 'warm', true), warm)).toBe(true);
    expect(holds(str('STARTS_WITH', 'Wa'), warm)).toBe(true);
    expect(holds(str('ENDS_WITH', 'rm'), warm)).toBe(true);
    expect(holds(str('CONTAINS', 'ar'), warm)).toBe(true);
    expect(holds(str('NOT_CONTAINS', 'ar'), warm)).toBe(false);
    expect(holds(str('IN', 'Cold, Warm'), warm)).toBe(true);
    expect(holds(str('NOT_IN', "'Cold','Hot'"), warm)).toBe(true);
    expect(holds(str('EQUAL', '25.0'), ts({ type: 'DOUBLE', value: 25 }))).toBe(true);
    expect(splitList("'a, b','c'")).toEqual(["'a", "b'", "'c'"]);
    expect(splitList('"x" , "y"')).toEqual(['x', 'y']);
  });

  it('compares booleans and combines predicates with AND / OR', () => {
    const bool = (operation: string, operand: unknown) => ({
      key: { type: 'TIME_SERIES', key: 'k' },
      predicate: { type: 'BOOLEAN', operation, value: value(operand) },
    });
    expect(holds(bool('EQUAL', true), ts({ type: 'STRING', value: 'TRUE' }))).toBe(true);
    expect(holds(bool('NOT_EQUAL', true), ts({ type: 'LONG', value: 0 }))).toBe(true);
    const between = (operation: string) => ({
      key: { type: 'TIME_SERIES', key: 'k' },
      predicate: {
        type: 'COMPLEX',
        operation,
        predicates: [
          { type: 'NUMERIC', operation: 'GREATER', value: value(10) },
          { type: 'NUMERIC', operation: 'LESS', value: value(20) },
        ],
      },
    });
    expect(holds(between('AND'), ts({ type: 'LONG', value: 15 }))).toBe(true);
    expect(holds(between('AND'), ts({ type: 'LONG', value: 25 }))).toBe(false);
    expect(holds(between('OR'), ts({ type: 'LONG', value: 25 }))).toBe(true);
  });

  it('compares CONSTANT keys only with a dynamic operand', () => {
    const constant = (operand: unknown) => ({
      key: { type: 'CONSTANT', key: 'threshold' },
      valueType: 'NUMERIC',
      value: 50,
      predicate: { type: 'NUMERIC', operation: 'GREATER', value: operand },
    });
    expect(holds(constant(value(10)))).toBe(false);
    const fromTenant = value(10, { sourceType: 'CURRENT_TENANT', sourceAttribute: 'minimum', inherit: false });
    expect(holds(constant(fromTenant), {}, { customer: () => undefined, tenant: () => ({ type: 'LONG', value: 40 }) })).toBe(true);
  });
});

describe('alarm rules: schedules', () => {
  const at = (iso: string) => Date.parse(iso);

  it('finds the local weekday and time of day across time zones and DST', () => {
    expect(localDayTime(at('2026-11-23T23:30:00Z'), 'Europe/Kyiv')).toEqual({ dayOfWeek: 2, msOfDay: 90 * MINUTE });
    expect(localDayTime(at('2026-11-23T23:30:00Z'), 'UTC')).toEqual({ dayOfWeek: 1, msOfDay: (23 * 60 + 30) * MINUTE });
    // 2026-03-29 is the spring-forward day in Kyiv: 06:00 local is only 5 hours after midnight.
    expect(localDayTime(at('2026-03-29T03:00:00Z'), 'Europe/Kyiv').msOfDay).toBe(5 * 60 * MINUTE);
  });

  it('checks SPECIFIC_TIME days and windows, including windows past midnight and "until end of day"', () => {
    const specific = (startsOn: number, endsOn: number, daysOfWeek = [1, 2, 3, 4, 5, 6, 7]) =>
      ({ type: 'SPECIFIC_TIME', timezone: 'UTC', daysOfWeek, startsOn, endsOn, dynamicValue: null }) as const;
    const hour = 3_600_000;
    expect(scheduleActive(specific(22 * hour, 6 * hour), at('2026-11-25T23:00:00Z'), undefined)).toBe(true);
    expect(scheduleActive(specific(22 * hour, 6 * hour), at('2026-11-25T12:00:00Z'), undefined)).toBe(false);
    expect(scheduleActive(specific(20 * hour, 0), at('2026-11-25T23:59:00Z'), undefined)).toBe(true);
    expect(scheduleActive(specific(0, 0, [6, 7]), at('2026-11-25T12:00:00Z'), undefined)).toBe(false); // a Wednesday
  });

  it('checks CUSTOM schedules per weekday and takes a schedule from a dynamic JSON attribute', () => {
    const custom = {
      type: 'CUSTOM',
      timezone: 'UTC',
      items: [
        { enabled: true, dayOfWeek: 3, startsOn: 0, endsOn: 3_600_000 },
        { enabled: false, dayOfWeek: 4, startsOn: 0, endsOn: 0 },
      ],
      dynamicValue: null,
    } satisfies AlarmSchedule;
    expect(scheduleActive(custom, at('2026-11-25T00:30:00Z'), undefined)).toBe(true);
    expect(scheduleActive(custom, at('2026-11-25T01:30:00Z'), undefined)).toBe(false);
    expect(scheduleActive(custom, at('2026-11-26T00:30:00Z'), undefined)).toBe(false);
    const fromAttribute: KeyValue = {
      type: 'JSON',
      value: JSON.stringify({ timezone: 'UTC', items: [{ enabled: true, dayOfWeek: 3, startsOn: 0, endsOn: 0 }] }),
    };
    expect(scheduleActive(custom, at('2026-11-25T01:30:00Z'), fromAttribute)).toBe(true);
  });

  it('refuses an unknown time zone with a clear message', () => {
    const schedule = {
      type: 'SPECIFIC_TIME',
      timezone: 'Mars/Olympus',
      daysOfWeek: [1],
      startsOn: 0,
      endsOn: 0,
      dynamicValue: null,
    } satisfies AlarmSchedule;
    expect(() => scheduleActive(schedule, T0, undefined)).toThrow(/Unknown time zone "Mars\/Olympus"/);
  });
});

describe('alarm rules: reading profiles', () => {
  it('reads no rules from a profile without alarms, and rules in severity order', () => {
    expect(readProfileAlarms({ alarms: null })).toEqual([]);
    const [read] = readProfileAlarms(
      profile([alarm({ MINOR: rule([numeric('t', 'GREATER', value(1))]), CRITICAL: rule([numeric('t', 'GREATER', value(2))]) })]),
    );
    expect(read.createRules.map((r) => r.severity)).toEqual(['CRITICAL', 'MINOR']);
  });

  it('names the rule and the problem in a malformed profile', () => {
    const broken = (createRules: Record<string, unknown>) => () => readProfileAlarms(profile([alarm(createRules)]));
    expect(broken({ HUGE: rule([]) })).toThrow(
      new AlarmRulesError('alarm rule "High Temperature": "HUGE" is not a severity; use CRITICAL, MAJOR, MINOR, WARNING, INDETERMINATE'),
    );
    expect(broken({ MAJOR: rule([numeric('t', 'BIGGER', value(1))]) })).toThrow(
      /High Temperature" \(MAJOR\), filter #1: NUMERIC operation is "BIGGER"/,
    );
    expect(broken({ MAJOR: rule([], { type: 'SOMETIMES' }) })).toThrow(/is not SIMPLE, DURATION or REPEATING/);
    expect(() => readProfileAlarms({ alarms: {} })).toThrow(/must be a list/);
  });

  it('tracks the keys the rules read, including dynamic operands, and which owner attributes to fetch', () => {
    const rules = new ProfileRules(
      profile([
        alarm(
          {
            MAJOR: rule([
              numeric('temperature', 'GREATER', value(1, { sourceType: 'CURRENT_CUSTOMER', sourceAttribute: 'limit', inherit: true })),
            ]),
          },
          null,
        ),
      ]),
    );
    expect([...rules.trackedKeys].sort()).toEqual(['ATTRIBUTE:limit', 'TIME_SERIES:temperature']);
    expect([...rules.ownerKeys.customer]).toEqual(['limit']);
    expect([...rules.ownerKeys.tenant]).toEqual(['limit']);
  });
});
