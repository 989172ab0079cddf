/** @edgewise/transport-mqtt — ThingsBoard's MQTT device API (device-api.md §1) as an Edgewise transport plugin. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { definePlugin, type TransportDescriptor } from '@edgewise/plugin-api';
import { MqttTransport, PLAIN_LISTENER, TLS_LISTENER, WEBSOCKET_LISTENER } from './mqtt-transport';
import { MQTT_OPTIONS_SCHEMA } from './options';

const { version } = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };

export const mqttTransport: TransportDescriptor = {
  id: 'mqtt',
  defaultPorts: { [PLAIN_LISTENER]: 1883, [TLS_LISTENER]: 8883, [WEBSOCKET_LISTENER]: 8083 },
  configSchema: MQTT_OPTIONS_SCHEMA,
  create: (context, settings) => new MqttTransport(context, settings),
};

export const plugin = definePlugin({ name: '@edgewise/transport-mqtt', version, transports: [mqttTransport] });

export default plugin;
export { MqttTransport } from './mqtt-transport';
export { DEFAULT_MQTT_OPTIONS, type MqttOptions } from './options';
