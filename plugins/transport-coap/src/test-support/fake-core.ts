/**
 * A typed stand-in for the Edgewise core on the transport seam: it records what the CoAP transport hands over,
 * lets a test decide when (and whether) the core answers, and pushes downlinks through the session listeners.
 */
import type {
  AttributesRequest,
  AuthResult,
  DeviceCredentialsRequest,
  DeviceIdentity,
  DeviceSession,
  OtaPackageLookup,
  OtaPackageType,
  PluginLogger,
  ProvisionResponse,
  ServerRpcRequest,
  SessionCloseReason,
  SessionKind,
  SessionListener,
  TransportContext,
} from '@edgewise/plugin-api';
import { PayloadError } from '@edgewise/plugin-api';

export const TOKEN = 'A1_TEST_TOKEN';

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
  payload: string;
  resolve(): void;
  reject(error: Error): void;
}

/** Settles once the test calls `release`; lets a test hold an answer of the core. */
export class Gate<T> {
  readonly promise: Promise<T>;
  release!: (value: T) => void;
  constructor() {
    this.promise = new Promise((resolve) => (this.release = resolve));
  }
}

export class FakeSession implements DeviceSession {
  readonly id: string;
  attributeSubscription = false;
  rpcSubscription = false;
  /** How often the RPC subscription was switched on (each time the core would push pending RPCs). */
  rpcSubscribeCount = 0;
  activityReports = 0;
  closed = false;
  readonly serverRpcReplies: { requestId: number; payload: string }[] = [];
  readonly attributeRequests: AttributesRequest[] = [];

  constructor(
    private readonly core: FakeCore,
    readonly device: DeviceIdentity,
    readonly listener: SessionListener,
    readonly kind: SessionKind,
  ) {
    this.id = `session-${core.sessions.length + 1}`;
  }

  postTelemetry(payload: string): Promise<void> {
    return this.core.commit(this.core.telemetry, payload);
  }

  postAttributes(payload: string): Promise<void> {
    return this.core.commit(this.core.attributes, payload);
  }

  getAttributes(request: AttributesRequest): Promise<string> {
    this.attributeRequests.push(request);
    return this.core.attributesAnswer.promise;
  }

  replyToServerRpc(requestId: number, payload: string): void {
    this.serverRpcReplies.push({ requestId, payload });
    this.core.serverRpcReplies.push({ requestId, payload });
  }

  callServer(payload: string): Promise<string> {
    this.core.clientRpcCalls.push(payload);
    return this.core.clientRpcAnswer.promise;
  }

  setAttributeSubscription(on: boolean): void {
    this.attributeSubscription = on;
  }

  setRpcSubscription(on: boolean): void {
    if (on && !this.rpcSubscription) this.rpcSubscribeCount++;
    this.rpcSubscription = on;
  }

  reportActivity(): void {
    this.activityReports++;
  }

  claim(payload: string): Promise<void> {
    if (payload !== '' && !isJsonObject(payload)) return Promise.reject(new PayloadError(`Invalid claim request: ${payload}`));
    this.core.claims.push(payload);
    return Promise.resolve();
  }

  findOtaPackage(type: OtaPackageType): Promise<OtaPackageLookup> {
    const found = this.core.otaPackages.get(type);
    if (found === undefined) return Promise.resolve({ ok: false, error: 'NOT_FOUND' });
    if (found === 'URL') return Promise.resolve({ ok: false, error: 'FAILURE' });
    const { title, version, bytes } = found;
    const ref = {
      packageId: `${type}-1`,
      title,
      version,
      size: bytes.length,
      fileName: `${title}.bin`,
      contentType: 'application/octet-stream',
    };
    return Promise.resolve({ ok: true, package: { ...ref, checksumAlgorithm: 'SHA256', checksum: 'not checked by the transport' } });
  }

  readOtaChunk(packageId: string, chunkSize: number, chunk: number): Promise<Uint8Array> {
    this.core.otaReads.push({ packageId, chunkSize, chunk });
    const found = this.core.otaPackages.get(packageId.startsWith('FIRMWARE') ? 'FIRMWARE' : 'SOFTWARE');
    if (found === undefined || found === 'URL') return Promise.reject(new Error(`no package ${packageId}`));
    if (chunkSize === 0) return Promise.resolve(found.bytes);
    return Promise.resolve(found.bytes.subarray(chunk * chunkSize, (chunk + 1) * chunkSize));
  }

  close(): void {
    this.closed = true;
  }

  // ---- the core pushing to the device ----

  pushAttributes(payload: string): void {
    if (this.attributeSubscription) this.listener.onAttributeUpdate(payload);
  }

