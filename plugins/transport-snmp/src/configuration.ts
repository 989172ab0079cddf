/**
 * The SNMP parts of a device's profile (`profileData.transportConfiguration`, device-api.md §7.1) and of the device
 * (`deviceData.transportConfiguration`, §7.2), read into what the transport works with. The core validates both when
 * they are saved; what is read here may still be older data, so anything unusable is a ConfigurationError that says
 * what to fix, and the device is left alone until it is fixed.
 */

export type DataType = 'STRING' | 'LONG' | 'DOUBLE' | 'BOOLEAN' | 'JSON';
export type QueryingSpec = 'TELEMETRY_QUERYING' | 'CLIENT_ATTRIBUTES_QUERYING';

export interface SnmpMapping {
  /** Dotted numbers without a leading dot (a stored leading dot is dropped, as ThingsBoard's OID parser does). */
  oid: string;
  key: string;
  /** A missing type is STRING, as ThingsBoard treats it. */
  dataType: DataType;
}

export interface QueryingConfig {
  spec: QueryingSpec;
  frequencyMs: number;
  mappings: SnmpMapping[];
  /** The OIDs a poll asks for, each once (several keys may map one OID). */
  oids: string[];
}

export interface ProfileSettings {
  timeoutMs: number;
  retries: number;
  /** Each TELEMETRY_QUERYING / CLIENT_ATTRIBUTES_QUERYING config, polled on its own schedule. */
  querying: QueryingConfig[];
  /** SHARED_ATTRIBUTES_SETTING mappings (the first such config, as ThingsBoard uses). */
  sharedAttributes?: SnmpMapping[];
  /** TO_DEVICE_RPC_REQUEST mappings (the first such config). */
  rpc?: SnmpMapping[];
  /** TO_SERVER_RPC_REQUEST mappings (the first such config): what a trap from the device is turned into. */
  traps?: SnmpMapping[];
}

export type AuthProtocol = 'SHA_1' | 'SHA_224' | 'SHA_256' | 'SHA_384' | 'SHA_512' | 'MD5';
export type PrivacyProtocol = 'DES' | 'AES_128' | 'AES_256';
export type SecurityLevel = 'NOAUTH_NOPRIV' | 'AUTH_NOPRIV' | 'AUTH_PRIV';

export interface V3Security {
  username: string;
  contextName: string;
  level: SecurityLevel;
  authProtocol?: AuthProtocol;
  authPassphrase?: string;
  privacyProtocol?: PrivacyProtocol;
  privacyPassphrase?: string;
}

export interface AgentSettings {
  host: string;
  port: number;
  version: 'V1' | 'V2C' | 'V3';
  community: string;
  v3?: V3Security;
}

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

type Json = Record<string, unknown>;

const OID = /^\.?([0-2])((\.0)|(\.[1-9][0-9]*))*$/;
const DATA_TYPES: readonly string[] = ['STRING', 'LONG', 'DOUBLE', 'BOOLEAN', 'JSON'];
const AUTH_PROTOCOLS: readonly string[] = ['SHA_1', 'SHA_224', 'SHA_256', 'SHA_384', 'SHA_512', 'MD5'];
const PRIVACY_PROTOCOLS: readonly string[] = ['DES', 'AES_128', 'AES_256'];
const SECURITY_LEVELS: readonly string[] = ['NOAUTH_NOPRIV', 'AUTH_NOPRIV', 'AUTH_PRIV'];

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const show = (value: unknown) => JSON.stringify(value) ?? String(value);

/** An OID as the transport compares them: no leading dot. */
const normalizeOid = (oid: string) => (oid.startsWith('.') ? oid.slice(1) : oid);

function mappingsOf(config: Json, at: string): SnmpMapping[] {
  if (!Array.isArray(config.mappings) || config.mappings.length === 0)
    throw new ConfigurationError(`${at}.mappings must list at least one {oid, key, dataType}`);
  return config.mappings.map((mapping: unknown, i) => {
    const mappingAt = `${at}.mappings[${i}]`;
    if (!isObject(mapping) || typeof mapping.oid !== 'string' || !OID.test(mapping.oid))
      throw new ConfigurationError(`${mappingAt}.oid must be a numeric OID such as 1.3.6.1.2.1.1.3.0`);
    if (typeof mapping.key !== 'string' || !mapping.key.trim()) throw new ConfigurationError(`${mappingAt}.key must be a non-blank key`);
    const dataType = mapping.dataType ?? 'STRING';
    if (!DATA_TYPES.includes(dataType as string))
      throw new ConfigurationError(`${mappingAt}.dataType must be one of ${DATA_TYPES.join(', ')} (got ${show(dataType)})`);
    return { oid: normalizeOid(mapping.oid), key: mapping.key, dataType: dataType as DataType };
  });
}

