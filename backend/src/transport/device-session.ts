import { AttributesRequest, DeviceIdentity, DeviceSession, PayloadError, SessionKind, SessionListener } from '@edgewise/plugin-api';
import { randomUUID } from 'node:crypto';
import { AttributesService } from '../telemetry/attributes.service';
import { readJson } from '../telemetry/json-reader';
import { isJsonObject, KvParseError, KvTypingOptions, toKvEntries } from '../telemetry/kv-typing';
import { kvObjectJson } from '../telemetry/kv-json';
import { parseTelemetry } from '../telemetry/telemetry-payload';
import { TimeseriesService } from '../telemetry/timeseries.service';

/** Devices' null values are skipped, not refused (device-api.md §0.1). */
const DEVICE_TYPING: KvTypingOptions = { nulls: 'drop' };

/** Everything a session needs from the core, shared by all sessions. */
export interface SessionServices {
  timeseries: TimeseriesService;
  attributes: AttributesService;
  clientRpcTimeoutMs: number;
  onClosed(session: CoreDeviceSession): void;
  /** Every uplink counts as device activity. */
  onActivity(session: CoreDeviceSession): void;
  onRpcSubscribed(session: CoreDeviceSession): void;
  onRpcReply(session: CoreDeviceSession, requestId: number, payload: string): void;
}

/** Parses device JSON, turning syntax and shape errors into the seam's PayloadError. */
function parseDeviceJson<T>(payload: string, read: (json: unknown) => T): T {
  let json: unknown;
  try {
    json = readJson(payload);
  } catch (e) {
    throw new PayloadError(`Invalid JSON: ${(e as Error).message}`);
  }
  try {
    return read(json);
  } catch (e) {
    if (e instanceof KvParseError) throw new PayloadError(e.message);
    throw e;
  }
}

/**
 * A device's session in the core: the transport's handle to post uplinks, and the core's route to push
 * downlinks through the transport's listener. Until the rule engine exists, uplinks are stored directly.
 */
export class CoreDeviceSession implements DeviceSession {
  readonly id = randomUUID();
  attributeSubscription = false;
  rpcSubscription = false;
  private closed = false;

  constructor(
    readonly device: DeviceIdentity,
    readonly listener: SessionListener,
    private readonly services: SessionServices,
    readonly kind: SessionKind,
  ) {}

  async postTelemetry(payload: string): Promise<void> {
    this.services.onActivity(this);
    const points = parseDeviceJson(payload, (json) => parseTelemetry(json, Date.now(), DEVICE_TYPING));
    if (points.length) await this.services.timeseries.save(this.device.deviceId, points);
  }

  async postAttributes(payload: string): Promise<void> {
    this.services.onActivity(this);
    const entries = parseDeviceJson(payload, (json) => {
      if (!isJsonObject(json)) throw new KvParseError('Attributes must be a JSON object');
      return toKvEntries(json, DEVICE_TYPING);
    });
    if (entries.length) await this.services.attributes.save(this.device.deviceId, 'CLIENT_SCOPE', entries);
  }

  /** Both key lists absent → every client and shared attribute (device-api.md §1.6). */
  async getAttributes(request: AttributesRequest): Promise<string> {
    this.services.onActivity(this);
    const all = !request.clientKeys && !request.sharedKeys;
    const client =
      all || request.clientKeys
        ? await this.services.attributes.find(this.device.deviceId, 'CLIENT_SCOPE', all ? undefined : request.clientKeys)
        : [];
    const shared =
      all || request.sharedKeys
        ? await this.services.attributes.find(this.device.deviceId, 'SHARED_SCOPE', all ? undefined : request.sharedKeys)
        : [];
    const members: string[] = [];
    if (client.length) members.push(`"client":${kvObjectJson(client)}`);
    if (shared.length) members.push(`"shared":${kvObjectJson(shared)}`);
    return `{${members.join(',')}}`;
  }

  replyToServerRpc(requestId: number, payload: string): void {
    this.services.onActivity(this);
    this.services.onRpcReply(this, requestId, payload);
  }

  /** No rule engine can answer yet, so every client-side RPC ends the way an unanswered one does in ThingsBoard. */
  callServer(): Promise<string> {
    this.services.onActivity(this);
    return new Promise((resolve) => setTimeout(() => resolve('{"error":"timeout"}'), this.services.clientRpcTimeoutMs).unref());
  }

  setAttributeSubscription(on: boolean): void {
    this.services.onActivity(this);
    this.attributeSubscription = on;
  }

  setRpcSubscription(on: boolean): void {
    this.services.onActivity(this);
    const subscribed = on && !this.rpcSubscription;
    this.rpcSubscription = on;
    if (subscribed) this.services.onRpcSubscribed(this);
  }

  reportActivity(): void {
    this.services.onActivity(this);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.services.onClosed(this);
  }
}
