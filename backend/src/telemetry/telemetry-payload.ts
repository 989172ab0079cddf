import { numberText, isJsonNumber, writeJson } from './json-reader';
import type { KvEntry, TsKvEntry } from './kv-entry';
import { isJsonObject, KvParseError, KvTypingOptions, toKvEntries } from './kv-typing';

const cannotParse = (element: unknown) => new KvParseError(`Can't parse value: ${writeJson(element)}`);

function timestampOf(ts: unknown): number {
  const text = isJsonNumber(ts) ? numberText(ts) : typeof ts === 'string' ? ts : undefined;
  if (text === undefined || !/^-?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new KvParseError(`Invalid ts ${writeJson(ts)}: expected epoch milliseconds as a whole number`);
  }
  return Number(text);
}

function addObject(object: Record<string, unknown>, receivedTs: number, options: KvTypingOptions, out: TsKvEntry[]): void {
  // Only an object with both members is timestamped; otherwise "ts" is an ordinary key (§0.2).
  if ('ts' in object && 'values' in object) {
    if (!isJsonObject(object.values)) throw new KvParseError(`Not a JSON Object: ${writeJson(object.values)}`);
    appendPoints(toKvEntries(object.values, options), timestampOf(object.ts), out);
    return;
  }
  appendPoints(toKvEntries(object, options), receivedTs, out);
}

/** The entries are fresh objects, so they become points in place (no copy per point on the ingest path). */
function appendPoints(entries: KvEntry[], ts: number, out: TsKvEntry[]): void {
  for (const entry of entries) {
    (entry as TsKvEntry).ts = ts;
    out.push(entry as TsKvEntry);
  }
}

/**
 * Telemetry payload (§0.2: object, `{ts, values}`, or an array of those) → data points.
 * Objects without `ts` get `receivedTs`. Throws KvParseError for any other shape.
 */
export function parseTelemetry(json: unknown, receivedTs: number, options: KvTypingOptions = {}): TsKvEntry[] {
  const points: TsKvEntry[] = [];
  if (Array.isArray(json)) {
    for (const element of json) {
      if (!isJsonObject(element)) throw cannotParse(element);
      addObject(element, receivedTs, options, points);
    }
  } else if (isJsonObject(json)) {
    addObject(json, receivedTs, options, points);
  } else {
    throw cannotParse(json);
  }
  return points;
}
