import { Logger } from '@nestjs/common';
import type { Notice, NoticeListener } from './notices';
import type { SubscriptionRegistry } from './subscription-registry';
import { cmdUpdate } from './ws-protocol';
import type { Subscription, WsSession } from './ws-session';

/** Re-running a query more often than this protects the database from a storm of changes (e.g. alarms raised per message). */
const MIN_GAP_MS = 250;

/**
 * A query result kept current by running the query again: when a notice for one of its keys arrives and,
 * optionally, every `periodMs` (to notice what no event announces, such as devices created on another node).
 * At most one run is in flight; triggers during a run cause exactly one more run after it.
 */
export class LiveQuery implements NoticeListener, Subscription {
  private static readonly logger = new Logger('WebSocket');
  private running = false;
  private again = false;
  private stopped = false;
  private lastRun = 0;
  private timer?: NodeJS.Timeout;
  private readonly keys: string[] = [];

  constructor(
    private readonly registry: SubscriptionRegistry,
    private readonly run: () => Promise<void>,
  ) {}

  /** Also run again whenever a notice for `key` arrives. */
  listenTo(key: string): this {
    if (this.stopped) return this;
    this.keys.push(key);
    this.registry.add(key, this);
    return this;
  }

  every(periodMs: number): this {
    if (this.stopped) return this;
    this.timer = setInterval(() => this.trigger(), periodMs);
    this.timer.unref();
    return this;
  }

  onNotices(_notices: readonly Notice[]): void {
    this.trigger();
  }

  /** Runs the query now, for the first answer: its errors go to the caller. */
  async runNow(): Promise<void> {
    this.running = true;
    try {
      await this.run();
    } finally {
      this.afterRun();
    }
  }

  trigger(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    const wait = Math.max(0, this.lastRun + MIN_GAP_MS - Date.now());
    setTimeout(() => void this.runOnce(), wait).unref();
  }

  cancel(): void {
    this.stopped = true;
    clearInterval(this.timer);
    for (const key of this.keys) this.registry.remove(key, this);
  }

  private async runOnce(): Promise<void> {
    if (!this.stopped) {
      try {
        await this.run();
      } catch (e) {
        LiveQuery.logger.warn({ msg: 'refreshing a live WebSocket query failed; the next change or period tries again', err: e });
      }
    }
    this.afterRun();
  }

  private afterRun(): void {
    this.lastRun = Date.now();
    this.running = false;
    if (this.again) {
      this.again = false;
      this.trigger();
    }
  }
}

/** A live count for command `cmdId`: sends `count()` as a `type` update at first and whenever it changed. */
export function liveCount(
  registry: SubscriptionRegistry,
  session: WsSession,
  cmdId: number,
  type: 'COUNT_DATA' | 'ALARM_COUNT_DATA',
  count: () => Promise<number>,
): LiveQuery {
  let sent: number | undefined;
  return new LiveQuery(registry, async () => {
    const current = await count();
    if (current !== sent) session.send(cmdUpdate(cmdId, type, { count: current }));
    sent = current;
  });
}
