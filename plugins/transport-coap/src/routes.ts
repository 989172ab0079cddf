/**
 * Which resource a request is for (device-api.md §3.1–3.3), decided from method, path and Observe alone, the
 * way ThingsBoard's resource tree decides it: `/api/v1/…` (CoapTransportResource), `/fw/{token}` and
 * `/sw/{token}` (OtaPackageTransportResource). Refusals that need no device are decided here too.
 */
import type { OtaPackageType } from '@edgewise/plugin-api';

export type DeviceFeature =
  | { kind: 'postTelemetry' }
  | { kind: 'postAttributes' }
  | { kind: 'getAttributes' }
  | { kind: 'observeAttributes' }
  | { kind: 'cancelAttributes' }
  | { kind: 'observeRpc' }
  | { kind: 'cancelRpc' }
  | { kind: 'rpcReply'; requestId: number }
  | { kind: 'clientRpc' }
  | { kind: 'claim' };

export type Route =
  /** A device API feature; without `token` the device must be known from its DTLS handshake (X.509). */
  | { kind: 'device'; feature: DeviceFeature; token?: string }
  | { kind: 'provision' }
  /** Without `token` (wrong number of segments) the request is refused with 4.01 after its empty ACK. */
  | { kind: 'ota'; type: OtaPackageType; token?: string }
  | { kind: 'discovery' }
  | { kind: 'refuse'; code: string; reason: string };

const USAGE = 'use /api/v1/{token}/telemetry, attributes, rpc, rpc/{requestId} or claim, or /api/v1/provision';

/** Link-format description of the resources (RFC 6690), for `GET /.well-known/core`. */
export const RESOURCE_DIRECTORY = '</api/v1>;obs,</fw>;obs,</sw>;obs';

const refuse = (code: string, reason: string): Route => ({ kind: 'refuse', code, reason });
const notFound = (path: readonly string[]): Route =>
  refuse('4.04', `No resource /${path.join('/')}: the device API is under /api/v1, firmware under /fw/{token}, software under /sw/{token}`);

export function routeOf(method: string, path: readonly string[], observe: number | undefined): Route {
  const [first, second] = path;
  if (first === '.well-known' && second === 'core' && path.length === 2)
    return method === 'GET' ? { kind: 'discovery' } : refuse('4.05', 'Only GET is allowed on /.well-known/core');
  if (first === 'fw' || first === 'sw') return otaRoute(method, path);
  if (first !== 'api') return notFound(path);
  // `/api` itself is a resource without methods; `/api/v1` and everything below it is the device API.
  if (path.length === 1) return refuse('4.05', `/api answers no requests: ${USAGE}`);
  if (second !== 'v1') return notFound(path);
  return deviceApiRoute(method, path, observe);
}

function otaRoute(method: string, path: readonly string[]): Route {
  const type: OtaPackageType = path[0] === 'fw' ? 'FIRMWARE' : 'SOFTWARE';
  if (method !== 'GET') return refuse('4.05', `Only GET is allowed on /${path[0]}/{token}`);
  return { kind: 'ota', type, token: path.length === 2 ? path[1] : undefined };
}

const FEATURES = new Set(['ATTRIBUTES', 'TELEMETRY', 'RPC', 'CLAIM', 'PROVISION']);

/** ThingsBoard's segment positions: `/api/v1/{token}/{feature}[/{requestId}]`, or `/api/v1/{feature}[/{requestId}]` with X.509. */
function deviceApiRoute(method: string, path: readonly string[], observe: number | undefined): Route {
  if (method !== 'GET' && method !== 'POST') return refuse('4.05', `${method} is not allowed: ${USAGE}`);
  const feature = featureOf(path);
  if (feature === undefined) return refuse('4.00', `Unknown or missing feature in /${path.join('/')}: ${USAGE}`);
  const token = path.length > 3 ? path[2] : undefined;
  const device = (f: DeviceFeature): Route => ({ kind: 'device', feature: f, token });
  if (method === 'POST') {
    switch (feature) {
      case 'TELEMETRY':
        return device({ kind: 'postTelemetry' });
      case 'ATTRIBUTES':
        return device({ kind: 'postAttributes' });
      case 'CLAIM':
        return device({ kind: 'claim' });
      case 'PROVISION':
        return { kind: 'provision' };
      default: {
        const requestId = requestIdOf(path);
        return device(requestId === undefined ? { kind: 'clientRpc' } : { kind: 'rpcReply', requestId });
      }
    }
  }
  if (feature === 'TELEMETRY')
    return refuse('4.00', 'Telemetry cannot be read or observed over CoAP: POST it to /api/v1/{token}/telemetry');
  // §3.4: any Observe value other than 1 subscribes; every feature but rpc observes attributes.
  if (observe !== undefined) {
    if (feature === 'RPC') return device({ kind: observe === 1 ? 'cancelRpc' : 'observeRpc' });
    return device({ kind: observe === 1 ? 'cancelAttributes' : 'observeAttributes' });
  }
  if (feature === 'ATTRIBUTES') return device({ kind: 'getAttributes' });
  return refuse('4.00', `GET is only for /api/v1/{token}/attributes (or observing …/attributes and …/rpc), not ${feature.toLowerCase()}`);
}

function featureOf(path: readonly string[]): string | undefined {
  let name: string | undefined;
  if (path.length >= 4) name = path.length === 4 && /^\d+$/.test(path[3]) ? path[2] : path[3];
  else if (path.length === 3) name = path.includes('provision') ? 'provision' : path[2];
  const upper = name?.toUpperCase();
  return upper !== undefined && FEATURES.has(upper) ? upper : undefined;
}

/** `{requestId}` of an RPC reply: segment 5 (token in path) or 4 (X.509), a 32-bit integer as Java's Integer.valueOf reads it. */
function requestIdOf(path: readonly string[]): number | undefined {
  const text = path.length >= 5 ? path[4] : path[3];
  if (text === undefined || !/^[+-]?\d+$/.test(text)) return undefined;
  const id = Number(text);
  return id >= -(2 ** 31) && id < 2 ** 31 ? id : undefined;
}
