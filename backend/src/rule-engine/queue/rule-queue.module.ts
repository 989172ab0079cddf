import { Module } from '@nestjs/common';
import { RuleQueueService } from './rule-queue.service';

/** The queues between message producers and the engine; a module of its own so producers need nothing else. */
@Module({ providers: [RuleQueueService], exports: [RuleQueueService] })
export class RuleQueueModule {}
