import type { KvRecord, RuleMsg, RuleNodeContext } from '@edgewise/plugin-api';
import { kvJson, kvText } from './kv-text';
import { copyOfDataObject, mutableCopy } from '../transformation/msg-data';

/** Where enrichment nodes put what they fetched: keys of the message data (a JSON object) or of the metadata. */
export type FetchTo = 'DATA' | 'METADATA';

export const fetchToSchema = {
  type: 'string',
  enum: ['DATA', 'METADATA'],
  title: 'Add fetched values to',
  description: 'DATA: as keys of the message (a JSON object); METADATA: as metadata entries (values become text)',
} as const;

/** A changeable copy of the data as a JSON object; throws an error that says what the node `expected` otherwise. */
export function requireDataObject(msg: RuleMsg, expected: string): Record<string, unknown> {
  const data = copyOfDataObject(msg);
  if (!data) throw new Error(`Message data is not a JSON object (data starts with ${JSON.stringify(msg.data.slice(0, 40))}): ${expected}`);
  return data;
}

/**
 * The values one message is being enriched with. Values go into a copy of the metadata as ThingsBoard's
 * text form, or into the parsed message data keeping their JSON type; `applyTo` makes the enriched message.
 */
export class FetchTarget {
  private constructor(
    private readonly data: Record<string, unknown> | null,
    private readonly metadata: Record<string, string> | null,
  ) {}

  /** Throws a clear error when values go to the data and the data is not a JSON object. */
  static for(msg: RuleMsg, fetchTo: FetchTo): FetchTarget {
    return fetchTo === 'METADATA'
      ? new FetchTarget(null, mutableCopy(msg.metadata))
      : new FetchTarget(requireDataObject(msg, 'this node adds keys to a JSON object; send one, or set "fetchTo" to METADATA'), null);
  }

  /** A stored attribute or telemetry value under `key`. */
  putKv(key: string, record: KvRecord): void {
    if (this.data) this.data[key] = kvJson(record);
    else this.metadata![key] = kvText(record);
  }

  /** A value that is text wherever it goes (entity fields), or JSON (`json`) that stays structured in the data. */
  putText(key: string, text: string, json: unknown = text): void {
    if (this.data) this.data[key] = json;
    else this.metadata![key] = text;
  }

  applyTo(msg: RuleMsg, ctx: RuleNodeContext): RuleMsg {
    return this.data ? ctx.transformMsg(msg, { data: JSON.stringify(this.data) }) : ctx.transformMsg(msg, { metadata: this.metadata! });
  }
}

/**
 * Configuration version 0 → 1 of ThingsBoard's enrichment nodes replaced a boolean flag (`fetchToData`) by
 * `fetchTo`: true → DATA, false → METADATA; a missing or null flag means the old (metadata) behaviour.
 */
export function fetchToFromLegacyFlag(config: Record<string, unknown>, flag: string): Record<string, unknown> {
  const { [flag]: value, ...rest } = config;
  const fetchTo: FetchTo | undefined =
    value === undefined || value === null || String(value) === 'false' ? 'METADATA' : String(value) === 'true' ? 'DATA' : undefined;
  if (fetchTo) return { ...rest, fetchTo };
  throw new Error(`"${flag}" is ${JSON.stringify(value)}; set it to true or false`);
}
