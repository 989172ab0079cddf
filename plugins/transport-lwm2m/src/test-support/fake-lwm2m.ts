/**
 * Typed stand-ins for the unit tests: the core on the transport seam (knows LwM2M endpoints, records uplinks),
 * object models built in code, and a simulated LwM2M client behind the Downlink interface that answers with the
 * real codecs.
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
  SessionListener,
  TransportContext,
} from '@edgewise/plugin-api';
import { ContentFormat, decodeContent, encodeContent } from '../codecs/content';
import type { DeviceResponse, Downlink, DownlinkRequest, Observation, Peer } from '../downlink';
import { DownlinkTimeoutError } from '../downlink';
import type { ModelLookup, ObjectModel, ResourceModel, ResourceType } from '../object-model';
import { formatPath, isWithin, parsePath, type Lwm2mPath } from '../paths';
import type { ResourceValue } from '../values';

type ResourceSpec = [id: number, name: string, operations: string, type: ResourceType, multiple?: boolean];

export function objectModel(id: number, version: string, multiple: boolean, resources: ResourceSpec[]): ObjectModel {
  return {
    id,
    name: `Object ${id}`,
    version,
    multiple,
    mandatory: false,
    resources: new Map(
      resources.map(([rid, name, operations, type, many]): [number, ResourceModel] => [
        rid,
        { id: rid, name, operations, type, multiple: many ?? false, mandatory: false },
      ]),
    ),
  };
}

/** Device (3) v1.2 and Temperature (3303) v1.1, the resources the tests use. */
export const TEST_MODELS: ModelLookup = (() => {
  const models = [
    objectModel(3, '1.2', false, [
      [0, 'Manufacturer', 'R', 'STRING'],
      [3, 'Firmware Version', 'R', 'STRING'],
      [4, 'Reboot', 'E', 'NONE'],
      [6, 'Available Power Sources', 'R', 'INTEGER', true],
      [9, 'Battery Level', 'R', 'INTEGER'],
      [14, 'UTC Offset', 'RW', 'STRING'],
    ]),
    objectModel(5, '1.1', false, [
      [0, 'Package', 'W', 'OPAQUE'],
      [1, 'Package URI', 'RW', 'STRING'],
      [2, 'Update', 'E', 'NONE'],
      [3, 'State', 'R', 'INTEGER'],
      [5, 'Update Result', 'R', 'INTEGER'],
      [6, 'PkgName', 'R', 'STRING'],
      [7, 'PkgVersion', 'R', 'STRING'],
      [9, 'Firmware Update Delivery Method', 'R', 'INTEGER'],
    ]),
    objectModel(9, '1.0', true, [
      [0, 'PkgName', 'R', 'STRING'],
      [1, 'PkgVersion', 'R', 'STRING'],
      [2, 'Package', 'W', 'OPAQUE'],
      [3, 'Package URI', 'W', 'STRING'],
      [4, 'Install', 'E', 'NONE'],
      [7, 'Update State', 'R', 'INTEGER'],
      [9, 'Update Result', 'R', 'INTEGER'],
    ]),
    objectModel(19, '1.0', true, [[0, 'Data', 'RW', 'OPAQUE', true]]),
    objectModel(3303, '1.1', true, [
      [5700, 'Sensor Value', 'R', 'FLOAT'],
      [5701, 'Sensor Units', 'R', 'STRING'],
    ]),
  ];
  return { find: (id, version) => models.find((model) => model.id === id && model.version === version) };
})();

export const DEVICE: DeviceIdentity = {
  deviceId: 'device-1',
  deviceName: 'L1',
  deviceType: 'lwm2m',
  deviceProfileId: 'profile-1',
  tenantId: 'tenant-1',
  customerId: '',
  transportType: 'LWM2M',
  isGateway: false,
  transportConfiguration: {
    type: 'LWM2M',
    observeAttr: {
      keyName: {
        '/3_1.2/0/0': 'manufacturer',
        '/3_1.2/0/9': 'batteryLevel',
        '/3_1.2/0/14': 'utcOffset',
        '/3303_1.1/0/5700': 'temperature',
        '/3_1.2/0/6': 'powerSources',
      },
      observe: ['/3303_1.1/0/5700'],
      attribute: ['/3_1.2/0/0', '/3_1.2/0/14'],
      telemetry: ['/3_1.2/0/9', '/3303_1.1/0/5700', '/3_1.2/0/6'],
      attributeLwm2m: { '/3303_1.1/0/5700': { pmin: 1, pmax: 10 } },
    },
    clientLwM2mSettings: { fwUpdateStrategy: 1, swUpdateStrategy: 1, defaultObjectIDVer: '1.0' },
  },
};

export class FakeSession implements DeviceSession {
  readonly id: string;
  attributeSubscription = false;
  rpcSubscription = false;
  closed = false;
  readonly telemetry: string[] = [];
  readonly attributes: string[] = [];
  readonly rpcReplies: { requestId: number; payload: string }[] = [];
  readonly attributeRequests: AttributesRequest[] = [];
  sharedAttributes = '{}';
  /** What findOtaPackage answers, and the binary readOtaChunk serves. */
  otaPackage: OtaPackageLookup = { ok: false, error: 'NOT_FOUND' };
  otaBinary = new Uint8Array();

