import type {
  DeviceIdentity,
  HttpRequest,
  HttpResponse,
  TransportContext,
  TransportInstance,
  TransportSettings,
} from '@edgewise/plugin-api';
import { deviceApiEndpoints, publicEndpoints, type Endpoint, type PublicEndpoint } from './device-api';
import { resolveHttpOptions } from './options';
import { badRequest, internalError, TIMED_OUT, tooLarge, unavailable, UNKNOWN_TOKEN, type Reply } from './replies';
import { RequestSession } from './request-session';

/** The seam's errors, recognised by name so that a plugin-api copy of another version still counts. */
const isError = (error: unknown, name: 'PayloadError' | 'BodyTooLargeError'): boolean => error instanceof Error && error.name === name;

/** The body as text, or the reply for a body that is too large or cannot be read. */
async function readBody(request: HttpRequest, maxBytes: number): Promise<string | Reply> {
  try {
    return await request.readBody(maxBytes);
  } catch (error) {
    if (isError(error, 'BodyTooLargeError')) return tooLarge(maxBytes);
    return badRequest(`The request body could not be read: ${(error as Error).message}`);
  }
}

/**
 * ThingsBoard's HTTP device API (device-api.md §2) on the platform's HTTP listener: no port of its own. Each
 * request authenticates its token and runs in its own short session of the core (open → work → close);
 * provisioning, which has no token yet, runs without a session.
 */
export class HttpTransport implements TransportInstance {
  private readonly endpoints: Endpoint[];
  private readonly publicEndpoints: PublicEndpoint[];
  private readonly openRequests = new Set<RequestSession>();
  private routesRegistered = false;
  private running = false;

  constructor(
    private readonly context: TransportContext,
    settings: TransportSettings,
  ) {
    this.endpoints = deviceApiEndpoints(settings.maxPayloadBytes, resolveHttpOptions(settings.options));
    this.publicEndpoints = publicEndpoints(settings.maxPayloadBytes);
  }

  async start(): Promise<void> {
    // Routes cannot be removed from the platform listener: after stop() they answer 503 until started again.
    if (!this.routesRegistered) {
      for (const endpoint of this.endpoints)
        this.context.http.route(endpoint.method, endpoint.path, (request, response) => this.serve(endpoint, request, response));
      for (const endpoint of this.publicEndpoints)
        this.context.http.route(endpoint.method, endpoint.path, (request, response) => this.servePublic(endpoint, request, response));
      this.routesRegistered = true;
    }
    this.running = true;
  }

  /** Answers every request still waiting (503: come back after the restart) and refuses new ones. */
  async stop(): Promise<void> {
    this.running = false;
    for (const exchange of this.openRequests) exchange.onClose('SHUTDOWN');
  }

  boundPorts(): Record<string, number> {
    return {};
  }

  private async serve(endpoint: Endpoint, request: HttpRequest, response: HttpResponse): Promise<void> {
    let clientGone = false;
    let exchange: RequestSession | undefined;
    // Only waiting requests listen for the client leaving: the listener lives as long as the connection.
    if (endpoint.waits) {
      request.onAbort(() => {
        clientGone = true;
        exchange?.end(TIMED_OUT); // nobody reads this reply; it only stops the wait
      });
    }
    let reply: Reply;
    try {
      const admitted = await this.admit(endpoint, request);
      if ('status' in admitted) reply = admitted;
      else {
        exchange = new RequestSession(this.context, admitted.device);
        if (clientGone) exchange.end(TIMED_OUT);
        reply = await this.run(endpoint, exchange, request, admitted.body);
      }
    } catch (error) {
      reply = this.failureReply(endpoint, error);
    }
    if (!clientGone) response.send(reply.status, reply.body, reply.headers);
  }

  /** Runs an endpoint that needs no token: the same body limit and error answers, no device session. */
  private async servePublic(endpoint: PublicEndpoint, request: HttpRequest, response: HttpResponse): Promise<void> {
    let reply: Reply;
    try {
      const body = this.running ? await readBody(request, endpoint.maxBodyBytes) : unavailable('The HTTP device API is not running');
      reply = typeof body === 'string' ? await endpoint.serve(this.context, body) : body;
    } catch (error) {
      reply = this.failureReply(endpoint, error);
    }
    response.send(reply.status, reply.body, reply.headers);
  }

  /** PayloadError: 400 with its reason; anything else is our fault: logged, 500. */
  private failureReply(endpoint: { path: string }, error: unknown): Reply {
    if (isError(error, 'PayloadError')) return badRequest((error as Error).message);
    this.context.log.error('HTTP device API request failed', { path: endpoint.path, error: (error as Error).stack ?? String(error) });
    return internalError();
  }

  /** Reads the body within the endpoint's limit and checks the token: the device, or the refusal to send. */
  private async admit(endpoint: Endpoint, request: HttpRequest): Promise<{ device: DeviceIdentity; body: string } | Reply> {
    if (!this.running) return unavailable('The HTTP device API is not running');
    const body = endpoint.maxBodyBytes === undefined ? '' : await readBody(request, endpoint.maxBodyBytes);
    if (typeof body !== 'string') return body;
    const auth = await this.context.authenticate({ type: 'ACCESS_TOKEN', token: request.params.token ?? '' });
    if (auth.ok) return { device: auth.device, body };
    return auth.failure === 'UNAVAILABLE' ? unavailable('Edgewise cannot check access tokens right now') : UNKNOWN_TOKEN;
  }

  private async run(endpoint: Endpoint, exchange: RequestSession, request: HttpRequest, body: string): Promise<Reply> {
    this.openRequests.add(exchange);
    try {
      return await endpoint.serve(exchange, request, body);
    } finally {
      exchange.close();
      this.openRequests.delete(exchange);
    }
  }
}
