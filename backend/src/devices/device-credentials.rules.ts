import { createHash, randomInt } from 'node:crypto';
import { ApiError } from '../errors/api-error';
import { CREDENTIALS_TYPES, CredentialsType } from './device.entity';
import { lwm2mCredentialsId, parseLwm2mCredentials } from './lwm2m-credentials.rules';

const sha3 = (text: string) => createHash('sha3-256').update(text, 'utf8').digest('hex');

const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 20 random alphanumerics, like ThingsBoard's generated access tokens. */
export function generateAccessToken(): string {
  let token = '';
  for (let i = 0; i < 20; i++) token += TOKEN_ALPHABET[randomInt(TOKEN_ALPHABET.length)];
  return token;
}

export interface MqttBasicValue {
  clientId?: string | null;
  userName?: string | null;
  password?: string | null;
}

/** The Base64 body of a PEM certificate: armour lines and line breaks removed (device-api.md §0.4). */
export function trimCertificate(pem: string): string {
  return pem
    .replace(/-----BEGIN [^-]+-----/g, '')
    .replace(/-----END [^-]+-----/g, '')
    .replace(/[\r\n\s]/g, '');
}

/** The lookup key transports authenticate with, for MQTT basic credentials. */
export function mqttBasicCredentialsId(value: MqttBasicValue): string {
  const { clientId, userName } = value;
  if (!clientId) return userName!;
  if (!userName) return sha3(clientId);
  return sha3(`${clientId}|${userName}`);
}

export const x509CredentialsId = (trimmedCertificate: string) => sha3(trimmedCertificate);

export interface CredentialsInput {
  credentialsType?: string;
  credentialsId?: string | null;
  credentialsValue?: string | null;
}

/**
 * Validates credentials as a client sent them and derives the stored form: for MQTT basic and X.509 the
 * lookup id is computed from the value, whatever the client put in `credentialsId`.
 */
export function normalizeCredentials(input: CredentialsInput): {
  credentialsType: CredentialsType;
  credentialsId: string;
  credentialsValue: string | null;
} {
  const type = input.credentialsType as CredentialsType;
  if (!CREDENTIALS_TYPES.includes(type)) {
    throw ApiError.badRequest(`Device credentials type should be one of ${CREDENTIALS_TYPES.join(', ')}!`);
  }
  switch (type) {
    case 'ACCESS_TOKEN': {
      const token = input.credentialsId?.trim();
      if (!token) throw ApiError.badRequest('Device credentials id should be specified!');
      if (/\s/.test(token)) throw ApiError.badRequest('Access token must not contain white space!');
      if (token.length > 255) throw ApiError.badRequest('Access token must be at most 255 characters!');
      return { credentialsType: type, credentialsId: token, credentialsValue: null };
    }
    case 'MQTT_BASIC': {
      let value: MqttBasicValue;
      try {
        value = typeof input.credentialsValue === 'string' ? JSON.parse(input.credentialsValue) : (input.credentialsValue ?? {});
      } catch {
        throw ApiError.badRequest(
          'MQTT basic credentials value must be a JSON string like {"clientId":"c1","userName":"u1","password":"p1"}!',
        );
      }
      const clientId = value.clientId || null;
      const userName = value.userName || null;
      const password = value.password || null;
      if (!clientId && !userName) throw ApiError.badRequest('Both mqtt client id and user name are empty!');
      if (clientId && !userName && password) throw ApiError.badRequest('Password cannot be specified along with client id');
      const normalized = { clientId, userName, password };
      return { credentialsType: type, credentialsId: mqttBasicCredentialsId(normalized), credentialsValue: JSON.stringify(normalized) };
    }
    case 'X509_CERTIFICATE': {
      const body = trimCertificate(input.credentialsValue ?? '');
      if (!body) throw ApiError.badRequest('X.509 credentials need the device certificate (PEM) in credentialsValue!');
      if (!/^[A-Za-z0-9+/=]+$/.test(body))
        throw ApiError.badRequest('credentialsValue is not a PEM certificate: expected Base64 between the BEGIN/END CERTIFICATE lines.');
      return { credentialsType: type, credentialsId: x509CredentialsId(body), credentialsValue: body };
    }
    case 'LWM2M_CREDENTIALS': {
      const value = parseLwm2mCredentials(input.credentialsValue);
      return { credentialsType: type, credentialsId: lwm2mCredentialsId(value), credentialsValue: JSON.stringify(value) };
    }
  }
}
