/** `TransportSettings.options` of the CoAP transport: JSON Schema for the core, typed defaults for the plugin. */

export interface CoapOptions {
  /**
   * How long an attribute read or a client-side RPC waits for the core; after that the device gets no response
   * at all, as in ThingsBoard (`transport.coap.timeout`, device-api.md §3.6).
   */
  timeoutMs: number;
  /** A confirmable request not answered within this time gets an empty ACK first (`transport.coap.piggyback_timeout`, §3.5). */
  piggybackTimeoutMs: number;
  /** While a device observes, its activity is reported this often (`transport.sessions.report_timeout`, §3.4). */
  activityReportMs: number;
  /** PSM devices: downlinks only this long after an uplink; also the RPC ACK wait for them (`transport.coap.psm_activity_timer`). */
  psmActivityTimerMs: number;
  /** Every other device: how long a confirmable RPC notification waits for its ACK; eDRX downlink window (`transport.coap.paging_transmission_window`). */
  pagingTransmissionWindowMs: number;
  /** RFC 7252 ACK_TIMEOUT: first wait for the ACK of a confirmable message, doubled on each retransmission. */
  ackTimeoutMs: number;
  /** RFC 7252 MAX_RETRANSMIT: retransmissions of an unacknowledged confirmable message before it has failed. */
  maxRetransmit: number;
}

export const DEFAULT_COAP_OPTIONS: Readonly<CoapOptions> = {
  timeoutMs: 10_000,
  piggybackTimeoutMs: 500,
  activityReportMs: 3_000,
  psmActivityTimerMs: 10_000,
  pagingTransmissionWindowMs: 10_000,
  ackTimeoutMs: 2_000,
  maxRetransmit: 4,
};

const integer = (description: string, defaultValue: number, minimum = 1) => ({
  type: 'integer',
  minimum,
  default: defaultValue,
  description,
});

export const COAP_OPTIONS_SCHEMA: Record<string, unknown> = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  properties: {
    timeoutMs: integer('Attribute reads and client-side RPCs get no response after this many milliseconds', DEFAULT_COAP_OPTIONS.timeoutMs),
    piggybackTimeoutMs: integer(
      'Send an empty ACK to a confirmable request not answered within this many milliseconds',
      DEFAULT_COAP_OPTIONS.piggybackTimeoutMs,
      0,
    ),
    activityReportMs: integer('Report an observing device as active this often, in milliseconds', DEFAULT_COAP_OPTIONS.activityReportMs),
    psmActivityTimerMs: integer(
      'PSM devices take downlinks for this many milliseconds after an uplink (unless their profile says otherwise)',
      DEFAULT_COAP_OPTIONS.psmActivityTimerMs,
    ),
    pagingTransmissionWindowMs: integer(
      'Confirmable RPC notifications wait this many milliseconds for their ACK; eDRX downlink window',
      DEFAULT_COAP_OPTIONS.pagingTransmissionWindowMs,
    ),
    ackTimeoutMs: integer('RFC 7252 ACK_TIMEOUT in milliseconds', DEFAULT_COAP_OPTIONS.ackTimeoutMs),
    maxRetransmit: integer('RFC 7252 MAX_RETRANSMIT', DEFAULT_COAP_OPTIONS.maxRetransmit, 0),
  },
};

/** The options with defaults filled in; the core has validated them against the schema already. */
export function resolveCoapOptions(options: Record<string, unknown>): CoapOptions {
  return { ...DEFAULT_COAP_OPTIONS, ...(options as Partial<CoapOptions>) };
}
