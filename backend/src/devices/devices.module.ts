import { Module } from '@nestjs/common';
import { CustomersModule } from '../customers/customers.module';
import { DeviceProfilesModule } from '../device-profiles/device-profiles.module';
import { CoreMessagesModule } from '../rule-engine/core-messages.module';
import { DevicesController } from './devices.controller';
import { DeviceEvents } from './device-events';
import { DevicesService } from './devices.service';

@Module({
  imports: [DeviceProfilesModule, CustomersModule, CoreMessagesModule],
  controllers: [DevicesController],
  providers: [DevicesService, DeviceEvents],
  exports: [DevicesService, DeviceEvents],
})
export class DevicesModule {}
