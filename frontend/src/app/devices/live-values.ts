import type { TsValue } from '../core/api-models';
import { isDeletion, TelemetryMessage } from '../core/live-messages';
import type { SocketUpdate } from '../core/telemetry-socket';

/** Key → newest value, in key order. */
export type LiveValues = ReadonlyMap<string, TsValue>;

/**
 * Folds telemetry or attribute updates into the newest value per key: the first update after (re)subscribing
 * is the whole state, later ones change keys (a newer point replaces the value, a deletion removes the key).
 */
export function applyLatest(values: LiveValues | undefined, { initial, message }: SocketUpdate<TelemetryMessage>): LiveValues {
  const next = new Map(initial ? [] : (values ?? []));
  for (const [key, pairs] of Object.entries(message.data ?? {})) {
    for (const pair of pairs) {
      if (isDeletion(pair)) next.delete(key);
      else if (pair[0] >= (next.get(key)?.ts ?? -Infinity)) next.set(key, { ts: pair[0], value: pair[1]! });
    }
  }
  return new Map([...next].sort(([a], [b]) => a.localeCompare(b)));
}
