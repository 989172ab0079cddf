import { ApiError } from '../errors/api-error';

/**
 * Checks of the SNMP transport configurations when a device or a device profile is saved (device-api.md §7.1,
 * §7.2), so a mistake is a 400 naming the field instead of a device that silently never gets polled. The rules
 * are ThingsBoard's (SnmpDeviceTransportConfiguration, SnmpDeviceProfileTransportConfiguration, SnmpMapping),
 * plus the ones its JSON binding enforces (enum values, numbers where numbers belong).
 */

const PROTOCOL_VERSIONS = ['V1', 'V2C', 'V3'];
const AUTHENTICATION_PROTOCOLS = ['SHA_1', 'SHA_224', 'SHA_256', 'SHA_384', 'SHA_512', 'MD5'];
/** ThingsBoard also lists AES_192, which no SNMP library for Node implements: refused here rather than failing at every poll. */
const PRIVACY_PROTOCOLS = ['DES', 'AES_128', 'AES_256'];
/** Edgewise extension: ThingsBoard always uses AUTH_PRIV; absent means AUTH_PRIV. */
const SECURITY_LEVELS = ['NOAUTH_NOPRIV', 'AUTH_NOPRIV', 'AUTH_PRIV'];
const SPECS = [
  'TELEMETRY_QUERYING',
  'CLIENT_ATTRIBUTES_QUERYING',
  'SHARED_ATTRIBUTES_SETTING',
  'TO_DEVICE_RPC_REQUEST',
  'TO_SERVER_RPC_REQUEST',
];
const QUERYING_SPECS = ['TELEMETRY_QUERYING', 'CLIENT_ATTRIBUTES_QUERYING'];
const DATA_TYPES = ['STRING', 'LONG', 'DOUBLE', 'BOOLEAN', 'JSON'];
/** ThingsBoard's SnmpMapping pattern: dotted numbers without leading zeros, optionally with a leading dot. */
const OID = /^\.?([0-2])((\.0)|(\.[1-9][0-9]*))*$/;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const isBlank = (value: unknown) => typeof value !== 'string' || value.trim() === '';
const show = (value: unknown) => JSON.stringify(value) ?? String(value);

function oneOf(config: Json, path: string, field: string, allowed: string[]): void {
  if (!allowed.includes(config[field] as string))
    throw ApiError.badRequest(`${path}.${field} must be one of ${allowed.join(', ')} (got ${show(config[field])})`);
}

function text(config: Json, path: string, field: string, rule: 'non-blank' | 'non-empty' | 'present', hint: string): void {
  const value = config[field];
  const ok =
    rule === 'present' ? typeof value === 'string' : rule === 'non-empty' ? typeof value === 'string' && value !== '' : !isBlank(value);
  if (!ok) throw ApiError.badRequest(`${path}.${field} is required: ${hint}`);
}

function wholeNumber(config: Json, path: string, field: string, min: number, hint: string): void {
  const value = config[field];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min)
    throw ApiError.badRequest(`${path}.${field} must be a whole number of at least ${min}: ${hint} (got ${show(value)})`);
}

