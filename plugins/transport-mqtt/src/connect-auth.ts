/**
 * CONNECT authentication (device-api.md §1.2): which credentials a CONNECT presents, and which CONNACK
 * (and, on MQTT 5, which DISCONNECT) a refusal gets.
 */
import type { PeerCertificate } from 'node:tls';
import type { AuthResult, DeviceCredentialsRequest, DeviceIdentity } from '@edgewise/plugin-api';
import type { IConnectPacket } from 'mqtt-packet';
import { ConnackReturnCode, ReasonCode } from './reason-codes';

const PROVISION = 'provision';

/** Profile transport types an MQTT device may have (§1.2 step 4). */
const MQTT_TRANSPORT_TYPES = new Set(['DEFAULT', 'MQTT']);

/** How a refused CONNECT is answered on MQTT 5; MQTT 3.x derives its CONNACK code from `connack` and gets no DISCONNECT. */
export interface ConnectRefusal {
  connack: number;
  /** Absent: close after the CONNACK without a DISCONNECT. */
  disconnect?: number;
  reason: string;
}

export type ConnectPlan =
  | { kind: 'provision' }
  | { kind: 'authenticate'; credentials: DeviceCredentialsRequest; viaCertificate: boolean }
  | { kind: 'refuse'; refusal: ConnectRefusal };

/** Decision order of §1.2: provision session, else the TLS client certificate, else clientId/username/password. */
export function planConnect(packet: IConnectPacket, peerCertificate: PeerCertificate | undefined, now: Date): ConnectPlan {
  if (packet.username === PROVISION || packet.clientId === PROVISION) return { kind: 'provision' };
  if (peerCertificate?.raw !== undefined) {
    if (!isValidAt(peerCertificate, now))
      return { kind: 'refuse', refusal: certificateRefusal('client certificate is expired or not yet valid') };
    return {
      kind: 'authenticate',
      credentials: { type: 'X509_CERTIFICATE', certificate: peerCertificate.raw.toString('base64') },
      viaCertificate: true,
    };
  }
  const credentials: DeviceCredentialsRequest = { type: 'MQTT_BASIC' };
  if (packet.clientId) credentials.clientId = packet.clientId;
  if (packet.username !== undefined) credentials.username = packet.username;
  if (packet.password !== undefined) credentials.password = packet.password.toString('utf8');
  return { kind: 'authenticate', credentials, viaCertificate: false };
}

/** The device the core accepted, or how to refuse. */
export function judgeAuthResult(result: AuthResult, packet: IConnectPacket, viaCertificate: boolean): DeviceIdentity | ConnectRefusal {
  if (result.ok) {
    if (MQTT_TRANSPORT_TYPES.has(result.device.transportType)) return result.device;
    return unavailableRefusal(viaCertificate, `device profile transport type ${result.device.transportType} does not allow MQTT`);
  }
  if (result.failure === 'UNAVAILABLE') return unavailableRefusal(viaCertificate, result.reason);
  if (viaCertificate) return certificateRefusal(result.reason);
  return { ...credentialsRefusalCode(packet), reason: result.reason };
}

/** The core could not answer: retry later. */
export function unavailableRefusal(viaCertificate: boolean, reason: string): ConnectRefusal {
  const disconnect = viaCertificate ? ReasonCode.IMPLEMENTATION_SPECIFIC_ERROR : ReasonCode.SERVER_BUSY;
  return { connack: ReasonCode.SERVER_UNAVAILABLE, disconnect, reason };
}

function certificateRefusal(reason: string): ConnectRefusal {
  return { connack: ReasonCode.NOT_AUTHORIZED, disconnect: ReasonCode.NOT_AUTHORIZED, reason };
}

function credentialsRefusalCode(packet: IConnectPacket): Omit<ConnectRefusal, 'reason'> {
  const code =
    packet.username !== undefined || packet.password !== undefined
      ? ReasonCode.BAD_USER_NAME_OR_PASSWORD
      : packet.clientId.trim() !== ''
        ? ReasonCode.CLIENT_IDENTIFIER_NOT_VALID
        : ReasonCode.NOT_AUTHORIZED;
  // The reference repeats the code in a DISCONNECT, but 0x85 and 0x86 are not DISCONNECT reason codes in
  // MQTT 5: strict clients (mqtt.js) fail parsing it and report a protocol error instead of the CONNACK's
  // "bad user name or password". Edgewise sends the DISCONNECT only with a code MQTT 5 allows there.
  return { connack: code, disconnect: code === ReasonCode.NOT_AUTHORIZED ? code : undefined };
}

/** MQTT 3.x CONNACK return code for an MQTT 5 CONNACK reason (the reference's mapping). */
export function connackReturnCodeV3(reasonCode: number): number {
  switch (reasonCode) {
    case ReasonCode.SUCCESS:
      return ConnackReturnCode.ACCEPTED;
    case ReasonCode.CLIENT_IDENTIFIER_NOT_VALID:
      return ConnackReturnCode.IDENTIFIER_REJECTED;
    case ReasonCode.BAD_USER_NAME_OR_PASSWORD:
    case ReasonCode.NOT_AUTHORIZED:
      return ConnackReturnCode.NOT_AUTHORIZED;
    default:
      return ConnackReturnCode.SERVER_UNAVAILABLE;
  }
}

function isValidAt(certificate: PeerCertificate, now: Date): boolean {
  const time = now.getTime();
  return Date.parse(certificate.valid_from) <= time && time <= Date.parse(certificate.valid_to);
}
