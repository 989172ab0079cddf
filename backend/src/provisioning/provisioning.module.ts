import { Module } from '@nestjs/common';
import { DevicesModule } from '../devices/devices.module';
import { CoreMessagesModule } from '../rule-engine/core-messages.module';
import { TelemetryModule } from '../telemetry/telemetry.module';
import { ProvisioningService } from './provisioning.service';

/** Device provisioning, offered to transports through `TransportContext.provision`. */
@Module({
  imports: [TelemetryModule, CoreMessagesModule, DevicesModule],
  providers: [ProvisioningService],
  exports: [ProvisioningService],
})
export class ProvisioningModule {}
