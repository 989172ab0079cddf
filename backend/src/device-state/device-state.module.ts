import { Module } from '@nestjs/common';
import { DevicesModule } from '../devices/devices.module';
import { CoreMessagesModule } from '../rule-engine/core-messages.module';
import { TelemetryModule } from '../telemetry/telemetry.module';
import { DeviceStateService } from './device-state.service';

/** Device connectivity state (active, last connect/disconnect/activity times, inactivity) and its rule-engine events. */
@Module({
  imports: [DevicesModule, TelemetryModule, CoreMessagesModule],
  providers: [DeviceStateService],
  exports: [DeviceStateService],
})
export class DeviceStateModule {}
