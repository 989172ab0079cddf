/** @edgewise/transport-http — ThingsBoard's HTTP device API (device-api.md §2) as an Edgewise transport plugin. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { definePlugin, type TransportDescriptor } from '@edgewise/plugin-api';
import { HttpTransport } from './http-transport';
import { HTTP_OPTIONS_SCHEMA } from './options';

const { version } = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };

export const httpTransport: TransportDescriptor = {
  id: 'http',
  // Served on the platform's HTTP listener (HTTP_PORT) through TransportContext.http.
  defaultPorts: {},
  configSchema: HTTP_OPTIONS_SCHEMA,
  create: (context, settings) => new HttpTransport(context, settings),
};

export const plugin = definePlugin({ name: '@edgewise/transport-http', version, transports: [httpTransport] });

export default plugin;
export { HttpTransport } from './http-transport';
export { DEFAULT_HTTP_OPTIONS, type HttpOptions } from './options';
