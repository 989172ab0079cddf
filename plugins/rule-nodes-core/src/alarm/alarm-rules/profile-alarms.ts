/**
 * The alarm rules of a device profile (`profileData.alarms`, rest-api.md §1.4), typed, and read from the
 * stored JSON with checks that name the offending rule — a profile saved by an older ThingsBoard or edited
 * by hand must give a clear error, never a crash in the middle of evaluation.
 */

import type { AlarmSeverity } from '@edgewise/plugin-api';

export type KeyType = 'ATTRIBUTE' | 'TIME_SERIES' | 'ENTITY_FIELD' | 'CONSTANT';
export type ValueType = 'STRING' | 'NUMERIC' | 'BOOLEAN' | 'DATE_TIME';
export type DynamicSourceType = 'CURRENT_TENANT' | 'CURRENT_CUSTOMER' | 'CURRENT_USER' | 'CURRENT_DEVICE';

export interface DynamicValue {
  sourceType: DynamicSourceType;
  sourceAttribute: string | null;
  inherit: boolean;
}

/** A predicate's operand: the resolved dynamic attribute when there is one, else `defaultValue`. */
export interface PredicateValue<T> {
  defaultValue: T | null;
  dynamicValue: DynamicValue | null;
}

export type NumericOperation = 'EQUAL' | 'NOT_EQUAL' | 'GREATER' | 'LESS' | 'GREATER_OR_EQUAL' | 'LESS_OR_EQUAL';
export type StringOperation = 'EQUAL' | 'NOT_EQUAL' | 'STARTS_WITH' | 'ENDS_WITH' | 'CONTAINS' | 'NOT_CONTAINS' | 'IN' | 'NOT_IN';

export type Predicate =
  | { type: 'NUMERIC'; operation: NumericOperation; value: PredicateValue<unknown> }
  | { type: 'STRING'; operation: StringOperation; value: PredicateValue<unknown>; ignoreCase: boolean }
  | { type: 'BOOLEAN'; operation: 'EQUAL' | 'NOT_EQUAL'; value: PredicateValue<unknown> }
  | { type: 'COMPLEX'; operation: 'AND' | 'OR'; predicates: Predicate[] };

export interface ConditionKey {
  type: KeyType;
  key: string;
}

export interface ConditionFilter {
  key: ConditionKey;
  valueType: ValueType | null;
  /** The operand of CONSTANT keys. */
  value: unknown;
  predicate: Predicate;
}

export type TimeUnit = 'NANOSECONDS' | 'MICROSECONDS' | 'MILLISECONDS' | 'SECONDS' | 'MINUTES' | 'HOURS' | 'DAYS';

export type ConditionSpec =
  | { type: 'SIMPLE' }
  | { type: 'DURATION'; unit: TimeUnit; predicate: PredicateValue<unknown> }
  | { type: 'REPEATING'; predicate: PredicateValue<unknown> };

export interface CustomScheduleItem {
  enabled: boolean;
  /** 1 = Monday … 7 = Sunday. */
  dayOfWeek: number;
  /** Milliseconds since local midnight. */
  startsOn: number;
  endsOn: number;
}

export type AlarmSchedule =
  | { type: 'ANY_TIME'; dynamicValue?: DynamicValue | null }
  | {
      type: 'SPECIFIC_TIME';
      timezone: string | null;
      daysOfWeek: number[];
      startsOn: number;
      endsOn: number;
      dynamicValue: DynamicValue | null;
    }
  | { type: 'CUSTOM'; timezone: string | null; items: CustomScheduleItem[]; dynamicValue: DynamicValue | null };

export interface AlarmRule {
  condition: { condition: ConditionFilter[]; spec: ConditionSpec };
  schedule: AlarmSchedule | null;
  alarmDetails: string | null;
  dashboardId: { id: string } | null;
}

export interface DeviceProfileAlarm {
  id: string;
  alarmType: string;
  /** Highest severity first (ThingsBoard evaluates create rules in that order). */
  createRules: { severity: AlarmSeverity; rule: AlarmRule }[];
  clearRule: AlarmRule | null;
  propagate: boolean;
  propagateToOwner: boolean;
  propagateToTenant: boolean;
  propagateRelationTypes: string[] | null;
}

/** Highest first, as ThingsBoard's AlarmSeverity enum orders them. */
export const SEVERITIES: readonly AlarmSeverity[] = ['CRITICAL', 'MAJOR', 'MINOR', 'WARNING', 'INDETERMINATE'];

