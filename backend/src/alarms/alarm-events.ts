import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { AlarmEntity } from './alarm.entity';

/**
 * What happened to an alarm, named as ThingsBoard's rule-engine message types for it (ENTITY_CREATED and
 * ENTITY_UPDATED for raises and updates). The rule engine turns these into messages for the root chain, as
 * ThingsBoard does, so that chains — and the device-profile node — learn about acks and clears made by users.
 */
export type AlarmAction =
  'ENTITY_CREATED' | 'ENTITY_UPDATED' | 'ALARM_ACK' | 'ALARM_CLEAR' | 'ALARM_DELETE' | 'ALARM_ASSIGNED' | 'ALARM_UNASSIGNED';

export interface AlarmEventMap {
  /** Emitted after the change is committed; `alarm` is the alarm as it is now (as it was, for ALARM_DELETE). */
  action: [action: AlarmAction, alarm: AlarmEntity];
}

/** In-process alarm notifications. */
@Injectable()
export class AlarmEvents extends EventEmitter<AlarmEventMap> {}
