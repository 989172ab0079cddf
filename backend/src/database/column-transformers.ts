import type { ValueTransformer } from 'typeorm';

/** PostgreSQL returns BIGINT as a string; our epoch-millisecond columns always fit a JS number. */
export const bigintAsNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null || value === undefined ? value : Number(value)),
};

/** JSON members stored as text so SQLite and PostgreSQL share one schema. */
export const jsonText: ValueTransformer = {
  to: (value: unknown) => (value === undefined ? undefined : value === null ? null : JSON.stringify(value)),
  from: (value: string | null) => (value === null || value === undefined ? null : JSON.parse(value)),
};

/**
 * A JSON object stored in a text column. Its members are `any` on purpose: TypeORM's update typing
 * (QueryDeepPartialEntity) rejects `unknown` members, and the shapes are ThingsBoard's open-ended JSON.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JsonObject = Record<string, any>;