  constructor(
    readonly device: DeviceIdentity,
    readonly listener: SessionListener,
    index: number,
  ) {
    this.id = `session-${index}`;
  }

  postTelemetry(payload: string): Promise<void> {
    this.telemetry.push(payload);
    return Promise.resolve();
  }
  postAttributes(payload: string): Promise<void> {
    this.attributes.push(payload);
    return Promise.resolve();
  }
  getAttributes(request: AttributesRequest): Promise<string> {
    this.attributeRequests.push(request);
    return Promise.resolve(this.sharedAttributes === '{}' ? '{}' : `{"shared":${this.sharedAttributes}}`);
  }
  replyToServerRpc(requestId: number, payload: string): void {
    this.rpcReplies.push({ requestId, payload });
  }
  callServer(): Promise<string> {
    return Promise.resolve('{"error":"timeout"}');
  }
  setAttributeSubscription(on: boolean): void {
    this.attributeSubscription = on;
  }
  setRpcSubscription(on: boolean): void {
    this.rpcSubscription = on;
  }
  reportActivity(): void {}
  claim(): Promise<void> {
    return Promise.resolve();
  }
  findOtaPackage(): Promise<OtaPackageLookup> {
    return Promise.resolve(this.otaPackage);
  }
  readOtaChunk(_packageId: string, chunkSize: number): Promise<Uint8Array> {
    return Promise.resolve(chunkSize === 0 ? this.otaBinary : this.otaBinary.subarray(0, chunkSize));
  }
  close(): void {
    this.closed = true;
  }

  /** The core pushing a server-side RPC; resolves with the reply the transport gave. */
  async rpc(method: string, params: unknown, id = this.rpcReplies.length + 100): Promise<Record<string, unknown>> {
    const request: ServerRpcRequest = { id, method, params, oneway: false };
    await this.listener.onServerRpc(request);
    const reply = this.rpcReplies.find((r) => r.requestId === id);
    if (!reply) throw new Error(`no reply to RPC ${id}`);
    return JSON.parse(reply.payload) as Record<string, unknown>;
  }
}

export class FakeCore implements TransportContext {
  readonly logEntries: { level: string; message: string }[] = [];
  readonly log: PluginLogger = {
    debug: (message) => this.logEntries.push({ level: 'debug', message }),
    info: (message) => this.logEntries.push({ level: 'info', message }),
    warn: (message) => this.logEntries.push({ level: 'warn', message }),
    error: (message) => this.logEntries.push({ level: 'error', message }),
  };
  readonly http: TransportContext['http'] = { route: () => undefined };
  readonly endpoints = new Map<string, DeviceIdentity>([['ep-1', DEVICE]]);
  readonly sessions: FakeSession[] = [];
  authOverride: AuthResult | undefined;

  authenticate(credentials: DeviceCredentialsRequest): Promise<AuthResult> {
    if (this.authOverride) return Promise.resolve(this.authOverride);
    const device = credentials.type === 'LWM2M_CREDENTIALS' ? this.endpoints.get(credentials.endpoint) : undefined;
    return Promise.resolve(device ? { ok: true, device } : { ok: false, failure: 'NOT_FOUND', reason: 'No device has this endpoint' });
  }
  openSession(device: DeviceIdentity, listener: SessionListener): DeviceSession {
    const session = new FakeSession(device, listener, this.sessions.length + 1);
    this.sessions.push(session);
    return session;
  }
  openGatewayChildSession(): Promise<DeviceSession> {
    return Promise.reject(new Error('not used by LwM2M'));
  }
  provision(): Promise<ProvisionResponse> {
    return Promise.reject(new Error('not used by LwM2M'));
  }
  watchPolledDevices(): ReturnType<TransportContext['watchPolledDevices']> {
    return Promise.resolve({ devices: [], stop: () => {} });
  }
  get session(): FakeSession {
    const session = this.sessions.at(-1);
    if (!session) throw new Error('no session was opened');
    return session;
  }
}

/** A simulated LwM2M client behind the Downlink: a value table it reads, writes and notifies from. */
export class FakeDevice implements Downlink {
  readonly values = new Map<string, ResourceValue>();
  readonly requests: DownlinkRequest[] = [];
  readonly executed: { path: string; argument: string }[] = [];
  private readonly observers = new Map<
    string,
    { paths: string[]; answer: () => DeviceResponse; notify: (response: DeviceResponse) => void }
  >();
  /** Paths whose requests are never answered. */
  readonly silent = new Set<string>();
  /** Called after a successful write or execute, like a client's firmware logic reacting to it. */
  onWritten: (path: string) => void = () => {};
  onExecuted: (path: string) => void = () => {};

