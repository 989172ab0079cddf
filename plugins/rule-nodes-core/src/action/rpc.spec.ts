import { createTestNode, relationsOf, TEST_DEVICE, testMsg } from '@edgewise/plugin-api/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { rpcCallReplyNode } from './rpc-call-reply';
import { rpcCallRequestNode } from './rpc-call-request';

const rpcMsg = (data: unknown, metadata: Record<string, string> = {}) =>
  testMsg({ type: 'RPC_CALL_FROM_SERVER_TO_DEVICE', data: JSON.stringify(data), metadata });

afterEach(() => {
  vi.useRealTimers();
});

describe('rpc call request', () => {
  it("sends method and params to the device and forwards the device's answer by Success", async () => {
    const node = await createTestNode(rpcCallRequestNode);
    node.services.rpcResponder = async () => ({ response: '{"temperature":21}' });
    const msg = rpcMsg({ method: 'getTemperature', params: { unit: 'C' } }, { requestUUID: 'rest-call-1' });
    const emissions = await node.send(msg);
    // Acknowledged at once; the answer continues from the node's Success output through the queue.
    expect(relationsOf(emissions)).toEqual(['ack', 'enqueuedForTellNext']);
    expect(emissions[1]).toMatchObject({
      relation: 'Success',
      msg: { id: msg.id, data: '{"temperature":21}', metadata: { requestUUID: 'rest-call-1' } },
    });
    expect(node.services.rpcCalls).toEqual([
      {
        deviceId: TEST_DEVICE.id,
        method: 'getTemperature',
        params: '{"unit":"C"}',
        oneway: false,
        persistent: false,
        timeoutMs: 60_000,
        requestUUID: 'rest-call-1',
        additionalInfo: undefined,
      },
    ]);
  });

  it('takes oneway, persistent and the expiration time from metadata, and additionalInfo from the data', async () => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    const node = await createTestNode(rpcCallRequestNode);
    const emissions = await node.send(
      rpcMsg(
        { method: 'reboot', params: 'now', additionalInfo: { reason: 'update' } },
        { oneway: 'TRUE', persistent: 'true', expirationTime: '1700000030000' },
      ),
    );
    expect(node.services.rpcCalls[0]).toMatchObject({
      params: '"now"',
      oneway: true,
      persistent: true,
      timeoutMs: 30_000,
      additionalInfo: '{"reason":"update"}',
    });
    // A one-way call has no answer: the data becomes an empty object, as in ThingsBoard.
    expect(emissions[1]).toMatchObject({ kind: 'enqueuedForTellNext', relation: 'Success', msg: { data: '{}' } });
  });

  it('accepts any message type, as ThingsBoard does (chains build requests from telemetry too)', async () => {
    const node = await createTestNode(rpcCallRequestNode);
    const emissions = await node.send(testMsg({ data: { method: 'setValve', params: { open: true } } }));
    expect(relationsOf(emissions)).toEqual(['ack', 'enqueuedForTellNext']);
    expect(node.services.rpcCalls[0]).toMatchObject({ method: 'setValve', params: '{"open":true}' });
  });

  it('fails with {"error": …} as data when the device does not answer', async () => {
    const node = await createTestNode(rpcCallRequestNode, { timeoutInSeconds: 5 });
    node.services.rpcResponder = async () => ({ error: 'TIMEOUT' });
    const [, emission] = await node.send(rpcMsg({ method: 'getTemperature', params: {} }));
    expect(emission).toMatchObject({ kind: 'enqueuedForTellNext', relation: 'Failure', msg: { data: '{"error":"TIMEOUT"}' } });
    expect(node.services.rpcCalls[0].timeoutMs).toBe(5_000);
  });

  it('fails requests it cannot send, saying why', async () => {
    const node = await createTestNode(rpcCallRequestNode);
    const failureOf = async (msg: ReturnType<typeof testMsg>) => {
      const [emission] = await node.send(msg);
      return emission.kind === 'failure' ? emission.error : emission.kind;
    };
    expect(
      await failureOf(testMsg({ originator: { entityType: 'ASSET', id: TEST_DEVICE.id }, data: { method: 'm', params: {} } })),
    ).toMatch(/^Message originator is not a device entity!/);
    expect(await failureOf(rpcMsg({ params: {} }))).toMatch(/^Method is not present in the message!/);
    expect(await failureOf(rpcMsg({ method: 'm' }))).toMatch(/^Params are not present in the message!/);
    expect(await failureOf(rpcMsg({ method: { name: 'm' }, params: {} }))).toMatch(/The RPC method must be a string/);
    expect(await failureOf(rpcMsg({ method: 'm', params: {} }, { expirationTime: 'soon' }))).toMatch(
      /"expirationTime" must be epoch milliseconds/,
    );
    expect(await failureOf(testMsg({ data: 'reboot' }))).toMatch(/Message data is not valid JSON/);
    expect(node.services.rpcCalls).toEqual([]);
  });
});

describe('rpc call reply', () => {
  const requestMetadata = { serviceId: 'edgewise', sessionId: 'a4b1c2d3-0000-4000-8000-000000000001', requestId: '7' };

  it("answers the device's request on its session with the message data", async () => {
    const node = await createTestNode(rpcCallReplyNode);
    const msg = testMsg({ type: 'TO_SERVER_RPC_REQUEST', metadata: requestMetadata, data: { time: 1700000000 } });
    expect(await node.send(msg)).toEqual([{ kind: 'next', msg, relation: 'Success' }]);
    expect(node.services.rpcReplies).toEqual([
      { deviceId: TEST_DEVICE.id, sessionId: requestMetadata.sessionId, requestId: 7, body: '{"time":1700000000}' },
    ]);
  });

  it('reads the ids from the configured metadata keys', async () => {
    const node = await createTestNode(rpcCallReplyNode, {
      serviceIdMetaDataAttribute: 'svc',
      sessionIdMetaDataAttribute: 'session',
      requestIdMetaDataAttribute: 'req',
    });
    await node.send(testMsg({ metadata: { svc: 'edgewise', session: 's-1', req: '42' } }));
    expect(node.services.rpcReplies[0]).toMatchObject({ sessionId: 's-1', requestId: 42 });
  });

  it('fails when the request ids or the body are missing', async () => {
    const node = await createTestNode(rpcCallReplyNode);
    const errorOf = async (metadata: Record<string, string>, data: string = '{}') => {
      const [emission] = await node.send(testMsg({ metadata, data }));
      return emission.kind === 'failure' ? emission.error : emission.kind;
    };
    const { requestId: _r, ...withoutRequestId } = requestMetadata;
    const { sessionId: _s, ...withoutSessionId } = requestMetadata;
    expect(await errorOf(withoutRequestId)).toMatch(/^Request id is not present in the metadata! \(expected in "requestId"/);
    expect(await errorOf(withoutSessionId)).toMatch(/^Session id is not present in the metadata!/);
    expect(await errorOf(requestMetadata, '')).toMatch(/^Request body is empty!/);
    expect(await errorOf({ ...requestMetadata, requestId: 'seven' })).toMatch(/Request id "seven" .* is not a whole number/);
    expect(node.services.rpcReplies).toEqual([]);
  });
});