/** `deviceData.transportConfiguration` of a device with `"type": "SNMP"`. */
export function validateSnmpDeviceTransportConfiguration(config: Json, path = 'deviceData.transportConfiguration'): void {
  text(config, path, 'host', 'non-blank', 'the address or host name of the SNMP agent, e.g. "192.168.1.10"');
  const port = config.port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)
    throw ApiError.badRequest(`${path}.port must be the agent's UDP port, 1 to 65535 (usually 161; got ${show(port)})`);
  oneOf(config, path, 'protocolVersion', PROTOCOL_VERSIONS);
  if (config.protocolVersion !== 'V3') {
    text(config, path, 'community', 'non-empty', `the SNMP community ${config.protocolVersion} requests carry, e.g. "public"`);
    return;
  }
  text(config, path, 'username', 'non-blank', 'the SNMPv3 user the agent knows');
  text(config, path, 'securityName', 'non-blank', 'the SNMPv3 security name (usually the user name)');
  text(config, path, 'contextName', 'present', 'the SNMPv3 context; use "" for the default context');
  text(config, path, 'engineId', 'present', 'the agent\'s engine id in hex; use "" to discover it');
  if (config.securityLevel !== undefined && config.securityLevel !== null) oneOf(config, path, 'securityLevel', SECURITY_LEVELS);
  const level = (config.securityLevel as string | null | undefined) ?? 'AUTH_PRIV';
  if (level === 'NOAUTH_NOPRIV') return;
  oneOf(config, path, 'authenticationProtocol', AUTHENTICATION_PROTOCOLS);
  text(config, path, 'authenticationPassphrase', 'non-blank', `the passphrase of the user's ${config.authenticationProtocol} key`);
  if (level === 'AUTH_NOPRIV') return;
  oneOf(config, path, 'privacyProtocol', PRIVACY_PROTOCOLS);
  text(config, path, 'privacyPassphrase', 'non-blank', `the passphrase of the user's ${config.privacyProtocol} key`);
}

/** `profileData.transportConfiguration` of a device profile with `"type": "SNMP"`. */
export function validateSnmpProfileTransportConfiguration(config: Json, path = 'profileData.transportConfiguration'): void {
  wholeNumber(config, path, 'timeoutMs', 0, 'how long to wait for an answer to each request');
  wholeNumber(config, path, 'retries', 0, 'how often to resend an unanswered request');
  const configs = config.communicationConfigs;
  if (!Array.isArray(configs))
    throw ApiError.badRequest(`${path}.communicationConfigs is required: a list of {spec, mappings} (may be empty)`);
  configs.forEach((communication: unknown, i) => {
    const at = `${path}.communicationConfigs[${i}]`;
    if (!isObject(communication)) throw ApiError.badRequest(`${at} must be an object {spec, mappings}`);
    oneOf(communication, at, 'spec', SPECS);
    if (QUERYING_SPECS.includes(communication.spec as string))
      wholeNumber(communication, at, 'queryingFrequencyMs', 1, 'how often to poll these OIDs, in milliseconds');
    const mappings = communication.mappings;
    if (!Array.isArray(mappings) || mappings.length === 0)
      throw ApiError.badRequest(`${at}.mappings must list at least one {oid, key, dataType}`);
    mappings.forEach((mapping: unknown, j) => {
      const mappingAt = `${at}.mappings[${j}]`;
      if (!isObject(mapping)) throw ApiError.badRequest(`${mappingAt} must be an object {oid, key, dataType}`);
      if (typeof mapping.oid !== 'string' || !OID.test(mapping.oid))
        throw ApiError.badRequest(`${mappingAt}.oid must be a numeric OID such as 1.3.6.1.2.1.1.3.0 (got ${show(mapping.oid)})`);
      text(mapping, mappingAt, 'key', 'non-blank', 'the telemetry, attribute or RPC key the OID maps to');
      if (mapping.dataType !== undefined && mapping.dataType !== null) oneOf(mapping, mappingAt, 'dataType', DATA_TYPES);
    });
  });
}

/** The profile's transport configuration, when the profile is an SNMP one or its configuration says SNMP. */
export function validateProfileSnmpConfiguration(transportType: string | undefined, transportConfiguration: Json): void {
  if (transportType === 'SNMP' && transportConfiguration.type !== 'SNMP')
    throw ApiError.badRequest(
      `profileData.transportConfiguration.type must be "SNMP" when transportType is SNMP (got ${show(transportConfiguration.type)})`,
    );
  if (transportConfiguration.type === 'SNMP') validateSnmpProfileTransportConfiguration(transportConfiguration);
}

/** The device's transport configuration, when it is an SNMP one. */
export function validateDeviceSnmpConfiguration(deviceData: Json | null | undefined): void {
  const transportConfiguration = deviceData?.transportConfiguration;
  if (isObject(transportConfiguration) && transportConfiguration.type === 'SNMP')
    validateSnmpDeviceTransportConfiguration(transportConfiguration);
}
