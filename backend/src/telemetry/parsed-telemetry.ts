import { Injectable } from '@nestjs/common';
import { readJson } from './json-reader';
import type { TsKvEntry } from './kv-entry';
import type { KvTypingOptions } from './kv-typing';
import { parseTelemetry } from './telemetry-payload';

/** Devices' null values are skipped, not refused (device-api.md §0.1). */
export const DEVICE_TYPING: KvTypingOptions = { nulls: 'drop' };

/** Past this many remembered texts, all are forgotten (they belonged to messages no chain saved). */
const MAX_REMEMBERED = 50_000;

/**
 * Device telemetry is parsed once on its way to storage: the submitter parses a message's JSON to refuse a
 * bad payload before the device is acknowledged, and remembers the typed points under the exact text;
 * "save timeseries" of that text at that ts then takes them instead of parsing again (the ingest path's
 * largest per-message cost after the commits).
 */
@Injectable()
export class ParsedTelemetry {
  private readonly byText = new Map<string, { ts: number; points: TsKvEntry[] }>();

  remember(text: string, ts: number, points: TsKvEntry[]): void {
    if (this.byText.size >= MAX_REMEMBERED) this.byText.clear();
    this.byText.set(text, { ts, points });
  }

  /** Points of `text` (points without their own ts at `defaultTs`); throws KvParseError / SyntaxError when it is not telemetry. */
  points(text: string, defaultTs: number): TsKvEntry[] {
    const remembered = this.byText.get(text);
    if (remembered) {
      this.byText.delete(text);
      if (remembered.ts === defaultTs) return remembered.points;
    }
    return parseTelemetry(readJson(text), defaultTs, DEVICE_TYPING);
  }
}
