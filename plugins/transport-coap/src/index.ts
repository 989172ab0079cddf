/** @edgewise/transport-coap — ThingsBoard's CoAP device API (device-api.md §3) as an Edgewise transport plugin. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { definePlugin, type TransportDescriptor } from '@edgewise/plugin-api';
import { CoapTransport, DTLS_LISTENER, PLAIN_LISTENER } from './coap-transport';
import { COAP_OPTIONS_SCHEMA } from './options';

const { version } = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };

export const coapTransport: TransportDescriptor = {
  id: 'coap',
  // coaps is the datagram-security seam's DTLS listener: declared, not served yet (start() says so when it is configured).
  defaultPorts: { [PLAIN_LISTENER]: 5683, [DTLS_LISTENER]: 5684 },
  configSchema: COAP_OPTIONS_SCHEMA,
  create: (context, settings) => new CoapTransport(context, settings),
};

export const plugin = definePlugin({ name: '@edgewise/transport-coap', version, transports: [coapTransport] });

export default plugin;
export { CoapTransport } from './coap-transport';
export { DEFAULT_COAP_OPTIONS, type CoapOptions } from './options';
