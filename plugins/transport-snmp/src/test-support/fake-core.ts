/**
 * A typed stand-in for the Edgewise core on the transport seam, for the SNMP transport: it hands out the polled
 * devices a test declares, lets the test push device changes, and records what each device session received.
 */
import type {
  AttributesRequest,
  DeviceIdentity,
  DeviceSession,
  OtaPackageLookup,
  PluginLogger,
  PolledDevice,
  PolledDeviceChange,
  ServerRpcRequest,
  SessionCloseReason,
  SessionKind,
  SessionListener,
  TransportContext,
} from '@edgewise/plugin-api';

export interface LogEntry {
  level: keyof PluginLogger;
  message: string;
  fields?: Record<string, unknown>;
}

export class FakeSession implements DeviceSession {
  readonly id: string;
  readonly telemetry: string[] = [];
  readonly attributes: string[] = [];
  readonly rpcReplies: { requestId: number; payload: string }[] = [];
  /** Device-to-server RPC payloads (traps). */
  readonly serverCalls: string[] = [];
  attributeSubscription = false;
  rpcSubscription = false;
  activityReports = 0;
  closed = false;

  constructor(
    private readonly core: FakeCore,
    readonly device: DeviceIdentity,
    readonly listener: SessionListener,
    readonly kind: SessionKind,
  ) {
    this.id = `session-${core.sessions.length + 1}`;
  }

  postTelemetry(payload: string): Promise<void> {
    JSON.parse(payload); // the core refuses text that is not JSON
    this.telemetry.push(payload);
    this.core.notify();
    return Promise.resolve();
  }

  postAttributes(payload: string): Promise<void> {
    JSON.parse(payload);
    this.attributes.push(payload);
    this.core.notify();
    return Promise.resolve();
  }

  getAttributes(_request: AttributesRequest): Promise<string> {
    return Promise.resolve('{}');
  }

  replyToServerRpc(requestId: number, payload: string): void {
    this.rpcReplies.push({ requestId, payload });
    this.core.notify();
  }

  callServer(payload: string): Promise<string> {
    JSON.parse(payload);
    this.serverCalls.push(payload);
    this.core.notify();
    return Promise.resolve('{}');
  }

  setAttributeSubscription(on: boolean): void {
    this.attributeSubscription = on;
  }

  setRpcSubscription(on: boolean): void {
    this.rpcSubscription = on;
  }

  reportActivity(): void {
    this.activityReports++;
    this.core.notify();
  }

  claim(): Promise<void> {
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
    this.core.notify();
  }

  // ---- the core pushing to the device ----

  pushAttributes(payload: string): void {
    this.listener.onAttributeUpdate(payload);
  }

  pushRpc(request: Partial<ServerRpcRequest> & Pick<ServerRpcRequest, 'method' | 'params'>): Promise<void> {
    return this.listener.onServerRpc({ id: 1, oneway: false, ...request });
  }

  closeBy(reason: SessionCloseReason): void {
    this.closed = true;
    this.listener.onClose(reason);
  }
}

export class FakeCore implements TransportContext {
  readonly logEntries: LogEntry[] = [];
  readonly log: PluginLogger = {
    debug: (message, fields) => this.record('debug', message, fields),
    info: (message, fields) => this.record('info', message, fields),
    warn: (message, fields) => this.record('warn', message, fields),
    error: (message, fields) => this.record('error', message, fields),
  };
  readonly http: TransportContext['http'] = {
    route: () => {
      throw new Error('the SNMP transport registers no HTTP routes');
    },
  };
  readonly sessions: FakeSession[] = [];
  watchedType?: string;
  private onChange?: (change: PolledDeviceChange) => void;
  private readonly waiters = new Set<() => void>();

  /** `devices`: what the first watch lists. */
  constructor(private readonly devices: PolledDevice[] = []) {}

  authenticate(): Promise<never> {
    return Promise.reject(new Error('the SNMP transport authenticates nobody'));
  }

  openSession(device: DeviceIdentity, listener: SessionListener, kind: SessionKind = 'connection'): DeviceSession {
    const session = new FakeSession(this, device, listener, kind);
    this.sessions.push(session);
    this.notify();
    return session;
  }

  openGatewayChildSession(): Promise<never> {
    return Promise.reject(new Error('not used by the SNMP transport'));
  }

  provision(): Promise<never> {
    return Promise.reject(new Error('not used by the SNMP transport'));
  }

  watchPolledDevices(transportType: string, onChange: (change: PolledDeviceChange) => void) {
    this.watchedType = transportType;
    this.onChange = onChange;
    return Promise.resolve({ devices: this.devices, stop: () => (this.onChange = undefined) });
  }

  /** The core telling the transport that a device was created, changed or deleted. */
  change(change: PolledDeviceChange): void {
    this.onChange?.(change);
  }

  /** The device's open session, if any. */
  openSessionOf(deviceId: string): FakeSession | undefined {
    return this.sessions.find((s) => s.device.deviceId === deviceId && !s.closed);
  }

  sessionsOf(deviceId: string): FakeSession[] {
    return this.sessions.filter((s) => s.device.deviceId === deviceId);
  }

  logged(level: keyof PluginLogger, pattern: RegExp): LogEntry[] {
    return this.logEntries.filter((e) => e.level === level && pattern.test(e.message));
  }

  /** Resolves once `condition` holds (checked whenever something happens), or rejects after `withinMs`. */
  until<T>(condition: () => T | undefined | false, withinMs = 5000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const value = condition();
        if (!value) return false;
        this.waiters.delete(check);
        clearTimeout(timer);
        clearInterval(poller);
        resolve(value);
        return true;
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        clearInterval(poller);
        reject(new Error(`condition not met within ${withinMs} ms: ${condition.toString()}`));
      }, withinMs);
      // Some conditions (log lines, counters) change without a session event: look now and then too.
      const poller = setInterval(check, 20);
      if (!check()) this.waiters.add(check);
    });
  }

  notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private record(level: keyof PluginLogger, message: string, fields?: Record<string, unknown>): void {
    this.logEntries.push({ level, message, fields });
    this.notify();
  }
}
