import type { AttributeScope } from '../telemetry/kv-entry';
import type { Notice, NoticeListener } from './notices';
import type { SubscriptionRegistry } from './subscription-registry';
import { telemetryUpdate, TsPair } from './ws-protocol';
import type { Subscription, WsSession } from './ws-session';

export interface TelemetrySubscriptionOptions {
  kind: 'timeseries' | 'attributes';
  /** Only these keys; undefined: every key. */
  keys?: readonly string[];
  /** Attributes of this scope only; undefined: any scope. */
  scope?: AttributeScope;
  /** `LATEST_TELEMETRY` subscriptions skip points older than the newest one sent for their key. */
  latestOnly: boolean;
}

/**
 * A legacy `tsSubCmds`/`attrSubCmds` subscription (ThingsBoard's TbTimeSeriesSubscription and
 * TbAttributeSubscription): its first message carries the current state, later ones what changed.
 *
 * It listens before the current state is read, so nothing saved in between is lost: notices that arrive
 * meanwhile wait, and once the state is sent they are replayed without the points the state already held.
 */
export class TelemetrySubscription implements NoticeListener, Subscription {
  private readonly keys?: ReadonlySet<string>;
  /** Per key, the ts of the newest value sent. */
  private readonly sentTs = new Map<string, number>();
  private waiting: Notice[] | undefined = [];
  private cancelled = false;

  constructor(
    private readonly session: WsSession,
    private readonly cmdId: number,
    readonly entityId: string,
    private readonly options: TelemetrySubscriptionOptions,
    private readonly registry: SubscriptionRegistry,
  ) {
    this.keys = options.keys && new Set(options.keys);
  }

  /** Starts listening; call before reading the current state. */
  listen(): void {
    this.registry.add(this.entityId, this);
  }

  /** Sends the current state, then whatever changed while it was read (unless cancelled meanwhile). */
  start(state: ReadonlyMap<string, readonly TsPair[]>): void {
    if (this.cancelled) return;
    this.session.send(telemetryUpdate(this.cmdId, state));
    for (const [key, pairs] of state) for (const [ts] of pairs) this.sentTs.set(key, Math.max(ts, this.sentTs.get(key) ?? ts));
    const waiting = this.waiting ?? [];
    this.waiting = undefined;
    if (waiting.length) this.send(waiting, true);
  }

  onNotices(notices: readonly Notice[]): void {
    if (this.waiting) this.waiting.push(...notices);
    else this.send(notices, false);
  }

  cancel(): void {
    this.cancelled = true;
    this.waiting = undefined;
    this.registry.remove(this.entityId, this);
  }

  private send(notices: readonly Notice[], replay: boolean): void {
    const data = new Map<string, TsPair[]>();
    for (const notice of notices) {
      if (notice.kind !== this.options.kind) continue;
      if (notice.kind === 'attributes' && this.options.scope && notice.scope !== this.options.scope) continue;
      for (const [key, ts, value] of notice.entries) {
        if (this.keys && !this.keys.has(key)) continue;
        const sent = this.sentTs.get(key);
        const deleted = ts === 0 && value === '';
        if (sent !== undefined && !deleted && ((replay && ts <= sent) || (this.options.latestOnly && ts < sent))) continue;
        let pairs = data.get(key);
        if (!pairs) data.set(key, (pairs = []));
        pairs.push([ts, value]);
      }
    }
    if (data.size === 0) return;
    for (const [key, pairs] of data) this.sentTs.set(key, Math.max(...pairs.map(([ts]) => ts), this.sentTs.get(key) ?? 0));
    this.session.send(telemetryUpdate(this.cmdId, data));
  }
}
