import { Module } from '@nestjs/common';
import { DeviceProfilesModule } from '../device-profiles/device-profiles.module';
import { RuleQueueModule } from '../rule-engine/queue/rule-queue.module';
import { TelemetryModule } from '../telemetry/telemetry.module';
import { DeviceMessageSubmitter } from './device-message-submitter';

/** Device uplinks as rule messages, and the one place they are submitted to the rule engine's queues. */
@Module({
  imports: [RuleQueueModule, DeviceProfilesModule, TelemetryModule],
  providers: [DeviceMessageSubmitter],
  exports: [DeviceMessageSubmitter],
})
export class DeviceMessagesModule {}
