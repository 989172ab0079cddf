/** `TransportSettings.options` of the HTTP transport: JSON Schema for the core, typed defaults for the plugin. */

export interface HttpOptions {
  /**
   * How long a long poll without `timeout` (or with `timeout=0`), a client-side RPC and an attribute read wait
   * before the device gets 408 (device-api.md §2.4/§2.5, ThingsBoard's `transport.http.request_timeout`).
   */
  requestTimeoutMs: number;
  /** Largest body on `/api/v1/{token}/rpc/**` (§0.5); the other endpoints take `TransportSettings.maxPayloadBytes`. */
  rpcMaxPayloadBytes: number;
}

export const DEFAULT_HTTP_OPTIONS: Readonly<HttpOptions> = {
  requestTimeoutMs: 60_000,
  rpcMaxPayloadBytes: 65_536,
};

export const HTTP_OPTIONS_SCHEMA: Record<string, unknown> = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  properties: {
    requestTimeoutMs: {
      type: 'integer',
      minimum: 1,
      default: DEFAULT_HTTP_OPTIONS.requestTimeoutMs,
      description: 'Answer 408 to a long poll without timeout, a client-side RPC or an attribute read after this many milliseconds',
    },
    rpcMaxPayloadBytes: {
      type: 'integer',
      minimum: 1,
      default: DEFAULT_HTTP_OPTIONS.rpcMaxPayloadBytes,
      description: 'Answer 413 to an RPC request or reply body larger than this many bytes',
    },
  },
};

/** The options with defaults filled in; the core has validated them against the schema already. */
export function resolveHttpOptions(options: Record<string, unknown>): HttpOptions {
  return { ...DEFAULT_HTTP_OPTIONS, ...(options as Partial<HttpOptions>) };
}
