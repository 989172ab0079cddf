import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuthService } from '../auth/auth.service';
import { SocketCommandError, SocketUpdate, TelemetrySocket, WEB_SOCKET_FACTORY } from './telemetry-socket';

/** A WebSocket the test drives: it opens, delivers and drops when told to. */
class FakeSocket {
  readyState = 0;
  readonly sent: any[] = [];
  closedWith?: number;
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;

  constructor(readonly url: string) {}
  send(text: string) {
    this.sent.push(JSON.parse(text));
  }
  close(code: number) {
    this.closedWith = code;
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  receive(message: object) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

describe('TelemetrySocket', () => {
  let sockets: FakeSocket[];
  let socket: TelemetrySocket;
  let token: string;
  const refresh = vi.fn(async () => 'renewed');

  beforeEach(() => {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(0.5); // no jitter: delays are exactly 1 s, 2 s, 4 s …
    sockets = [];
    token = 'jwt-1';
    TestBed.configureTestingModule({
      providers: [
        { provide: WEB_SOCKET_FACTORY, useValue: (url: string) => sockets[sockets.push(new FakeSocket(url)) - 1] },
        { provide: AuthService, useValue: { user: signal({ email: 'tenant@thingsboard.org' }), validToken: async () => token, refresh } },
      ],
    });
    socket = TestBed.inject(TelemetrySocket);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  const latest = (entityId: string) => () => ({ type: 'TIMESERIES' as const, entityType: 'DEVICE', entityId, scope: 'LATEST_TELEMETRY' });
  const settle = () => vi.advanceTimersByTimeAsync(0);

  it('opens one connection on /api/ws, authenticates with authCmd, and routes each update to its subscription', async () => {
    const first: SocketUpdate[] = [];
    const second: SocketUpdate[] = [];
    socket.subscribe(latest('d1')).subscribe((update) => first.push(update));
    await settle();
    expect(sockets).toHaveLength(1);
    expect(sockets[0].url).toMatch(/^ws:\/\/.+\/api\/ws$/);
    sockets[0].open();
    expect(sockets[0].sent).toEqual([
      {
        authCmd: { cmdId: 0, token: 'jwt-1' },
        cmds: [{ type: 'TIMESERIES', entityType: 'DEVICE', entityId: 'd1', scope: 'LATEST_TELEMETRY', cmdId: 1 }],
      },
    ]);
    socket.subscribe(() => ({ type: 'ALARM_COUNT', query: {} })).subscribe((update) => second.push(update));
    expect(sockets[0].sent[1]).toEqual({ cmds: [{ type: 'ALARM_COUNT', query: {}, cmdId: 2 }] });

    sockets[0].receive({ subscriptionId: 1, errorCode: 0, errorMsg: null, data: { t: [[1, '20']] } });
    sockets[0].receive({ cmdId: 2, errorCode: 0, errorMsg: null, cmdUpdateType: 'ALARM_COUNT_DATA', count: 3 });
    sockets[0].receive({ subscriptionId: 1, errorCode: 0, errorMsg: null, data: { t: [[2, '21']] } });
    expect(first.map((u) => [u.initial, u.message['data']])).toEqual([
      [true, { t: [[1, '20']] }],
      [false, { t: [[2, '21']] }],
    ]);
    expect(second.map((u) => u.message['count'])).toEqual([3]);
    expect(socket.state()).toBe('open');
  });

  it('reconnects after a drop with growing delays and sends every live subscription again, with a fresh command', async () => {
    let window = 1;
    const updates: SocketUpdate[] = [];
    socket
      .subscribe(() => ({ type: 'TIMESERIES', entityType: 'DEVICE', entityId: 'd1', keys: 't', startTs: window }))
      .subscribe((u) => updates.push(u));
    socket.subscribe(latest('d2')).subscribe();
    await settle();
    sockets[0].open();
    sockets[0].receive({ subscriptionId: 1, errorCode: 0, errorMsg: null, data: {} });

    sockets[0].drop();
    expect(socket.state()).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(999);
    expect(sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(2);

    // The server is still down: the next attempt waits twice as long (and asks for a current token).
    token = 'jwt-2';
    sockets[1].drop();
    await vi.advanceTimersByTimeAsync(1999);
    expect(sockets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(3);

    window = 2;
    sockets[2].open();
    expect(sockets[2].sent).toEqual([
      {
        authCmd: { cmdId: 0, token: 'jwt-2' },
        cmds: [
          { type: 'TIMESERIES', entityType: 'DEVICE', entityId: 'd1', keys: 't', startTs: 2, cmdId: 1 },
          { type: 'TIMESERIES', entityType: 'DEVICE', entityId: 'd2', scope: 'LATEST_TELEMETRY', cmdId: 2 },
        ],
      },
    ]);
    sockets[2].receive({ subscriptionId: 1, errorCode: 0, errorMsg: null, data: { t: [[5, '1']] } });
    expect(updates.map((u) => u.initial)).toEqual([true, true]);
    expect(socket.state()).toBe('open');

    // After an answer, delays start again from 1 s.
    sockets[2].drop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(sockets).toHaveLength(4);
  });

  it('renews the token before reconnecting when the server closed for a bad token', async () => {
    socket.subscribe(latest('d1')).subscribe();
    await settle();
    sockets[0].open();
    sockets[0].drop(1011);
    expect(refresh).toHaveBeenCalled();
  });

  it('unsubscribes on the server when a page stops listening, and closes the idle connection later', async () => {
    const telemetry = socket.subscribe(latest('d1')).subscribe();
    const alarms = socket.subscribe(() => ({ type: 'ALARM_DATA', query: {} })).subscribe();
    await settle();
    sockets[0].open();
    telemetry.unsubscribe();
    alarms.unsubscribe();
    expect(sockets[0].sent.slice(1)).toEqual([
      { cmds: [{ type: 'TIMESERIES', entityType: 'DEVICE', entityId: 'd1', scope: 'LATEST_TELEMETRY', cmdId: 1, unsubscribe: true }] },
      { cmds: [{ type: 'ALARM_DATA_UNSUBSCRIBE', cmdId: 2 }] },
    ]);
    expect(sockets[0].closedWith).toBeUndefined();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sockets[0].closedWith).toBe(1000);
    expect(socket.state()).toBe('idle');
  });

  it('fails a subscription the server refused, with the server’s reason', async () => {
    let failure: unknown;
    socket.subscribe(latest('nope')).subscribe({ error: (e) => (failure = e) });
    await settle();
    sockets[0].open();
    sockets[0].receive({ subscriptionId: 1, errorCode: 3, errorMsg: "You don't have permission to perform this operation!", data: null });
    expect(failure).toBeInstanceOf(SocketCommandError);
    expect((failure as Error).message).toBe("You don't have permission to perform this operation!");
  });
});
