import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestNode, relationsOf, testMsg } from '@edgewise/plugin-api/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restApiCallNode, type RestApiCallConfig } from './rest-api-call';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A real HTTP server; each test says how it answers. */
let server: Server;
let baseUrl: string;
let received: Received[] = [];
let respond: (req: IncomingMessage, res: ServerResponse, body: string) => void;

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString();
    received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
    respond(req, res, body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
});

async function call(config: Partial<RestApiCallConfig>, msg = testMsg()) {
  received = [];
  const node = await createTestNode(restApiCallNode, { restEndpointUrlPattern: `${baseUrl}/api`, ...config });
  const emissions = await node.send(msg);
  expect(emissions).toHaveLength(1);
  return emissions[0];
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

describe('rest api call', () => {
  it('posts the message data to the templated URL and continues with the answer', async () => {
    respond = json(200, { accepted: true }, { 'X-Request-Id': 'r-1' });
    const msg = testMsg({ metadata: { deviceName: 'Boiler 7', ts: '1' }, data: { temperature: 25 } });
    const out = await call(
      {
        restEndpointUrlPattern: `${baseUrl}/api/\${deviceName}`,
        queryParams: [{ key: 'unit', value: '$[temperature]°C' }],
        headers: { 'Content-Type': 'application/json', 'X-Device': '${deviceName}' },
      },
      msg,
    );
    expect(received).toEqual([
      expect.objectContaining({ method: 'POST', url: '/api/Boiler%207?unit=25%C2%B0C', body: '{"temperature":25}' }),
    ]);
    expect(received[0].headers).toMatchObject({ 'content-type': 'application/json', 'x-device': 'Boiler 7' });
    expect(out).toMatchObject({ kind: 'next', relation: 'Success', msg: { id: msg.id, data: '{"accepted":true}' } });
    expect(out.msg.metadata).toMatchObject({
      deviceName: 'Boiler 7',
      status: 'OK',
      statusCode: '200',
      statusReason: 'OK',
      'x-request-id': 'r-1',
    });
  });

  it('sends basic credentials', async () => {
    respond = json(200, {});
    await call({ credentials: { type: 'basic', username: 'tb', password: 's3cret' } });
    expect(received[0].headers.authorization).toBe(`Basic ${Buffer.from('tb:s3cret').toString('base64')}`);
  });

  it('builds the body from a template, escaping values for JSON', async () => {
    respond = json(200, {});
    const msg = testMsg({ metadata: { note: 'say "hi"' }, data: { temperature: 25 } });
    await call({ requestBodyTemplate: '{"note":"${note}","t":$[temperature]}' }, msg);
    expect(JSON.parse(received[0].body)).toEqual({ note: 'say "hi"', t: 25 });
  });

  it('sends a JSON string as bare text with parseToPlainText', async () => {
    respond = json(200, {});
    await call({ parseToPlainText: true, headers: {} }, testMsg({ data: '"hello"' }));
    expect(received[0]).toMatchObject({ body: 'hello', headers: { 'content-type': 'text/plain;charset=UTF-8' } });
  });

  it('sends GET and ignoreRequestBody requests without a body', async () => {
    respond = json(200, { value: 1 });
    const out = await call({ requestMethod: 'GET' });
    expect(received[0]).toMatchObject({ method: 'GET', body: '' });
    expect(out.msg.data).toBe('{"value":1}');
    await call({ requestMethod: 'PUT', ignoreRequestBody: true });
    expect(received[0]).toMatchObject({ method: 'PUT', body: '' });
  });

  it('continues with {} when the answer has no body', async () => {
    respond = (_req, res) => res.writeHead(204).end();
    const out = await call({});
    expect(out.msg).toMatchObject({ data: '{}', metadata: { status: 'NO_CONTENT', statusCode: '204', statusReason: 'No Content' } });
  });

  it("fails a 500 answer with ThingsBoard's error metadata", async () => {
    respond = json(500, { message: 'database down' });
    const out = await call({});
    expect(out).toMatchObject({ kind: 'failure', error: `500 Internal Server Error from POST ${baseUrl}/api` });
    expect(out.msg.metadata).toMatchObject({
      error: `HttpStatusError: 500 Internal Server Error from POST ${baseUrl}/api`,
      status: 'Internal Server Error',
      statusCode: '500',
      error_body: '{"message":"database down"}',
    });
  });

  it('does not follow redirects: the answer fails with its status and headers', async () => {
    respond = (_req, res) => res.writeHead(302, { Location: '/elsewhere' }).end();
    const out = await call({});
    expect(out).toMatchObject({ kind: 'failure', error: expect.stringContaining('redirects are not followed') });
    expect(out.msg.metadata).toMatchObject({ status: 'FOUND', statusCode: '302', statusReason: 'Found', location: '/elsewhere' });
  });

  it('fails with the error in metadata when nothing listens at the URL', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    const out = await call({ restEndpointUrlPattern: `http://127.0.0.1:${port}/api` });
    expect(out).toMatchObject({ kind: 'failure', error: expect.stringContaining('ECONNREFUSED') });
    expect(out.msg.metadata.error).toMatch(/^Error: POST http:\/\/127\.0\.0\.1:\d+\/api failed: connect ECONNREFUSED/);
  });

  it('fails when the server does not answer within readTimeoutMs', async () => {
    respond = () => {}; // never answers
    const out = await call({ readTimeoutMs: 200 });
    expect(out).toMatchObject({ kind: 'failure', error: expect.stringContaining('no complete answer within 200 ms') });
    expect(out.msg.metadata.error).toMatch(/^TimeoutError: /);
  });

  it('fails answers larger than maxInMemoryBufferSizeInKb', async () => {
    respond = (_req, res) => res.end('x'.repeat(3 * 1024));
    const out = await call({ maxInMemoryBufferSizeInKb: 2 });
    expect(out).toMatchObject({ kind: 'failure', error: expect.stringContaining('Exceeded limit on max bytes to buffer : 2048') });
  });

  it('fails data that is not JSON unless sent as plain text', async () => {
    respond = json(200, {});
    const out = await call({}, testMsg({ data: 'plain words', dataType: 'TEXT' }));
    expect(out).toMatchObject({ kind: 'failure', error: expect.stringContaining('turn on "parseToPlainText"') });
    expect(received).toEqual([]);
  });

  it('fails a URL that resolves to something invalid', async () => {
    const out = await call({ restEndpointUrlPattern: '${host}/api' });
    expect(out).toMatchObject({ kind: 'failure', error: expect.stringContaining("Invalid request URL '${host}/api'") });
  });

  it('runs at most maxParallelRequestsCount requests at once', async () => {
    let inFlight = 0;
    let mostInFlight = 0;
    respond = (_req, res) => {
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      setImmediate(() => {
        inFlight--;
        res.end('{}');
      });
    };
    received = [];
    const node = await createTestNode(restApiCallNode, { restEndpointUrlPattern: `${baseUrl}/api`, maxParallelRequestsCount: 1 });
    await Promise.all([1, 2, 3].map((n) => node.send(testMsg({ data: { n } }))));
    expect(relationsOf(node.emissions)).toEqual(['Success', 'Success', 'Success']);
    expect(received.map((r) => r.body)).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
    expect(mostInFlight).toBe(1);
  });

  it('refuses configurations it cannot honour', async () => {
    await expect(createTestNode(restApiCallNode, { enableProxy: true })).rejects.toThrow(/turn off "enableProxy"/);
    await expect(createTestNode(restApiCallNode, { credentials: { type: 'cert.PEM' } })).rejects.toThrow(
      /"cert.PEM" are not supported yet/,
    );
    await expect(createTestNode(restApiCallNode, { restEndpointUrlPattern: '' })).rejects.toThrow(/Set "restEndpointUrlPattern"/);
  });

  it("upgrades old ThingsBoard configurations like ThingsBoard's version 4", () => {
    const v0 = {
      restEndpointUrlPattern: 'http://x',
      requestMethod: 'POST',
      trimDoubleQuotes: true,
      useSimpleClientHttpFactory: false,
      useRedisQueueForMsgPersistence: false,
      trimQueue: false,
      maxQueueSize: 0,
    };
    expect(restApiCallNode.upgrade!(0, v0)).toEqual({
      restEndpointUrlPattern: 'http://x',
      requestMethod: 'POST',
      parseToPlainText: true,
      maxInMemoryBufferSizeInKb: 256,
      requestBodyTemplate: null,
    });
    expect(restApiCallNode.upgrade!(3, { restEndpointUrlPattern: 'http://x', maxInMemoryBufferSizeInKb: 64 })).toEqual({
      restEndpointUrlPattern: 'http://x',
      maxInMemoryBufferSizeInKb: 64,
      requestBodyTemplate: null,
    });
  });
});
