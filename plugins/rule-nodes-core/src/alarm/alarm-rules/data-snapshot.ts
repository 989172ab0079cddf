import type { KeyValue } from './key-value';
import { sameValue } from './key-value';
import type { ConditionKey, KeyType } from './profile-alarms';

/** `TYPE:name`, how keys are compared (a TIME_SERIES and an ATTRIBUTE key of the same name are different keys). */
export const keyId = (key: ConditionKey): string => `${key.type}:${key.key}`;

/** Which keys one message (or one timestamp of it) changed; rules that use none of them are not evaluated. */
export interface SnapshotUpdate {
  type: Extract<KeyType, 'TIME_SERIES' | 'ATTRIBUTE'>;
  keys: ReadonlySet<string>;
}

/**
 * The current value of every key a device's alarm rules use (ThingsBoard's DataSnapshot): latest telemetry,
 * attributes of any scope, entity fields. Only those keys are kept; `ts` is the time of the latest change.
 */
export class DataSnapshot {
  ts = 0;
  private readonly values = new Map<string, KeyValue>();

  constructor(private readonly tracked: ReadonlySet<string>) {}

  /**
   * Records a value; true when rules should look again: the key is tracked and either the value differs or
   * it arrived at a new timestamp (ThingsBoard re-evaluates a repeated value sent at a later time).
   */
  put(key: ConditionKey, ts: number, value: KeyValue): boolean {
    const id = keyId(key);
    if (!this.tracked.has(id)) return false;
    const previous = this.values.get(id);
    this.values.set(id, value);
    return this.ts !== ts || !sameValue(previous, value);
  }

  get(key: ConditionKey): KeyValue | undefined {
    return this.values.get(keyId(key));
  }

  remove(key: ConditionKey): void {
    this.values.delete(keyId(key));
  }
}
