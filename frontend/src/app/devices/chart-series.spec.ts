import { describe, expect, it } from 'vitest';
import type { TelemetryMessage } from '../core/live-messages';
import { applySeries, bucketMs } from './chart-series';

const update = (initial: boolean, data: TelemetryMessage['data']) => ({
  initial,
  message: { subscriptionId: 1, errorCode: 0, errorMsg: null, data },
});

describe('chart series', () => {
  it('asks for about one averaged point per 2 px, within the server’s 700 buckets and never below a second', () => {
    expect(bucketMs(3_600_000, 1200)).toBe(6000);
    expect(bucketMs(30 * 86_400_000, 4000)).toBe(Math.ceil((30 * 86_400_000) / 699));
    expect(bucketMs(5 * 60_000, 1200)).toBe(1000);
  });

  it('starts from the history, appends live points in time order, and drops what leaves the window', () => {
    let start = 100;
    const apply = applySeries(() => start);
    let series = apply(
      undefined,
      update(true, {
        t: [
          [300, '3'],
          [200, '2'],
        ],
        label: [[250, 'on']],
      }),
    );
    expect(series.get('t')).toEqual([
      [200, 2],
      [300, 3],
    ]);
    expect(series.get('label')).toEqual([]);

    series = apply(
      series,
      update(false, {
        t: [
          [400, '4'],
          [250, '2.5'],
          [300, '3.5'],
        ],
      }),
    );
    expect(series.get('t')).toEqual([
      [200, 2],
      [250, 2.5],
      [300, 3.5],
      [400, 4],
    ]);

    start = 260;
    series = apply(series, update(false, { t: [[500, '5']] }));
    expect(series.get('t')).toEqual([
      [300, 3.5],
      [400, 4],
      [500, 5],
    ]);

    // After a reconnection, the history read again replaces everything.
    series = apply(series, update(true, { t: [[450, '9']] }));
    expect(series.get('t')).toEqual([[450, 9]]);
  });
});
