import { keyId } from './data-snapshot';
import type { AlarmRule, ConditionKey, DeviceProfileAlarm, DynamicValue, Predicate } from './profile-alarms';
import { readProfileAlarms } from './profile-alarms';

/** Attribute keys whose SERVER_SCOPE values a profile's dynamic operands read from the device's customer and tenant. */
export interface OwnerKeys {
  customer: ReadonlySet<string>;
  tenant: ReadonlySet<string>;
}

/**
 * A device profile's alarm rules with the keys they depend on (ThingsBoard's ProfileState): which keys the
 * snapshot must hold, which keys wake up each rule, and which owner attributes the dynamic operands need.
 */
export class ProfileRules {
  readonly alarms: DeviceProfileAlarm[];
  /** Every key to keep current, by `keyId`. */
  readonly trackedKeys = new Set<string>();
  /** The keys of each tracked key id, to fetch them. */
  readonly keys = new Map<string, ConditionKey>();
  readonly ownerKeys: OwnerKeys;
  private readonly ruleKeys = new Map<AlarmRule, Set<string>>();

  constructor(profileData: Readonly<Record<string, unknown>>) {
    this.alarms = readProfileAlarms(profileData);
    const customer = new Set<string>();
    const tenant = new Set<string>();
    const track = (key: ConditionKey, ruleKeys?: Set<string>) => {
      const id = keyId(key);
      this.trackedKeys.add(id);
      this.keys.set(id, key);
      ruleKeys?.add(id);
    };
    const dynamic = (value: DynamicValue | null | undefined, ruleKeys?: Set<string>) => {
      if (!value?.sourceAttribute) return;
      track({ type: 'ATTRIBUTE', key: value.sourceAttribute }, ruleKeys);
      // Inheriting operands fall back from the device to its customer, then to the tenant.
      const fromCustomer = value.sourceType === 'CURRENT_CUSTOMER' || (value.sourceType === 'CURRENT_DEVICE' && value.inherit);
      if (fromCustomer) customer.add(value.sourceAttribute);
      if (value.sourceType === 'CURRENT_TENANT' || (fromCustomer && value.inherit)) tenant.add(value.sourceAttribute);
    };
    const predicateValues = (predicate: Predicate, ruleKeys: Set<string>) => {
      if (predicate.type === 'COMPLEX') predicate.predicates.forEach((p) => predicateValues(p, ruleKeys));
      // As in ThingsBoard, CURRENT_USER operands of predicates read nothing (there is no user in the rule engine).
      else if (predicate.value.dynamicValue?.sourceType !== 'CURRENT_USER') dynamic(predicate.value.dynamicValue, ruleKeys);
    };
    for (const alarm of this.alarms) {
      for (const rule of [...alarm.createRules.map((r) => r.rule), ...(alarm.clearRule ? [alarm.clearRule] : [])]) {
        const ruleKeys = new Set<string>();
        this.ruleKeys.set(rule, ruleKeys);
        for (const filter of rule.condition.condition) {
          track(filter.key, ruleKeys);
          predicateValues(filter.predicate, ruleKeys);
        }
        const spec = rule.condition.spec;
        if (spec.type !== 'SIMPLE') dynamic(spec.predicate.dynamicValue);
        dynamic(rule.schedule?.dynamicValue);
      }
    }
    this.ownerKeys = { customer, tenant };
  }

  /** The keys whose change makes a rule worth evaluating. */
  keysOf(rule: AlarmRule): ReadonlySet<string> {
    return this.ruleKeys.get(rule) ?? new Set();
  }

  /** Keys to fetch when a device is first seen, by kind. */
  keysOfType(type: ConditionKey['type']): string[] {
    return [...this.keys.values()].filter((k) => k.type === type).map((k) => k.key);
  }
}