  constructor(private readonly models: ModelLookup = TEST_MODELS) {
    this.set('/3/0/0', 'STRING', 'Edgewise Labs');
    this.set('/3/0/9', 'INTEGER', 87);
    this.set('/3/0/14', 'STRING', '+01');
    this.set('/3/0/6/0', 'INTEGER', 1);
    this.set('/3/0/6/1', 'INTEGER', 5);
    this.set('/3303/0/5700', 'FLOAT', 21.5);
  }

  set(path: string, type: ResourceType, value: ResourceValue['value']): void {
    this.values.set(path, { path: parsePath(path).path, type, value });
  }

  /** Changes a value and notifies an observer of it (or of an enclosing path). */
  change(path: string, value: ResourceValue['value']): void {
    const current = this.values.get(path)!;
    this.set(path, current.type, value);
    for (const observer of this.observers.values())
      if (observer.paths.some((observed) => isWithin(current.path, parsePath(observed).path))) observer.notify(observer.answer());
  }

  /** The SenML names of a composite request. */
  private names(request: DownlinkRequest): string[] {
    const records = JSON.parse(Buffer.from(request.payload!).toString()) as { n: string }[];
    return records.map((record) => record.n);
  }

  private readComposite(names: string[], format: number): DeviceResponse {
    const found = [...this.values.values()].filter((value) => names.some((name) => isWithin(value.path, parsePath(name).path)));
    return { code: '2.05', contentFormat: format, payload: encodeContent(format, found, { objectId: 0 }) };
  }

  private typeOf = (path: Lwm2mPath) => {
    const versions = { 3: '1.2', 5: '1.1', 9: '1.0', 19: '1.0', 3303: '1.1' } as Record<number, string>;
    const type = this.models.find(path.objectId, versions[path.objectId] ?? '1.0')?.resources.get(path.resourceId ?? -1)?.type;
    return type === 'NONE' ? undefined : type;
  };

  private read(path: string, accept: number): DeviceResponse {
    const target = parsePath(path).path;
    const found = [...this.values.values()].filter((value) => isWithin(value.path, target));
    if (!found.length) return { code: '4.04', payload: new Uint8Array() };
    const single = found.length === 1 && formatPath(found[0].path) === path;
    const format = single || accept !== ContentFormat.TEXT ? accept : ContentFormat.TLV;
    return { code: '2.05', contentFormat: format, payload: encodeContent(format, found, target) };
  }

  send(_peer: Peer, request: DownlinkRequest): Promise<DeviceResponse> {
    this.requests.push(request);
    if (this.silent.has(request.path)) return Promise.reject(new DownlinkTimeoutError(`no answer from the client for ${request.path}`));
    switch (request.method) {
      case 'GET':
        if (request.accept === ContentFormat.LINK)
          return Promise.resolve({
            code: '2.05',
            contentFormat: ContentFormat.LINK,
            payload: Buffer.from(`<${request.path}>,<${request.path}/9>`),
          });
        return Promise.resolve(this.read(request.path, request.accept ?? ContentFormat.TLV));
      case 'PUT':
        if (request.query?.length) return Promise.resolve({ code: '2.04', payload: new Uint8Array() });
        return this.write(request);
      case 'POST': {
        const target = parsePath(request.path).path;
        if (target.resourceId !== undefined) {
          this.executed.push({ path: request.path, argument: Buffer.from(request.payload ?? []).toString() });
          setImmediate(() => this.onExecuted(request.path));
          return Promise.resolve({ code: '2.04', payload: new Uint8Array() });
        }
        if (target.instanceId === undefined)
          return Promise.resolve({ code: '2.01', payload: new Uint8Array(), locationPath: `${request.path}/1` });
        return this.write(request); // Write-Update of an instance
      }
      case 'FETCH':
        return Promise.resolve(this.readComposite(this.names(request), request.accept!));
      case 'iPATCH':
        for (const value of decodeContent(request.contentFormat!, request.payload!, { objectId: 0 }, this.typeOf))
          this.values.set(formatPath(value.path), value);
        return Promise.resolve({ code: '2.04', payload: new Uint8Array() });
      default:
        return Promise.resolve({ code: '2.02', payload: new Uint8Array() });
    }
  }

  private write(request: DownlinkRequest): Promise<DeviceResponse> {
    const target = parsePath(request.path).path;
    for (const value of decodeContent(request.contentFormat!, request.payload!, target, this.typeOf))
      this.values.set(formatPath(value.path), value);
    setImmediate(() => this.onWritten(request.path));
    return Promise.resolve({ code: '2.04', payload: new Uint8Array() });
  }

  async observe(peer: Peer, request: DownlinkRequest, timeoutMs: number, onNotify: (n: DeviceResponse) => void): Promise<Observation> {
    const response = await this.send(peer, request);
    const accept = request.accept ?? ContentFormat.TLV;
    const composite = request.method === 'FETCH';
    const paths = composite ? this.names(request) : [request.path];
    const key = composite ? `composite:${paths.join(',')}` : request.path;
    const answer = () => (composite ? this.readComposite(paths, accept) : this.read(request.path, accept));
    this.observers.set(key, { paths, answer, notify: onNotify });
    return { response, cancel: () => this.observers.delete(key) };
  }

  observed(): string[] {
    return [...this.observers.keys()];
  }
}
