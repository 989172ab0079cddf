import type { TsValue } from '../core/api-models';
import { isDeletion, TelemetryMessage } from '../core/live-messages';
import type { SocketUpdate } from '../core/telemetry-socket';
import type { OtaPackageType } from './ota.api';

/** The states of an update in order (device-api.md §1.12.1): the server's two, then what the device reports. */
export const UPDATE_STEPS = ['QUEUED', 'INITIATED', 'DOWNLOADING', 'DOWNLOADED', 'VERIFIED', 'UPDATING', 'UPDATED'] as const;

export interface TimelineStep {
  state: string;
  /** When the device (or the server) reported it; null while it has not been reached. */
  ts: number | null;
  kind: 'done' | 'current' | 'pending' | 'failed';
  /** Why it failed (`fw_error`), for FAILED. */
  reason?: string;
}

/** The state and error history of a device's update: points per key, oldest first. */
export interface UpdateHistory {
  states: readonly TsValue[];
  errors: readonly TsValue[];
}

export const timelineKeys = (type: OtaPackageType) => {
  const prefix = type === 'FIRMWARE' ? 'fw' : 'sw';
  return { state: `${prefix}_state`, error: `${prefix}_error` };
};

const mergePoints = (known: readonly TsValue[], pairs: [number, string | null][]): TsValue[] => {
  const byTs = new Map(known.map((point) => [point.ts, point]));
  for (const pair of pairs) if (!isDeletion(pair)) byTs.set(pair[0], { ts: pair[0], value: pair[1]! });
  return [...byTs.values()].sort((a, b) => a.ts - b.ts);
};

/** Folds the history and then each new point of the state and error keys into the history (the first update is the whole history). */
export function applyUpdateHistory(type: OtaPackageType) {
  const keys = timelineKeys(type);
  return (history: UpdateHistory | undefined, { initial, message }: SocketUpdate<TelemetryMessage>): UpdateHistory => {
    const known = initial || !history ? { states: [], errors: [] } : history;
    return {
      states: mergePoints(known.states, message.data?.[keys.state] ?? []),
      errors: mergePoints(known.errors, message.data?.[keys.error] ?? []),
    };
  };
}

/**
 * The timeline of the latest update (the states since the last QUEUED): each step with the time it was reached,
 * the newest one marked current, the steps still to come pending; a FAILED report ends the timeline with the
 * device's reason (the newest `*_error` up to a second before it — devices send both in one message or error first).
 */
export function updateTimeline({ states, errors }: UpdateHistory): TimelineStep[] {
  const lastQueued = states.findLastIndex((point) => point.value === 'QUEUED');
  const run = states.slice(Math.max(lastQueued, 0));
  const reached = new Map<string, number>();
  for (const point of run) if (!reached.has(point.value)) reached.set(point.value, point.ts);
  const latest = run.at(-1);
  const failed = latest?.value === 'FAILED';
  const latestIndex = UPDATE_STEPS.findIndex((step) => step === latest?.value);
  const steps: TimelineStep[] = [];
  for (const [index, state] of UPDATE_STEPS.entries()) {
    const ts = reached.get(state) ?? null;
    if (failed && ts === null) continue;
    const kind =
      ts === null || (latestIndex >= 0 && index > latestIndex)
        ? 'pending'
        : index === latestIndex && state !== 'UPDATED'
          ? 'current'
          : 'done';
    steps.push({ state, ts: kind === 'pending' ? null : ts, kind });
  }
  if (failed) {
    const reason = errors.findLast((error) => error.ts <= latest.ts + 1000 && error.ts >= (run[0]?.ts ?? 0))?.value;
    steps.push({ state: 'FAILED', ts: latest.ts, kind: 'failed', reason: reason || 'The device reported no reason.' });
  }
  return steps;
}
