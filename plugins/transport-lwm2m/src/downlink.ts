/**
 * What the LwM2M logic needs from the CoAP layer to talk to a registered client: one request and its response,
 * or an observation (first response, then notifications until cancelled). The CoAP transport implements it on
 * the server's own UDP socket, so that requests reach clients behind NAT from the port they registered with.
 */

export interface Peer {
  address: string;
  port: number;
}

export type CoapMethod = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'FETCH' | 'iPATCH';

export interface DownlinkRequest {
  method: CoapMethod;
  /** `/3/0/9`. */
  path: string;
  /** Uri-Query parts, e.g. `pmin=10`. */
  query?: string[];
  contentFormat?: number;
  accept?: number;
  payload?: Uint8Array;
}

export interface DeviceResponse {
  /** CoAP code as text, e.g. `2.05`. */
  code: string;
  contentFormat?: number;
  payload: Uint8Array;
  /** Location-Path of a 2.01 Created, e.g. `/3303/1`. */
  locationPath?: string;
}

export interface Observation {
  response: DeviceResponse;
  /** Stops listening and tells the client (its next notification is answered with a reset). */
  cancel(): void;
}

export interface Downlink {
  /** Rejects with DownlinkTimeoutError when the client does not answer within `timeoutMs`. */
  send(peer: Peer, request: DownlinkRequest, timeoutMs: number): Promise<DeviceResponse>;
  /** A GET with Observe 0; notifications arrive through `onNotify` until cancelled. */
  observe(peer: Peer, request: DownlinkRequest, timeoutMs: number, onNotify: (notification: DeviceResponse) => void): Promise<Observation>;
}

export class DownlinkTimeoutError extends Error {
  override readonly name = 'DownlinkTimeoutError';
}

/** Leshan's names of CoAP response codes, as RPC replies carry them (`result`). */
const CODE_NAMES: Record<string, string> = {
  '2.01': 'CREATED',
  '2.02': 'DELETED',
  '2.03': 'VALID',
  '2.04': 'CHANGED',
  '2.05': 'CONTENT',
  '2.31': 'CONTINUE',
  '4.00': 'BAD_REQUEST',
  '4.01': 'UNAUTHORIZED',
  '4.02': 'BAD_OPTION',
  '4.03': 'FORBIDDEN',
  '4.04': 'NOT_FOUND',
  '4.05': 'METHOD_NOT_ALLOWED',
  '4.06': 'NOT_ACCEPTABLE',
  '4.08': 'REQUEST_ENTITY_INCOMPLETE',
  '4.09': 'CONFLICT',
  '4.12': 'PRECONDITION_FAILED',
  '4.13': 'REQUEST_ENTITY_TOO_LARGE',
  '4.15': 'UNSUPPORTED_CONTENT_FORMAT',
  '5.00': 'INTERNAL_SERVER_ERROR',
  '5.01': 'NOT_IMPLEMENTED',
  '5.02': 'BAD_GATEWAY',
  '5.03': 'SERVICE_UNAVAILABLE',
  '5.04': 'GATEWAY_TIMEOUT',
  '5.05': 'PROXY_NOT_SUPPORTED',
};

export const codeName = (code: string): string => CODE_NAMES[code] ?? `UNKNOWN_${code}`;
export const isSuccess = (code: string): boolean => code.startsWith('2.');
