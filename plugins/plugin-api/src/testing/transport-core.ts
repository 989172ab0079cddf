/**
 * A typed stand-in for the Edgewise core on the transport seam (`transport.ts`), for a transport's unit tests.
 * It answers as the core does where a transport relies on it (payload checks, OTA chunks, gateway children),
 * records everything the transport hands over, lets the test decide the core's answers (commits held or failed,
 * authentication, attribute reads, client RPCs, provisioning, OTA packages, polled devices), and plays the core's
 * side of a session: pushes through the transport's listener and closes it.
 */
import type {
  AttributesRequest,
  AuthResult,
  DeviceCredentialsRequest,
  DeviceIdentity,
  DeviceSession,
  HttpHandler,
  OtaPackageLookup,
  OtaPackageRef,
  OtaPackageType,
  PluginLogger,
  PolledDevice,
  PolledDeviceChange,
  ProvisionResponse,
  ServerRpcRequest,
  SessionCloseReason,
  SessionKind,
  SessionListener,
  TransportContext,
} from '../transport';
import { PayloadError } from '../transport';

/** The access token (and MQTT username) of `testDeviceIdentity()`. */
export const TEST_TOKEN = 'A1_TEST_TOKEN';
/** The access token of the test gateway `G1`. */
export const TEST_GATEWAY_TOKEN = 'GATEWAY_TOKEN';
/** The core's limit on a device name (the device name column: 255 characters). */
export const MAX_DEVICE_NAME_LENGTH = 255;

