import { Module } from '@nestjs/common';
import { CoreMessagesModule } from '../rule-engine/core-messages.module';
import { TelemetryModule } from '../telemetry/telemetry.module';
import { DeviceMessageSubmitter } from './device-message-submitter';

/** Device uplinks as rule messages, and the one place they are submitted to the rule engine's queues. */
@Module({
  imports: [CoreMessagesModule, TelemetryModule],
  providers: [DeviceMessageSubmitter],
  exports: [DeviceMessageSubmitter],
})
export class DeviceMessagesModule {}
