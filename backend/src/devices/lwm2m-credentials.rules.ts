import { createHash, createPrivateKey, createPublicKey, KeyObject, X509Certificate } from 'node:crypto';
import { ApiError } from '../errors/api-error';

/**
 * ThingsBoard's `LWM2M_CREDENTIALS` (device-api.md §6.1): the client part is polymorphic on
 * `securityConfigClientMode`, each bootstrap part on `securityMode`. Messages are ThingsBoard's, so that
 * tools matching on them keep working.
 */
export const LWM2M_SECURITY_MODES = ['NO_SEC', 'PSK', 'RPK', 'X509'] as const;
export type Lwm2mSecurityMode = (typeof LWM2M_SECURITY_MODES)[number];

export interface Lwm2mClientCredential {
  securityConfigClientMode: Lwm2mSecurityMode;
  endpoint: string;
  /** PSK identity. */
  identity?: string;
  /** PSK key (hex) or RPK public key (Base64). */
  key?: string;
  /** X509 client certificate (Base64 DER), optional. */
  cert?: string;
}

interface Lwm2mServerCredential {
  securityMode: Lwm2mSecurityMode;
  clientPublicKeyOrId?: string;
  clientSecretKey?: string;
}

export interface Lwm2mCredentialsValue {
  client: Lwm2mClientCredential;
  bootstrap: { bootstrapServer: Lwm2mServerCredential; lwm2mServer: Lwm2mServerCredential };
}

const INVALID_BODY = 'Invalid credentials body for LwM2M credentials!';
const invalid = (message: string) => ApiError.badRequest(message);
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isBlank = (value: unknown) => typeof value !== 'string' || value.trim() === '';
const isMode = (value: unknown): value is Lwm2mSecurityMode => LWM2M_SECURITY_MODES.includes(value as Lwm2mSecurityMode);

const stripArmour = (text: string, label: string) =>
  text
    .replaceAll(`-----BEGIN ${label}-----`, '')
    .replaceAll(`-----END ${label}-----`, '')
    .replace(/[\r\n]/g, '');

/** Parses a DER structure from Base64; undefined when it is not one (or not an EC key where EC is required). */
function ecKey(base64: string, decode: (der: Buffer) => KeyObject): KeyObject | undefined {
  try {
    const key = decode(Buffer.from(base64, 'base64'));
    return key.asymmetricKeyType === 'ec' ? key : undefined;
  } catch {
    return undefined;
  }
}
const ecPublicKey = (base64: string) => ecKey(base64, (der) => createPublicKey({ key: der, format: 'der', type: 'spki' }));
const ecCertificateKey = (base64: string) => ecKey(base64, (der) => new X509Certificate(der).publicKey);
const privateKey = (base64: string) => {
  try {
    return createPrivateKey({ key: Buffer.from(base64, 'base64'), format: 'der', type: 'pkcs8' });
  } catch {
    return undefined;
  }
};

/** PSK keys: hex, 32, 64 or 128 characters (16/32/64 bytes). */
function checkPskKey(key: unknown, subject: string): void {
  if (isBlank(key)) throw invalid(`${subject} PSK key must be specified!`);
  const hex = key as string;
  if (!/^-?[0-9a-fA-F]+$/.test(hex)) throw invalid(`${subject} PSK key must be random sequence in hex encoding!`);
  if (hex.length % 32 !== 0 || hex.length > 128)
    throw invalid(`${subject} PSK key length = ${hex.length}. Key must be HexDec format: 32, 64, 128 characters!`);
}

function checkClient(client: Record<string, unknown>): Lwm2mClientCredential {
  if (!isMode(client.securityConfigClientMode)) throw invalid(INVALID_BODY);
  if (isBlank(client.endpoint)) throw invalid('LwM2M client endpoint must be specified!');
  const credential = { ...client } as unknown as Lwm2mClientCredential;
  switch (credential.securityConfigClientMode) {
    case 'NO_SEC':
      break;
    case 'PSK':
      if (isBlank(credential.identity)) throw invalid('LwM2M client PSK identity must be specified and must be an utf8 string!');
      if (credential.identity === 'NO_SEC') throw invalid("The PSK ID of the LwM2M client must not be 'NO_SEC'!");
      checkPskKey(credential.key, 'LwM2M client');
      break;
    case 'RPK':
      if (isBlank(credential.key)) throw invalid('LwM2M client RPK key must be specified!');
      credential.key = stripArmour(credential.key!, 'PUBLIC KEY');
      if (!ecPublicKey(credential.key))
        throw invalid(
          'LwM2M client RPK key must be in standard [RFC7250] and support only EC algorithm and then encoded to Base64 format!',
        );
      break;
    case 'X509':
      if (typeof credential.cert === 'string' && credential.cert !== '') {
        credential.cert = stripArmour(credential.cert, 'CERTIFICATE');
        if (!ecCertificateKey(credential.cert))
          throw invalid(
            'LwM2M client X509 certificate must be in DER-encoded X509v3 format and support only EC algorithm and then encoded to Base64 format!',
          );
      }
      break;
  }
  return credential;
}