const KEY_TYPES: readonly KeyType[] = ['ATTRIBUTE', 'TIME_SERIES', 'ENTITY_FIELD', 'CONSTANT'];
const VALUE_TYPES: readonly ValueType[] = ['STRING', 'NUMERIC', 'BOOLEAN', 'DATE_TIME'];
const SOURCE_TYPES: readonly DynamicSourceType[] = ['CURRENT_TENANT', 'CURRENT_CUSTOMER', 'CURRENT_USER', 'CURRENT_DEVICE'];
const NUMERIC_OPERATIONS: readonly NumericOperation[] = ['EQUAL', 'NOT_EQUAL', 'GREATER', 'LESS', 'GREATER_OR_EQUAL', 'LESS_OR_EQUAL'];
const STRING_OPERATIONS: readonly StringOperation[] = [
  'EQUAL',
  'NOT_EQUAL',
  'STARTS_WITH',
  'ENDS_WITH',
  'CONTAINS',
  'NOT_CONTAINS',
  'IN',
  'NOT_IN',
];
const TIME_UNITS: readonly TimeUnit[] = ['NANOSECONDS', 'MICROSECONDS', 'MILLISECONDS', 'SECONDS', 'MINUTES', 'HOURS', 'DAYS'];

/** A profile whose alarm rules cannot be evaluated; the message says which rule and what to fix. */
export class AlarmRulesError extends Error {}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads and checks `profileData.alarms`; an absent or null list means no rules. */
export function readProfileAlarms(profileData: Readonly<Record<string, unknown>>): DeviceProfileAlarm[] {
  const alarms = profileData.alarms;
  if (alarms === undefined || alarms === null) return [];
  if (!Array.isArray(alarms)) throw new AlarmRulesError('profileData.alarms must be a list of alarm rules (or null)');
  return alarms.map((alarm, index) => readAlarm(alarm, `alarm rule #${index + 1}`));
}

function readAlarm(raw: unknown, where: string): DeviceProfileAlarm {
  if (!isObject(raw)) throw new AlarmRulesError(`${where}: must be an object`);
  const alarmType = raw.alarmType;
  if (typeof alarmType !== 'string' || !alarmType) throw new AlarmRulesError(`${where}: alarmType should be specified`);
  const named = `alarm rule "${alarmType}"`;
  const createRules = isObject(raw.createRules) ? raw.createRules : {};
  for (const severity of Object.keys(createRules)) {
    if (!(SEVERITIES as readonly string[]).includes(severity))
      throw new AlarmRulesError(`${named}: "${severity}" is not a severity; use ${SEVERITIES.join(', ')}`);
  }
  return {
    id: typeof raw.id === 'string' && raw.id ? raw.id : alarmType,
    alarmType,
    createRules: SEVERITIES.filter((s) => createRules[s] !== undefined && createRules[s] !== null).map((severity) => ({
      severity,
      rule: readRule(createRules[severity], `${named} (${severity})`),
    })),
    clearRule: raw.clearRule === undefined || raw.clearRule === null ? null : readRule(raw.clearRule, `${named} (clear rule)`),
    propagate: raw.propagate === true,
    propagateToOwner: raw.propagateToOwner === true,
    propagateToTenant: raw.propagateToTenant === true,
    propagateRelationTypes: Array.isArray(raw.propagateRelationTypes) ? raw.propagateRelationTypes.map(String) : null,
  };
}

function readRule(raw: unknown, where: string): AlarmRule {
  if (!isObject(raw) || !isObject(raw.condition)) throw new AlarmRulesError(`${where}: the rule needs a condition`);
  const filters = raw.condition.condition;
  if (!Array.isArray(filters)) throw new AlarmRulesError(`${where}: condition.condition must be a list of key filters`);
  const dashboardId = isObject(raw.dashboardId) && typeof raw.dashboardId.id === 'string' ? { id: raw.dashboardId.id } : null;
  return {
    condition: {
      condition: filters.map((f, i) => readFilter(f, `${where}, filter #${i + 1}`)),
      spec: readSpec(raw.condition.spec, where),
    },
    schedule: raw.schedule === undefined || raw.schedule === null ? null : readSchedule(raw.schedule, where),
    alarmDetails: typeof raw.alarmDetails === 'string' ? raw.alarmDetails : null,
    dashboardId,
  };
}

function readFilter(raw: unknown, where: string): ConditionFilter {
  if (!isObject(raw) || !isObject(raw.key)) throw new AlarmRulesError(`${where}: needs a key {"type", "key"}`);
  const keyType = oneOf(raw.key.type, KEY_TYPES, `${where}: key.type`);
  if (typeof raw.key.key !== 'string') throw new AlarmRulesError(`${where}: key.key must be the key's name`);
  return {
    key: { type: keyType, key: raw.key.key },
    valueType: raw.valueType === undefined || raw.valueType === null ? null : oneOf(raw.valueType, VALUE_TYPES, `${where}: valueType`),
    value: raw.value ?? null,
    predicate: readPredicate(raw.predicate, where),
  };
}

