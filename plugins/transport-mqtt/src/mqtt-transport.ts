import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createPlainServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer } from 'node:tls';
import { createWebSocketStream, WebSocketServer } from 'ws';
import type { TransportContext, TransportInstance, TransportSettings } from '@edgewise/plugin-api';
import { errorMessage, ThrottledLog } from '@edgewise/plugin-api';
import { MqttConnection, type ConnectionEnvironment } from './connection';
import { resolveMqttOptions } from './options';
import { ReasonCode } from './reason-codes';

/** Listener names, as in the transport's `defaultPorts`. */
export const PLAIN_LISTENER = 'mqtt';
export const TLS_LISTENER = 'mqtts';
export const WEBSOCKET_LISTENER = 'mqttws';

/** Sub-protocols MQTT clients ask for on a WebSocket (MQTT 3.1.1/5 and 3.1). */
const MQTT_SUBPROTOCOLS = new Set(['mqtt', 'mqttv3.1']);

/** How often idle connections are looked for: a fraction of the shortest timeout, within sane bounds. */
function sweepIntervalMs(connectTimeoutMs: number, inactivityTimeoutMs: number): number {
  return Math.min(5_000, Math.max(20, Math.floor(Math.min(connectTimeoutMs, inactivityTimeoutMs) / 4)));
}

/** The MQTT device-API server: plain and TLS listeners feeding one set of connections. */
export class MqttTransport implements TransportInstance {
  private readonly environment: ConnectionEnvironment;
  private readonly listeners = new Map<string, Server>();
  private readonly connections = new Set<MqttConnection>();
  /** Every accepted socket, including TLS ones still in their handshake (not yet a connection). */
  private readonly sockets = new Set<Socket>();
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(
    context: TransportContext,
    private readonly settings: TransportSettings,
  ) {
    this.environment = {
      context,
      options: resolveMqttOptions(settings.options),
      maxPayloadBytes: settings.maxPayloadBytes,
      problems: new ThrottledLog(context.log),
    };
  }

  async start(): Promise<void> {
    const { ports, tls } = this.settings;
    if (ports[PLAIN_LISTENER] !== undefined) {
      await this.listen(
        PLAIN_LISTENER,
        createPlainServer({ noDelay: true }, (socket) => this.accept(socket)),
      );
    }
    if (ports[TLS_LISTENER] !== undefined && tls !== undefined) {
      const [cert, key, ca] = await Promise.all([
        readFile(tls.certFile),
        readFile(tls.keyFile),
        tls.caFile ? readFile(tls.caFile) : undefined,
      ]);
      // Certificates are asked for but not required: token and MQTT_BASIC devices use TLS too, and a presented
      // certificate is trusted by its registered hash (§1.2), not by a CA.
      const server = createTlsServer({ cert, key, ca, requestCert: true, rejectUnauthorized: false }, (socket) => this.accept(socket));
      server.on('tlsClientError', (error) =>
        this.environment.problems.debug('tls-handshake', 'MQTT transport: TLS handshake failed', { error: error.message }),
      );
      await this.listen(TLS_LISTENER, server);
    }
    if (ports[WEBSOCKET_LISTENER] !== undefined) {
      // MQTT over WebSocket (any path): each WebSocket's byte stream feeds the same connection handling.
      const server = createHttpServer();
      const webSockets = new WebSocketServer({
        server,
        handleProtocols: (offered) => [...offered].find((protocol) => MQTT_SUBPROTOCOLS.has(protocol)) ?? false,
      });
      webSockets.on('connection', (webSocket) => this.accept(createWebSocketStream(webSocket)));
      await this.listen(WEBSOCKET_LISTENER, server);
    }
    const { connectTimeoutMs, inactivityTimeoutMs } = this.environment.options;
    this.sweepTimer = setInterval(() => this.closeIdleConnections(), sweepIntervalMs(connectTimeoutMs, inactivityTimeoutMs));
    this.sweepTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.sweepTimer);
    const listenersClosed = [...this.listeners.values()].map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
    const connectionsClosed = [...this.connections].map((connection) => {
      connection.terminate(ReasonCode.SERVER_SHUTTING_DOWN);
      return connection.whenClosed();
    });
    await Promise.all(connectionsClosed);
    // A TLS handshake that never completes would hold `server.close()` for the handshake timeout (120 s).
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(listenersClosed);
    this.listeners.clear();
  }

  boundPorts(): Record<string, number> {
    const ports: Record<string, number> = {};
    for (const [name, server] of this.listeners) ports[name] = (server.address() as AddressInfo).port;
    return ports;
  }

  private listen(name: string, server: Server): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error) =>
        reject(new Error(`MQTT transport: cannot listen on ${name} port ${this.settings.ports[name]}: ${errorMessage(error)}`));
      server.once('error', onError);
      server.on('connection', (socket: Socket) => {
        this.sockets.add(socket);
        socket.once('close', () => this.sockets.delete(socket));
      });
      server.listen(this.settings.ports[name], this.settings.host, () => {
        server.off('error', onError);
        server.on('error', (error) =>
          this.environment.context.log.error('MQTT transport: listener error', { listener: name, error: error.message }),
        );
        this.listeners.set(name, server);
        resolve();
      });
    });
  }

  private accept(socket: Duplex): void {
    const connection = new MqttConnection(socket, this.environment);
    this.connections.add(connection);
    void connection.whenClosed().then(() => this.connections.delete(connection));
  }

  private closeIdleConnections(): void {
    const now = Date.now();
    for (const connection of this.connections) connection.closeIfIdle(now);
  }
}
