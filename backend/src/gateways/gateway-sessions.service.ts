import type { DeviceSession, SessionListener } from '@edgewise/plugin-api';
import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { DeviceEntity } from '../devices/device.entity';
import { DeviceEvents } from '../devices/device-events';
import { identityOf } from '../transport/device-authenticator';
import { CoreDeviceSession } from '../transport/device-session';
import { SessionRegistry } from '../transport/session-registry';
import { checkChildName, childType } from './child-names';
import { GatewayChildDevices } from './gateway-child-devices.service';

/** Children inherit their gateway's activity at most this often (device state writes activity every few seconds anyway). */
const ACTIVITY_RELAY_INTERVAL_MS = 1_000;

/** What the core keeps per open gateway session. */
interface GatewayState {
  readonly children: Set<CoreDeviceSession>;
  /** `additionalInfo.overwriteActivityTime` of the gateway (device-api.md §4.1). */
  overwriteActivityTime: boolean;
  lastRelayAt: number;
}

const overwritesActivity = (gateway: DeviceEntity): boolean => gateway.additionalInfo?.overwriteActivityTime === true;

/**
 * The core side of the gateway API (`TransportContext.openGatewayChildSession`): child sessions are ordinary
 * `connection` sessions of their devices (own telemetry, attributes, RPC, state), opened under a gateway session
 * and closed with it. With the gateway's `overwriteActivityTime`, the gateway's activity counts for its children.
 */
@Injectable()
export class GatewaySessions implements OnModuleDestroy {
  private readonly logger = new Logger('GatewaySessions');
  private readonly gateways = new Map<CoreDeviceSession, GatewayState>();
  private readonly gatewayOfChild = new Map<CoreDeviceSession, CoreDeviceSession>();
  private readonly onSessionClosed = (session: CoreDeviceSession) => this.closed(session);
  private readonly onDeviceUpdated = (deviceId: string) => void this.refreshGateway(deviceId);

  constructor(
    private readonly sessions: SessionRegistry,
    private readonly childDevices: GatewayChildDevices,
    private readonly deviceEvents: DeviceEvents,
  ) {
    sessions.on('closed', this.onSessionClosed);
    deviceEvents.on('updated', this.onDeviceUpdated);
  }

  onModuleDestroy(): void {
    this.sessions.off('closed', this.onSessionClosed);
    this.deviceEvents.off('updated', this.onDeviceUpdated);
  }

  /**
   * Finds or creates the child device in the gateway's tenant and opens its session, subscribed to shared
   * attributes and RPC as ThingsBoard subscribes gateway children. Rejects with PayloadError for a name or type
   * the contract refuses; with another error when the device cannot be connected (the gateway session ended …).
   */
  async openChild(
    gateway: DeviceSession,
    deviceName: string,
    deviceType: string | undefined,
    listener: SessionListener,
  ): Promise<DeviceSession> {
    const gatewaySession = this.liveGatewaySession(gateway);
    const child = await this.childDevices.findOrCreate(gateway.device.deviceId, checkChildName(deviceName), childType(deviceType));
    if (!this.isOpen(gatewaySession))
      throw new Error(`The session of gateway ${gateway.device.deviceName} ended before child device ${deviceName} was connected`);
    const session = this.sessions.open(identityOf(child.device, child.profile), listener, 'connection');
    let state = this.gateways.get(gatewaySession);
    if (!state) this.gateways.set(gatewaySession, (state = { children: new Set(), overwriteActivityTime: false, lastRelayAt: 0 }));
    state.children.add(session);
    this.gatewayOfChild.set(session, gatewaySession);
    this.setOverwriteActivityTime(gatewaySession, state, overwritesActivity(child.gateway));
    session.setAttributeSubscription(true);
    session.setRpcSubscription(true);
    return session;
  }

  /** The open core session of a gateway device, as the transport got it from `openSession`. */
  private liveGatewaySession(gateway: DeviceSession): CoreDeviceSession {
    if (!(gateway instanceof CoreDeviceSession) || !this.isOpen(gateway))
      throw new Error('Child devices can only be connected through an open gateway session from TransportContext.openSession');
    if (!gateway.device.isGateway)
      throw new Error(
        `Device ${gateway.device.deviceName} is not a gateway: set additionalInfo.gateway to true to let it connect child devices`,
      );
    return gateway;
  }

  private isOpen(session: CoreDeviceSession): boolean {
    return this.sessions.sessionsOf(session.device.deviceId).has(session);
  }

  /** A gateway session ended: every child session it opened ends too (each child gets its DISCONNECT_EVENT). */
  private closed(session: CoreDeviceSession): void {
    const state = this.gateways.get(session);
    if (state) {
      this.gateways.delete(session);
      for (const child of state.children) this.gatewayOfChild.delete(child);
      for (const child of state.children) child.close();
      return;
    }
    const gateway = this.gatewayOfChild.get(session);
    if (gateway === undefined) return;
    this.gatewayOfChild.delete(session);
    this.gateways.get(gateway)?.children.delete(session);
  }

  private setOverwriteActivityTime(gatewaySession: CoreDeviceSession, state: GatewayState, on: boolean): void {
    if (state.overwriteActivityTime === on) return;
    state.overwriteActivityTime = on;
    this.sessions.setActivityRelay(gatewaySession, on ? () => this.relayActivity(state) : undefined);
  }

  private relayActivity(state: GatewayState): void {
    const now = Date.now();
    if (now - state.lastRelayAt < ACTIVITY_RELAY_INTERVAL_MS) return;
    state.lastRelayAt = now;
    for (const child of state.children) child.reportActivity();
  }

  /** A gateway's flags may change while it is connected (ThingsBoard's `onDeviceUpdate`). */
  private async refreshGateway(deviceId: string): Promise<void> {
    const open = [...this.gateways].filter(([session]) => session.device.deviceId === deviceId);
    if (!open.length) return;
    try {
      const gateway = await this.childDevices.gateway(deviceId);
      if (!gateway) return;
      // Sessions that ended during the read keep no relay.
      for (const [session, state] of open)
        if (this.gateways.get(session) === state) this.setOverwriteActivityTime(session, state, overwritesActivity(gateway));
    } catch (e) {
      this.logger.error(
        `gateway ${deviceId} not re-read after its update; overwriteActivityTime keeps its old value: ${(e as Error).message}`,
      );
    }
  }
}
