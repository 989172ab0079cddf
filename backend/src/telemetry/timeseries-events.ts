import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { TsKvEntry } from './kv-entry';

export interface TimeseriesEventMap {
  /** Points of a watched entity were committed. */
  saved: [entityId: string, points: readonly TsKvEntry[]];
}

/**
 * In-process notice of committed timeseries, for live subscribers (WebSocket API). Saving is the ingest hot
 * path (tens of thousands of points per second), so only entities someone watched are announced: a save of
 * any other entity costs one Set lookup and no extra promise.
 */
@Injectable()
export class TimeseriesEvents extends EventEmitter<TimeseriesEventMap> {
  /** Who watches each entity: several features (live subscriptions, the OTA rollout) may watch one device. */
  private readonly watched = new Map<string, Set<string>>();

  /** Idempotent per watcher: `by` names the feature, so one feature's unwatch never ends another's watch. */
  watch(entityId: string, by = 'live'): void {
    let watchers = this.watched.get(entityId);
    if (!watchers) this.watched.set(entityId, (watchers = new Set()));
    watchers.add(by);
  }

  unwatch(entityId: string, by = 'live'): void {
    const watchers = this.watched.get(entityId);
    if (watchers?.delete(by) && watchers.size === 0) this.watched.delete(entityId);
  }

  isWatched(entityId: string): boolean {
    return this.watched.has(entityId);
  }
}
