import { afterEach, describe, expect, it } from 'vitest';
import { CoapHarness, settle, until } from './test-support/coap-harness';
import { deviceIdentity, Gate } from './test-support/fake-core';

/** Device → core requests of §3.2 and their codes (§3.3), seen by a real CoAP client (the `coap` npm package). */
describe('CoAP uplinks', () => {
  let harness: CoapHarness;
  afterEach(() => harness.stop());
  const start = async (...args: Parameters<CoapHarness['start']>) => (harness = await new CoapHarness().start(...args));

  it('answers telemetry 2.01 only once the core has kept it, and hands the payload over as text', async () => {
    await start();
    harness.core.manualCommits = true;
    const reply = harness.request('POST', '/api/v1/{token}/telemetry', { payload: '{"temperature":42.0}' });
    await until(() => harness.core.heldCommits.length === 1);
    expect(harness.core.heldCommits[0].payload).toBe('{"temperature":42.0}');
    await settle(50);
    expect(harness.core.telemetry).toEqual([]);
    harness.core.heldCommits[0].resolve();
    expect(await reply).toMatchObject({ code: '2.01', payload: '' });
    expect(harness.core.telemetry).toEqual(['{"temperature":42.0}']);
  });

  it('acknowledges a slow commit with an empty ACK after the piggyback timeout, then sends 2.01 separately', async () => {
    await start({ piggybackTimeoutMs: 30 });
    const peer = await harness.raw();
    harness.core.manualCommits = true;
    peer.send({
      confirmable: true,
      code: 'POST',
      messageId: 7,
      token: Buffer.from('ab'),
      options: uriPath('telemetry'),
      payload: Buffer.from('{"a":1}'),
    });
    const ack = await peer.next();
    expect(ack).toMatchObject({ ack: true, code: '0.00', messageId: 7 });
    expect(harness.core.telemetry).toEqual([]);
    harness.core.heldCommits[0].resolve();
    const separate = await peer.next();
    expect(separate).toMatchObject({ confirmable: true, code: '2.01', token: Buffer.from('ab') });
    peer.send({ ack: true, code: '0.00', messageId: separate.messageId });
  });

  it('stores client attributes (2.01)', async () => {
    await start();
    expect(await harness.request('POST', '/api/v1/{token}/attributes', { payload: '{"fw":"1.0"}' })).toMatchObject({ code: '2.01' });
    expect(harness.core.attributes).toEqual(['{"fw":"1.0"}']);
  });

  it('refuses what the core calls a bad payload with 4.00 and the reason, empty payloads included', async () => {
    await start();
    const bad = await harness.request('POST', '/api/v1/{token}/telemetry', { payload: 'not json' });
    expect(bad).toMatchObject({ code: '4.00', payload: expect.stringMatching(/Invalid JSON/) });
    expect((await harness.request('POST', '/api/v1/{token}/telemetry'))?.code).toBe('4.00');
    expect(harness.core.telemetry).toEqual([]);
  });

  it('answers 5.00 when the core fails on good input, logs it once per minute, and keeps serving', async () => {
    await start();
    harness.core.storageFailure = new Error('disk I/O error');
    expect((await harness.request('POST', '/api/v1/{token}/telemetry', { payload: '{"a":1}' }))?.code).toBe('5.00');
    expect((await harness.request('POST', '/api/v1/{token}/telemetry', { payload: '{"a":2}' }))?.code).toBe('5.00');
    expect(harness.core.logEntries.filter((entry) => entry.level === 'error')).toHaveLength(1);
    harness.core.storageFailure = undefined;
    expect((await harness.request('POST', '/api/v1/{token}/telemetry', { payload: '{"a":3}' }))?.code).toBe('2.01');
  });

  it('refuses unknown tokens and missing tokens with 4.01', async () => {
    await start();
    expect((await harness.request('POST', '/api/v1/NOPE/telemetry', { payload: '{"a":1}' }))?.code).toBe('4.01');
    expect((await harness.request('POST', '/api/v1/telemetry', { payload: '{"a":1}' }))?.code).toBe('4.01');
    expect(harness.core.telemetry).toEqual([]);
  });

  it('answers 5.00 to a device whose profile is for another transport, and 5.03 when credentials cannot be checked', async () => {
    await start();
    harness.core.tokens.set('MQTT_ONLY', deviceIdentity({ transportType: 'MQTT' }));
    const refused = await harness.request('POST', '/api/v1/MQTT_ONLY/telemetry', { payload: '{"a":1}' });
    expect(refused).toMatchObject({ code: '5.00', payload: expect.stringMatching(/transport type is MQTT/) });
    harness.core.authOverride = { ok: false, failure: 'UNAVAILABLE', reason: 'database down' };
    expect((await harness.request('POST', '/api/v1/{token}/telemetry', { payload: '{"a":1}' }))?.code).toBe('5.03');
  });

  it('refuses a device whose CoAP profile asks for Protobuf payloads with 5.01, saying what to change', async () => {
    await start();
    const transportConfiguration = {
      type: 'COAP',
      coapDeviceTypeConfiguration: { coapDeviceType: 'DEFAULT', transportPayloadTypeConfiguration: { transportPayloadType: 'PROTOBUF' } },
    };
    harness.core.tokens.set('PROTO', deviceIdentity({ transportType: 'COAP', transportConfiguration }));
    const refused = await harness.request('POST', '/api/v1/PROTO/telemetry', { payload: '{"a":1}' });
    expect(refused).toMatchObject({ code: '5.01', payload: expect.stringMatching(/set it to JSON/) });
    expect(harness.core.telemetry).toEqual([]);
  });

  it('routes like ThingsBoard: 4.00 for a missing or unknown feature and for GET telemetry, 4.05 for other methods, 4.04 elsewhere', async () => {
    await start();
    const code = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string) => (await harness.request(method, path))?.code;
    expect(await code('POST', '/api/v1/{token}/nonsense')).toBe('4.00');
    expect(await code('POST', '/api/v1')).toBe('4.00');
    expect(await code('GET', '/api/v1/{token}/telemetry')).toBe('4.00');
    expect(await code('GET', '/api/v1/{token}/rpc')).toBe('4.00');
    expect(await code('PUT', '/api/v1/{token}/telemetry')).toBe('4.05');
    expect(await code('DELETE', '/api/v1/{token}/attributes')).toBe('4.05');
    expect(await code('POST', '/fw/{token}')).toBe('4.05');
    expect(await code('GET', '/api')).toBe('4.05');
    expect(await code('GET', '/api/v2/{token}/attributes')).toBe('4.04');
    expect(await code('GET', '/nothing')).toBe('4.04');
    expect(harness.core.authRequests).toEqual([]);
  });

  it('matches feature names case-insensitively and takes a whole path in one Uri-Path option', async () => {
    await start();
    expect((await harness.request('POST', '/api/v1/{token}/TeleMetry', { payload: '{"a":1}' }))?.code).toBe('2.01');
    const peer = await harness.raw();
    const options = [{ name: 'Uri-Path' as const, value: Buffer.from('api/v1/A1_TEST_TOKEN/telemetry') }];
    peer.send({ confirmable: true, code: 'POST', messageId: 1, token: Buffer.from('t'), options, payload: Buffer.from('{"b":2}') });
    expect((await peer.next()).code).toBe('2.01');
    expect(harness.core.telemetry).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('answers a non-confirmable request with a non-confirmable response', async () => {
    await start();
    const peer = await harness.raw();
    peer.send({ code: 'POST', messageId: 9, token: Buffer.from('n'), options: uriPath('telemetry'), payload: Buffer.from('{"a":1}') });
    const response = await peer.next();
    expect(response).toMatchObject({ confirmable: false, ack: false, reset: false, code: '2.01', token: Buffer.from('n') });
  });

  describe('attribute reads', () => {
    it('asks the core for the keys of the Uri-Query and answers 2.05 with the request Content-Format, else JSON', async () => {
      await start();
      harness.core.attributesAnswer = resolved('{"client":{"fw":"1.0"},"shared":{"target":22.0}}');
      const reply = await harness.request('GET', '/api/v1/{token}/attributes', { query: 'clientKeys=fw,serial&sharedKeys=target' });
      expect(reply).toEqual({
        code: '2.05',
        payload: '{"client":{"fw":"1.0"},"shared":{"target":22.0}}',
        contentFormat: 50,
        observe: undefined,
      });
      expect(harness.core.sessions[0].attributeRequests).toEqual([{ clientKeys: ['fw', 'serial'], sharedKeys: ['target'] }]);
      const asText = await harness.request('GET', '/api/v1/{token}/attributes', { contentFormat: 0 });
      expect(asText?.contentFormat).toBe(0);
      expect(harness.core.sessions[1].attributeRequests).toEqual([{}]);
    });

    it('answers 4.04 (empty, with the Content-Format) when no attribute matched', async () => {
      await start();
      harness.core.attributesAnswer = resolved('{}');
      expect(await harness.request('GET', '/api/v1/{token}/attributes', { query: 'clientKeys=nope' })).toEqual({
        code: '4.04',
        payload: '',
        contentFormat: 50,
        observe: undefined,
      });
    });

    it('sends no response at all when the core does not answer within the CoAP timeout (§3.6)', async () => {
      await start({ timeoutMs: 50, piggybackTimeoutMs: 10 });
      harness.core.attributesAnswer = new Gate<string>();
      expect(await harness.request('GET', '/api/v1/{token}/attributes', {}, harness.agent(), 400)).toBeUndefined();
      expect(harness.core.sessions[0].closed).toBe(true);
    });
  });

  describe('client-side RPC', () => {
    it('answers 2.05 with the reply of the core', async () => {
      await start();
      harness.core.clientRpcAnswer = resolved('{"time":1700000000000}');
      const reply = await harness.request('POST', '/api/v1/{token}/rpc', { payload: '{"method":"getTime","params":{}}' });
      expect(reply).toMatchObject({ code: '2.05', payload: '{"time":1700000000000}', contentFormat: 50 });
      expect(harness.core.clientRpcCalls).toEqual(['{"method":"getTime","params":{}}']);
    });

    it('refuses a body without a method with 4.00, without asking the core', async () => {
      await start();
      expect((await harness.request('POST', '/api/v1/{token}/rpc', { payload: '{"params":{}}' }))?.code).toBe('4.00');
      expect((await harness.request('POST', '/api/v1/{token}/rpc', { payload: '[1]' }))?.code).toBe('4.00');
      expect(harness.core.clientRpcCalls).toEqual([]);
    });

    it('takes a non-integer request id segment as a client-side RPC, as ThingsBoard does', async () => {
      await start();
      harness.core.clientRpcAnswer = resolved('{"ok":true}');
      expect((await harness.request('POST', '/api/v1/{token}/rpc/abc', { payload: '{"method":"m"}' }))?.code).toBe('2.05');
    });
  });

  describe('replies to server RPC', () => {
    it('passes a JSON object reply to the core with its request id and answers 2.01', async () => {
      await start();
      expect((await harness.request('POST', '/api/v1/{token}/rpc/17', { payload: '{"result":"ok"}' }))?.code).toBe('2.01');
      expect(harness.core.serverRpcReplies).toEqual([{ requestId: 17, payload: '{"result":"ok"}' }]);
    });

    it('refuses a reply that is not a JSON object with 4.00', async () => {
      await start();
      expect((await harness.request('POST', '/api/v1/{token}/rpc/17', { payload: 'ok' }))?.code).toBe('4.00');
      expect(harness.core.serverRpcReplies).toEqual([]);
    });
  });

  describe('claiming and provisioning', () => {
    it('claims with 2.01 (an empty payload is allowed) and refuses a bad claim payload with 4.00', async () => {
      await start();
      expect((await harness.request('POST', '/api/v1/{token}/claim', { payload: '{"secretKey":"s","durationMs":60000}' }))?.code).toBe(
        '2.01',
      );
      expect((await harness.request('POST', '/api/v1/{token}/claim'))?.code).toBe('2.01');
      expect((await harness.request('POST', '/api/v1/{token}/claim', { payload: 'x' }))?.code).toBe('4.00');
      expect(harness.core.claims).toEqual(['{"secretKey":"s","durationMs":60000}', '']);
    });

    it('provisions without a token: 2.01 with the JSON on SUCCESS, 4.00 with the JSON otherwise', async () => {
      await start();
      const request = '{"deviceName":"D2","provisionDeviceKey":"k","provisionDeviceSecret":"s"}';
      const notFound = await harness.request('POST', '/api/v1/provision', { payload: request });
      expect(notFound).toMatchObject({ code: '4.00', payload: '{"errorMsg":"Provision data was not found!","status":"NOT_FOUND"}' });
      harness.core.provisionAnswer = {
        status: 'SUCCESS',
        json: '{"credentialsValue":"T2","credentialsType":"ACCESS_TOKEN","status":"SUCCESS"}',
      };
      const created = await harness.request('POST', '/api/v1/provision', { payload: request });
      expect(created).toMatchObject({ code: '2.01', payload: expect.stringContaining('"status":"SUCCESS"'), contentFormat: 0 });
      expect((await harness.request('POST', '/api/v1/provision', { payload: 'nope' }))?.code).toBe('4.00');
      expect(harness.core.provisionRequests).toEqual([request, request, 'nope']);
      expect(harness.core.authRequests).toEqual([]);
    });
  });
});

function uriPath(feature: string) {
  return ['api', 'v1', 'A1_TEST_TOKEN', feature].map((segment) => ({ name: 'Uri-Path' as const, value: Buffer.from(segment) }));
}

function resolved(value: string): Gate<string> {
  const gate = new Gate<string>();
  gate.release(value);
  return gate;
}
