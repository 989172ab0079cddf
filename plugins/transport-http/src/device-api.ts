/** The endpoints of ThingsBoard's HTTP device API (device-api.md §2.2) that this transport serves. */
import type { AttributesRequest, DeviceSession, HttpRequest, TransportContext } from '@edgewise/plugin-api';
import type { HttpOptions } from './options';
import { serveOtaDownload } from './ota-download';
import { badRequest, OK, TIMED_OUT, type Reply } from './replies';
import type { AwaitedPush, RequestSession } from './request-session';

export interface Endpoint {
  method: 'GET' | 'POST';
  /** Express-style path; `:token` is the device's access token. */
  path: string;
  /** Largest body accepted, in bytes (POST only). */
  maxBodyBytes?: number;
  /** The request waits for the core (long poll, client-side RPC): a client that goes away ends it. */
  waits?: boolean;
  /** Runs after the token has been accepted; PayloadError from the core becomes 400. */
  serve(exchange: RequestSession, request: HttpRequest, body: string): Promise<Reply>;
}

/** An endpoint without a device token (§2.2 provisioning): it runs without a device session. */
export interface PublicEndpoint {
  method: 'POST';
  path: string;
  maxBodyBytes: number;
  /** PayloadError from the core becomes 400. */
  serve(context: TransportContext, body: string): Promise<Reply>;
}

/** Repeated query parameters count as one comma-separated value, as Spring binds them. */
function queryText(value: unknown): string | undefined {
  if (Array.isArray(value)) return value.join(',');
  return typeof value === 'string' ? value : undefined;
}

/** §2.3/§1.6: comma-separated, not trimmed; absent or empty → that scope is not asked for (both absent → everything). */
function attributesRequest(query: HttpRequest['query']): AttributesRequest {
  const keys = (name: string) => {
    const text = queryText(query[name]);
    return text ? text.split(',') : undefined;
  };
  return { clientKeys: keys('clientKeys'), sharedKeys: keys('sharedKeys') };
}

/** §2.4: `timeout` absent or 0 → the request timeout; negative → already expired. */
function pollTimeoutMs(raw: unknown, requestTimeoutMs: number): number | string {
  const text = queryText(raw);
  if (text === undefined || text === '') return requestTimeoutMs;
  if (!/^-?\d+$/.test(text)) return `timeout must be a whole number of milliseconds (e.g. timeout=20000), not "${text}"`;
  const ms = Number(text);
  return ms === 0 ? requestTimeoutMs : ms;
}

/** Client-side RPC body (§2.5): a JSON object with both `method` and `params`; undefined when it is one. */
function clientRpcProblem(body: string): string | undefined {
  const example = 'send {"method":"getCurrentTime","params":{}}';
  let request: unknown;
  try {
    request = JSON.parse(body);
  } catch (e) {
    return `Invalid JSON: ${(e as Error).message}; ${example}`;
  }
  if (typeof request !== 'object' || request === null || Array.isArray(request))
    return `A client-side RPC must be a JSON object; ${example}`;
  if (!('method' in request) || typeof request.method !== 'string') return `A client-side RPC needs a "method" string; ${example}`;
  if (!('params' in request)) return `A client-side RPC needs "params" (use {} when the method takes none); ${example}`;
  return undefined;
}

/** The `{requestId}` of an RPC reply: a 32-bit integer, as the reference binds it. */
function rpcRequestId(raw: string): number | undefined {
  if (!/^-?\d+$/.test(raw)) return undefined;
  const id = Number(raw);
  return id >= -(2 ** 31) && id < 2 ** 31 ? id : undefined;
}

function longPoll(exchange: RequestSession, push: AwaitedPush, request: HttpRequest, requestTimeoutMs: number): Promise<Reply> {
  const timeoutMs = pollTimeoutMs(request.query.timeout, requestTimeoutMs);
  if (typeof timeoutMs === 'string') return Promise.resolve(badRequest(timeoutMs));
  if (timeoutMs < 0) return Promise.resolve(TIMED_OUT); // §2.4: a negative timeout fires at once
  exchange.timeoutAfter(timeoutMs);
  exchange.awaitPush(push);
  return exchange.interrupted;
}

