import {
  AttributesRequest,
  DeviceIdentity,
  DeviceSession,
  OtaPackageLookup,
  OtaPackageType,
  SessionKind,
  SessionListener,
} from '@edgewise/plugin-api';
import { randomUUID } from 'node:crypto';
import type { DeviceMsgType } from '../device-messages/device-message-submitter';
import type { OtaPackagesService } from '../ota/ota-packages.service';
import { AttributesService } from '../telemetry/attributes.service';
import { kvObjectJson } from '../telemetry/kv-json';

/** This node's id in rule messages' `serviceId` (ThingsBoard names the service that holds the session). */
export const SERVICE_ID = 'edgewise';

/** Everything a session needs from the core, shared by all sessions. */
export interface SessionServices {
  /** The single submit point of device messages (resolves when the message is kept). */
  submit(device: DeviceIdentity, type: DeviceMsgType, payload: string, metadata?: Record<string, string>): Promise<void>;
  attributes: AttributesService;
  clientRpcTimeoutMs: number;
  onClosed(session: CoreDeviceSession): void;
  /** Every uplink counts as device activity. */
  onActivity(session: CoreDeviceSession): void;
  onRpcSubscribed(session: CoreDeviceSession): void;
  onRpcReply(session: CoreDeviceSession, requestId: number, payload: string): void;
  /** Device-side claiming (device-api.md §1.10): resolves once the registration is kept or refused. */
  registerClaim(device: DeviceIdentity, payload: string): Promise<void>;
  /** OTA packages: what is assigned to a device, and the bytes of its binary (device-api.md §1.12). */
  ota: Pick<OtaPackagesService, 'findForDevice' | 'readChunk'>;
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
  private lastServerCallId = 0;
  private readonly serverCalls = new Map<number, (body: string) => void>();

  constructor(
    readonly device: DeviceIdentity,
    readonly listener: SessionListener,
    private readonly services: SessionServices,
    readonly kind: SessionKind,
  ) {}

  postTelemetry(payload: string): Promise<void> {
    this.services.onActivity(this);
    return this.services.submit(this.device, 'POST_TELEMETRY_REQUEST', payload);
  }

  postAttributes(payload: string): Promise<void> {
    this.services.onActivity(this);
    return this.services.submit(this.device, 'POST_ATTRIBUTES_REQUEST', payload);
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

  /**
   * The request goes to the rule engine as TO_SERVER_RPC_REQUEST with metadata `requestId`/`sessionId`; an
   * "RPC call reply" node answers through `answerServerCall`. Unanswered → `{"error":"timeout"}` as in ThingsBoard.
   */
  async callServer(payload: string): Promise<string> {
    this.services.onActivity(this);
    const requestId = ++this.lastServerCallId;
    const reply = new Promise<string>((resolve) => {
      const timer = setTimeout(() => this.answerServerCall(requestId, '{"error":"timeout"}'), this.services.clientRpcTimeoutMs);
      timer.unref();
      this.serverCalls.set(requestId, (body) => {
        clearTimeout(timer);
        resolve(body);
      });
    });
    try {
      await this.services.submit(this.device, 'TO_SERVER_RPC_REQUEST', payload, {
        requestId: String(requestId),
        sessionId: this.id,
        serviceId: SERVICE_ID,
      });
    } catch (e) {
      this.serverCalls.delete(requestId);
      throw e;
    }
    return reply;
  }

  /** The rule engine's answer to the device's call `requestId`; ignored when it already timed out. */
  answerServerCall(requestId: number, body: string): void {
    const answer = this.serverCalls.get(requestId);
    this.serverCalls.delete(requestId);
    answer?.(body);
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

  claim(payload: string): Promise<void> {
    this.services.onActivity(this);
    return this.services.registerClaim(this.device, payload);
  }

  findOtaPackage(type: OtaPackageType): Promise<OtaPackageLookup> {
    this.services.onActivity(this);
    return this.services.ota.findForDevice(this.device, type);
  }

  readOtaChunk(packageId: string, chunkSize: number, chunk: number): Promise<Uint8Array> {
    this.services.onActivity(this);
    return this.services.ota.readChunk(this.device, packageId, chunkSize, chunk);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.services.onClosed(this);
  }
}
