/**
 * A typed stand-in for the core and its HTTP listener on the transport seam: tests call the registered routes
 * as a client would and see what the client would get, and drive the core's side (pushes, closes, failures).
 */
import type {
  AuthResult,
  DeviceIdentity,
  DeviceSession,
  HttpHandler,
  HttpRequest,
  OtaPackageLookup,
  OtaPackageType,
  PluginLogger,
  ProvisionResponse,
  SessionListener,
  TransportContext,
  TransportSettings,
} from '@edgewise/plugin-api';
import { BodyTooLargeError, PayloadError } from '@edgewise/plugin-api';
import { HttpTransport } from '../http-transport';

export const TOKEN = 'A1_TEST_TOKEN';

const DEVICE: DeviceIdentity = {
  deviceId: 'device-1',
  deviceName: 'D1',
  deviceType: 'default',
  deviceProfileId: 'profile-1',
  tenantId: 'tenant-1',
  customerId: '',
  transportType: 'DEFAULT',
  isGateway: false,
};

export interface ClientReply {
  status: number;
  body?: string;
  /** The body as sent, when it was bytes (downloads). */
  bytes?: Uint8Array;
  headers?: Record<string, string>;
}

export class FakeSession implements DeviceSession {
  readonly id = 'session';
  readonly device = DEVICE;
  attributeSubscription = false;
  rpcSubscription = false;
  closed = false;

  constructor(
    private readonly platform: FakePlatform,
    readonly listener: SessionListener,
  ) {}

  postTelemetry(): Promise<void> {
    return this.platform.storageFailure ? Promise.reject(this.platform.storageFailure) : Promise.resolve();
  }
  postAttributes(): Promise<void> {
    return this.postTelemetry();
  }
  getAttributes(): Promise<string> {
    return Promise.resolve('{}');
  }
  replyToServerRpc(): void {}
  callServer(): Promise<string> {
    const { clientRpcReply, clientRpcReplyAfterMs } = this.platform;
    return new Promise((resolve) => clientRpcReply !== undefined && setTimeout(() => resolve(clientRpcReply), clientRpcReplyAfterMs));
  }
  setAttributeSubscription(on: boolean): void {
    this.attributeSubscription = on;
  }
  setRpcSubscription(on: boolean): void {
    this.rpcSubscription = on;
  }
  reportActivity(): void {}
  /** Like the core: an empty payload or JSON is kept; anything else is a PayloadError. */
  claim(payload: string): Promise<void> {
    try {
      if (payload !== '') JSON.parse(payload);
    } catch {
      return Promise.reject(new PayloadError(`Invalid JSON in the claim request: ${payload}`));
    }
    this.platform.claims.push(payload);
    return Promise.resolve();
  }
  findOtaPackage(type: OtaPackageType): Promise<OtaPackageLookup> {
    return Promise.resolve(this.platform.otaLookup(type));
  }
  /** Cuts chunks the way the core does (chunkSize < 1: the whole file; past the end: empty). */
  readOtaChunk(_packageId: string, chunkSize: number, chunk: number): Promise<Uint8Array> {
    const data = this.platform.otaBinary;
    if (chunkSize < 1) return Promise.resolve(data);
    return Promise.resolve(data.subarray(Math.min(chunk * chunkSize, data.length), Math.min((chunk + 1) * chunkSize, data.length)));
  }
  close(): void {
    this.closed = true;
  }
}