export function deviceApiEndpoints(maxPayloadBytes: number, options: HttpOptions): Endpoint[] {
  const { requestTimeoutMs, rpcMaxPayloadBytes } = options;
  /** Telemetry and attributes: 200 once the core has stored the payload. */
  const upload = (path: string, store: (session: DeviceSession, payload: string) => Promise<void>): Endpoint => ({
    method: 'POST',
    path,
    maxBodyBytes: maxPayloadBytes,
    serve: async (exchange, _request, body) => {
      await store(exchange.session, body);
      return OK;
    },
  });
  return [
    upload('/api/v1/:token/telemetry', (session, payload) => session.postTelemetry(payload)),
    upload('/api/v1/:token/attributes', (session, payload) => session.postAttributes(payload)),
    // §1.10: an optional {"secretKey","durationMs"}; 200 once the request is kept, whether or not the core registers it.
    upload('/api/v1/:token/claim', (session, payload) => session.claim(payload)),
    {
      method: 'GET',
      path: '/api/v1/:token/attributes',
      // §2.4: 408 also when the core does not answer an attribute read in time.
      serve: (exchange, request) =>
        exchange.answerWithin(requestTimeoutMs, () => exchange.session.getAttributes(attributesRequest(request.query))),
    },
    {
      method: 'GET',
      path: '/api/v1/:token/attributes/updates',
      waits: true,
      serve: (exchange, request) => longPoll(exchange, 'attributeUpdate', request, requestTimeoutMs),
    },
    {
      method: 'GET',
      path: '/api/v1/:token/rpc',
      waits: true,
      serve: (exchange, request) => longPoll(exchange, 'serverRpc', request, requestTimeoutMs),
    },
    {
      method: 'POST',
      path: '/api/v1/:token/rpc/:requestId',
      maxBodyBytes: rpcMaxPayloadBytes,
      serve: async (exchange, request, body) => {
        const requestId = rpcRequestId(request.params.requestId ?? '');
        if (requestId === undefined) {
          return badRequest(
            `The RPC id in the path must be an integer (the "id" that GET /api/v1/{token}/rpc returned), not "${request.params.requestId}"`,
          );
        }
        exchange.session.replyToServerRpc(requestId, body); // §2.8: unknown or expired ids are dropped, still 200
        return OK;
      },
    },
    {
      method: 'POST',
      path: '/api/v1/:token/rpc',
      maxBodyBytes: rpcMaxPayloadBytes,
      waits: true,
      serve: async (exchange, _request, body) => {
        const problem = clientRpcProblem(body);
        if (problem) return badRequest(problem);
        // §2.5: with equal settings the request timeout (408) beats the core's client-RPC timeout.
        return exchange.answerWithin(requestTimeoutMs, () => exchange.session.callServer(body));
      },
    },
    ...(['firmware', 'software'] as const).map((what): Endpoint => ({
      method: 'GET',
      path: `/api/v1/:token/${what}`,
      serve: (exchange, { query }) =>
        serveOtaDownload(exchange.session, what === 'firmware' ? 'FIRMWARE' : 'SOFTWARE', {
          title: queryText(query.title),
          version: queryText(query.version),
          size: queryText(query.size),
          chunk: queryText(query.chunk),
        }),
    })),
  ];
}

/** §2.2/§2.7: every provisioning answer — SUCCESS, NOT_FOUND, FAILURE — is 200 with the JSON the device reads. */
export function publicEndpoints(maxPayloadBytes: number): PublicEndpoint[] {
  return [
    {
      method: 'POST',
      path: '/api/v1/provision',
      maxBodyBytes: maxPayloadBytes,
      serve: async (context, body) => ({ status: 200, body: (await context.provision(body)).json }),
    },
  ];
}
