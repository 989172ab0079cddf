import type { PluginLogger } from './transport';

type Level = 'debug' | 'warn' | 'error';

/**
 * Logs each kind of problem at most once per interval, with how many were left out, so a misbehaving
 * fleet (or a core outage seen by every message) produces a line a minute, not a line per message.
 * Shared by the transports (MQTT, CoAP, …): bad input from devices must never flood the log.
 */
export class ThrottledLog {
  private readonly recent = new Map<string, { loggedAt: number; suppressed: number }>();

  constructor(
    private readonly log: PluginLogger,
    private readonly intervalMs = 60_000,
  ) {}

  debug(kind: string, message: string, fields?: Record<string, unknown>): void {
    this.write('debug', kind, message, fields);
  }

  warn(kind: string, message: string, fields?: Record<string, unknown>): void {
    this.write('warn', kind, message, fields);
  }

  error(kind: string, message: string, fields?: Record<string, unknown>): void {
    this.write('error', kind, message, fields);
  }

  private write(level: Level, kind: string, message: string, fields: Record<string, unknown> | undefined): void {
    const now = Date.now();
    const entry = this.recent.get(kind);
    if (entry !== undefined && now - entry.loggedAt < this.intervalMs) {
      entry.suppressed++;
      return;
    }
    const suppressed = entry?.suppressed ?? 0;
    this.recent.set(kind, { loggedAt: now, suppressed: 0 });
    this.log[level](message, suppressed > 0 ? { ...fields, suppressedSinceLast: suppressed } : fields);
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
