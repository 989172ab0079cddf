import { Module } from '@nestjs/common';
import { ClaimingModule } from '../claiming/claiming.module';
import { DeviceMessagesModule } from '../device-messages/device-messages.module';
import { DeviceProfilesModule } from '../device-profiles/device-profiles.module';
import { DeviceStateModule } from '../device-state/device-state.module';
import { DevicesModule } from '../devices/devices.module';
import { OtaModule } from '../ota/ota.module';
import { ProvisioningModule } from '../provisioning/provisioning.module';
import { TelemetryModule } from '../telemetry/telemetry.module';
import { DeviceAuthenticator } from './device-authenticator';
import { DeviceHttpRouter } from './device-http-router';
import { PolledDevices } from './polled-devices';
import { TransportHost } from './transport-host.service';
import { SessionRegistry } from './session-registry';

/** The core side of the transport seam: device authentication, sessions, and the running transports. */
@Module({
  imports: [
    DevicesModule,
    DeviceProfilesModule,
    TelemetryModule,
    DeviceStateModule,
    DeviceMessagesModule,
    ProvisioningModule,
    ClaimingModule,
    OtaModule,
  ],
  providers: [DeviceAuthenticator, SessionRegistry, DeviceHttpRouter, TransportHost, PolledDevices],
  exports: [DeviceAuthenticator, SessionRegistry, DeviceHttpRouter, TransportHost],
})
export class TransportModule {}
