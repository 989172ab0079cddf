import { Logger } from '@nestjs/common';
import { WebSocket } from 'ws';
import type { SecurityUser } from '../auth/security-user';
import { CloseCode, SLOW_CLIENT_REASON, WsCommandError } from './ws-protocol';

/** Which endpoint the client connected to: `/api/ws` (commands with `type`, `authCmd`) or the legacy `/api/ws/plugins/telemetry`. */
export type SessionKind = 'general' | 'telemetry';

/** Something a command started that lives until it is cancelled (a subscription, a live query). */
export interface Subscription {
  cancel(): void;
}

export interface SessionLimits {
  maxSubscriptions: number;
  maxBufferedBytes: number;
}

/** Messages of one client waiting for their turn before the server stops reading from it. */
const MAX_QUEUED_MESSAGES = 100;

/** A close reason may hold at most 123 bytes (RFC 6455 §5.5); longer texts are cut. */
export function closeReason(text: string): string {
  let reason = text;
  while (Buffer.byteLength(reason) > 123) reason = reason.slice(0, -1);
  return reason;
}

/**
 * One client connection: who it is (once authenticated), what it subscribed to (by `cmdId`), and its outgoing
 * side. Commands run one after another in arrival order. A client that reads slower than updates arrive is not
 * allowed to grow the server's memory or hold up anyone else: when more than `maxBufferedBytes` still wait to be
 * sent, the connection is closed with 1008 and ThingsBoard's "Max pending updates limit reached!". Closing, not
 * dropping or merging updates: a timeseries subscription promises every point, and a client that reconnects and
 * resubscribes gets the current state again, whereas silently lost points could never be noticed.
 */
export class WsSession {
  private static readonly logger = new Logger('WebSocket');
  user?: SecurityUser;
  /** When the client last showed it is alive (any message or pong). */
  lastSeen = Date.now();
  private readonly subscriptions = new Map<number, Subscription>();
  private commands: Promise<void> = Promise.resolve();
  private queued = 0;
  private closing = false;

  constructor(
    readonly socket: WebSocket,
    readonly kind: SessionKind,
    private readonly limits: SessionLimits,
  ) {}

  get closed(): boolean {
    return this.closing || this.socket.readyState !== WebSocket.OPEN;
  }

  /**
   * Queues an update. The backlog is checked before, not after, adding to it: one large message (a long history)
   * never closes a client that reads; a backlog that is still there when the next update comes does.
   */
  send(text: string): void {
    if (this.closed) return;
    if (this.socket.bufferedAmount > this.limits.maxBufferedBytes) {
      WsSession.logger.warn({
        msg: `closing the WebSocket session of ${this.user?.email}: it reads too slowly (over WS_MAX_BUFFERED_BYTES=${this.limits.maxBufferedBytes} bytes of updates waiting)`,
      });
      this.close(CloseCode.POLICY_VIOLATION, SLOW_CLIENT_REASON);
      return;
    }
    this.socket.send(text);
  }

  /** Ends everything the session started and sends a close frame; the socket closes when the client answers (or ws gives up). */
  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.cancelAll();
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING)
      this.socket.close(code, closeReason(reason));
  }

  /**
   * Runs `work` after every command that arrived before it. A client that sends faster than its commands run
   * is not read from until it is caught up, so its backlog cannot grow without bound.
   */
  enqueue(work: () => Promise<void>): void {
    if (++this.queued === MAX_QUEUED_MESSAGES) this.socket.pause();
    this.commands = this.commands
      .then(work)
      .catch((e: Error) => WsSession.logger.error({ msg: 'WebSocket command failed', err: e }))
      .finally(() => {
        if (--this.queued === 0) this.socket.resume();
      });
  }

  /** Registers what command `cmdId` started, replacing (and cancelling) what the same `cmdId` started before. */
  addSubscription(cmdId: number, subscription: Subscription): void {
    const previous = this.subscriptions.get(cmdId);
    if (!previous && this.subscriptions.size >= this.limits.maxSubscriptions) {
      throw WsCommandError.badRequest(
        `This connection already holds ${this.limits.maxSubscriptions} subscriptions (WS_MAX_SUBSCRIPTIONS_PER_SESSION): unsubscribe from some before adding more`,
      );
    }
    previous?.cancel();
    this.subscriptions.set(cmdId, subscription);
  }

  /** Registers `subscription` for `cmdId` and sends its first answer; a failed first answer cancels it (the caller reports the error). */
  async startSubscription(cmdId: number, subscription: Subscription, firstAnswer: () => Promise<void>): Promise<void> {
    this.addSubscription(cmdId, subscription);
    try {
      await firstAnswer();
    } catch (e) {
      this.cancel(cmdId, subscription);
      throw e;
    }
  }

  subscription(cmdId: number): Subscription | undefined {
    return this.subscriptions.get(cmdId);
  }

  /** Cancels what `cmdId` started, if it is still this subscription (a newer command may have replaced it). */
  cancel(cmdId: number, only?: Subscription): void {
    const subscription = this.subscriptions.get(cmdId);
    if (!subscription || (only && subscription !== only)) return;
    this.subscriptions.delete(cmdId);
    subscription.cancel();
  }

  cancelAll(): void {
    for (const subscription of this.subscriptions.values()) subscription.cancel();
    this.subscriptions.clear();
  }

  get subscriptionCount(): number {
    return this.subscriptions.size;
  }
}
