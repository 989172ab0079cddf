/** Polled devices and SNMP configurations as the core hands them to the transport, for tests. */
import type { PolledDevice } from '@edgewise/plugin-api';
import { ObjectType } from 'net-snmp';
import type { Scalar } from './agent';

/** The scalars of the test agent: what an SNMP device typically offers, plus a writable integer and string. */
export const OIDS = {
  uptime: '1.3.6.1.2.1.1.3',
  name: '1.3.6.1.2.1.1.5',
  location: '1.3.6.1.2.1.1.6',
  inOctets: '1.3.6.1.2.1.2.2.1.10',
  temperature: '1.3.6.1.4.1.99999.2',
  reading: '1.3.6.1.4.1.99999.3',
  flag: '1.3.6.1.4.1.99999.4',
  big: '1.3.6.1.4.1.99999.5',
  missing: '1.3.6.1.4.1.99999.77',
};

export const scalars = (): Scalar[] => [
  { name: 'uptime', oid: OIDS.uptime, type: ObjectType.TimeTicks, value: 8_640_123 },
  { name: 'name', oid: OIDS.name, type: ObjectType.OctetString, value: 'rack-7-switch' },
  { name: 'location', oid: OIDS.location, type: ObjectType.OctetString, value: 'lab', writable: true },
  { name: 'inOctets', oid: OIDS.inOctets, type: ObjectType.Counter, value: 123_456 },
  { name: 'temperature', oid: OIDS.temperature, type: ObjectType.Integer, value: 21, writable: true },
  { name: 'reading', oid: OIDS.reading, type: ObjectType.OctetString, value: '21.5' },
  { name: 'flag', oid: OIDS.flag, type: ObjectType.OctetString, value: 'TRUE' },
  { name: 'big', oid: OIDS.big, type: ObjectType.Counter64, value: Buffer.from('ffffffffffffffff', 'hex') },
];

/** `.0`: the instance of a scalar. */
export const instance = (oid: string) => `${oid}.0`;

export type Mapping = { oid: string; key: string; dataType?: string };

export function profileConfiguration(configs: Record<string, unknown>[], timing = { timeoutMs: 300, retries: 0 }) {
  return { type: 'SNMP', ...timing, communicationConfigs: configs };
}

export const telemetryQuerying = (mappings: Mapping[], queryingFrequencyMs = 100) => ({
  spec: 'TELEMETRY_QUERYING',
  queryingFrequencyMs,
  mappings,
});

export function polledDevice(
  id: string,
  port: number,
  profile: Record<string, unknown>,
  agent: Record<string, unknown> = {},
): PolledDevice {
  return {
    device: {
      deviceId: id,
      deviceName: `snmp-${id}`,
      deviceType: 'snmp-profile',
      deviceProfileId: 'profile-1',
      tenantId: 'tenant-1',
      customerId: '',
      transportType: 'SNMP',
      transportConfiguration: profile,
      isGateway: false,
    },
    deviceTransportConfiguration: { type: 'SNMP', host: '127.0.0.1', port, protocolVersion: 'V2C', community: 'public', ...agent },
  };
}
