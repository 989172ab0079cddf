import { Module } from '@nestjs/common';
import { DevicesModule } from '../devices/devices.module';
import { TelemetryModule } from '../telemetry/telemetry.module';
import { DeviceStateService } from './device-state.service';

/** Device connectivity state (active, last connect/disconnect/activity times, inactivity). */
@Module({ imports: [DevicesModule, TelemetryModule], providers: [DeviceStateService], exports: [DeviceStateService] })
export class DeviceStateModule {}
