/** ThingsBoard's stored value types (device-api.md §0.1). */
export type KvType = 'BOOLEAN' | 'LONG' | 'DOUBLE' | 'STRING' | 'JSON';

/**
 * BOOLEAN → boolean; LONG → number while a safe integer, bigint beyond (int64 kept exactly);
 * DOUBLE → number; STRING → string; JSON → the serialized JSON text.
 */
export type KvValue = boolean | number | bigint | string;

export interface KvEntry {
  key: string;
  type: KvType;
  value: KvValue;
}

/** A timeseries data point: a typed entry at a timestamp (epoch ms). */
export interface TsKvEntry extends KvEntry {
  ts: number;
}

export type AttributeScope = 'CLIENT_SCOPE' | 'SHARED_SCOPE' | 'SERVER_SCOPE';
export const ATTRIBUTE_SCOPES: readonly AttributeScope[] = ['CLIENT_SCOPE', 'SHARED_SCOPE', 'SERVER_SCOPE'];

/** An attribute as stored: typed entry plus its scope and when it was last written. */
export interface AttributeKvEntry extends KvEntry {
  scope: AttributeScope;
  lastUpdateTs: number;
}
