import { hostname } from 'node:os';
import type { RuleMsg, RuleNode, RuleNodeContext, RuleNodeDescriptor, RuleNodeInitContext } from '@edgewise/plugin-api';
import mqtt, { type MqttClient } from 'mqtt';
import { fillTemplate } from '../transformation/templates';
import { ANONYMOUS, basicCredentials, credentialsSchema, type ClientCredentials } from './credentials';
import { errorMetadata, toPlainText } from './payload';

export type MqttProtocolVersion = 'MQTT_3_1' | 'MQTT_3_1_1' | 'MQTT_5';

export interface MqttConfig {
  /** Topic with `${metadataKey}` / `$[dataKey]` placeholders. */
  topicPattern: string;
  host: string | null;
  port: number;
  connectTimeoutSec: number;
  /** Empty: the client library picks a random one. */
  clientId: string | null;
  /** Appends "_" and this server's name to the client id, so every node of a cluster has its own. */
  appendClientIdSuffix: boolean;
  retainedMessage: boolean;
  cleanSession: boolean;
  /** TLS, trusting the system's certificate authorities. */
  ssl: boolean;
  /** Publish data that is a JSON string as its bare text. */
  parseToPlainText: boolean;
  protocolVersion: MqttProtocolVersion;
  credentials: ClientCredentials | null;
}

const PROTOCOLS: Record<MqttProtocolVersion, { protocolId: 'MQIsdp' | 'MQTT'; protocolVersion: 3 | 4 | 5; maxClientIdLength: number }> = {
  MQTT_3_1: { protocolId: 'MQIsdp', protocolVersion: 3, maxClientIdLength: 23 },
  MQTT_3_1_1: { protocolId: 'MQTT', protocolVersion: 4, maxClientIdLength: 256 },
  MQTT_5: { protocolId: 'MQTT', protocolVersion: 5, maxClientIdLength: 256 },
};

/** How long to wait before reconnecting after the broker went away. */
const RECONNECT_PERIOD_MS = 5_000;

/** ThingsBoard's configuration history: version 1 added parseToPlainText, version 2 protocolVersion. */
function upgradeConfig(fromVersion: number, oldConfig: Record<string, unknown>): Record<string, unknown> {
  const config = { ...oldConfig };
  if (fromVersion < 1 && !('parseToPlainText' in config)) config.parseToPlainText = false;
  // Configurations from before the setting talked MQTT 3.1.
  if (fromVersion < 2 && !('protocolVersion' in config)) config.protocolVersion = 'MQTT_3_1';
  return config;
}

function clientIdOf(config: MqttConfig, protocol: (typeof PROTOCOLS)[MqttProtocolVersion]): string | undefined {
  if (!config.clientId) return undefined;
  const clientId = config.appendClientIdSuffix ? `${config.clientId}_${hostname()}` : config.clientId;
  if (clientId.length > protocol.maxClientIdLength) {
    throw new Error(
      `The length of Client ID cannot be longer than ${protocol.maxClientIdLength}, but current length is ${clientId.length}: shorten "clientId"`,
    );
  }
  return clientId;
}

