import { Module } from '@nestjs/common';
import { CustomersModule } from '../customers/customers.module';
import { DevicesModule } from '../devices/devices.module';
import { CoreMessagesModule } from '../rule-engine/core-messages.module';
import { TelemetryModule } from '../telemetry/telemetry.module';
import { ClaimingController } from './claiming.controller';
import { ClaimingService } from './claiming.service';

/** Device claiming: device-side registration (through the transport seam) and the customer REST API. */
@Module({
  imports: [DevicesModule, CustomersModule, TelemetryModule, CoreMessagesModule],
  controllers: [ClaimingController],
  providers: [ClaimingService],
  exports: [ClaimingService],
})
export class ClaimingModule {}
