/** `TransportSettings.options` of the SNMP transport: JSON Schema for the core, typed defaults for the plugin. */

export interface SnmpOptions {
  /** SNMP requests (one PDU exchange, retries included) in flight at once across all devices; the others wait their turn. */
  maxConcurrentRequests: number;
  /** Answer timeout for profiles that leave `timeoutMs` out or set it to 0 (ThingsBoard's profile form proposes 500). */
  timeoutMs: number;
  /** Resends for profiles that leave `retries` out. */
  retries: number;
  /** Most OIDs in one request; a longer mapping list is sent as several requests (ThingsBoard's `max_request_oids`). */
  maxRequestOids: number;
  /** Drop a value that does not convert to its mapping's data type instead of failing the whole response (ThingsBoard's `response.ignore_type_cast_errors`). */
  ignoreTypeCastErrors: boolean;
  /** How often the polling statistics are logged; 0 = never. */
  statsIntervalMs: number;
}

export const DEFAULT_SNMP_OPTIONS: Readonly<SnmpOptions> = {
  maxConcurrentRequests: 500,
  timeoutMs: 500,
  retries: 0,
  maxRequestOids: 100,
  ignoreTypeCastErrors: false,
  statsIntervalMs: 60_000,
};

export const SNMP_OPTIONS_SCHEMA: Record<string, unknown> = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  properties: {
    maxConcurrentRequests: {
      type: 'integer',
      minimum: 1,
      default: DEFAULT_SNMP_OPTIONS.maxConcurrentRequests,
      description: 'SNMP requests in flight at once across all devices; further requests wait their turn',
    },
    timeoutMs: {
      type: 'integer',
      minimum: 1,
      default: DEFAULT_SNMP_OPTIONS.timeoutMs,
      description: 'answer timeout of devices whose profile sets no timeoutMs (or 0)',
    },
    retries: {
      type: 'integer',
      minimum: 0,
      default: DEFAULT_SNMP_OPTIONS.retries,
      description: 'resends of an unanswered request for devices whose profile sets no retries',
    },
    maxRequestOids: {
      type: 'integer',
      minimum: 1,
      default: DEFAULT_SNMP_OPTIONS.maxRequestOids,
      description: 'most OIDs in one request; longer mapping lists are split into several requests',
    },
    ignoreTypeCastErrors: {
      type: 'boolean',
      default: DEFAULT_SNMP_OPTIONS.ignoreTypeCastErrors,
      description: 'drop a value that does not convert to its data type instead of failing the whole response',
    },
    statsIntervalMs: {
      type: 'integer',
      minimum: 0,
      default: DEFAULT_SNMP_OPTIONS.statsIntervalMs,
      description: 'how often polling statistics are logged (0 = never)',
    },
  },
};

/** The options with defaults filled in; the core has validated them against the schema already. */
export function resolveSnmpOptions(options: Record<string, unknown>): SnmpOptions {
  return { ...DEFAULT_SNMP_OPTIONS, ...(options as Partial<SnmpOptions>) };
}
