import { DestroyRef, effect, inject, Injectable, InjectionToken, signal } from '@angular/core';
import { Observable } from 'rxjs';
import { AuthService } from '../auth/auth.service';

/** A command of the WebSocket API's current wrapper (device-api.md §9.2), without its `cmdId`. */
export interface SocketCommand {
  type: 'TIMESERIES' | 'ATTRIBUTES' | 'TIMESERIES_HISTORY' | 'ENTITY_DATA' | 'ENTITY_COUNT' | 'ALARM_DATA' | 'ALARM_COUNT';
  [member: string]: unknown;
}

/** Any update the server sends: legacy ones name their command `subscriptionId`, newer ones `cmdId`. */
export interface SocketMessage {
  subscriptionId?: number;
  cmdId?: number;
  errorCode: number;
  errorMsg: string | null;
  [member: string]: unknown;
}

/** An update for one subscription; `initial` marks the first one after (re)subscribing, which carries the whole current state. */
export interface SocketUpdate<T extends SocketMessage = SocketMessage> {
  initial: boolean;
  message: T;
}

export type SocketState = 'idle' | 'connecting' | 'open' | 'reconnecting';

/** The server refused a command (bad request, no permission): the subscription is over. */
export class SocketCommandError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export const WEB_SOCKET_FACTORY = new InjectionToken<(url: string) => WebSocket>('WEB_SOCKET_FACTORY', {
  providedIn: 'root',
  factory: () => (url: string) => new WebSocket(url),
});

/** Reconnect delays grow from 1 s to 30 s; a little randomness keeps many open admins from reconnecting in lockstep. */
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;
/** Keep an unused connection this long: moving between pages re-subscribes without reconnecting. */
const IDLE_CLOSE_MS = 10_000;
/** Close codes after which the token may be the problem (ThingsBoard: 1007/1011 bad token, 1008 no auth). */
const AUTH_CLOSE_CODES = new Set([1007, 1008, 1011]);
/** WebSocket.OPEN, without needing the global (tests give their own socket). */
const OPEN = 1;

const UNSUBSCRIBE_TYPE: Partial<Record<SocketCommand['type'], string>> = {
  ENTITY_DATA: 'ENTITY_DATA_UNSUBSCRIBE',
  ENTITY_COUNT: 'ENTITY_COUNT_UNSUBSCRIBE',
  ALARM_DATA: 'ALARM_DATA_UNSUBSCRIBE',
  ALARM_COUNT: 'ALARM_COUNT_UNSUBSCRIBE',
};

interface Subscriber {
  /** Builds the command each time it is sent, so a resubscription asks for "the last hour" as of now. */
  command: () => SocketCommand;
  awaitingFirst: boolean;
  next: (update: SocketUpdate) => void;
  fail: (error: Error) => void;
  complete: () => void;
}

/**
 * The one WebSocket connection of the admin to `/api/ws` (authenticated with `authCmd`, so the token never
 * lands in a URL or a proxy log). Pages subscribe with `subscribe()`; the connection opens with the first
 * subscription, closes a while after the last one ends, and when it drops it is reopened with growing delays
 * and every live subscription is sent again — the first update after that carries the whole current state.
 */
@Injectable({ providedIn: 'root' })
export class TelemetrySocket {
  private readonly auth = inject(AuthService);
  private readonly createSocket = inject(WEB_SOCKET_FACTORY);
  private readonly subscribers = new Map<number, Subscriber>();
  private socket?: WebSocket;
  private connecting = false;
  private nextCmdId = 1;
  private failedAttempts = 0;
  private retryTimer?: ReturnType<typeof setTimeout>;
  private idleTimer?: ReturnType<typeof setTimeout>;

  readonly state = signal<SocketState>('idle');

  constructor() {
    const reconnectNow = () => this.retrySoon(0);
    globalThis.addEventListener?.('online', reconnectNow);
    inject(DestroyRef).onDestroy(() => {
      globalThis.removeEventListener?.('online', reconnectNow);
      this.shutDown();
    });
    // Logging out ends every subscription's connection with it.
    effect(() => {
      if (!this.auth.user()) this.shutDown();
    });
  }

