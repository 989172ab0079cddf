import type { AlarmsApi, AlarmView, EntityId } from '@edgewise/plugin-api';
import type { SnapshotUpdate } from './data-snapshot';
import { asText } from './key-value';
import type { EvalContext } from './predicates';
import type { DeviceProfileAlarm } from './profile-alarms';
import { SEVERITIES } from './profile-alarms';
import type { ProfileRules } from './profile-rules';
import { RuleState } from './rule-state';

export type AlarmRelation = 'Alarm Created' | 'Alarm Updated' | 'Alarm Severity Updated' | 'Alarm Cleared';

/** What a rule did to an alarm, for the node to announce on `relation`. */
export interface AlarmOutcome {
  relation: AlarmRelation;
  alarm: AlarmView;
  /** `isNewAlarm`, `isExistingAlarm`, `isSeverityUpdated` or `isClearedAlarm`, and the condition's progress. */
  metadata: Record<string, string>;
}

/** When the evaluation happens: on new data (the message's snapshot time), or at a time with no new data. */
export type Trigger = { kind: 'data'; update: SnapshotUpdate } | { kind: 'time'; ts: number };

const rank = (severity: string) => SEVERITIES.indexOf(severity as (typeof SEVERITIES)[number]);

/**
 * One alarm definition of a profile, for one device (ThingsBoard's AlarmState): evaluates the create rules
 * from the highest severity down — the first that fires raises or updates the alarm — and, while an alarm is
 * active and no create rule fires, the clear rule. Remembers the device's active alarm of this type.
 */
export class AlarmState {
  private createRules: RuleState[] = [];
  private clearRule: RuleState | null = null;
  private current: AlarmView | null = null;
  private currentFetched = false;

  constructor(
    private definition: DeviceProfileAlarm,
    rules: ProfileRules,
    private readonly originator: EntityId,
  ) {
    this.setDefinition(definition, rules);
  }

  get id(): string {
    return this.definition.id;
  }

  /** A changed profile: new rules (their progress starts over), the same active alarm. */
  setDefinition(definition: DeviceProfileAlarm, rules: ProfileRules): void {
    this.definition = definition;
    this.createRules = definition.createRules.map(({ severity, rule }) => new RuleState(rule, severity, rules.keysOf(rule)));
    this.clearRule = definition.clearRule ? new RuleState(definition.clearRule, null, rules.keysOf(definition.clearRule)) : null;
  }

  async process(trigger: Trigger, ctx: EvalContext, alarms: AlarmsApi): Promise<AlarmOutcome | undefined> {
    if (!this.currentFetched) {
      this.current = await alarms.findActive(this.originator, this.definition.alarmType);
      this.currentFetched = true;
    }
    const update = trigger.kind === 'data' ? trigger.update : undefined;
    const evaluate = (state: RuleState) => (trigger.kind === 'data' ? state.eval(ctx) : state.evalAt(trigger.ts, ctx));
    let fired: RuleState | undefined;
    for (const state of this.createRules) {
      if (!state.concerns(update)) continue;
      const result = evaluate(state);
      if (result === 'TRUE') {
        fired = state;
        break;
      }
      if (result === 'FALSE') state.reset();
    }
    if (fired) {
      const outcome = await this.raise(fired, ctx, alarms);
      this.clearRule?.reset();
      return outcome;
    }
    if (!this.current || !this.clearRule || !this.clearRule.concerns(update)) return undefined;
    const result = evaluate(this.clearRule);
    if (result === 'FALSE') this.clearRule.reset();
    if (result !== 'TRUE') return undefined;
    const clearRule = this.clearRule;
    clearRule.reset();
    this.createRules.forEach((state) => state.reset());
    const details = this.details(clearRule, ctx);
    this.current = null;
    const cleared = await alarms.clear(this.originator, this.definition.alarmType, { details });
    return cleared
      ? { relation: 'Alarm Cleared', alarm: cleared.alarm, metadata: { isClearedAlarm: 'true', ...progress(clearRule) } }
      : undefined;
  }

  /** The alarm was cleared elsewhere (a user, another node): forget it and start the create rules over. */
  alarmCleared(alarmId: string): void {
    if (this.current?.id !== alarmId) return;
    this.current = null;
    this.createRules.forEach((state) => state.reset());
  }

  alarmAcknowledged(alarm: Pick<AlarmView, 'id' | 'acknowledged' | 'ackTs'>): void {
    if (this.current?.id === alarm.id) this.current = { ...this.current, acknowledged: alarm.acknowledged, ackTs: alarm.ackTs };
  }

  holds(alarmId: string): boolean {
    return this.current?.id === alarmId;
  }

  private async raise(fired: RuleState, ctx: EvalContext, alarms: AlarmsApi): Promise<AlarmOutcome | undefined> {
    const severity = fired.severity!;
    const now = Date.now();
    const current = this.current;
    // As in ThingsBoard, an active alarm never goes down in severity: a lower rule firing leaves it as it is.
    if (current && rank(severity) > rank(current.severity)) return undefined;
    const { alarmType, propagate, propagateToOwner, propagateToTenant, propagateRelationTypes } = this.definition;
    const common = { originator: this.originator, type: alarmType, severity, details: this.details(fired, ctx) };
    const propagation = { propagate, propagateToOwner, propagateToTenant, propagateRelationTypes };
    let change;
    if (current) {
      change = await alarms.raise({ ...common, ...propagation, endTs: now });
    } else {
      const startTs = ctx.snapshot.ts > 0 && ctx.snapshot.ts <= now ? ctx.snapshot.ts : now;
      change = await alarms.raise({ ...common, ...propagation, startTs, endTs: startTs });
    }
    this.current = change.alarm;
    const metadata = progress(fired);
    if (change.outcome === 'CREATED')
      return { relation: 'Alarm Created', alarm: change.alarm, metadata: { isNewAlarm: 'true', ...metadata } };
    if (change.previousSeverity) {
      return {
        relation: 'Alarm Severity Updated',
        alarm: change.alarm,
        metadata: { isExistingAlarm: 'true', isSeverityUpdated: 'true', ...metadata },
      };
    }
    return { relation: 'Alarm Updated', alarm: change.alarm, metadata: { isExistingAlarm: 'true', ...metadata } };
  }

  /**
   * The alarm's details (ThingsBoard's createDetails): `{"data": <alarmDetails with ${key} replaced by each
   * condition key's current value>, "dashboardId": …}` when the rule has either; else the active alarm's
   * details, else `{}`.
   */
  private details(state: RuleState, ctx: EvalContext): unknown {
    const { alarmDetails, dashboardId } = state.rule;
    if (!alarmDetails && !dashboardId) return this.current?.details ?? {};
    const details: Record<string, unknown> = {};
    if (alarmDetails) {
      let text = alarmDetails;
      for (const filter of state.rule.condition.condition) {
        const value = ctx.snapshot.get(filter.key);
        if (value) text = text.split(`\${${filter.key.key}}`).join(asText(value));
      }
      details.data = text;
    }
    if (dashboardId) details.dashboardId = dashboardId.id;
    return details;
  }
}

/** ThingsBoard's `alarmConditionRepeats` / `alarmConditionDuration` metadata of a REPEATING / DURATION rule. */
function progress(state: RuleState): Record<string, string> {
  if (state.spec.type === 'REPEATING') return { alarmConditionRepeats: String(state.eventCount) };
  if (state.spec.type === 'DURATION') return { alarmConditionDuration: String(state.duration) };
  return {};
}
