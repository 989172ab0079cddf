import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';

/** What other features (transports, caches) must react to after a device change is committed. */
export interface DeviceEventMap {
  /** The device is gone: close its sessions, drop cached credentials. */
  deleted: [deviceId: string];
  /** Old credentials no longer work: close sessions opened with them. */
  credentialsChanged: [deviceId: string, oldCredentialsId: string];
  /** Name, profile, customer or flags changed. */
  updated: [deviceId: string];
}

/** In-process device lifecycle notifications (cluster-wide fan-out arrives with cluster mode). */
@Injectable()
export class DeviceEvents extends EventEmitter<DeviceEventMap> {}
