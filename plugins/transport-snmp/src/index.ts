/** @edgewise/transport-snmp — ThingsBoard's SNMP transport (device-api.md §7) as an Edgewise transport plugin: the platform polls devices. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { definePlugin, type TransportDescriptor } from '@edgewise/plugin-api';
import { SNMP_OPTIONS_SCHEMA } from './options';
import { SnmpTransport } from './snmp-transport';

const { version } = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };

export const snmpTransport: TransportDescriptor = {
  id: 'snmp',
  // The manager's own UDP port: requests go out from it and traps arrive on it; 0 picks a free one.
  defaultPorts: { snmp: 0 },
  configSchema: SNMP_OPTIONS_SCHEMA,
  create: (context, settings) => new SnmpTransport(context, settings),
};

export const plugin = definePlugin({ name: '@edgewise/transport-snmp', version, transports: [snmpTransport] });

export default plugin;
export { SnmpTransport, type SnmpStats } from './snmp-transport';
export { DEFAULT_SNMP_OPTIONS, type SnmpOptions } from './options';