export class FakePlatform {
  readonly sessions: FakeSession[] = [];
  readonly errors: string[] = [];
  authResult: AuthResult = { ok: true, device: DEVICE };
  /** Storing uplinks fails with this (a fault of the core, not of the input). */
  storageFailure?: Error;
  /** The core's answer to client-side RPCs; none ever comes when unset. */
  clientRpcReply?: string;
  /** When the core's client-RPC timer (armed when the call reaches the core) answers. */
  clientRpcReplyAfterMs = 0;
  /** The OTA package each type resolves to (NOT_FOUND unless a test says otherwise), and its binary. */
  otaLookup: (type: OtaPackageType) => OtaPackageLookup = () => ({ ok: false, error: 'NOT_FOUND' });
  otaBinary = new Uint8Array();
  /** Claim requests the devices' sessions kept. */
  readonly claims: string[] = [];
  /** Provisioning requests as the transport handed them over. */
  readonly provisionRequests: string[] = [];
  /** The core's answer to a provisioning request (NOT_FOUND unless a test says otherwise); may reject. */
  provisionAnswer: (payload: string) => Promise<ProvisionResponse> = () =>
    Promise.resolve({ status: 'NOT_FOUND', json: '{"errorMsg":"Provision data was not found!","status":"NOT_FOUND"}' });
  private readonly routes = new Map<string, HttpHandler>();

  readonly context: TransportContext = {
    log: this.logger(),
    authenticate: (credentials) =>
      Promise.resolve(
        credentials.type === 'ACCESS_TOKEN' && credentials.token === TOKEN
          ? this.authResult
          : { ok: false, failure: 'NOT_FOUND', reason: 'no such token' },
      ),
    openSession: (_device, listener) => {
      const session = new FakeSession(this, listener);
      this.sessions.push(session);
      return session;
    },
    http: { route: (method, path, handler) => void this.routes.set(`${method} ${path}`, handler) },
    openGatewayChildSession: () => Promise.reject(new Error('the HTTP transport has no gateways')),
    provision: (payload) => {
      this.provisionRequests.push(payload);
      return this.provisionAnswer(payload);
    },
    watchPolledDevices: () => Promise.resolve({ devices: [], stop: () => {} }),
  };

  async startTransport(options: Record<string, unknown> = {}): Promise<HttpTransport> {
    const settings: TransportSettings = { host: '127.0.0.1', ports: {}, maxPayloadBytes: 1000, options };
    const transport = new HttpTransport(this.context, settings);
    await transport.start();
    return transport;
  }

  /**
   * Calls the route `method path` (`path` as registered, e.g. `/api/v1/:token/rpc`) for `token`.
   * Returns the reply the client gets and `abort()`, which makes the client go away.
   */
  request(method: 'GET' | 'POST', path: string, options: { token?: string; query?: Record<string, string>; body?: string } = {}) {
    const handler = this.routes.get(`${method} ${path}`);
    if (!handler) throw new Error(`no route ${method} ${path}`);
    const abortListeners: (() => void)[] = [];
    const body = options.body ?? '';
    const request: HttpRequest = {
      params: { token: options.token ?? TOKEN },
      query: options.query ?? {},
      headers: {},
      readBody: (maxBytes) =>
        Buffer.byteLength(body) > maxBytes ? Promise.reject(new BodyTooLargeError(maxBytes)) : Promise.resolve(body),
      onAbort: (listener) => void abortListeners.push(listener),
    };
    let sent = false;
    const reply = new Promise<ClientReply>((resolve) =>
      handler(request, {
        get sent() {
          return sent;
        },
        send(status, replyBody, headers) {
          sent = true;
          if (replyBody instanceof Uint8Array) resolve({ status, bytes: replyBody, headers });
          else resolve({ status, body: replyBody, headers });
        },
      }),
    );
    return { reply, abort: () => abortListeners.forEach((listener) => listener()) };
  }

  /** The session the n-th request opened. */
  session(index = 0): FakeSession {
    const session = this.sessions[index];
    if (!session) throw new Error(`no session ${index} was opened`);
    return session;
  }

  private logger(): PluginLogger {
    return {
      debug: () => {},
      info: () => {},
      warn: () => {},
      error: (message, fields) => void this.errors.push(`${message} ${JSON.stringify(fields)}`),
    };
  }
}

/** Lets pending promise callbacks run. */
export const settle = () => new Promise((resolve) => setImmediate(resolve));
