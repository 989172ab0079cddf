import type { DeviceIdentity, SessionCloseReason, SessionKind, SessionListener } from '@edgewise/plugin-api';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { ClaimingService } from '../claiming/claiming.service';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { DeviceMessageSubmitter } from '../device-messages/device-message-submitter';
import { DeviceStateService } from '../device-state/device-state.service';
import { DeviceEvents } from '../devices/device-events';
import { OtaPackagesService } from '../ota/ota-packages.service';
import { AttributeEvents } from '../telemetry/attribute-events';
import { AttributesService } from '../telemetry/attributes.service';
import { CoreDeviceSession, SessionServices } from './device-session';

export interface SessionEventMap {
  /** A session of the device subscribed to server-side RPC: pending calls can go out now. */
  rpcSubscribed: [deviceId: string];
  /** The device answered server-side RPC `requestId`. */
  rpcReply: [deviceId: string, requestId: number, payload: string];
  /** A session ended (whoever closed it); emitted after it left the registry. */
  closed: [session: CoreDeviceSession];
}

const NO_SESSIONS: ReadonlySet<CoreDeviceSession> = new Set();

/** Every open device session, by device: where downlinks are routed and what a device change closes. */
@Injectable()
export class SessionRegistry extends EventEmitter<SessionEventMap> implements OnModuleDestroy {
  private readonly byDevice = new Map<string, Set<CoreDeviceSession>>();
  /** Sessions whose activity also counts for other devices (a gateway with `overwriteActivityTime`: its children). */
  private readonly activityRelays = new Map<CoreDeviceSession, () => void>();
  private readonly services: SessionServices;
  private readonly onDeleted = (deviceId: string) => this.closeAll(deviceId, 'DEVICE_DELETED');
  private readonly onCredentialsChanged = (deviceId: string) => this.closeAll(deviceId, 'CREDENTIALS_UPDATED');
  private readonly onSharedAttributes = (deviceId: string, payload: string) => {
    for (const session of this.sessionsOf(deviceId)) if (session.attributeSubscription) session.listener.onAttributeUpdate(payload);
  };

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    messages: DeviceMessageSubmitter,
    attributes: AttributesService,
    private readonly events: DeviceEvents,
    private readonly attributeEvents: AttributeEvents,
    private readonly deviceState: DeviceStateService,
    claiming: ClaimingService,
    ota: OtaPackagesService,
  ) {
    super();
    this.services = {
      submit: (device, type, payload, metadata) => messages.submit(device, type, payload, metadata),
      attributes,
      clientRpcTimeoutMs: config.clientRpcTimeoutMs,
      onClosed: (session) => this.remove(session),
      onActivity: (session) => {
        deviceState.activity(session.device.deviceId);
        this.activityRelays.get(session)?.();
      },
      onRpcSubscribed: (session) => this.emit('rpcSubscribed', session.device.deviceId),
      onRpcReply: (session, requestId, payload) => this.emit('rpcReply', session.device.deviceId, requestId, payload),
      registerClaim: (device, payload) => claiming.register(device, payload),
      ota,
    };
    events.on('deleted', this.onDeleted);
    events.on('credentialsChanged', this.onCredentialsChanged);
    attributeEvents.on('sharedChanged', this.onSharedAttributes);
  }

  open(device: DeviceIdentity, listener: SessionListener, kind: SessionKind = 'connection'): CoreDeviceSession {
    const session = new CoreDeviceSession(device, listener, this.services, kind);
    if (kind === 'connection') void this.deviceState.connected(device.deviceId);
    else this.deviceState.activity(device.deviceId);
    let sessions = this.byDevice.get(device.deviceId);
    if (!sessions) this.byDevice.set(device.deviceId, (sessions = new Set()));
    sessions.add(session);
    return session;
  }

  /** Calls `relay` on every activity of `session` until it closes; undefined removes the relay. */
  setActivityRelay(session: CoreDeviceSession, relay: (() => void) | undefined): void {
    if (relay) this.activityRelays.set(session, relay);
    else this.activityRelays.delete(session);
  }

  /** Delivers the rule engine's reply to a device's own RPC request, if that session is still open. */
  replyToDeviceRpc(deviceId: string, sessionId: string, requestId: number, body: string): void {
    for (const session of this.sessionsOf(deviceId)) if (session.id === sessionId) session.answerServerCall(requestId, body);
  }

  sessionsOf(deviceId: string): ReadonlySet<CoreDeviceSession> {
    return this.byDevice.get(deviceId) ?? NO_SESSIONS;
  }

  onModuleDestroy(): void {
    this.events.off('deleted', this.onDeleted);
    this.events.off('credentialsChanged', this.onCredentialsChanged);
    this.attributeEvents.off('sharedChanged', this.onSharedAttributes);
  }

  private closeAll(deviceId: string, reason: SessionCloseReason): void {
    for (const session of [...this.sessionsOf(deviceId)]) {
      session.close();
      session.listener.onClose(reason);
    }
  }

  private remove(session: CoreDeviceSession): void {
    if (session.kind === 'connection') void this.deviceState.disconnected(session.device.deviceId);
    const sessions = this.byDevice.get(session.device.deviceId);
    sessions?.delete(session);
    if (sessions?.size === 0) this.byDevice.delete(session.device.deviceId);
    this.activityRelays.delete(session);
    this.emit('closed', session);
  }
}
