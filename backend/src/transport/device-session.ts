import { AttributesRequest, DeviceIdentity, DeviceSession, SessionKind, SessionListener } from '@edgewise/plugin-api';
import { randomUUID } from 'node:crypto';
import { deviceMsg, RuleMsg } from '../device-messages/rule-msg';
import { AttributesService } from '../telemetry/attributes.service';
import { kvObjectJson } from '../telemetry/kv-json';

/** Everything a session needs from the core, shared by all sessions. */
export interface SessionServices {
  /** The single submit point of device messages (resolves when the message is kept). */
  submit(msg: RuleMsg): Promise<void>;
  attributes: AttributesService;
  clientRpcTimeoutMs: number;
  onClosed(session: CoreDeviceSession): void;
  /** Every uplink counts as device activity. */
  onActivity(session: CoreDeviceSession): void;
  onRpcSubscribed(session: CoreDeviceSession): void;
  onRpcReply(session: CoreDeviceSession, requestId: number, payload: string): void;
}

/**
 * A device's session in the core: the transport's handle to post uplinks, and the core's route to push
 * downlinks through the transport's listener. Uplinks become rule messages for the single submit point.
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

  postTelemetry(payload: string): Promise<void> {
    this.services.onActivity(this);
    return this.services.submit(deviceMsg(this.device, 'POST_TELEMETRY_REQUEST', payload));
  }

  postAttributes(payload: string): Promise<void> {
    this.services.onActivity(this);
    return this.services.submit(deviceMsg(this.device, 'POST_ATTRIBUTES_REQUEST', payload));
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
