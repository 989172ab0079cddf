import { Module } from '@nestjs/common';
import { TelemetryModule } from '../telemetry/telemetry.module';
import { DeviceMessageSubmitter } from './device-message-submitter';

/** Device uplinks as rule messages, and the one place they are submitted. */
@Module({ imports: [TelemetryModule], providers: [DeviceMessageSubmitter], exports: [DeviceMessageSubmitter] })
export class DeviceMessagesModule {}
