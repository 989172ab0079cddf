import { Module } from '@nestjs/common';
import { QueueEvents } from './queue-events';
import { QueuesController } from './queues.controller';
import { QueuesService } from './queues.service';

/** Rule-engine queue definitions: REST API, and `QueuesService` + `QueueEvents` for the rule engine. */
@Module({
  controllers: [QueuesController],
  providers: [QueuesService, QueueEvents],
  exports: [QueuesService, QueueEvents],
})
export class QueuesModule {}
