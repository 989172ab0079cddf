import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { AttributeScope, KvEntry } from './kv-entry';

export interface AttributeEventMap {
  /**
   * Shared attributes of an entity were saved or deleted, after the commit. `payload` is the notice devices
   * receive: the saved keys `{"k":v}` or `{"deleted":["k"]}` (device-api.md §1.7).
   */
  sharedChanged: [entityId: string, payload: string];
  /** Any scope, after the commit. */
  saved: [entityId: string, scope: AttributeScope, entries: readonly KvEntry[], lastUpdateTs: number];
  deleted: [entityId: string, scope: AttributeScope, keys: readonly string[]];
}

/** In-process attribute notifications, so sessions can push shared-attribute changes to devices. */
@Injectable()
export class AttributeEvents extends EventEmitter<AttributeEventMap> {}
