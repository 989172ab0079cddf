import type {
  DeviceIdentity,
  DeviceSession,
  ServerRpcRequest,
  SessionCloseReason,
  SessionListener,
  TransportContext,
} from '@edgewise/plugin-api';
import { closedReply, TIMED_OUT, type Reply } from './replies';

/** The servlet container of the reference cuts any async request at 300 000 ms (§0.5), whatever `timeout` says. */
const MAX_WAIT_MS = 300_000;

/** The push a long poll waits for. */
export type AwaitedPush = 'attributeUpdate' | 'serverRpc';

/**
 * One HTTP request's device session (§2.8: every request is its own session). Besides the request's own work,
 * the first of these ends the request: the push it waits for, its timeout, the core closing the session, the
 * transport stopping, or the client going away. Pushes after that are refused, so a server RPC that reaches an
 * answered poll stays pending for the next one.
 */
export class RequestSession implements SessionListener {
  readonly session: DeviceSession;
  /** Settles with the reply of whatever ended the request early; never rejects. */
  readonly interrupted: Promise<Reply>;
  private interrupt!: (reply: Reply) => void;
  private awaitedPush?: AwaitedPush;
  private ended = false;
  private timer?: NodeJS.Timeout;

  constructor(context: TransportContext, device: DeviceIdentity) {
    this.interrupted = new Promise((resolve) => (this.interrupt = resolve));
    this.session = context.openSession(device, this, 'request');
  }

  /** Ends the request with 408 after `ms` (at most 300 000) unless something else ends it first. */
  timeoutAfter(ms: number): void {
    if (this.ended) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.end(TIMED_OUT), Math.min(ms, MAX_WAIT_MS));
  }

  /**
   * 200 with the text `ask` resolves to, unless the request ends first: 408 after `ms`, or whatever else
   * interrupts it. The timer is armed before `ask` runs, so it wins a tie with a timer the core arms (§2.5).
   */
  answerWithin(ms: number, ask: () => Promise<string>): Promise<Reply> {
    this.timeoutAfter(ms);
    return Promise.race([ask().then((text): Reply => ({ status: 200, body: text })), this.interrupted]);
  }

  /** Subscribes the session so the core pushes `push` here; the first one ends the request with 200. */
  awaitPush(push: AwaitedPush): void {
    if (this.ended) return;
    this.awaitedPush = push;
    if (push === 'attributeUpdate') this.session.setAttributeSubscription(true);
    else this.session.setRpcSubscription(true);
  }

  onAttributeUpdate(payload: string): void {
    if (this.awaitedPush === 'attributeUpdate') this.end({ status: 200, body: payload });
  }

  async onServerRpc(request: ServerRpcRequest): Promise<void> {
    if (this.awaitedPush !== 'serverRpc') throw new Error('the HTTP poll that asked for server RPCs has already been answered');
    // §2.4: unlike MQTT, the poll's body carries the request id the device replies to.
    this.end({ status: 200, body: JSON.stringify({ id: request.id, method: request.method, params: request.params }) });
  }

  onClose(reason: SessionCloseReason): void {
    this.end(closedReply(reason));
  }

  /** Ends the request with `reply` unless it has ended already. */
  end(reply: Reply): void {
    if (this.stopWaiting()) this.interrupt(reply);
  }

  /** The request is answered: no more pushes, no timer, the core's session closed. */
  close(): void {
    this.stopWaiting();
    this.session.close();
  }

  /** False when the request had ended already. */
  private stopWaiting(): boolean {
    if (this.ended) return false;
    this.ended = true;
    this.awaitedPush = undefined;
    clearTimeout(this.timer);
    return true;
  }
}
