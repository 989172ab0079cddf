import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';

export interface QueueEventMap {
  /** A queue was created, updated or deleted (committed): read `QueuesService.findAll()` again. */
  changed: [queueName: string];
}

/** Lets the running rule engine pick up queue edits without a restart. */
@Injectable()
export class QueueEvents extends EventEmitter<QueueEventMap> {}
