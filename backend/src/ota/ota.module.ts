import { Module } from '@nestjs/common';
import { DeviceProfilesModule } from '../device-profiles/device-profiles.module';
import { DevicesModule } from '../devices/devices.module';
import { TelemetryModule } from '../telemetry/telemetry.module';
import { OtaPackagesController } from './ota-packages.controller';
import { OtaPackagesService } from './ota-packages.service';
import { OtaUpdatesService } from './ota-updates.service';
import { OtaUploadInterceptor } from './ota-upload';

/** OTA packages, their binaries, and carrying assignments to devices (device-api.md §1.12, §8.8). */
@Module({
  imports: [TelemetryModule, DevicesModule, DeviceProfilesModule],
  controllers: [OtaPackagesController],
  providers: [OtaPackagesService, OtaUpdatesService, OtaUploadInterceptor],
  exports: [OtaPackagesService, OtaUpdatesService],
})
export class OtaModule {}