function checkServer(value: unknown, server: 'Bootstrap server' | 'LwM2M server', missing: string): Lwm2mServerCredential {
  if (!isObject(value)) throw invalid(missing);
  if (!isMode(value.securityMode)) throw invalid(INVALID_BODY);
  const credential = { ...value } as unknown as Lwm2mServerCredential;
  const { securityMode } = credential;
  if (securityMode === 'NO_SEC') return credential;
  if (securityMode === 'PSK') {
    if (isBlank(credential.clientPublicKeyOrId))
      throw invalid(`${server} client PSK public key or id must be specified and must be an utf8 string!`);
    if (credential.clientPublicKeyOrId === 'NO_SEC') throw invalid(`${server} client PSK public key or id must not be 'NO_SEC'!`);
    checkPskKey(credential.clientSecretKey, `${server} client`);
    return credential;
  }
  const kind = securityMode === 'RPK' ? 'RPK' : 'X509';
  if (isBlank(credential.clientPublicKeyOrId)) throw invalid(`${server} client ${kind} public key or id must be specified!`);
  if (securityMode === 'RPK') {
    credential.clientPublicKeyOrId = stripArmour(credential.clientPublicKeyOrId!, 'PUBLIC KEY');
    if (!ecPublicKey(credential.clientPublicKeyOrId))
      throw invalid(`${server} client RPK public key or id must be in standard [RFC7250 ] and then encoded to Base64 format!`);
  } else {
    credential.clientPublicKeyOrId = stripArmour(credential.clientPublicKeyOrId!, 'CERTIFICATE');
    if (!ecCertificateKey(credential.clientPublicKeyOrId))
      throw invalid(
        `${server} client X509 public key or id must be in DER-encoded X509v3 format  and support only EC algorithm and then encoded to Base64 format!`,
      );
  }
  if (isBlank(credential.clientSecretKey)) throw invalid(`${server} client ${kind} secret key must be specified!`);
  credential.clientSecretKey = stripArmour(credential.clientSecretKey!, 'EC PRIVATE KEY');
  if (!privateKey(credential.clientSecretKey))
    throw invalid(
      `${server} client ${kind} secret key must be in PKCS#8 format (DER encoding, standard [RFC5958]) and then encoded to Base64 format!`,
    );
  return credential;
}

/** Parses and checks a `credentialsValue`; throws a 400 ApiError naming what to fix. */
export function parseLwm2mCredentials(credentialsValue: unknown): Lwm2mCredentialsValue {
  let value: unknown;
  try {
    value = typeof credentialsValue === 'string' ? JSON.parse(credentialsValue) : credentialsValue;
  } catch {
    throw invalid(INVALID_BODY);
  }
  if (!isObject(value)) throw invalid('LwM2M credentials must be specified!');
  if (!isObject(value.client)) throw invalid('LwM2M client credentials must be specified!');
  const client = checkClient(value.client);
  if (!isObject(value.bootstrap)) throw invalid('LwM2M bootstrap credentials must be specified!');
  const bootstrapServer = checkServer(
    value.bootstrap.bootstrapServer,
    'Bootstrap server',
    'LwM2M bootstrap server credentials must be specified!',
  );
  const lwm2mServer = checkServer(value.bootstrap.lwm2mServer, 'LwM2M server', 'LwM2M lwm2m server credentials must be specified!');
  return { client, bootstrap: { bootstrapServer, lwm2mServer } };
}

/**
 * The lookup id: the endpoint (NO_SEC, RPK), the PSK identity, or for X509 the SHA3-256 of the client
 * certificate when one is given (else the endpoint).
 */
export function lwm2mCredentialsId({ client }: Lwm2mCredentialsValue): string {
  switch (client.securityConfigClientMode) {
    case 'PSK':
      return client.identity!;
    case 'X509':
      return client.cert ? createHash('sha3-256').update(client.cert, 'utf8').digest('hex') : client.endpoint;
    default:
      return client.endpoint;
  }
}