  /**
   * Follows one command: emits its updates until unsubscribed. A one-shot command (TIMESERIES_HISTORY)
   * completes after its answer; a refused command errors with SocketCommandError.
   */
  subscribe<T extends SocketMessage = SocketMessage>(command: () => SocketCommand): Observable<SocketUpdate<T>> {
    return new Observable<SocketUpdate<T>>((observer) => {
      const cmdId = this.nextCmdId++;
      const subscriber: Subscriber = {
        command,
        awaitingFirst: true,
        next: (update) => observer.next(update as SocketUpdate<T>),
        fail: (error) => observer.error(error),
        complete: () => observer.complete(),
      };
      this.subscribers.set(cmdId, subscriber);
      clearTimeout(this.idleTimer);
      if (this.socket?.readyState === OPEN) this.send({ cmds: [{ ...command(), cmdId }] });
      else if (this.retryTimer === undefined) void this.connect();
      return () => this.drop(cmdId);
    });
  }

  private drop(cmdId: number): void {
    const subscriber = this.subscribers.get(cmdId);
    if (!subscriber) return;
    this.subscribers.delete(cmdId);
    const command = subscriber.command();
    const unsubscribe =
      command.type === 'TIMESERIES' || command.type === 'ATTRIBUTES'
        ? { ...command, cmdId, unsubscribe: true }
        : UNSUBSCRIBE_TYPE[command.type] && { type: UNSUBSCRIBE_TYPE[command.type], cmdId };
    if (unsubscribe && this.socket?.readyState === OPEN) this.send({ cmds: [unsubscribe] });
    if (this.subscribers.size === 0) {
      clearTimeout(this.idleTimer);
      this.idleTimer = setTimeout(() => {
        if (this.subscribers.size === 0) this.shutDown();
      }, IDLE_CLOSE_MS);
    }
  }

  private async connect(): Promise<void> {
    if (this.socket || this.connecting || this.subscribers.size === 0) return;
    this.connecting = true;
    this.state.set(this.failedAttempts ? 'reconnecting' : 'connecting');
    let token: string;
    try {
      token = await this.auth.validToken();
    } catch {
      this.connecting = false;
      // Logged out: nothing to reconnect. Server unreachable: try again later.
      if (this.auth.user()) this.retryLater();
      else this.shutDown();
      return;
    }
    this.connecting = false;
    if (this.subscribers.size === 0) return this.state.set('idle');
    const socket = this.createSocket(socketUrl());
    this.socket = socket;
    socket.onopen = () => {
      const cmds = [...this.subscribers].map(([cmdId, subscriber]) => {
        subscriber.awaitingFirst = true;
        return { ...subscriber.command(), cmdId };
      });
      this.send({ authCmd: { cmdId: 0, token }, cmds });
    };
    socket.onmessage = (event) => this.onMessage(event.data);
    socket.onclose = (event) => this.onClose(socket, event.code);
  }

  private onMessage(data: unknown): void {
    let message: SocketMessage;
    try {
      message = JSON.parse(String(data)) as SocketMessage;
    } catch {
      return; // not ours to understand; the server only sends JSON
    }
    // An answer proves the connection and its token work.
    this.failedAttempts = 0;
    this.state.set('open');
    const cmdId = message.cmdId ?? message.subscriptionId;
    const subscriber = cmdId === undefined ? undefined : this.subscribers.get(cmdId);
    if (!subscriber) return;
    if (message.errorCode) {
      this.subscribers.delete(cmdId!);
      subscriber.fail(new SocketCommandError(message.errorCode, message.errorMsg ?? 'The server refused the subscription.'));
      return;
    }
    const initial = subscriber.awaitingFirst;
    subscriber.awaitingFirst = false;
    subscriber.next({ initial, message });
    if (subscriber.command().type === 'TIMESERIES_HISTORY') {
      this.subscribers.delete(cmdId!);
      subscriber.complete();
    }
  }

  private onClose(socket: WebSocket, code: number): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    if (this.subscribers.size === 0) return this.state.set('idle');
    // A refused token: renew it before trying again (ending the session if the refresh token is refused too).
    if (AUTH_CLOSE_CODES.has(code)) this.auth.refresh().catch(() => undefined);
    this.retryLater();
  }

  private retryLater(): void {
    const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** this.failedAttempts) * (0.8 + Math.random() * 0.4);
    this.failedAttempts++;
    this.retrySoon(delay);
  }

  private retrySoon(delay: number): void {
    if (this.socket || this.subscribers.size === 0) return;
    this.state.set('reconnecting');
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect();
    }, delay);
  }

  private send(message: object): void {
    this.socket?.send(JSON.stringify(message));
  }

  private shutDown(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    clearTimeout(this.idleTimer);
    const socket = this.socket;
    this.socket = undefined;
    socket?.close(1000);
    for (const subscriber of this.subscribers.values()) subscriber.complete();
    this.subscribers.clear();
    this.failedAttempts = 0;
    this.state.set('idle');
  }
}

function socketUrl(): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/api/ws`;
}
