import { Module } from '@nestjs/common';
import { DeviceMessagesModule } from '../device-messages/device-messages.module';
import { DeviceStateModule } from '../device-state/device-state.module';
import { DevicesModule } from '../devices/devices.module';
import { TelemetryModule } from '../telemetry/telemetry.module';
import { DeviceAuthenticator } from './device-authenticator';
import { DeviceHttpRouter } from './device-http-router';
import { TransportHost } from './transport-host.service';
import { SessionRegistry } from './session-registry';

/** The core side of the transport seam: device authentication, sessions, and the running transports. */
@Module({
  imports: [DevicesModule, TelemetryModule, DeviceStateModule, DeviceMessagesModule],
  providers: [DeviceAuthenticator, SessionRegistry, DeviceHttpRouter, TransportHost],
  exports: [DeviceAuthenticator, SessionRegistry, DeviceHttpRouter, TransportHost],
})
export class TransportModule {}
