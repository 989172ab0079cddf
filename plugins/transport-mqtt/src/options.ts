/** `TransportSettings.options` of the MQTT transport: JSON Schema for the core, typed defaults for the plugin. */

export interface MqttOptions {
  /** A connection without any packet for this long is closed (§0.5 transport session inactivity timeout). */
  inactivityTimeoutMs: number;
  /** A socket that sends no CONNECT within this time is dropped, so idle sockets cannot pile up. */
  connectTimeoutMs: number;
  /** A QoS 1 server RPC not acknowledged by the device within this time fails delivery (§1.8: 10 s). */
  serverRpcAckTimeoutMs: number;
  /** Packets a device may send before its CONNACK; one more ends the connection (§0.5: 100). Also reported by `getSessionLimits`. */
  maxQueuedBeforeConnack: number;
  /** A provision-only session is closed this long after its response (§1.11.1: 60 s). */
  provisionSessionCloseMs: number;
}

export const DEFAULT_MQTT_OPTIONS: Readonly<MqttOptions> = {
  inactivityTimeoutMs: 600_000,
  connectTimeoutMs: 10_000,
  serverRpcAckTimeoutMs: 10_000,
  maxQueuedBeforeConnack: 100,
  provisionSessionCloseMs: 60_000,
};

const positiveInteger = (description: string, defaultValue: number) => ({
  type: 'integer',
  minimum: 1,
  default: defaultValue,
  description,
});

export const MQTT_OPTIONS_SCHEMA: Record<string, unknown> = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  properties: {
    inactivityTimeoutMs: positiveInteger('Close a connection idle for this many milliseconds', DEFAULT_MQTT_OPTIONS.inactivityTimeoutMs),
    connectTimeoutMs: positiveInteger(
      'Drop a socket that sends no CONNECT within this many milliseconds',
      DEFAULT_MQTT_OPTIONS.connectTimeoutMs,
    ),
    serverRpcAckTimeoutMs: positiveInteger(
      'Fail a QoS 1 server RPC the device does not PUBACK within this many milliseconds',
      DEFAULT_MQTT_OPTIONS.serverRpcAckTimeoutMs,
    ),
    maxQueuedBeforeConnack: positiveInteger('Packets a device may send before its CONNACK', DEFAULT_MQTT_OPTIONS.maxQueuedBeforeConnack),
    provisionSessionCloseMs: positiveInteger(
      'Close a provisioning connection this many milliseconds after its response',
      DEFAULT_MQTT_OPTIONS.provisionSessionCloseMs,
    ),
  },
};

/** The options with defaults filled in; the core has validated them against the schema already. */
export function resolveMqttOptions(options: Record<string, unknown>): MqttOptions {
  return { ...DEFAULT_MQTT_OPTIONS, ...(options as Partial<MqttOptions>) };
}
