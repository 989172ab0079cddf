import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';

export interface DeviceProfileEventMap {
  /** Saved or deleted: caches of the profile (rule-chain and queue routing, alarm rules) must reload it. */
  changed: [profileId: string];
}

/** In-process device-profile change notifications, after commit. */
@Injectable()
export class DeviceProfileEvents extends EventEmitter<DeviceProfileEventMap> {}