  pushRpc(request: Partial<ServerRpcRequest> = {}): Promise<void> {
    return this.listener.onServerRpc({ id: 0, method: 'setGpio', params: { pin: 4 }, oneway: false, ...request });
  }

  closeBy(reason: SessionCloseReason): void {
    this.closed = true;
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
      throw new Error('the CoAP transport registers no HTTP routes');
    },
  };

  /** Access tokens and certificate bodies the core knows. */
  readonly tokens = new Map<string, DeviceIdentity>([[TOKEN, deviceIdentity()]]);
  readonly certificates = new Map<string, DeviceIdentity>();
  /** When set, every authentication answers this (e.g. UNAVAILABLE). */
  authOverride: AuthResult | undefined;
  readonly authRequests: DeviceCredentialsRequest[] = [];

  readonly sessions: FakeSession[] = [];
  /** Committed uplinks, in commit order. */
  readonly telemetry: string[] = [];
  readonly attributes: string[] = [];
  /** When true, commits wait in `heldCommits` until the test settles them. */
  manualCommits = false;
  readonly heldCommits: HeldCommit[] = [];
  /** When set, commits of valid JSON fail with this (a fault of the core, not of the input). */
  storageFailure: Error | undefined;

  /** The core's answer to attribute reads; replace with a fresh Gate to hold it. */
  attributesAnswer = settled('{}');
  /** The core's answer to client-side RPCs; replace with a fresh Gate to hold it. */
  clientRpcAnswer = settled('{"error":"timeout"}');
  readonly clientRpcCalls: string[] = [];
  readonly serverRpcReplies: { requestId: number; payload: string }[] = [];
  readonly claims: string[] = [];
  provisionAnswer: ProvisionResponse = {
    status: 'NOT_FOUND',
    json: '{"errorMsg":"Provision data was not found!","status":"NOT_FOUND"}',
  };
  readonly provisionRequests: string[] = [];
  /** Assigned packages per type; `URL` is a package without a binary. */
  readonly otaPackages = new Map<OtaPackageType, { title: string; version: string; bytes: Uint8Array } | 'URL'>();
  readonly otaReads: { packageId: string; chunkSize: number; chunk: number }[] = [];

  async authenticate(credentials: DeviceCredentialsRequest): Promise<AuthResult> {
    this.authRequests.push(credentials);
    if (this.authOverride) return this.authOverride;
    const device =
      credentials.type === 'X509_CERTIFICATE'
        ? this.certificates.get(credentials.certificate)
        : this.tokens.get(credentials.type === 'ACCESS_TOKEN' ? credentials.token : '');
    return device ? { ok: true, device } : { ok: false, failure: 'NOT_FOUND', reason: 'no such credentials' };
  }

  openSession(device: DeviceIdentity, listener: SessionListener, kind: SessionKind = 'connection'): DeviceSession {
    const session = new FakeSession(this, device, listener, kind);
    this.sessions.push(session);
    return session;
  }

  openGatewayChildSession(): Promise<DeviceSession> {
    return Promise.reject(new Error('the CoAP transport has no gateways'));
  }

  provision(payload: string): Promise<ProvisionResponse> {
    this.provisionRequests.push(payload);
    if (!isJsonObject(payload)) return Promise.reject(new PayloadError(`Invalid provision request: ${payload}`));
    return Promise.resolve(this.provisionAnswer);
  }

  watchPolledDevices(): ReturnType<TransportContext['watchPolledDevices']> {
    return Promise.resolve({ devices: [], stop: () => {} });
  }

  /** The `connection` sessions (observing devices), in opening order. */
  get connections(): FakeSession[] {
    return this.sessions.filter((session) => session.kind === 'connection');
  }

  /** The connection session opened last. */
  get connection(): FakeSession {
    const session = this.connections.at(-1);
    if (!session) throw new Error('no connection session was opened');
    return session;
  }

  /** Like the core: invalid JSON is a PayloadError; otherwise durable at once, or when the test says so. */
  commit(kept: string[], payload: string): Promise<void> {
    if (!isJsonObject(payload) && !isJsonArray(payload)) return Promise.reject(new PayloadError(`Invalid JSON: ${payload}`));
    if (this.storageFailure) return Promise.reject(this.storageFailure);
    if (!this.manualCommits) {
      kept.push(payload);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      this.heldCommits.push({
        payload,
        resolve: () => {
          kept.push(payload);
          resolve();
        },
        reject,
      });
    });
  }
}

/** A gate that is open from the start. */
function settled(value: string): Gate<string> {
  const gate = new Gate<string>();
  gate.release(value);
  return gate;
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

function isJsonArray(text: string): boolean {
  try {
    return Array.isArray(JSON.parse(text));
  } catch {
    return false;
  }
}
