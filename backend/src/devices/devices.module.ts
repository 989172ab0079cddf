import { Module } from '@nestjs/common';
import { CustomersModule } from '../customers/customers.module';
import { DeviceProfilesModule } from '../device-profiles/device-profiles.module';
import { DevicesController } from './devices.controller';
import { DevicesService } from './devices.service';

@Module({ imports: [DeviceProfilesModule, CustomersModule], controllers: [DevicesController], providers: [DevicesService], exports: [DevicesService] })
export class DevicesModule {}
