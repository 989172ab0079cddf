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
  OtaPackageType,
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

/** The core's limit on a child device name (device name column: 255 characters). */
export const CHILD_NAME_MAX = 255;
export const PROVISION_NOT_FOUND: ProvisionResponse = {
  status: 'NOT_FOUND',
  json: '{"errorMsg":"Provision data was not found!","status":"NOT_FOUND"}',
};

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
  /** The device whose session posted it. */
  device: string;
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
    return this.core.commit('telemetry', payload, this.device.deviceName);
  }

  postAttributes(payload: string): Promise<void> {
    return this.core.commit('attributes', payload, this.device.deviceName);
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

  /** Like the core: an empty payload or JSON is kept; anything else is a PayloadError. */
  claim(payload: string): Promise<void> {
    try {
      if (payload !== '') JSON.parse(payload);
    } catch {
      return Promise.reject(new PayloadError(`Invalid JSON in the claim request: ${payload}`));
    }
    this.core.claims.push(payload);
    this.core.uplinks.push({ device: this.device.deviceName, kind: 'claim', payload });
    return Promise.resolve();
  }

  findOtaPackage(type: OtaPackageType): Promise<OtaPackageLookup> {
    this.core.otaLookups.push(type);
    if (this.core.otaFailure) return Promise.reject(this.core.otaFailure);
    return Promise.resolve(this.core.otaLookup(type));
  }

  /** Cuts chunks the way the core does (chunkSize < 1: the whole file; past the end: empty). */
  readOtaChunk(packageId: string, chunkSize: number, chunk: number): Promise<Uint8Array> {
    this.core.otaReads.push({ packageId, chunkSize, chunk });
    const data = this.core.otaBinaries.get(packageId);
    if (!data) return Promise.reject(new Error(`no binary for OTA package ${packageId}`));
    if (chunkSize < 1) return Promise.resolve(data);
    return Promise.resolve(data.subarray(Math.min(chunk * chunkSize, data.length), Math.min((chunk + 1) * chunkSize, data.length)));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.core.sessionClosed(this);
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
  /** Provisioning requests as the transport handed them over. */
  readonly provisionRequests: string[] = [];
  /** The core's answer to a provisioning request (NOT_FOUND unless a test says otherwise); may reject. */
  provisionAnswer: (payload: string) => Promise<ProvisionResponse> = () => Promise.resolve(PROVISION_NOT_FOUND);
  attributesResponse = '{}';
  clientRpcReply = '{"error":"timeout"}';

  // ---- OTA (DeviceSession.findOtaPackage / readOtaChunk) ----

  /** The package each type resolves to (NOT_FOUND unless a test assigns one with `assignOta`). */
  otaLookup: (type: OtaPackageType) => OtaPackageLookup = () => ({ ok: false, error: 'NOT_FOUND' });
  /** When set, lookups fail with it (a fault of the core). */
  otaFailure: Error | undefined;
  readonly otaBinaries = new Map<string, Uint8Array>();
  readonly otaLookups: OtaPackageType[] = [];
  readonly otaReads: { packageId: string; chunkSize: number; chunk: number }[] = [];

  /** Makes `data` the package of `type` as `packageId`. */
  assignOta(type: OtaPackageType, packageId: string, data: Uint8Array): void {
    this.otaBinaries.set(packageId, data);
    const previous = this.otaLookup;
    const ref = {
      packageId,
      title: `title-${packageId}`,
      version: '1.0',
      size: data.length,
      fileName: `${packageId}.bin`,
      contentType: 'application/octet-stream',
      checksumAlgorithm: 'SHA256',
      checksum: '',
    };
    this.otaLookup = (asked) => (asked === type ? { ok: true, package: ref } : previous(asked));
  }
  /** Every kept uplink with the device it came from (gateway children included), in commit order. */
  readonly uplinks: { device: string; kind: HeldCommit['kind'] | 'claim'; payload: string }[] = [];

  // ---- gateway children (TransportContext.openGatewayChildSession) ----

  /** Child sessions by device name (the latest for a name). */
  readonly children = new Map<string, FakeSession>();
  /** Every child connect the transport asked for, in order. */
  readonly childConnects: { gateway: string; device: string; type: string | undefined }[] = [];
  /** Names whose connect fails with this error (e.g. the core could not create the device). */
  readonly childRefusals = new Map<string, Error>();
  private childGate: Promise<void> | undefined;
  private readonly childrenOfGateway = new Map<FakeSession, Set<FakeSession>>();

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

  /** Like the core: names are checked, then the child session opens subscribed to attributes and RPC. */
  async openGatewayChildSession(
    gateway: DeviceSession,
    deviceName: string,
    deviceType: string | undefined,
    listener: SessionListener,
  ): Promise<DeviceSession> {
    this.childConnects.push({ gateway: gateway.device.deviceName, device: deviceName, type: deviceType });
    await this.childGate;
    if (!gateway.device.isGateway) throw new Error(`${gateway.device.deviceName} is not a gateway`);
    if (!deviceName.trim()) throw new PayloadError('Device name is empty');
    if ([...deviceName].length > CHILD_NAME_MAX) throw new PayloadError(`Device name is longer than ${CHILD_NAME_MAX} characters`);
    const refusal = this.childRefusals.get(deviceName);
    if (refusal) throw refusal;
    const device = deviceIdentity({ deviceId: `child-${deviceName}`, deviceName, deviceType: deviceType ?? 'default' });
    const child = new FakeSession(this, device, listener);
    child.attributeSubscription = true;
    child.rpcSubscription = true;
    this.children.set(deviceName, child);
    const siblings = this.childrenOfGateway.get(gateway as FakeSession) ?? new Set<FakeSession>();
    this.childrenOfGateway.set(gateway as FakeSession, siblings.add(child));
    return child;
  }

  /** Child connects wait until the returned function is called. */
  holdChildConnects(): () => void {
    let release!: () => void;
    this.childGate = new Promise((resolve) => (release = resolve));
    return () => {
      this.childGate = undefined;
      release();
    };
  }

  /** The open child session of `deviceName`. */
  child(deviceName: string): FakeSession {
    const child = this.children.get(deviceName);
    if (!child) throw new Error(`no child session for ${deviceName}`);
    return child;
  }

  /** Like the core: a gateway's child sessions end with the gateway's session. */
  sessionClosed(session: FakeSession): void {
    const children = this.childrenOfGateway.get(session);
    this.childrenOfGateway.delete(session);
    for (const child of children ?? []) child.close();
  }

  provision(payload: string): Promise<ProvisionResponse> {
    this.provisionRequests.push(payload);
    return this.provisionAnswer(payload);
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

  /**
   * Like the core: invalid JSON or a shape §0.2 refuses (telemetry: an object or an array of objects; attributes:
   * an object) is a PayloadError; otherwise durable at once, or when the test says so.
   */
  commit(kind: HeldCommit['kind'], payload: string, device: string): Promise<void> {
    let value: unknown;
    try {
      value = JSON.parse(payload);
    } catch {
      return Promise.reject(new PayloadError(`Invalid JSON: ${payload}`));
    }
    const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
    const shapeOk = kind === 'telemetry' ? isObject(value) || (Array.isArray(value) && value.every(isObject)) : isObject(value);
    if (!shapeOk) return Promise.reject(new PayloadError(`Can't parse value: ${payload}`));
    const record = () => {
      (kind === 'telemetry' ? this.telemetry : this.attributes).push(payload);
      this.uplinks.push({ device, kind, payload });
    };
    if (!this.manualCommits) {
      record();
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      this.heldCommits.push({
        kind,
        device,
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
