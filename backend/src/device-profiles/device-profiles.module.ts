import { Module } from '@nestjs/common';
import { QueuesModule } from '../queues/queues.module';
import { DeviceProfilesController } from './device-profiles.controller';
import { DeviceProfileCache } from './device-profile-cache';
import { DeviceProfileEvents } from './device-profile-events';
import { DeviceProfilesService } from './device-profiles.service';

@Module({
  imports: [QueuesModule],
  controllers: [DeviceProfilesController],
  providers: [DeviceProfilesService, DeviceProfileEvents, DeviceProfileCache],
  exports: [DeviceProfilesService, DeviceProfileEvents, DeviceProfileCache],
})
export class DeviceProfilesModule {}
