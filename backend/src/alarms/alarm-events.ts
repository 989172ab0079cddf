import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { AlarmEntity } from './alarm.entity';

export interface AlarmEventMap {
  /** An alarm was created, changed (severity, ack, clear, assignee, details…) or deleted; after the commit. */
  changed: [alarm: AlarmEntity, deleted: boolean];
}

/** In-process alarm notifications, so live alarm lists and counts (WebSocket API) can follow them. */
@Injectable()
export class AlarmEvents extends EventEmitter<AlarmEventMap> {}
