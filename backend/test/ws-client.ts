import { WebSocket } from 'ws';

export interface CloseEvent {
  code: number;
  reason: string;
}

/**
 * A WebSocket API client for tests: a real `ws` socket that keeps every message it received, so a test can wait
 * for the next message matching a condition, and see how (and why) the server closed the connection.
 */
export class WsTestClient {
  readonly received: any[] = [];
  /** Settles when the socket closes, with the close code and reason the server sent. */
  readonly closed: Promise<CloseEvent>;
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.received.push(JSON.parse(data.toString()));
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    socket.on('error', () => {});
  }

  /** Opens `path` (e.g. `/api/ws/plugins/telemetry?token=…`) on the app at `baseUrl` (http://…). */
  static open(baseUrl: string, path: string): Promise<WsTestClient> {
    const socket = new WebSocket(baseUrl.replace(/^http/, 'ws') + path);
    return new Promise((resolve, reject) => {
      const client = new WsTestClient(socket);
      socket.once('open', () => resolve(client));
      socket.once('error', reject);
    });
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The first message that matches, among those received since index `from` (default: all), waiting for it if needed. */
  async next(match: (message: any) => boolean, options: { from?: number; timeoutMs?: number } = {}): Promise<any> {
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    let index = options.from ?? 0;
    for (;;) {
      for (; index < this.received.length; index++) if (match(this.received[index])) return this.received[index];
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching WebSocket message in time; received: ${JSON.stringify(this.received.slice(-5))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The first message for a subscription (legacy `subscriptionId`) or command (`cmdId`) since `from`. */
  nextFor(id: number, options: { from?: number; timeoutMs?: number } = {}): Promise<any> {
    return this.next((m) => m.subscriptionId === id || m.cmdId === id, options);
  }

  /** Messages for `id` received so far. */
  all(id: number): any[] {
    return this.received.filter((m) => m.subscriptionId === id || m.cmdId === id);
  }

  close(): void {
    this.socket.close();
  }
}
