/**
 * A typed stand-in for the Edgewise core on the transport seam: it records what the transport hands over,
 * lets a test decide when (and whether) a commit succeeds, and pushes downlinks through the listener.
 */
import type {
  AttributesRequest,
  AuthResult,
  DeviceCredentialsRequest,
  DeviceIdentity,
  DeviceSession,
  OtaPackageLookup,
  PluginLogger,
  ProvisionResponse,
  ServerRpcRequest,
  SessionCloseReason,
  SessionListener,
  TransportContext,
} from '@edgewise/plugin-api';
import { PayloadError } from '@edgewise/plugin-api';

export const TOKEN = 'A1_TEST_TOKEN';
export const GATEWAY_TOKEN = 'GATEWAY_TOKEN';

export function deviceIdentity(overrides: Partial<DeviceIdentity> = {}): DeviceIdentity {
  return {
    deviceId: 'device-1',
    deviceName: 'D1',
    deviceType: 'default',
    deviceProfileId: 'profile-1',
    tenantId: 'tenant-1',
    customerId: '',
    transportType: 'DEFAULT',
    isGateway: false,
    ...overrides,
  };
}

export interface LogEntry {
  level: keyof PluginLogger;
  message: string;
  fields?: Record<string, unknown>;
}

/** A commit the test settles by hand (`manualCommits`). */
export interface HeldCommit {
  kind: 'telemetry' | 'attributes';
  payload: string;
  resolve(): void;
  reject(error: Error): void;
}

export class FakeSession implements DeviceSession {
  readonly id: string;
  attributeSubscription = false;
  rpcSubscription = false;
  activityReports = 0;
  closed = false;
  readonly serverRpcReplies: { requestId: number; payload: string }[] = [];
  readonly attributeRequests: AttributesRequest[] = [];
  readonly clientRpcCalls: string[] = [];

  constructor(
    private readonly core: FakeCore,
    readonly device: DeviceIdentity,
    readonly listener: SessionListener,
  ) {
    this.id = `session-${core.sessions.length + 1}`;
  }

  postTelemetry(payload: string): Promise<void> {
    return this.core.commit('telemetry', payload);
  }

  postAttributes(payload: string): Promise<void> {
    return this.core.commit('attributes', payload);
  }

  getAttributes(request: AttributesRequest): Promise<string> {
    this.attributeRequests.push(request);
    return Promise.resolve(this.core.attributesResponse);
  }

  replyToServerRpc(requestId: number, payload: string): void {
    this.serverRpcReplies.push({ requestId, payload });
  }

  callServer(payload: string): Promise<string> {
    this.clientRpcCalls.push(payload);
    return Promise.resolve(this.core.clientRpcReply);
  }

  setAttributeSubscription(on: boolean): void {
    this.attributeSubscription = on;
  }

  setRpcSubscription(on: boolean): void {
    this.rpcSubscription = on;
  }

  reportActivity(): void {
    this.activityReports++;
  }

  claim(payload: string): Promise<void> {
    this.core.claims.push(payload);
    return Promise.resolve();
  }

  findOtaPackage(): Promise<OtaPackageLookup> {
    return Promise.resolve({ ok: false, error: 'NOT_FOUND' });
  }

  readOtaChunk(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array());
  }

  close(): void {
    this.closed = true;
  }

  // ---- the core pushing to the device ----

  pushAttributes(payload: string): void {
    this.listener.onAttributeUpdate(payload);
  }

  pushRpc(request: ServerRpcRequest): Promise<void> {
    return this.listener.onServerRpc(request);
  }

  closeBy(reason: SessionCloseReason): void {
    this.listener.onClose(reason);
  }
}

export class FakeCore implements TransportContext {
  readonly logEntries: LogEntry[] = [];
  readonly log: PluginLogger = {
    debug: (message, fields) => this.logEntries.push({ level: 'debug', message, fields }),
    info: (message, fields) => this.logEntries.push({ level: 'info', message, fields }),
    warn: (message, fields) => this.logEntries.push({ level: 'warn', message, fields }),
    error: (message, fields) => this.logEntries.push({ level: 'error', message, fields }),
  };
  readonly http: TransportContext['http'] = {
    route: () => {
      throw new Error('the MQTT transport registers no HTTP routes');
    },
  };

  /** Access tokens and certificate bodies (Base64 DER) the core knows. */
  readonly tokens = new Map<string, DeviceIdentity>([
    [TOKEN, deviceIdentity()],
    [GATEWAY_TOKEN, deviceIdentity({ deviceId: 'gateway-1', deviceName: 'G1', isGateway: true })],
  ]);
  readonly certificates = new Map<string, DeviceIdentity>();
  /** When set, every authentication answers this (e.g. UNAVAILABLE). */
  authOverride: AuthResult | undefined;
  readonly authRequests: DeviceCredentialsRequest[] = [];
  /** While set, authentication waits for it (to test packets sent before CONNACK). */
  private authGate: Promise<void> | undefined;

  readonly sessions: FakeSession[] = [];
  /** Committed uplinks, in commit order. */
  readonly telemetry: string[] = [];
  readonly attributes: string[] = [];
  /** When true, commits wait in `heldCommits` until the test settles them. */
  manualCommits = false;
  readonly heldCommits: HeldCommit[] = [];

  readonly claims: string[] = [];
  attributesResponse = '{}';
  clientRpcReply = '{"error":"timeout"}';

  async authenticate(credentials: DeviceCredentialsRequest): Promise<AuthResult> {
    this.authRequests.push(credentials);
    await this.authGate;
    if (this.authOverride) return this.authOverride;
    const device =
      credentials.type === 'X509_CERTIFICATE'
        ? this.certificates.get(credentials.certificate)
        : this.tokens.get(credentials.type === 'ACCESS_TOKEN' ? credentials.token : (credentials.username ?? ''));
    return device ? { ok: true, device } : { ok: false, failure: 'NOT_FOUND', reason: 'no such credentials' };
  }

  /** Authentication waits until the returned function is called. */
  holdAuthentication(): () => void {
    let release!: () => void;
    this.authGate = new Promise((resolve) => (release = resolve));
    return () => {
      this.authGate = undefined;
      release();
    };
  }

  openSession(device: DeviceIdentity, listener: SessionListener): DeviceSession {
    const session = new FakeSession(this, device, listener);
    this.sessions.push(session);
    return session;
  }

  openGatewayChildSession(): Promise<DeviceSession> {
    return Promise.reject(new Error('no gateway support in this fake yet'));
  }

  provision(): Promise<ProvisionResponse> {
    return Promise.resolve({ status: 'NOT_FOUND', json: '{"errorMsg":"Provision data was not found!","status":"NOT_FOUND"}' });
  }

  watchPolledDevices(): ReturnType<TransportContext['watchPolledDevices']> {
    return Promise.resolve({ devices: [], stop: () => {} });
  }

  /** The session opened last (the test's device). */
  get session(): FakeSession {
    const session = this.sessions.at(-1);
    if (!session) throw new Error('no session was opened');
    return session;
  }

  /** Like the core: invalid JSON is a PayloadError; otherwise durable at once, or when the test says so. */
  commit(kind: HeldCommit['kind'], payload: string): Promise<void> {
    try {
      JSON.parse(payload);
    } catch {
      return Promise.reject(new PayloadError(`Invalid JSON: ${payload}`));
    }
    const record = () => (kind === 'telemetry' ? this.telemetry : this.attributes).push(payload);
    if (!this.manualCommits) {
      record();
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      this.heldCommits.push({
        kind,
        payload,
        resolve: () => {
          record();
          resolve();
        },
        reject,
      });
    });
  }
}