function readPredicate(raw: unknown, where: string): Predicate {
  if (!isObject(raw)) throw new AlarmRulesError(`${where}: needs a predicate`);
  switch (raw.type) {
    case 'NUMERIC':
      return {
        type: 'NUMERIC',
        operation: oneOf(raw.operation, NUMERIC_OPERATIONS, `${where}: NUMERIC operation`),
        value: readValue(raw.value, where),
      };
    case 'STRING':
      return {
        type: 'STRING',
        operation: oneOf(raw.operation, STRING_OPERATIONS, `${where}: STRING operation`),
        value: readValue(raw.value, where),
        ignoreCase: raw.ignoreCase === true,
      };
    case 'BOOLEAN':
      return {
        type: 'BOOLEAN',
        operation: oneOf(raw.operation, ['EQUAL', 'NOT_EQUAL'] as const, `${where}: BOOLEAN operation`),
        value: readValue(raw.value, where),
      };
    case 'COMPLEX':
      if (!Array.isArray(raw.predicates)) throw new AlarmRulesError(`${where}: a COMPLEX predicate needs a list of predicates`);
      return {
        type: 'COMPLEX',
        operation: oneOf(raw.operation, ['AND', 'OR'] as const, `${where}: COMPLEX operation`),
        predicates: raw.predicates.map((p) => readPredicate(p, where)),
      };
    default:
      throw new AlarmRulesError(`${where}: predicate type ${JSON.stringify(raw.type)} is not NUMERIC, STRING, BOOLEAN or COMPLEX`);
  }
}

function readValue(raw: unknown, where: string): PredicateValue<unknown> {
  if (!isObject(raw)) throw new AlarmRulesError(`${where}: the predicate needs a value {"defaultValue", "dynamicValue"}`);
  return { defaultValue: raw.defaultValue ?? null, dynamicValue: readDynamicValue(raw.dynamicValue, where) };
}

function readDynamicValue(raw: unknown, where: string): DynamicValue | null {
  if (raw === undefined || raw === null) return null;
  if (!isObject(raw)) throw new AlarmRulesError(`${where}: dynamicValue must be an object`);
  return {
    sourceType: oneOf(raw.sourceType, SOURCE_TYPES, `${where}: dynamicValue.sourceType`),
    sourceAttribute: typeof raw.sourceAttribute === 'string' && raw.sourceAttribute ? raw.sourceAttribute : null,
    inherit: raw.inherit === true,
  };
}

function readSpec(raw: unknown, where: string): ConditionSpec {
  // ThingsBoard treats a missing spec as SIMPLE.
  if (raw === undefined || raw === null) return { type: 'SIMPLE' };
  if (!isObject(raw)) throw new AlarmRulesError(`${where}: condition.spec must be an object`);
  switch (raw.type) {
    case 'SIMPLE':
      return { type: 'SIMPLE' };
    case 'DURATION':
      return {
        type: 'DURATION',
        unit: oneOf(raw.unit, TIME_UNITS, `${where}: DURATION unit`),
        predicate: readValue(raw.predicate, `${where} (DURATION)`),
      };
    case 'REPEATING':
      return { type: 'REPEATING', predicate: readValue(raw.predicate, `${where} (REPEATING)`) };
    default:
      throw new AlarmRulesError(`${where}: condition.spec.type ${JSON.stringify(raw.type)} is not SIMPLE, DURATION or REPEATING`);
  }
}

/** Reads a schedule; also used for schedules that come from a dynamic attribute (`where` then names it). */
export function readSchedule(raw: unknown, where: string): AlarmSchedule {
  if (!isObject(raw)) throw new AlarmRulesError(`${where}: schedule must be an object`);
  const dynamicValue = readDynamicValue(raw.dynamicValue, where);
  const timezone = typeof raw.timezone === 'string' && raw.timezone ? raw.timezone : null;
  switch (raw.type) {
    case 'ANY_TIME':
      return { type: 'ANY_TIME', dynamicValue };
    case 'SPECIFIC_TIME':
      return {
        type: 'SPECIFIC_TIME',
        timezone,
        daysOfWeek: Array.isArray(raw.daysOfWeek) ? raw.daysOfWeek.map(Number) : [],
        startsOn: Number(raw.startsOn ?? 0),
        endsOn: Number(raw.endsOn ?? 0),
        dynamicValue,
      };
    case 'CUSTOM':
      return {
        type: 'CUSTOM',
        timezone,
        items: (Array.isArray(raw.items) ? raw.items : []).filter(isObject).map((item) => ({
          enabled: item.enabled === true,
          dayOfWeek: Number(item.dayOfWeek),
          startsOn: Number(item.startsOn ?? 0),
          endsOn: Number(item.endsOn ?? 0),
        })),
        dynamicValue,
      };
    default:
      throw new AlarmRulesError(`${where}: schedule type ${JSON.stringify(raw.type)} is not ANY_TIME, SPECIFIC_TIME or CUSTOM`);
  }
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new AlarmRulesError(`${what} is ${JSON.stringify(value)}; use one of ${allowed.join(', ')}`);
}
