/** `TransportSettings.options` of the LwM2M transport: JSON Schema for the core, typed defaults for the plugin. */

export interface Lwm2mOptions {
  /**
   * How long a request to a client (read, write, execute, observe, an RPC's operation) may take, block-wise
   * transfers included, before it counts as unanswered (ThingsBoard's `transport.lwm2m.timeout`, device-api.md §6.1).
   */
  requestTimeoutMs: number;
}

export const DEFAULT_LWM2M_OPTIONS: Readonly<Lwm2mOptions> = { requestTimeoutMs: 120_000 };

export const LWM2M_OPTIONS_SCHEMA: Record<string, unknown> = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  properties: {
    requestTimeoutMs: {
      type: 'integer',
      minimum: 1,
      default: DEFAULT_LWM2M_OPTIONS.requestTimeoutMs,
      description: 'A request to an LwM2M client that is not answered within this many milliseconds counts as unanswered',
    },
  },
};

/** The options with defaults filled in; the core has validated them against the schema already. */
export function resolveLwm2mOptions(options: Record<string, unknown>): Lwm2mOptions {
  return { ...DEFAULT_LWM2M_OPTIONS, ...(options as Partial<Lwm2mOptions>) };
}
