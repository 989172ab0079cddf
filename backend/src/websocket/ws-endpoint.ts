import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { RawData, WebSocket, WebSocketServer } from 'ws';
import { AuthService } from '../auth/auth.service';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { WsCommandHandler } from './ws-command-handler';
import { parseMessage } from './ws-commands';
import { CloseCode, telemetryError, WsCommandError } from './ws-protocol';
import { SessionKind, WsSession } from './ws-session';

/** The endpoints (device-api.md §9.1); ThingsBoard maps every other `/api/ws/…` path to "Unknown session type". */
const ENDPOINTS: Record<string, SessionKind> = { '/api/ws': 'general', '/api/ws/plugins/telemetry': 'telemetry' };
/** ThingsBoard's limits: 32 KiB per incoming message, 10 s to send `authCmd`, ping after 10 s of silence, give up after 30 s. */
const MAX_MESSAGE_BYTES = 32_768;
const AUTH_TIMEOUT_MS = 10_000;
const PING_TIMEOUT_MS = 30_000;
const PING_EVERY_MS = PING_TIMEOUT_MS / 3;
/** On shutdown, how long clients get to answer the close frame before their sockets are cut. */
const SHUTDOWN_GRACE_MS = 1_000;
/** ThingsBoard's parse-error update goes to subscription id 1 whatever the message held. */
const PARSE_ERROR_SUBSCRIPTION_ID = 1;

/**
 * The WebSocket API on the platform HTTP server: `ws` attached to its `upgrade` event (no Nest gateway), so
 * send buffers and close codes are under our control. Authenticates with the REST API's access tokens:
 * `?token=` on either endpoint, or `authCmd` in the first message on `/api/ws`.
 */
@Injectable()
export class WebSocketEndpoint implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('WebSocket');
  private readonly server = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  private readonly sessions = new Set<WsSession>();
  private pinger?: NodeJS.Timeout;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly auth: AuthService,
    private readonly commands: WsCommandHandler,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const http = this.adapterHost.httpAdapter.getHttpServer() as Server;
    http.on('upgrade', this.onUpgrade);
    this.pinger = setInterval(() => this.pingAll(), PING_EVERY_MS);
    this.pinger.unref();
  }

  /** Closes every connection with 1001; whoever has not answered within a second is cut off, so the app stops promptly. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.pinger);
    (this.adapterHost.httpAdapter.getHttpServer() as Server).off('upgrade', this.onUpgrade);
    const sockets = [...this.sessions].map((session) => session.socket);
    for (const session of this.sessions) session.close(CloseCode.GOING_AWAY, 'Server is shutting down');
    const closed = Promise.all(
      sockets.map(
        (socket) => new Promise((resolve) => (socket.readyState === WebSocket.CLOSED ? resolve(null) : socket.once('close', resolve))),
      ),
    );
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS).unref())]);
    for (const socket of sockets) socket.terminate();
  }

  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== '/api/ws' && !url.pathname.startsWith('/api/ws/')) {
      // Nothing else on this server takes upgrades: answer instead of leaving the client hanging.
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.server.handleUpgrade(request, socket, head, (ws) => this.open(ws, url));
  };

  private open(ws: WebSocket, url: URL): void {
    const kind = ENDPOINTS[url.pathname];
    if (!kind) {
      ws.close(CloseCode.BAD_DATA, 'Unknown session type: use /api/ws or /api/ws/plugins/telemetry');
      return;
    }
    const session = new WsSession(ws, kind, {
      maxSubscriptions: this.config.wsMaxSubscriptionsPerSession,
      maxBufferedBytes: this.config.wsMaxBufferedBytes,
    });
    this.sessions.add(session);
    ws.on('close', () => {
      this.sessions.delete(session);
      session.cancelAll();
    });
    ws.on('error', (e) => this.logger.debug({ msg: `WebSocket error: ${e.message}` }));
    ws.on('pong', () => (session.lastSeen = Date.now()));
    ws.on('message', (data, isBinary) => this.onMessage(session, data, isBinary));

    const token = url.searchParams.get('token');
    if (token) {
      // As ThingsBoard: the handshake succeeds, a bad query token then closes with 1011 and the reason.
      session.enqueue(async () => {
        try {
          session.user = await this.auth.authenticate(token);
        } catch (e) {
          session.close(CloseCode.SERVER_ERROR, (e as Error).message);
        }
      });
    } else {
      const timer = setTimeout(() => {
        if (!session.user)
          session.close(CloseCode.POLICY_VIOLATION, `Auth cmd timeout: send {"authCmd":{"cmdId":0,"token":"<JWT>"}} first`);
      }, AUTH_TIMEOUT_MS);
      timer.unref();
      ws.once('close', () => clearTimeout(timer));
    }
  }

  private onMessage(session: WsSession, data: RawData, isBinary: boolean): void {
    session.lastSeen = Date.now();
    if (isBinary) {
      session.close(1003, 'Binary messages are not supported: send commands as JSON text');
      return;
    }
    const text = data.toString();
    session.enqueue(async () => {
      if (session.closed) return;
      let message;
      try {
        message = parseMessage(text);
      } catch (e) {
        const error = e as WsCommandError;
        // Before authentication a bad message ends the session (1007), after it the client gets an error update.
        if (session.user) session.send(telemetryError(PARSE_ERROR_SUBSCRIPTION_ID, error.code, error.message));
        else session.close(CloseCode.BAD_DATA, error.message);
        return;
      }
      if (!session.user) {
        if (session.kind !== 'general' || !message.authCmd) {
          session.close(CloseCode.POLICY_VIOLATION, 'Auth cmd is missing');
          return;
        }
        try {
          session.user = await this.auth.authenticate(message.authCmd.token ?? '');
        } catch (e) {
          session.close(CloseCode.BAD_DATA, (e as Error).message);
          return;
        }
      }
      await this.commands.run(session, message.commands);
    });
  }

  /** ThingsBoard's keep-alive: ping a session quiet for a third of the timeout; drop one silent for the whole timeout. */
  private pingAll(): void {
    const now = Date.now();
    for (const session of this.sessions) {
      const quiet = now - session.lastSeen;
      if (quiet >= PING_TIMEOUT_MS) session.socket.terminate();
      else if (quiet >= PING_EVERY_MS) session.socket.ping();
    }
  }
}
