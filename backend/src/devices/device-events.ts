import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { DeviceEntity } from './device.entity';

/** What other features (transports, caches) must react to after a device change is committed. */
export interface DeviceEventMap {
  /** A new device was saved (transports that poll devices start polling it). */
  created: [deviceId: string];
  /** The device is gone: close its sessions, drop cached credentials. `device` is the row as it was, when one device was deleted. */
  deleted: [deviceId: string, device?: DeviceEntity];
  /** Old credentials no longer work: close sessions opened with them. */
  credentialsChanged: [deviceId: string, oldCredentialsId: string];
  /** Name, profile, customer or flags changed. */
  updated: [deviceId: string];
  /** The device got a new name (also reported as `updated`); a gateway child's gateway is told (device-api.md §4.4). */
  renamed: [device: DeviceEntity, oldName: string];
}

/** In-process device lifecycle notifications (cluster-wide fan-out arrives with cluster mode). */
@Injectable()
export class DeviceEvents extends EventEmitter<DeviceEventMap> {}
