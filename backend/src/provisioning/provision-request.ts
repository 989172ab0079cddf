import { PayloadError } from '@edgewise/plugin-api';
import { CREDENTIALS_TYPES, CredentialsType } from '../devices/device.entity';

/** A device's provisioning request (device-api.md §1.11.2); absent text fields are empty strings, as in ThingsBoard. */
export interface ProvisionRequest {
  deviceName: string;
  credentialsType: CredentialsType;
  /** The credentials the device asks for; which of them count depends on `credentialsType`. */
  token: string;
  clientId: string;
  username: string;
  password: string;
  /** X.509: the device certificate (PEM, or the Base64 body between its armour lines). */
  hash: string;
  provisionDeviceKey: string;
  provisionDeviceSecret: string;
  gateway: boolean;
}

const EXAMPLE = 'send {"provisionDeviceKey":"…","provisionDeviceSecret":"…","deviceName":"…"} (device-api.md §1.11.2)';

/**
 * Reads a provisioning request the way ThingsBoard's JsonConverter does: a JSON object whose text fields may
 * be strings, numbers or booleans; `provisionDeviceKey` and `provisionDeviceSecret` must be present (empty is
 * allowed and answered NOT_FOUND later); `credentialsType` must name a credentials type; `gateway` is a boolean.
 * Anything else is a malformed request: PayloadError.
 */
export function parseProvisionRequest(payload: string): ProvisionRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch (e) {
    throw new PayloadError(`Invalid JSON in the provision request: ${(e as Error).message}; ${EXAMPLE}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new PayloadError(`A provision request must be a JSON object; ${EXAMPLE}`);
  }
  const body = parsed as Record<string, unknown>;
  const text = (field: string, required = false): string => {
    const value = body[field];
    if (value === undefined) {
      if (required) throw new PayloadError(`The provision request has no "${field}"; ${EXAMPLE}`);
      return '';
    }
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw new PayloadError(`"${field}" of the provision request must be a string, not ${JSON.stringify(value)}; ${EXAMPLE}`);
  };
  const credentialsType = body.credentialsType === undefined ? 'ACCESS_TOKEN' : text('credentialsType');
  if (!(CREDENTIALS_TYPES as readonly string[]).includes(credentialsType)) {
    throw new PayloadError(`"credentialsType" must be one of ${CREDENTIALS_TYPES.join(', ')}, not "${credentialsType}"`);
  }
  if (body.gateway !== undefined && typeof body.gateway !== 'boolean') {
    throw new PayloadError(`"gateway" of the provision request must be true or false, not ${JSON.stringify(body.gateway)}`);
  }
  return {
    deviceName: text('deviceName'),
    credentialsType: credentialsType as CredentialsType,
    token: text('token'),
    clientId: text('clientId'),
    username: text('username'),
    password: text('password'),
    hash: text('hash'),
    provisionDeviceKey: text('provisionDeviceKey', true),
    provisionDeviceSecret: text('provisionDeviceSecret', true),
    gateway: body.gateway === true,
  };
}

/** True when the device asked for credentials of its own rather than a generated access token (§1.11.2). */
export const asksForOwnCredentials = (request: ProvisionRequest): boolean =>
  [request.token, request.clientId, request.username, request.password, request.hash].some((field) => field !== '');

/** The request as ThingsBoard's PROVISION_SUCCESS / PROVISION_FAILURE messages carry it (its ProvisionRequest as JSON). */
export function provisionRequestJson(request: ProvisionRequest): string {
  return JSON.stringify({
    deviceName: request.deviceName,
    credentialsType: request.credentialsType,
    credentialsData: {
      token: request.token,
      clientId: request.clientId,
      username: request.username,
      password: request.password,
      x509CertHash: request.hash,
    },
    credentials: { provisionDeviceKey: request.provisionDeviceKey, provisionDeviceSecret: request.provisionDeviceSecret },
    gateway: request.gateway,
  });
}
