import { describe, expect, it } from 'vitest';
import { parseAttributesRequest, parseClientRpc } from './device-payloads';
import { requestIdOf, routeSubscription, routeUplink } from './topics';

describe('topic catalogue (§1.3)', () => {
  it.each([
    ['v1/devices/me/telemetry', 'telemetry', 'v1'],
    ['v2/t/j', 'telemetry', 'v2j'],
    ['v2/a', 'attributes', 'v2'],
    ['v2/a/req/j/5', 'attributeRequest', 'v2j'],
    ['v2/a/req/5', 'attributeRequest', 'v2'],
    ['v1/devices/me/rpc/response/3', 'serverRpcReply', 'v1'],
    ['v2/r/req/3', 'clientRpcRequest', 'v2'],
    ['v1/devices/me/claim', 'claim', 'v1'],
    ['v1/gateway/connect', 'gateway', 'v1'],
  ])('routes %s to %s on family %s', (topic, kind, family) => {
    expect(routeUplink(topic)).toMatchObject({ kind, family });
  });

  it.each(['v1/devices/me/unknown', 'v2/t/p', 'v2/a/req/p/5', '/provision/request', 'v2/fw/request/1/chunk/0'])(
    'has no route for %s (unknown topic)',
    (topic) => {
      expect(routeUplink(topic)).toBeUndefined();
    },
  );

  it('accepts only exact catalogue filters', () => {
    expect(routeSubscription('v2/r/req/j/+')).toEqual({ kind: 'serverRpcRequests', family: 'v2j' });
    expect(routeSubscription('v2/fw/response/+/chunk/+')).toEqual({ family: 'v1' });
    expect(routeSubscription('v1/devices/me/#')).toBeUndefined();
    expect(routeSubscription('v1/devices/me/rpc/request/5')).toBeUndefined();
  });

  it('reads request ids as 32-bit integers', () => {
    expect(requestIdOf('v2/a/req/42', 'v2/a/req/')).toBe(42);
    expect(requestIdOf('v2/a/req/-7', 'v2/a/req/')).toBe(-7);
    expect(requestIdOf('v2/a/req/2147483648', 'v2/a/req/')).toBeUndefined();
    expect(requestIdOf('v2/a/req/1.5', 'v2/a/req/')).toBeUndefined();
    expect(requestIdOf('v2/a/req/', 'v2/a/req/')).toBeUndefined();
  });
});

describe('payloads the transport reads (§1.6, §1.9)', () => {
  it('splits attribute key strings without trimming and tolerates a one-element array', () => {
    expect(parseAttributesRequest('{"clientKeys":"a, b","sharedKeys":["c"]}')).toEqual({ clientKeys: ['a', ' b'], sharedKeys: ['c'] });
    expect(parseAttributesRequest('{"sharedKeys":""}')).toEqual({ sharedKeys: [''] });
    expect(parseAttributesRequest('{"clientKeys":{"a":1}}')).toBeUndefined();
    expect(parseAttributesRequest('null')).toBeUndefined();
  });

  it('tells an invalid client RPC payload from a missing method', () => {
    expect(parseClientRpc('{"method":"getTime"}')).toEqual({ kind: 'call', method: 'getTime' });
    expect(parseClientRpc('{"method":null}')).toEqual({ kind: 'missingMethod' });
    expect(parseClientRpc('[1]')).toEqual({ kind: 'invalidPayload' });
  });
});
