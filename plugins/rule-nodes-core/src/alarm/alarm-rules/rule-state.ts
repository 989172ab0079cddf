import type { AlarmSeverity } from '@edgewise/plugin-api';
import type { SnapshotUpdate } from './data-snapshot';
import { asLong } from './key-value';
import type { EvalContext } from './predicates';
import { conditionHolds, resolveDynamicValue } from './predicates';
import type { AlarmRule, ConditionSpec, PredicateValue, TimeUnit } from './profile-alarms';
import { AlarmRulesError } from './profile-alarms';
import { scheduleActive } from './schedule';

/** TRUE: the rule fires; FALSE: it does not hold (counters restart); NOT_YET_TRUE: holding, not long or often enough yet. */
export type EvalResult = 'TRUE' | 'FALSE' | 'NOT_YET_TRUE';

const UNIT_MS: Record<TimeUnit, number> = {
  NANOSECONDS: 1e-6,
  MICROSECONDS: 1e-3,
  MILLISECONDS: 1,
  SECONDS: 1000,
  MINUTES: 60_000,
  HOURS: 3_600_000,
  DAYS: 86_400_000,
};

/**
 * One create rule (with its severity) or the clear rule of an alarm, with the progress of its condition
 * (ThingsBoard's AlarmRuleState): consecutive matching events for REPEATING, time held for DURATION. The
 * progress lives in memory only: a restart starts counting again.
 */
export class RuleState {
  eventCount = 0;
  lastEventTs = 0;
  /** Milliseconds the condition has held, measured between the timestamps of matching events. */
  duration = 0;
  readonly spec: ConditionSpec;

  constructor(
    readonly rule: AlarmRule,
    /** Null for the clear rule. */
    readonly severity: AlarmSeverity | null,
    private readonly keys: ReadonlySet<string>,
  ) {
    this.spec = rule.condition.spec;
  }

  /** False when the update touched none of this rule's keys (then the rule is not evaluated at all). */
  concerns(update: SnapshotUpdate | undefined): boolean {
    if (!update) return true;
    for (const key of update.keys) if (this.keys.has(key)) return true;
    return false;
  }

  /** Evaluates the rule against new data (a message). */
  eval(ctx: EvalContext): EvalResult {
    const { snapshot } = ctx;
    const holds = this.active(ctx, snapshot.ts) && conditionHolds(this.rule.condition.condition, ctx);
    if (!holds) return 'FALSE';
    switch (this.spec.type) {
      case 'SIMPLE':
        return 'TRUE';
      case 'REPEATING':
        this.eventCount++;
        return this.eventCount >= this.requiredRepeats(ctx) ? 'TRUE' : 'NOT_YET_TRUE';
      case 'DURATION':
        if (this.lastEventTs > 0) {
          if (snapshot.ts > this.lastEventTs) {
            this.duration += snapshot.ts - this.lastEventTs;
            this.lastEventTs = snapshot.ts;
          }
        } else {
          this.lastEventTs = snapshot.ts;
          this.duration = 0;
        }
        return this.duration > this.requiredDurationMs(ctx) ? 'TRUE' : 'NOT_YET_TRUE';
    }
  }

  /**
   * Evaluates the rule at a time with no new data (the periodic check): only a DURATION condition that has
   * been holding can become true by time passing alone.
   */
  evalAt(ts: number, ctx: EvalContext): EvalResult {
    if (this.spec.type !== 'DURATION') return 'NOT_YET_TRUE';
    const required = this.requiredDurationMs(ctx);
    if (required <= 0 || this.lastEventTs <= 0 || ts <= this.lastEventTs) return 'FALSE';
    if (!this.active(ctx, ts)) return 'FALSE';
    return this.duration + (ts - this.lastEventTs) > required ? 'TRUE' : 'NOT_YET_TRUE';
  }

  /** Forgets the progress (the condition stopped holding, or an alarm was raised or cleared). */
  reset(): void {
    this.eventCount = 0;
    this.lastEventTs = 0;
    this.duration = 0;
  }

  private active(ctx: EvalContext, ts: number): boolean {
    const schedule = this.rule.schedule;
    return scheduleActive(schedule, ts, schedule ? resolveDynamicValue(schedule.dynamicValue ?? null, ctx) : undefined);
  }

  private requiredRepeats(ctx: EvalContext): number {
    return this.spec.type === 'REPEATING' ? this.specValue(this.spec.predicate, ctx) : 0;
  }

  private requiredDurationMs(ctx: EvalContext): number {
    return this.spec.type === 'DURATION' ? Math.trunc(this.specValue(this.spec.predicate, ctx) * UNIT_MS[this.spec.unit]) : 0;
  }

  /** The number a DURATION or REPEATING spec asks for: a dynamic attribute when set, else the default. */
  private specValue(predicate: PredicateValue<unknown>, ctx: EvalContext): number {
    const fallback = Math.trunc(Number(predicate.defaultValue ?? 0)) || 0;
    const dynamic = predicate.dynamicValue;
    if (!dynamic?.sourceAttribute) return fallback;
    const value = resolveDynamicValue(dynamic, ctx);
    if (!value) return fallback;
    const number = asLong(value);
    if (number === undefined) {
      throw new AlarmRulesError(
        `Could not convert attribute '${dynamic.sourceAttribute}' with value '${String(value.value)}' to numeric value!`,
      );
    }
    return number;
  }
}
