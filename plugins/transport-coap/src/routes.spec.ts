import { describe, expect, it } from 'vitest';
import { attributesRequest } from './device-api';
import { routeOf } from './routes';

const path = (text: string) => text.split('/').filter(Boolean);
const route = (method: string, text: string, observe?: number) => routeOf(method, path(text), observe);

/** ThingsBoard's CoapTransportResource / OtaPackageTransportResource path rules (device-api.md §3.2–3.3). */
describe('CoAP routes', () => {
  it('reads token and feature from their positions, with or without a token', () => {
    expect(route('POST', '/api/v1/T/telemetry')).toEqual({ kind: 'device', feature: { kind: 'postTelemetry' }, token: 'T' });
    expect(route('POST', '/api/v1/telemetry')).toEqual({ kind: 'device', feature: { kind: 'postTelemetry' }, token: undefined });
    expect(route('POST', '/api/v1/T/rpc/42')).toEqual({ kind: 'device', feature: { kind: 'rpcReply', requestId: 42 }, token: 'T' });
    expect(route('POST', '/api/v1/rpc/42')).toMatchObject({ feature: { kind: 'rpcReply', requestId: 42 }, token: 'rpc' });
    expect(route('POST', '/api/v1/T/rpc')).toMatchObject({ feature: { kind: 'clientRpc' } });
    expect(route('POST', '/api/v1/T/rpc/99999999999')).toMatchObject({ feature: { kind: 'clientRpc' } }); // not an int: as ThingsBoard
    expect(route('POST', '/api/v1/T/telemetry/extra')).toMatchObject({ feature: { kind: 'postTelemetry' } });
  });

  it('takes provisioning from /api/v1/provision and from the feature position, without a token', () => {
    expect(route('POST', '/api/v1/provision')).toEqual({ kind: 'provision' });
    expect(route('POST', '/api/v1/anything/provision')).toEqual({ kind: 'provision' });
  });

  it('observes attributes on every feature but rpc; Observe=1 cancels, any other value subscribes', () => {
    expect(route('GET', '/api/v1/T/attributes', 0)).toMatchObject({ feature: { kind: 'observeAttributes' } });
    expect(route('GET', '/api/v1/T/claim', 5)).toMatchObject({ feature: { kind: 'observeAttributes' } });
    expect(route('GET', '/api/v1/T/attributes', 1)).toMatchObject({ feature: { kind: 'cancelAttributes' } });
    expect(route('GET', '/api/v1/T/rpc', 0)).toMatchObject({ feature: { kind: 'observeRpc' } });
    expect(route('GET', '/api/v1/T/rpc', 1)).toMatchObject({ feature: { kind: 'cancelRpc' } });
    expect(route('GET', '/api/v1/T/telemetry', 0)).toMatchObject({ kind: 'refuse', code: '4.00' });
  });

  it('routes OTA only as GET /fw/{token} and /sw/{token}', () => {
    expect(route('GET', '/fw/T')).toEqual({ kind: 'ota', type: 'FIRMWARE', token: 'T' });
    expect(route('GET', '/sw/T')).toEqual({ kind: 'ota', type: 'SOFTWARE', token: 'T' });
    expect(route('GET', '/sw')).toEqual({ kind: 'ota', type: 'SOFTWARE', token: undefined });
    expect(route('POST', '/fw/T')).toMatchObject({ kind: 'refuse', code: '4.05' });
  });

  it('serves a resource directory at /.well-known/core', () => {
    expect(route('GET', '/.well-known/core')).toEqual({ kind: 'discovery' });
  });
});

describe('attribute read keys from Uri-Query', () => {
  it('reads comma lists untrimmed, deduplicated; the last option of a name wins; empty means absent', () => {
    expect(attributesRequest(['clientKeys=a, b,a', 'sharedKeys=c'])).toEqual({ clientKeys: ['a', ' b'], sharedKeys: ['c'] });
    expect(attributesRequest(['sharedKeys=x', 'sharedKeys=y'])).toEqual({ sharedKeys: ['y'] });
    expect(attributesRequest(['clientKeys=', 'other=1'])).toEqual({});
  });
});
