import type { AlarmsApi, EntityId } from '@edgewise/plugin-api';
import type { AlarmOutcome, Trigger } from './alarm-state';
import { AlarmState } from './alarm-state';
import { DataSnapshot, keyId, SnapshotUpdate } from './data-snapshot';
import type { KeyValue } from './key-value';
import type { OwnerAttributes } from './predicates';
import type { ProfileRules } from './profile-rules';

/** Values that arrived together: one timestamp of a telemetry message, or the attributes of one message. */
export interface ValueBatch {
  ts: number;
  values: readonly (readonly [key: string, value: KeyValue])[];
}

/** What evaluation needs from outside: the alarm service and the owners' attributes fetched for this message. */
export interface AlarmIo {
  alarms: AlarmsApi;
  owners: OwnerAttributes;
}

/** Prepares the AlarmIo; called only when some rule is about to be evaluated (it may read attributes). */
export type AlarmIoSource = () => Promise<AlarmIo>;

/**
 * Everything the alarm rules know about one device (ThingsBoard's DeviceState): the current values of the
 * keys the rules use, and one AlarmState per alarm definition of its profile. Kept in memory only.
 */
export class DeviceAlarmState {
  private snapshot: DataSnapshot;
  private readonly alarmStates = new Map<string, AlarmState>();

  constructor(
    private readonly device: EntityId,
    private rules: ProfileRules,
  ) {
    this.snapshot = new DataSnapshot(rules.trackedKeys);
    for (const alarm of rules.alarms) this.alarmStates.set(alarm.id, new AlarmState(alarm, rules, device));
  }

  get profileRules(): ProfileRules {
    return this.rules;
  }

  /** Seeds a value fetched from storage (latest telemetry, attributes, entity fields) without evaluating. */
  seed(key: Parameters<DataSnapshot['put']>[0], ts: number, value: KeyValue): void {
    this.snapshot.put(key, ts, value);
  }

  /** Telemetry, one timestamp after the other (oldest first). */
  async onTelemetry(batches: readonly ValueBatch[], io: AlarmIoSource): Promise<AlarmOutcome[]> {
    const outcomes: AlarmOutcome[] = [];
    for (const batch of [...batches].sort((a, b) => a.ts - b.ts)) {
      outcomes.push(...(await this.onValues('TIME_SERIES', batch, io)));
    }
    return outcomes;
  }

  onAttributes(batch: ValueBatch, io: AlarmIoSource): Promise<AlarmOutcome[]> {
    return this.onValues('ATTRIBUTE', batch, io);
  }

  async onAttributesDeleted(keys: readonly string[], io: AlarmIoSource): Promise<AlarmOutcome[]> {
    const removed = new Set<string>();
    for (const key of keys) {
      this.snapshot.remove({ type: 'ATTRIBUTE', key });
      removed.add(keyId({ type: 'ATTRIBUTE', key }));
    }
    return this.evaluate({ kind: 'data', update: { type: 'ATTRIBUTE', keys: removed } }, io);
  }

  /** The periodic check: DURATION conditions that have held long enough raise without new data. */
  harvest(now: number, io: AlarmIoSource): Promise<AlarmOutcome[]> {
    return this.evaluate({ kind: 'time', ts: now }, io);
  }

  alarmCleared(alarmId: string): void {
    for (const state of this.alarmStates.values()) state.alarmCleared(alarmId);
  }

  alarmAcknowledged(alarm: { id: string; acknowledged: boolean; ackTs: number }): void {
    for (const state of this.alarmStates.values()) state.alarmAcknowledged(alarm);
  }

  /** A deleted alarm: its definition starts afresh (and looks up the active alarm again). */
  alarmDeleted(alarmId: string): void {
    for (const [id, state] of this.alarmStates) {
      if (state.holds(alarmId))
        this.alarmStates.set(
          id,
          new AlarmState(
            this.rules.alarms.find((a) => a.id === id)!,
            this.rules,
            this.device,
          ),
        );
    }
  }

  /**
   * The profile's rules changed: definitions that remain keep their active alarm, new ones start empty.
   * Returns the keys the new rules track that the old ones did not (the caller fetches their values).
   */
  setRules(rules: ProfileRules): string[] {
    const added = [...rules.trackedKeys].filter((id) => !this.rules.trackedKeys.has(id));
    const previous = this.snapshot;
    this.snapshot = new DataSnapshot(rules.trackedKeys);
    this.snapshot.ts = previous.ts;
    for (const key of rules.keys.values()) {
      const value = previous.get(key);
      if (value) this.snapshot.put(key, previous.ts, value);
    }
    const states = new Map<string, AlarmState>();
    for (const alarm of rules.alarms) {
      const state = this.alarmStates.get(alarm.id);
      if (state) state.setDefinition(alarm, rules);
      states.set(alarm.id, state ?? new AlarmState(alarm, rules, this.device));
    }
    this.alarmStates.clear();
    for (const [id, state] of states) this.alarmStates.set(id, state);
    this.rules = rules;
    return added;
  }

  private async onValues(type: SnapshotUpdate['type'], batch: ValueBatch, io: AlarmIoSource): Promise<AlarmOutcome[]> {
    const changed = new Set<string>();
    for (const [key, value] of batch.values) {
      if (this.snapshot.put({ type, key }, batch.ts, value)) changed.add(keyId({ type, key }));
    }
    this.snapshot.ts = batch.ts;
    // Values no rule uses wake no rule.
    if (!changed.size) return [];
    return this.evaluate({ kind: 'data', update: { type, keys: changed } }, io);
  }

  private async evaluate(trigger: Trigger, io: AlarmIoSource): Promise<AlarmOutcome[]> {
    if (!this.alarmStates.size) return [];
    const { alarms, owners } = await io();
    const ctx = { snapshot: this.snapshot, owners };
    const outcomes: AlarmOutcome[] = [];
    for (const state of this.alarmStates.values()) {
      const outcome = await state.process(trigger, ctx, alarms);
      if (outcome) outcomes.push(outcome);
    }
    return outcomes;
  }
}