/** The test device `D1` of profile `default`, with what a test overrides. */
export function testDeviceIdentity(overrides: Partial<DeviceIdentity> = {}): DeviceIdentity {
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

/**
 * Resolves with the first truthy value of `condition`, checked every few milliseconds; rejects after `withinMs`.
 * For what a transport does on its own time (a commit reaching the core, a session closing).
 */
export async function until<T>(condition: () => T | undefined | null | false | 0 | '', withinMs = 5000): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const value = condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${withinMs} ms: ${condition.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export interface LogEntry {
  level: keyof PluginLogger;
  message: string;
  fields?: Record<string, unknown>;
}

/** An uplink the core kept, with the name of the device whose session handed it over (gateway children included). */
export interface KeptUplink {
  device: string;
  kind: 'telemetry' | 'attributes' | 'claim';
  payload: string;
}

/** A telemetry or attributes commit waiting for the test to settle it (`manualCommits`). */
export interface HeldCommit {
  kind: 'telemetry' | 'attributes';
  /** The device whose session posted it. */
  device: string;
  payload: string;
  resolve(): void;
  reject(error: Error): void;
}

const NOT_FOUND: OtaPackageLookup = { ok: false, error: 'NOT_FOUND' };

/** A promise and the function that settles it, for holding one of the core's answers. */
function held(): { promise: Promise<void>; release: () => void } {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
}

const isJsonObject = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Parses device JSON as the core does: text that is not JSON is a PayloadError. */
function parseDeviceJson(payload: string, what: string): unknown {
  try {
    return JSON.parse(payload);
  } catch {
    throw new PayloadError(`Invalid JSON in the ${what}: ${payload}`);
  }
}

/** A device's session in the fake core: what the transport handed over on it, and the core's side of it. */
export class FakeDeviceSession implements DeviceSession {
  readonly id: string;
  attributeSubscription = false;
  rpcSubscription = false;
  /** Keep-alives without a message (`reportActivity`); uplinks are not counted here. */
  activityReports = 0;
  /** The transport closed the session. */
  closed = false;
  /** Why the core closed the session (`closeBy`), if it did. */
  closedByCore: SessionCloseReason | undefined;
  /** Uplinks the core kept from this session, in commit order. */
  readonly telemetry: string[] = [];
  readonly attributes: string[] = [];
  readonly attributeRequests: AttributesRequest[] = [];
  /** Device-to-server RPC payloads. */
  readonly clientRpcCalls: string[] = [];
  /** The device's answers to server-side RPCs. */
  readonly serverRpcReplies: { requestId: number; payload: string }[] = [];

  constructor(
    private readonly core: FakeTransportCore,
    readonly device: DeviceIdentity,
    readonly listener: SessionListener,
    readonly kind: SessionKind,
  ) {
    this.id = `session-${core.sessions.length + 1}`;
  }

  postTelemetry(payload: string): Promise<void> {
    return this.core.commit('telemetry', payload, this);
  }

  postAttributes(payload: string): Promise<void> {
    return this.core.commit('attributes', payload, this);
  }

  getAttributes(request: AttributesRequest): Promise<string> {
    this.attributeRequests.push(request);
    return this.core.attributesAnswer(request, this);
  }

  replyToServerRpc(requestId: number, payload: string): void {
    this.serverRpcReplies.push({ requestId, payload });
  }

  /** Like the core: the request must be a JSON object. */
  callServer(payload: string): Promise<string> {
    try {
      if (!isJsonObject(parseDeviceJson(payload, 'RPC request'))) throw new PayloadError('An RPC request must be a JSON object');
    } catch (error) {
      return Promise.reject(error as Error);
    }
    this.clientRpcCalls.push(payload);
    return this.core.clientRpcAnswer(payload, this);
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

  /** Like the core: an empty payload or a JSON object is kept; anything else is a PayloadError. */
  claim(payload: string): Promise<void> {
    try {
      if (payload !== '' && !isJsonObject(parseDeviceJson(payload, 'claim request')))
        throw new PayloadError('A claim request must be a JSON object');
    } catch (error) {
      return Promise.reject(error as Error);
    }
    this.core.claims.push(payload);
    this.core.uplinks.push({ device: this.device.deviceName, kind: 'claim', payload });
    return Promise.resolve();
  }

  findOtaPackage(type: OtaPackageType): Promise<OtaPackageLookup> {
    this.core.otaLookups.push(type);
    if (this.core.otaFailure) return Promise.reject(this.core.otaFailure);
    return Promise.resolve(this.core.otaAssignments.get(type) ?? NOT_FOUND);
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

  // ---- the core pushing to the device (whether or not the device subscribed: the transport decides) ----

  pushAttributes(payload: string): void {
    this.listener.onAttributeUpdate(payload);
  }

  /** A server-side RPC; `id` defaults to 1, `oneway` to false. */
  pushRpc(request: Partial<ServerRpcRequest> & Pick<ServerRpcRequest, 'method' | 'params'>): Promise<void> {
    return this.listener.onServerRpc({ id: 1, oneway: false, ...request });
  }

  /** The core ends the session (device deleted, credentials changed …). */
  closeBy(reason: SessionCloseReason): void {
    this.closedByCore = reason;
    this.listener.onClose(reason);
  }
}

/** The fake core: a `TransportContext` to start a transport with, and the test's handle on the core's side. */
export class FakeTransportCore implements TransportContext {
  readonly logEntries: LogEntry[] = [];
  readonly log: PluginLogger = {
    debug: (message, fields) => this.logEntries.push({ level: 'debug', message, fields }),
    info: (message, fields) => this.logEntries.push({ level: 'info', message, fields }),
    warn: (message, fields) => this.logEntries.push({ level: 'warn', message, fields }),
    error: (message, fields) => this.logEntries.push({ level: 'error', message, fields }),
  };

  /** HTTP routes the transport registered, by `METHOD path` (e.g. `GET /api/v1/:token/rpc`). */
  readonly httpRoutes = new Map<string, HttpHandler>();
  readonly http: TransportContext['http'] = {
    route: (method, path, handler) => void this.httpRoutes.set(`${method} ${path}`, handler),
  };

  // ---- authentication ----

  /** Access tokens (and MQTT usernames, which ThingsBoard reads as tokens) the core knows. */
  readonly tokens = new Map<string, DeviceIdentity>([
    [TEST_TOKEN, testDeviceIdentity()],
    [TEST_GATEWAY_TOKEN, testDeviceIdentity({ deviceId: 'gateway-1', deviceName: 'G1', isGateway: true })],
  ]);
  /** Client certificates (the Base64 body) the core knows. */
  readonly certificates = new Map<string, DeviceIdentity>();
  /** LwM2M endpoint names the core knows. */
  readonly endpoints = new Map<string, DeviceIdentity>();
  /** When set, every authentication answers this (e.g. UNAVAILABLE). */
  authOverride: AuthResult | undefined;
  readonly authRequests: DeviceCredentialsRequest[] = [];
  private authHold: Promise<void> | undefined;

  // ---- sessions and what they hand over ----

  readonly sessions: FakeDeviceSession[] = [];
  /** Kept uplinks of every session, in commit order. */
  readonly telemetry: string[] = [];
  readonly attributes: string[] = [];
  readonly claims: string[] = [];
  readonly uplinks: KeptUplink[] = [];
  /** When true, commits wait in `heldCommits` until the test settles them. */
  manualCommits = false;
  readonly heldCommits: HeldCommit[] = [];
  /** When set, commits of valid payloads fail with this (a fault of the core, not of the input). */
  storageFailure: Error | undefined;
  /** The core's answer to an attribute read (`{}` unless a test says otherwise). */
  attributesAnswer: (request: AttributesRequest, session: FakeDeviceSession) => Promise<string> = () => Promise.resolve('{}');
  /** The core's answer to a device-to-server RPC (the core's timeout answer unless a test says otherwise). */
  clientRpcAnswer: (payload: string, session: FakeDeviceSession) => Promise<string> = () => Promise.resolve('{"error":"timeout"}');

  // ---- provisioning ----

  /** Provisioning requests as the transport handed them over. */
  readonly provisionRequests: string[] = [];
  /** The core's answer to a provisioning request (NOT_FOUND unless a test says otherwise); may reject. */
  provisionAnswer: (payload: string) => Promise<ProvisionResponse> = () =>
    Promise.resolve({ status: 'NOT_FOUND', json: '{"errorMsg":"Provision data was not found!","status":"NOT_FOUND"}' });

  // ---- OTA ----

  /** What a lookup of each type finds (`assignOta`, `assignOtaWithoutBinary`); nothing assigned: NOT_FOUND. */
  readonly otaAssignments = new Map<OtaPackageType, OtaPackageLookup>();
  /** Binaries by package id; a package stays readable after another one is assigned, as in the core. */
  readonly otaBinaries = new Map<string, Uint8Array>();
  /** When set, lookups fail with it (a fault of the core). */
  otaFailure: Error | undefined;
  readonly otaLookups: OtaPackageType[] = [];
  readonly otaReads: { packageId: string; chunkSize: number; chunk: number }[] = [];

  // ---- gateway children ----

  /** Child sessions by device name (the latest for a name). */
  readonly children = new Map<string, FakeDeviceSession>();
  /** Every child connect the transport asked for, in order. */
  readonly childConnects: { gateway: string; device: string; type: string | undefined }[] = [];
  /** Names whose connect fails with this error (e.g. the core could not create the device). */
  readonly childRefusals = new Map<string, Error>();
  private childConnectHold: Promise<void> | undefined;
  private readonly childrenOfGateway = new Map<FakeDeviceSession, Set<FakeDeviceSession>>();

  // ---- polled devices ----

  /** What `watchPolledDevices` lists first. */
  readonly polledDevices: PolledDevice[] = [];
  /** The transport type the transport asked the polled devices of. */
  watchedTransportType: string | undefined;
  private onPolledDeviceChange: ((change: PolledDeviceChange) => void) | undefined;

  async authenticate(credentials: DeviceCredentialsRequest): Promise<AuthResult> {
    this.authRequests.push(credentials);
    await this.authHold;
    if (this.authOverride) return this.authOverride;
    const device = this.deviceOf(credentials);
    return device ? { ok: true, device } : { ok: false, failure: 'NOT_FOUND', reason: 'no such credentials' };
  }

  private deviceOf(credentials: DeviceCredentialsRequest): DeviceIdentity | undefined {
    switch (credentials.type) {
      case 'ACCESS_TOKEN':
        return this.tokens.get(credentials.token);
      case 'MQTT_BASIC':
        return this.tokens.get(credentials.username ?? '');
      case 'X509_CERTIFICATE':
        return this.certificates.get(credentials.certificate);
      case 'LWM2M_CREDENTIALS':
        return this.endpoints.get(credentials.endpoint);
    }
  }

  /** Authentication waits until the returned function is called. */
  holdAuthentication(): () => void {
    const { promise, release } = held();
    this.authHold = promise;
    return () => {
      this.authHold = undefined;
      release();
    };
  }

  openSession(device: DeviceIdentity, listener: SessionListener, kind: SessionKind = 'connection'): DeviceSession {
    const session = new FakeDeviceSession(this, device, listener, kind);
    this.sessions.push(session);
    return session;
  }

  /** The session opened last. */
  get session(): FakeDeviceSession {
    const session = this.sessions.at(-1);
    if (!session) throw new Error('no session was opened');
    return session;
  }

  sessionsOf(deviceId: string): FakeDeviceSession[] {
    return this.sessions.filter((session) => session.device.deviceId === deviceId);
  }

  /** The device's session that neither side has closed, if any. */
  openSessionOf(deviceId: string): FakeDeviceSession | undefined {
    return this.sessionsOf(deviceId).find((session) => !session.closed && !session.closedByCore);
  }

  /** Like the core: a gateway's child sessions end with the gateway's session. */
  sessionClosed(session: FakeDeviceSession): void {
    const children = this.childrenOfGateway.get(session);
    this.childrenOfGateway.delete(session);
    for (const child of children ?? []) child.close();
  }

  /**
   * Like the core: invalid JSON or a shape the contract refuses (telemetry: an object or an array of objects;
   * attributes: an object) is a PayloadError; otherwise kept at once, or when the test says so.
   */
  commit(kind: HeldCommit['kind'], payload: string, session: FakeDeviceSession): Promise<void> {
    let value: unknown;
    try {
      value = parseDeviceJson(payload, kind);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const shapeOk = kind === 'telemetry' ? isJsonObject(value) || (Array.isArray(value) && value.every(isJsonObject)) : isJsonObject(value);
    if (!shapeOk) return Promise.reject(new PayloadError(`Can't parse value: ${payload}`));
    if (this.storageFailure) return Promise.reject(this.storageFailure);
    const device = session.device.deviceName;
    const keep = () => {
      (kind === 'telemetry' ? this.telemetry : this.attributes).push(payload);
      (kind === 'telemetry' ? session.telemetry : session.attributes).push(payload);
      this.uplinks.push({ device, kind, payload });
    };
    if (!this.manualCommits) {
      keep();
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      this.heldCommits.push({
        kind,
        device,
        payload,
        resolve: () => {
          keep();
          resolve();
        },
        reject,
      });
    });
  }

  /** Log entries of `level` whose message matches `pattern` (every one of the level without it). */
  logged(level: keyof PluginLogger, pattern?: RegExp): LogEntry[] {
    return this.logEntries.filter((entry) => entry.level === level && (!pattern || pattern.test(entry.message)));
  }

  // ---- OTA ----

  /** Makes `binary` the package of `type`, as `packageId`; `details` replace the made-up title, version, file name … */
  assignOta(type: OtaPackageType, packageId: string, binary: Uint8Array, details: Partial<OtaPackageRef> = {}): void {
    const ref: OtaPackageRef = {
      packageId,
      title: `title-${packageId}`,
      version: '1.0',
      size: binary.length,
      fileName: `${packageId}.bin`,
      contentType: 'application/octet-stream',
      checksumAlgorithm: 'SHA256',
      checksum: '',
      ...details,
    };
    this.otaBinaries.set(packageId, binary);
    this.otaAssignments.set(type, { ok: true, package: ref });
  }

  /** Assigns a package of `type` that has no binary (a URL package): lookups answer FAILURE. */
  assignOtaWithoutBinary(type: OtaPackageType): void {
    this.otaAssignments.set(type, { ok: false, error: 'FAILURE' });
  }

  // ---- gateway children ----

  /** Like the core: names are checked, then the child session opens subscribed to attributes and RPC. */
  async openGatewayChildSession(
    gateway: DeviceSession,
    deviceName: string,
    deviceType: string | undefined,
    listener: SessionListener,
  ): Promise<DeviceSession> {
    this.childConnects.push({ gateway: gateway.device.deviceName, device: deviceName, type: deviceType });
    await this.childConnectHold;
    if (!gateway.device.isGateway) throw new Error(`${gateway.device.deviceName} is not a gateway`);
    if (!deviceName.trim()) throw new PayloadError('Device name is empty');
    if ([...deviceName].length > MAX_DEVICE_NAME_LENGTH)
      throw new PayloadError(`Device name is longer than ${MAX_DEVICE_NAME_LENGTH} characters`);
    const refusal = this.childRefusals.get(deviceName);
    if (refusal) throw refusal;
    const device = testDeviceIdentity({ deviceId: `child-${deviceName}`, deviceName, deviceType: deviceType ?? 'default' });
    const child = new FakeDeviceSession(this, device, listener, 'connection');
    child.attributeSubscription = true;
    child.rpcSubscription = true;
    this.children.set(deviceName, child);
    const siblings = this.childrenOfGateway.get(gateway as FakeDeviceSession) ?? new Set<FakeDeviceSession>();
    this.childrenOfGateway.set(gateway as FakeDeviceSession, siblings.add(child));
    return child;
  }

  /** Child connects wait until the returned function is called. */
  holdChildConnects(): () => void {
    const { promise, release } = held();
    this.childConnectHold = promise;
    return () => {
      this.childConnectHold = undefined;
      release();
    };
  }

  /** The open child session of `deviceName`. */
  child(deviceName: string): FakeDeviceSession {
    const child = this.children.get(deviceName);
    if (!child) throw new Error(`no child session for ${deviceName}`);
    return child;
  }

  // ---- provisioning and polled devices ----

  provision(payload: string): Promise<ProvisionResponse> {
    this.provisionRequests.push(payload);
    return this.provisionAnswer(payload);
  }

  watchPolledDevices(
    transportType: string,
    onChange: (change: PolledDeviceChange) => void,
  ): Promise<{ devices: PolledDevice[]; stop(): void }> {
    this.watchedTransportType = transportType;
    this.onPolledDeviceChange = onChange;
    return Promise.resolve({ devices: [...this.polledDevices], stop: () => (this.onPolledDeviceChange = undefined) });
  }

  /** The core telling the watching transport that a device was created, changed or deleted. */
  changePolledDevice(change: PolledDeviceChange): void {
    this.onPolledDeviceChange?.(change);
  }
}