/** `undefined`, or 0 for the timeout, means "use the transport's default" (SNMP_TIMEOUT_MS / SNMP_RETRIES). */
function optionalCount(config: Json, field: string, at: string): number | undefined {
  const value = config[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw new ConfigurationError(`${at}.${field} must be a whole number of at least 0 (got ${show(value)})`);
  return value;
}

export function readProfileSettings(
  transportConfiguration: Readonly<Record<string, unknown>> | undefined,
  defaults: { timeoutMs: number; retries: number },
): ProfileSettings {
  const at = 'profileData.transportConfiguration';
  if (!isObject(transportConfiguration) || transportConfiguration.type !== 'SNMP')
    throw new ConfigurationError(`${at} of the device profile is not an SNMP configuration: set its type to "SNMP"`);
  const settings: ProfileSettings = {
    timeoutMs: optionalCount(transportConfiguration, 'timeoutMs', at) || defaults.timeoutMs,
    retries: optionalCount(transportConfiguration, 'retries', at) ?? defaults.retries,
    querying: [],
  };
  const configs = transportConfiguration.communicationConfigs ?? [];
  if (!Array.isArray(configs)) throw new ConfigurationError(`${at}.communicationConfigs must be a list of {spec, mappings}`);
  configs.forEach((config: unknown, i) => {
    const configAt = `${at}.communicationConfigs[${i}]`;
    if (!isObject(config)) throw new ConfigurationError(`${configAt} must be an object {spec, mappings}`);
    switch (config.spec) {
      case 'TELEMETRY_QUERYING':
      case 'CLIENT_ATTRIBUTES_QUERYING': {
        const frequencyMs = config.queryingFrequencyMs;
        if (typeof frequencyMs !== 'number' || !Number.isInteger(frequencyMs) || frequencyMs < 1)
          throw new ConfigurationError(`${configAt}.queryingFrequencyMs must be a whole number of milliseconds, at least 1`);
        const mappings = mappingsOf(config, configAt);
        settings.querying.push({ spec: config.spec, frequencyMs, mappings, oids: [...new Set(mappings.map((m) => m.oid))] });
        break;
      }
      case 'SHARED_ATTRIBUTES_SETTING':
        settings.sharedAttributes ??= mappingsOf(config, configAt);
        break;
      case 'TO_DEVICE_RPC_REQUEST':
        settings.rpc ??= mappingsOf(config, configAt);
        break;
      case 'TO_SERVER_RPC_REQUEST':
        settings.traps ??= mappingsOf(config, configAt);
        break;
      default:
        throw new ConfigurationError(`${configAt}.spec ${show(config.spec)} is not an SNMP communication spec`);
    }
  });
  return settings;
}

/** ThingsBoard gives a device of an SNMP profile without an SNMP configuration these defaults. */
const DEFAULT_AGENT = { host: 'localhost', port: 161, protocolVersion: 'V2C', community: 'public' };

function requiredText(config: Json, field: string, at: string): string {
  const value = config[field];
  if (typeof value !== 'string' || !value.trim()) throw new ConfigurationError(`${at}.${field} is required for SNMPv3`);
  return value;
}

function member<T extends string>(config: Json, field: string, allowed: readonly string[], at: string): T {
  const value = config[field];
  if (!allowed.includes(value as string))
    throw new ConfigurationError(`${at}.${field} must be one of ${allowed.join(', ')} (got ${show(value)})`);
  return value as T;
}

export function readAgentSettings(deviceTransportConfiguration: Readonly<Record<string, unknown>>): AgentSettings {
  const at = 'deviceData.transportConfiguration';
  const config: Json = deviceTransportConfiguration.type === 'SNMP' ? { ...deviceTransportConfiguration } : { ...DEFAULT_AGENT };
  if (typeof config.host !== 'string' || !config.host.trim()) throw new ConfigurationError(`${at}.host is required: the agent's address`);
  const port = config.port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)
    throw new ConfigurationError(`${at}.port must be the agent's UDP port, 1 to 65535 (got ${show(port)})`);
  const version = member<AgentSettings['version']>(config, 'protocolVersion', ['V1', 'V2C', 'V3'], at);
  if (version !== 'V3') {
    if (typeof config.community !== 'string' || config.community === '')
      throw new ConfigurationError(`${at}.community is required for ${version}`);
    return { host: config.host.trim(), port, version, community: config.community };
  }
  const level =
    config.securityLevel === undefined || config.securityLevel === null
      ? 'AUTH_PRIV'
      : member<SecurityLevel>(config, 'securityLevel', SECURITY_LEVELS, at);
  const contextName = typeof config.contextName === 'string' ? config.contextName : '';
  const v3: V3Security = { username: requiredText(config, 'username', at), contextName, level };
  if (level !== 'NOAUTH_NOPRIV') {
    v3.authProtocol = member<AuthProtocol>(config, 'authenticationProtocol', AUTH_PROTOCOLS, at);
    v3.authPassphrase = requiredText(config, 'authenticationPassphrase', at);
  }
  if (level === 'AUTH_PRIV') {
    v3.privacyProtocol = member<PrivacyProtocol>(config, 'privacyProtocol', PRIVACY_PROTOCOLS, at);
    v3.privacyPassphrase = requiredText(config, 'privacyPassphrase', at);
  }
  return { host: config.host.trim(), port, version, community: '', v3 };
}
