import { describe, expect, it, vi } from 'vitest';
import { ThrottledLog } from './throttled-log';
import type { PluginLogger } from './transport';

describe('ThrottledLog', () => {
  it('logs each kind once per interval, then says how many it left out', () => {
    vi.useFakeTimers();
    try {
      const lines: [string, Record<string, unknown> | undefined][] = [];
      const record = (message: string, fields?: Record<string, unknown>) => void lines.push([message, fields]);
      const logger: PluginLogger = { debug: record, info: record, warn: record, error: record };
      const log = new ThrottledLog(logger, 1_000);
      for (let i = 0; i < 5; i++) log.warn('bad-payload', 'bad payload', { i });
      log.error('core-down', 'core down');
      vi.advanceTimersByTime(1_000);
      log.warn('bad-payload', 'bad payload', { i: 5 });
      expect(lines).toEqual([
        ['bad payload', { i: 0 }],
        ['core down', undefined],
        ['bad payload', { i: 5, suppressedSinceLast: 4 }],
      ]);
    } finally {
      vi.useRealTimers();
    }
  });
});
