import { Module } from '@nestjs/common';
import { DeviceProfilesModule } from '../device-profiles/device-profiles.module';
import { CoreMessages } from './core-messages';
import { RuleQueueModule } from './queue/rule-queue.module';

/** Rule messages from the core (uplinks, server RPC, state and entity events); needs nothing of the running engine. */
@Module({ imports: [RuleQueueModule, DeviceProfilesModule], providers: [CoreMessages], exports: [CoreMessages] })
export class CoreMessagesModule {}
