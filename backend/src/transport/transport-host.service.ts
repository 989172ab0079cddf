import type { TransportContext, TransportInstance } from '@edgewise/plugin-api';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { GatewaySessions } from '../gateways/gateway-sessions.service';
import { pluginLogger } from '../plugins/plugin-logger';
import { ProvisioningService } from '../provisioning/provisioning.service';
import { ResourcesService } from '../resources/resources.service';
import { PluginRegistry } from '../plugins/plugin-registry';
import { DeviceAuthenticator } from './device-authenticator';
import { DeviceHttpRouter } from './device-http-router';
import { PolledDevices } from './polled-devices';
import { SessionRegistry } from './session-registry';
import { transportSettings } from './transport-settings';

/** Starts the transports of the loaded plugins once the core is ready, and stops them before it closes. */
@Injectable()
export class TransportHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Transports');
  private readonly running = new Map<string, TransportInstance>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly authenticator: DeviceAuthenticator,
    private readonly sessions: SessionRegistry,
    private readonly http: DeviceHttpRouter,
    private readonly plugins: PluginRegistry,
    private readonly polledDevices: PolledDevices,
    private readonly provisioning: ProvisioningService,
    private readonly moduleRef: ModuleRef,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const { transport } of this.plugins.transports()) {
      const settings = transportSettings(this.config, transport.id);
      if (!settings) continue;
      const instance = transport.create(this.contextFor(transport.id), settings);
      await instance.start();
      this.running.set(transport.id, instance);
      const ports = instance.boundPorts();
      const where = Object.entries(ports)
        .map(([name, port]) => `${name} ${port}`)
        .join(', ');
      this.logger.log({ msg: `transport ${transport.id} started${where ? `: ${where}` : ''}`, transport: transport.id, ports });
    }
  }

  /** Ports each running transport bound, e.g. `{ mqtt: { mqtt: 1883 } }`. */
  boundPorts(): Record<string, Record<string, number>> {
    return Object.fromEntries([...this.running].map(([id, instance]) => [id, instance.boundPorts()]));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([...this.running.values()].map((instance) => instance.stop()));
    this.running.clear();
  }

  private contextFor(transportId: string): TransportContext {
    const log = pluginLogger(`transport:${transportId}`);
    return {
      log,
      authenticate: (credentials) => this.authenticator.authenticate(credentials),
      openSession: (device, listener, kind) => this.sessions.open(device, listener, kind),
      http: this.http,
      // Looked up, not injected: the gateway feature builds on this module (sessions, RPC).
      openGatewayChildSession: async (gateway, deviceName, deviceType, listener) =>
        this.moduleRef.get(GatewaySessions, { strict: false }).openChild(gateway, deviceName, deviceType, listener),
      provision: (payload) => this.provisioning.provision(payload),
      watchPolledDevices: (transportType, onChange) => this.polledDevices.watch(transportType, onChange),
      lwm2mModels: (tenantId) => this.moduleRef.get(ResourcesService, { strict: false }).lwm2mModels(tenantId),
    };
  }
}