/** Connects, or throws why not within connectTimeoutSec; the client then reconnects on its own. */
async function connect(config: MqttConfig, init: RuleNodeInitContext): Promise<MqttClient> {
  const protocol = PROTOCOLS[config.protocolVersion];
  if (!protocol) throw new Error(`"protocolVersion" must be MQTT_3_1, MQTT_3_1_1 or MQTT_5, not ${JSON.stringify(config.protocolVersion)}`);
  const credentials = basicCredentials(config.credentials);
  const address = `${config.host}:${config.port}`;
  const client = mqtt.connect({
    host: config.host!,
    port: config.port,
    protocol: config.ssl ? 'mqtts' : 'mqtt',
    protocolId: protocol.protocolId,
    protocolVersion: protocol.protocolVersion,
    clientId: clientIdOf(config, protocol),
    clean: config.cleanSession,
    ...(credentials && { username: credentials.username, password: credentials.password }),
    connectTimeout: config.connectTimeoutSec * 1000,
    reconnectPeriod: RECONNECT_PERIOD_MS,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer within ${config.connectTimeoutSec} s`)), config.connectTimeoutSec * 1000);
      client.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      client.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  } catch (e) {
    await client.endAsync(true);
    throw new Error(
      `Failed to connect to MQTT broker at ${address}: ${(e as Error).message}; check "host", "port", "ssl" and the credentials`,
    );
  }
  // Without a listener, a later connection error would be thrown out of the event emitter.
  client.on('error', (error) => init.log.warn(`MQTT connection to ${address} failed: ${error.message}`));
  client.on('offline', () => init.log.warn(`Lost the MQTT broker at ${address}; reconnecting every ${RECONNECT_PERIOD_MS / 1000} s`));
  client.on('connect', () => init.log.info(`Connected to the MQTT broker at ${address}`));
  return client;
}

class MqttPublisher implements RuleNode {
  constructor(
    private readonly config: MqttConfig,
    private readonly client: MqttClient,
  ) {}

  async onMsg(msg: RuleMsg, ctx: RuleNodeContext): Promise<void> {
    const topic = fillTemplate(this.config.topicPattern, msg);
    const payload = this.config.parseToPlainText ? toPlainText(msg.data) : msg.data;
    try {
      // Published while offline, the message would wait in memory for a reconnect that may never come.
      if (!this.client.connected) {
        throw new Error(
          `Not connected to the MQTT broker at ${this.config.host}:${this.config.port} (reconnecting); the message was not published`,
        );
      }
      await this.client.publishAsync(topic, payload, { qos: 1, retain: this.config.retainedMessage });
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      ctx.tellFailure(ctx.transformMsg(msg, { metadata: { ...msg.metadata, error: errorMetadata(error) } }), error);
      return;
    }
    ctx.tellSuccess(msg);
  }

  async destroy(): Promise<void> {
    // A clean DISCONNECT when nothing waits for the broker; otherwise close at once (the waiting messages fail).
    const idle = this.client.connected && !Object.keys(this.client.outgoing).length;
    await this.client.endAsync(!idle);
  }
}

/** "mqtt": publishes messages to an external MQTT broker. */
export const mqttNode: RuleNodeDescriptor<MqttConfig> = {
  type: 'core/mqtt',
  category: 'external',
  name: 'mqtt',
  description: 'Publishes the message data to a topic of an external MQTT broker (QoS 1), over one connection the node keeps open.',
  relations: ['Success', 'Failure'],
  configSchema: {
    type: 'object',
    properties: {
      topicPattern: { type: 'string', minLength: 1, title: 'Topic pattern' },
      host: { type: ['string', 'null'], title: 'Host' },
      port: { type: 'integer', minimum: 1, maximum: 65535, title: 'Port' },
      connectTimeoutSec: { type: 'integer', minimum: 1, maximum: 200, title: 'Connection timeout (s)' },
      clientId: { type: ['string', 'null'], title: 'Client ID (empty: random)' },
      appendClientIdSuffix: { type: 'boolean', title: "Add this server's name to the client ID" },
      parseToPlainText: { type: 'boolean', title: 'Parse to plain text' },
      cleanSession: { type: 'boolean', title: 'Clean session' },
      retainedMessage: { type: 'boolean', title: 'Retained' },
      ssl: { type: 'boolean', title: 'Enable SSL' },
      protocolVersion: { type: 'string', enum: ['MQTT_3_1', 'MQTT_3_1_1', 'MQTT_5'], title: 'MQTT version' },
      credentials: credentialsSchema,
    },
    required: ['topicPattern', 'host', 'port'],
  },
  defaultConfig: {
    topicPattern: 'my-topic',
    host: null,
    port: 1883,
    connectTimeoutSec: 10,
    clientId: null,
    appendClientIdSuffix: false,
    retainedMessage: false,
    cleanSession: true,
    ssl: false,
    parseToPlainText: false,
    protocolVersion: 'MQTT_3_1_1',
    credentials: ANONYMOUS,
  },
  configVersion: 2,
  upgrade: upgradeConfig,
  thingsboardClass: 'org.thingsboard.rule.engine.mqtt.TbMqttNode',
  icon: 'call_split',
  async create(config, init) {
    if (!config.host?.trim()) throw new Error('Set "host" to the MQTT broker to publish to');
    if (!config.topicPattern?.trim()) throw new Error('Set "topicPattern" to the topic to publish to, e.g. devices/${deviceName}');
    if (!(config.connectTimeoutSec > 0)) throw new Error('Set "connectTimeoutSec" to at least 1');
    return new MqttPublisher(config, await connect(config, init));
  },
};
