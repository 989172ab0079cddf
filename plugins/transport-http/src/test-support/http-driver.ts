/**
 * Drives the HTTP transport on the fake core without a socket: tests call the routes it registered as a client
 * would and see what the client would get; the core's side is `FakeTransportCore`.
 */
import type { HttpRequest, TransportSettings } from '@edgewise/plugin-api';
import { BodyTooLargeError } from '@edgewise/plugin-api';
import { FakeTransportCore, TEST_TOKEN } from '@edgewise/plugin-api/testing';
import { HttpTransport } from '../http-transport';

export interface ClientReply {
  status: number;
  body?: string;
  /** The body as sent, when it was bytes (downloads). */
  bytes?: Uint8Array;
  headers?: Record<string, string>;
}

export interface RequestOptions {
  /** The `:token` path parameter; the test device's token unless given. */
  token?: string;
  query?: Record<string, string>;
  body?: string;
}

/**
 * Calls the route `method path` (`path` as registered, e.g. `/api/v1/:token/rpc`). Returns the reply the client
 * gets and `abort()`, which makes the client go away.
 */
function request(core: FakeTransportCore, method: 'GET' | 'POST', path: string, options: RequestOptions = {}) {
  const handler = core.httpRoutes.get(`${method} ${path}`);
  if (!handler) throw new Error(`no route ${method} ${path}`);
  const abortListeners: (() => void)[] = [];
  const body = options.body ?? '';
  const clientRequest: HttpRequest = {
    params: { token: options.token ?? TEST_TOKEN },
    query: options.query ?? {},
    headers: {},
    readBody: (maxBytes) => (Buffer.byteLength(body) > maxBytes ? Promise.reject(new BodyTooLargeError(maxBytes)) : Promise.resolve(body)),
    onAbort: (listener) => void abortListeners.push(listener),
  };
  let sent = false;
  const reply = new Promise<ClientReply>((resolve) =>
    handler(clientRequest, {
      get sent() {
        return sent;
      },
      send(status, replyBody, headers) {
        sent = true;
        if (replyBody instanceof Uint8Array) resolve({ status, bytes: replyBody, headers });
        else resolve({ status, body: replyBody, headers });
      },
    }),
  );
  return { reply, abort: () => abortListeners.forEach((listener) => listener()) };
}

/** Starts the transport on a fresh fake core (payload limit 1000 bytes); `request` calls its routes. */
export async function startTransport(options: Record<string, unknown> = {}) {
  const core = new FakeTransportCore();
  const settings: TransportSettings = { host: '127.0.0.1', ports: {}, maxPayloadBytes: 1000, options };
  const transport = new HttpTransport(core, settings);
  await transport.start();
  return {
    core,
    transport,
    request: (method: 'GET' | 'POST', path: string, options?: RequestOptions) => request(core, method, path, options),
  };
}

/** Lets pending promise callbacks run. */
export const settle = () => new Promise((resolve) => setImmediate(resolve));
