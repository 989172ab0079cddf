/**
 * Key filters of alarm conditions (ThingsBoard's AlarmRuleState.eval): every filter must hold; a key without
 * a value fails its filter; operands come from a dynamic attribute when it resolves, else the default value.
 */

import type { DataSnapshot } from './data-snapshot';
import { asBoolean, asDouble, asText, KeyValue } from './key-value';
import type { ConditionFilter, DynamicValue, Predicate, PredicateValue } from './profile-alarms';

/** SERVER_SCOPE attributes of the device's customer and tenant, fetched before evaluation. */
export interface OwnerAttributes {
  customer(key: string): KeyValue | undefined;
  tenant(key: string): KeyValue | undefined;
}

/** What a condition is evaluated against. */
export interface EvalContext {
  snapshot: DataSnapshot;
  owners: OwnerAttributes;
}

/**
 * The value of a dynamic operand: the device's attribute (any scope, from the snapshot), then — when the
 * operand inherits — the customer's, then the tenant's SERVER_SCOPE attribute.
 */
export function resolveDynamicValue(value: DynamicValue | null, ctx: EvalContext): KeyValue | undefined {
  const key = value?.sourceAttribute;
  if (!key) return undefined;
  switch (value.sourceType) {
    case 'CURRENT_DEVICE': {
      const own = ctx.snapshot.get({ type: 'ATTRIBUTE', key });
      if (own || !value.inherit) return own;
      const ofCustomer = ctx.owners.customer(key);
      return ofCustomer || !value.inherit ? ofCustomer : ctx.owners.tenant(key);
    }
    case 'CURRENT_CUSTOMER': {
      const ofCustomer = ctx.owners.customer(key);
      return ofCustomer || !value.inherit ? ofCustomer : ctx.owners.tenant(key);
    }
    case 'CURRENT_TENANT':
      return ctx.owners.tenant(key);
    case 'CURRENT_USER':
      return undefined;
  }
}

/** True when every filter of the condition holds. */
export function conditionHolds(filters: readonly ConditionFilter[], ctx: EvalContext): boolean {
  for (const filter of filters) {
    const value = filter.key.type === 'CONSTANT' ? constantValue(filter) : ctx.snapshot.get(filter.key);
    if (!value || !predicateHolds(filter.predicate, value, filter, ctx)) return false;
  }
  return true;
}

/** A CONSTANT key's own value, typed by the filter's valueType; undefined when it does not parse. */
function constantValue(filter: ConditionFilter): KeyValue | undefined {
  if (filter.value === null || filter.value === undefined) return undefined;
  const text = String(filter.value);
  switch (filter.valueType) {
    case 'STRING':
      return { type: 'STRING', value: text };
    case 'DATE_TIME':
    case 'NUMERIC': {
      const number = asDouble({ type: 'STRING', value: text });
      if (number === undefined) return undefined;
      return filter.valueType === 'NUMERIC' ? { type: 'DOUBLE', value: number } : { type: 'LONG', value: Math.trunc(number) };
    }
    case 'BOOLEAN':
      return { type: 'BOOLEAN', value: text.toLowerCase() === 'true' };
    default:
      return undefined;
  }
}

/**
 * The operand: a resolved dynamic value that converts, else the default value — except for CONSTANT keys,
 * which (as in ThingsBoard) only ever compare with a dynamic value.
 */
function operand<T>(value: PredicateValue<unknown>, filter: ConditionFilter, ctx: EvalContext, convert: (kv: KeyValue) => T | undefined) {
  const dynamic = resolveDynamicValue(value.dynamicValue, ctx);
  const converted = dynamic && convert(dynamic);
  if (converted !== undefined) return converted;
  if (filter.key.type === 'CONSTANT') return undefined;
  const fallback = value.defaultValue === null || value.defaultValue === undefined ? undefined : defaultAsKeyValue(value.defaultValue);
  return fallback && convert(fallback);
}

function defaultAsKeyValue(value: unknown): KeyValue | undefined {
  switch (typeof value) {
    case 'number':
      return { type: 'DOUBLE', value };
    case 'boolean':
      return { type: 'BOOLEAN', value };
    case 'string':
      return { type: 'STRING', value };
    default:
      return undefined;
  }
}

function predicateHolds(predicate: Predicate, value: KeyValue, filter: ConditionFilter, ctx: EvalContext): boolean {
  switch (predicate.type) {
    case 'NUMERIC': {
      const actual = asDouble(value);
      const expected = operand(predicate.value, filter, ctx, asDouble);
      if (actual === undefined || expected === undefined) return false;
      switch (predicate.operation) {
        case 'EQUAL':
          return actual === expected;
        case 'NOT_EQUAL':
          return actual !== expected;
        case 'GREATER':
          return actual > expected;
        case 'GREATER_OR_EQUAL':
          return actual >= expected;
        case 'LESS':
          return actual < expected;
        case 'LESS_OR_EQUAL':
          return actual <= expected;
      }
      break;
    }
    case 'STRING': {
      let actual = asText(value);
      let expected = operand(predicate.value, filter, ctx, asText);
      if (expected === undefined) return false;
      if (predicate.ignoreCase) [actual, expected] = [actual.toLowerCase(), expected.toLowerCase()];
      switch (predicate.operation) {
        case 'EQUAL':
          return actual === expected;
        case 'NOT_EQUAL':
          return actual !== expected;
        case 'STARTS_WITH':
          return actual.startsWith(expected);
        case 'ENDS_WITH':
          return actual.endsWith(expected);
        case 'CONTAINS':
          return actual.includes(expected);
        case 'NOT_CONTAINS':
          return !actual.includes(expected);
        case 'IN':
          return splitList(expected).includes(actual);
        case 'NOT_IN':
          return !splitList(expected).includes(actual);
      }
      break;
    }
    case 'BOOLEAN': {
      const expected = operand(predicate.value, filter, ctx, asBoolean);
      if (expected === undefined) return false;
      return predicate.operation === 'EQUAL' ? asBoolean(value) === expected : asBoolean(value) !== expected;
    }
    case 'COMPLEX':
      return predicate.operation === 'AND'
        ? predicate.predicates.every((p) => predicateHolds(p, value, filter, ctx))
        : predicate.predicates.some((p) => predicateHolds(p, value, filter, ctx));
  }
}

/**
 * The list of an IN / NOT_IN operand (ThingsBoard's splitByCommaWithoutQuotes): comma-separated, blanks
 * around commas dropped; when every item is quoted with the same kind of quote, the quotes are removed.
 */
export function splitList(text: string): string[] {
  const items = text.trim().split(/\s*,\s*/);
  const quote = items[0]?.[0];
  const allQuoted =
    (quote === "'" || quote === '"') && items.every((item) => item.length >= 2 && item[0] === quote && item.at(-1) === quote);
  return allQuoted ? items.map((item) => item.slice(1, -1)) : items;
}
