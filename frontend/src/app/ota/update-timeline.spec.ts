import { describe, expect, it } from 'vitest';
import type { TelemetryMessage } from '../core/live-messages';
import { applyUpdateHistory, updateTimeline } from './update-timeline';

const update = (initial: boolean, data: TelemetryMessage['data']) => ({
  initial,
  message: { subscriptionId: 1, errorCode: 0, errorMsg: null, data },
});
const points = (...values: string[]) => values.map((value, i) => ({ ts: 1000 * (i + 1), value }));

describe('updateTimeline', () => {
  it('marks the steps reached with their time, the newest as current, the rest as pending', () => {
    const steps = updateTimeline({ states: points('QUEUED', 'INITIATED', 'DOWNLOADING'), errors: [] });
    expect(steps.map((s) => [s.state, s.kind, s.ts])).toEqual([
      ['QUEUED', 'done', 1000],
      ['INITIATED', 'done', 2000],
      ['DOWNLOADING', 'current', 3000],
      ['DOWNLOADED', 'pending', null],
      ['VERIFIED', 'pending', null],
      ['UPDATING', 'pending', null],
      ['UPDATED', 'pending', null],
    ]);
  });

  it('shows UPDATED as done, all steps reached', () => {
    const steps = updateTimeline({
      states: points(...['QUEUED', 'INITIATED', 'DOWNLOADING', 'DOWNLOADED', 'VERIFIED', 'UPDATING', 'UPDATED']),
      errors: [],
    });
    expect(steps.every((s) => s.kind === 'done')).toBe(true);
  });

  it('ends a failed update with the device’s reason, leaving out the steps it never reached', () => {
    const states = points('QUEUED', 'INITIATED', 'DOWNLOADING', 'FAILED');
    const steps = updateTimeline({ states, errors: [{ ts: 4000, value: 'Checksum mismatch' }] });
    expect(steps.map((s) => s.state)).toEqual(['QUEUED', 'INITIATED', 'DOWNLOADING', 'FAILED']);
    expect(steps.at(-1)).toEqual({ state: 'FAILED', ts: 4000, kind: 'failed', reason: 'Checksum mismatch' });
  });

  it('says so when a failure came without a reason, ignoring errors of an earlier update', () => {
    const states = [...points('QUEUED', 'FAILED'), { ts: 5000, value: 'QUEUED' }, { ts: 6000, value: 'FAILED' }];
    const steps = updateTimeline({ states, errors: [{ ts: 2000, value: 'old failure' }] });
    expect(steps.map((s) => s.state)).toEqual(['QUEUED', 'FAILED']);
    expect(steps.at(-1)?.reason).toBe('The device reported no reason.');
  });

  it('follows only the latest update when the device was given another package', () => {
    const states = [...points('QUEUED', 'INITIATED', 'UPDATED'), { ts: 9000, value: 'QUEUED' }];
    expect(updateTimeline({ states, errors: [] }).map((s) => s.kind)).toEqual(['current', ...Array(6).fill('pending')]);
  });
});

describe('applyUpdateHistory', () => {
  it('starts from the history, then adds new points in time order, without duplicates', () => {
    const apply = applyUpdateHistory('FIRMWARE');
    let history = apply(
      undefined,
      update(true, {
        fw_state: [
          [2000, 'INITIATED'],
          [1000, 'QUEUED'],
        ],
      }),
    );
    history = apply(history, update(false, { fw_state: [[3000, 'DOWNLOADING']], fw_error: [[3000, 'none']] }));
    history = apply(history, update(false, { fw_state: [[3000, 'DOWNLOADING']] }));
    expect(history.states.map((p) => p.value)).toEqual(['QUEUED', 'INITIATED', 'DOWNLOADING']);
    expect(history.errors).toEqual([{ ts: 3000, value: 'none' }]);
    // A resubscription's first update is the whole history again.
    expect(apply(history, update(true, { fw_state: [[1000, 'QUEUED']] })).states).toHaveLength(1);
  });

  it('reads the software keys for software updates', () => {
    const history = applyUpdateHistory('SOFTWARE')(undefined, update(true, { sw_state: [[1, 'QUEUED']], fw_state: [[1, 'UPDATED']] }));
    expect(history.states).toEqual([{ ts: 1, value: 'QUEUED' }]);
  });
});
