/**
 * ThingsBoard's CoAP device API (device-api.md §3) on top of the message layer: each request is routed,
 * authenticated (token in the path, or the DTLS client certificate), and served through the transport seam.
 * Uplinks are answered only once the core has them (2.01 means kept); payloads go to the core as text.
 */
import type {
  AttributesRequest,
  DeviceCredentialsRequest,
  DeviceIdentity,
  DeviceSession,
  PeerIdentity,
  SessionListener,
  ThrottledLog,
  TransportContext,
} from '@edgewise/plugin-api';
import { errorMessage } from '@edgewise/plugin-api';
import { ContentFormat, Option, uintOption, type CoapResponse, type Exchange } from '@edgewise/coap-stack';
import type { Observers } from './observations';
import type { CoapOptions } from './options';
import { otaResponse } from './ota';
import { objectMembers } from './raw-json';
import { RESOURCE_DIRECTORY, routeOf, type DeviceFeature } from './routes';

/** §3.6: token auth succeeds only for devices whose profile transport type is one of these. */
const COAP_TRANSPORT_TYPES = new Set(['DEFAULT', 'COAP']);
/** Seconds a device should wait before retrying when the core cannot check credentials (5.03 Max-Age). */
const RETRY_AFTER_SECONDS = 5;

const CREATED: CoapResponse = { code: '2.01' };
const NO_ANSWER = Symbol('no answer in time');

/** A short diagnostic text (RFC 7252 §5.5.2) with the code, so `coap-client` users see what to change. */
const diagnostic = (code: string, text: string): CoapResponse => ({ code, payload: text });

/** The seam's PayloadError, recognised by name so that a plugin-api copy of another version still counts. */
const isPayloadError = (error: unknown): boolean => error instanceof Error && error.name === 'PayloadError';

/** Request sessions get nothing pushed: they subscribe to nothing. */
const REQUEST_LISTENER: SessionListener = {
  onAttributeUpdate: () => {},
  onServerRpc: () => Promise.reject(new Error('a CoAP request session takes no server RPC')),
  onClose: () => {},
};

export class CoapDeviceApi {
  private running = true;

  constructor(
    private readonly context: TransportContext,
    private readonly observers: Observers,
    private readonly options: CoapOptions,
    private readonly problems: ThrottledLog,
  ) {}

  handle(exchange: Exchange): void {
    this.serve(exchange).catch((error: unknown) => this.failed(exchange, error));
  }

  /** From now on every request gets 5.03 (the transport is stopping). */
  stop(): void {
    this.running = false;
  }

  private async serve(exchange: Exchange): Promise<void> {
    const { request } = exchange;
    if (!this.running) return void exchange.respond(unavailable('Edgewise is shutting down'));
    const route = routeOf(request.method, request.path, request.observe);
    switch (route.kind) {
      case 'refuse':
        return void exchange.respond(diagnostic(route.code, route.reason));
      case 'discovery':
        return void exchange.respond({ code: '2.05', payload: RESOURCE_DIRECTORY, contentFormat: ContentFormat.LINK_FORMAT });
      case 'provision':
        return this.provision(exchange);
      case 'ota': {
        // ThingsBoard acknowledges OTA requests at once and answers separately (§3.5); Edgewise piggy-backs like
        // everywhere else: libcoap 4.3 cannot continue a Block2 download that starts with a separate response.
        const credentials = route.token === undefined ? undefined : ({ type: 'ACCESS_TOKEN', token: route.token } as const);
        const device = await this.admit(exchange, credentials, 'GET /fw/{token} or /sw/{token} with the access token as the only segment');
        if (device === undefined) return;
        const response = await this.withRequestSession(device, (session) => otaResponse(request, session, route.type));
        if (response !== undefined) void exchange.respond(response);
        return;
      }
      case 'device': {
        const credentials =
          route.token !== undefined ? ({ type: 'ACCESS_TOKEN', token: route.token } as const) : certificateOf(request.identity);
        const device = await this.admit(exchange, credentials, 'put the access token in the path: /api/v1/{token}/…');
        if (device !== undefined) return this.serveFeature(exchange, device, route.feature);
      }
    }
  }

  /** The device the request is from, or undefined once the refusal (4.01, 5.00, 5.03) is sent. */
  private async admit(
    exchange: Exchange,
    credentials: DeviceCredentialsRequest | undefined,
    hint: string,
  ): Promise<DeviceIdentity | undefined> {
    if (credentials === undefined) return void exchange.respond(diagnostic('4.01', `No device credentials: ${hint}`));
    const auth = await this.context.authenticate(credentials);
    if (!auth.ok) {
      if (auth.failure === 'UNAVAILABLE') return void exchange.respond(unavailable('Edgewise cannot check device credentials right now'));
      return void exchange.respond(diagnostic('4.01', 'Unknown device credentials: check the access token'));
    }
    const { device } = auth;
    if (!COAP_TRANSPORT_TYPES.has(device.transportType)) {
      // §3.3: the reference answers 5.00; the fix is on the server side.
      this.problems.warn('profile-transport-type', 'CoAP transport: refused a device whose profile is not for CoAP', {
        deviceId: device.deviceId,
        transportType: device.transportType,
      });
      return void exchange.respond(
        diagnostic('5.00', `The device profile's transport type is ${device.transportType}: set it to Default or CoAP to use CoAP`),
      );
    }
    if (usesProtobuf(device)) {
      this.problems.warn('protobuf-profile', 'CoAP transport: refused a device whose profile asks for Protobuf payloads', {
        deviceId: device.deviceId,
      });
      return void exchange.respond(
        diagnostic('5.01', "The device profile's CoAP payload type is Protobuf, which Edgewise does not support yet: set it to JSON"),
      );
    }
    this.observers.uplink(device.deviceId);
    return device;
  }

  private async serveFeature(exchange: Exchange, device: DeviceIdentity, feature: DeviceFeature): Promise<void> {
    const { request } = exchange;
    const text = request.payload.toString('utf8');
    switch (feature.kind) {
      case 'observeAttributes':
        return this.observers.observeAttributes(exchange, device);
      case 'observeRpc':
        return this.observers.observeRpc(exchange, device);
      case 'cancelAttributes':
        return this.observers.cancel(exchange, device.deviceId, 'attributes');
      case 'cancelRpc':
        return this.observers.cancel(exchange, device.deviceId, 'rpc');
      case 'rpcReply':
        return this.replyToServerRpc(exchange, device, feature.requestId, text);
      case 'clientRpc':
        if (!hasMethod(text))
          return void exchange.respond(
            diagnostic('4.00', 'A client-side RPC is a JSON object with a "method", e.g. {"method":"getTime","params":{}}'),
          );
        return this.answerWithin(
          exchange,
          device,
          (session) => session.callServer(text),
          (reply) => this.content(exchange, reply),
        );
      case 'getAttributes':
        return this.answerWithin(
          exchange,
          device,
          (session) => session.getAttributes(attributesRequest(request.query)),
          // §3.6: nothing matched → 4.04 (HTTP and MQTT answer {}), with the Content-Format as in ThingsBoard.
          (found) => (objectMembers(found)?.length ? this.content(exchange, found) : { ...this.content(exchange, ''), code: '4.04' }),
        );
      case 'postTelemetry':
        return this.uplink(exchange, device, (session) => session.postTelemetry(text));
      case 'postAttributes':
        return this.uplink(exchange, device, (session) => session.postAttributes(text));
      case 'claim':
        return this.uplink(exchange, device, (session) => session.claim(text));
    }
  }

  /** 2.01 once the core has kept it; 4.00 when the core refuses the payload. */
  private async uplink(exchange: Exchange, device: DeviceIdentity, post: (session: DeviceSession) => Promise<void>): Promise<void> {
    await this.withRequestSession(device, post);
    void exchange.respond(CREATED);
  }

  /**
   * Attribute reads and client-side RPCs: the answer, or — as in ThingsBoard (§3.6) — no response at all when
   * the core has not answered within `timeoutMs` (the device's retransmissions have stopped at the empty ACK).
   */
  private async answerWithin(
    exchange: Exchange,
    device: DeviceIdentity,
    ask: (session: DeviceSession) => Promise<string>,
    reply: (answer: string) => CoapResponse,
  ): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<typeof NO_ANSWER>((resolve) => (timer = setTimeout(() => resolve(NO_ANSWER), this.options.timeoutMs)));
    try {
      const answer = await this.withRequestSession(device, (session) => Promise.race([ask(session), late]));
      if (answer === NO_ANSWER)
        return this.problems.debug('no-answer', 'CoAP transport: no answer from the core in time; the device gets none');
      void exchange.respond(reply(answer));
    } finally {
      clearTimeout(timer);
    }
  }

  /** §3.2: the reply must be a JSON object; it goes through the device's observe session when there is one. */
  private async replyToServerRpc(exchange: Exchange, device: DeviceIdentity, requestId: number, text: string): Promise<void> {
    if (jsonObject(text) === undefined)
      return void exchange.respond(diagnostic('4.00', `The reply to RPC ${requestId} must be a JSON object, e.g. {"result":"ok"}`));
    const observing = this.observers.sessionOf(device.deviceId);
    if (observing) observing.replyToServerRpc(requestId, text);
    else await this.withRequestSession(device, async (session) => session.replyToServerRpc(requestId, text));
    void exchange.respond(CREATED);
  }

  /** §3.2: SUCCESS → 2.01, NOT_FOUND/FAILURE → 4.00, both with the JSON answer (as text, like Californium's respond). */
  private async provision(exchange: Exchange): Promise<void> {
    const answer = await this.context.provision(exchange.request.payload.toString('utf8'));
    void exchange.respond({
      code: answer.status === 'SUCCESS' ? '2.01' : '4.00',
      payload: answer.json,
      contentFormat: ContentFormat.TEXT_PLAIN,
    });
  }

  /** 2.05 with the request's Content-Format, else JSON (§3.5). */
  private content(exchange: Exchange, payload: string): CoapResponse {
    return { code: '2.05', payload, contentFormat: exchange.request.contentFormat ?? ContentFormat.JSON };
  }

  private async withRequestSession<T>(device: DeviceIdentity, work: (session: DeviceSession) => Promise<T>): Promise<T> {
    const session = this.context.openSession(device, REQUEST_LISTENER, 'request');
    try {
      return await work(session);
    } finally {
      session.close();
    }
  }

  private failed(exchange: Exchange, error: unknown): void {
    if (exchange.answered) return;
    if (isPayloadError(error)) return void exchange.respond(diagnostic('4.00', errorMessage(error)));
    this.problems.error('core-failure', 'CoAP transport: the core failed to handle a device request', {
      path: `/${exchange.request.path.join('/')}`,
      error: errorMessage(error),
    });
    void exchange.respond(diagnostic('5.00', 'Edgewise failed to handle the request; the server log has the details'));
  }
}

/** Token-less paths (`/api/v1/telemetry`) identify the device by its DTLS client certificate (§3.2). */
function certificateOf(identity: PeerIdentity): DeviceCredentialsRequest | undefined {
  return identity.kind === 'x509' ? { type: 'X509_CERTIFICATE', certificate: identity.certificate } : undefined;
}

/** A CoAP device profile may ask for Protobuf payloads (`coapDeviceTypeConfiguration.transportPayloadTypeConfiguration`). */
function usesProtobuf(device: DeviceIdentity): boolean {
  const deviceType = device.transportConfiguration?.coapDeviceTypeConfiguration as
    { transportPayloadTypeConfiguration?: { transportPayloadType?: unknown } } | undefined;
  return deviceType?.transportPayloadTypeConfiguration?.transportPayloadType === 'PROTOBUF';
}

function unavailable(reason: string): CoapResponse {
  return {
    code: '5.03',
    payload: `${reason}; send the request again in a few seconds`,
    options: [uintOption(Option.MAX_AGE, RETRY_AFTER_SECONDS)], // RFC 7252 §5.9.3.4: Max-Age says when to retry
  };
}

function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function hasMethod(text: string): boolean {
  const method = jsonObject(text)?.method;
  return typeof method === 'string' || typeof method === 'number';
}

/**
 * `clientKeys=a,b` / `sharedKeys=c` Uri-Query options (§3.2), read as ThingsBoard's CoapAdaptorUtils reads them:
 * the last one of a name wins, an empty one counts as absent, keys are not trimmed.
 */
export function attributesRequest(query: readonly string[]): AttributesRequest {
  const keys = (name: string): string[] | undefined => {
    let value: string | undefined;
    for (const entry of query) {
      const parts = javaSplit(entry, '=');
      if (parts.length === 2 && parts[0] === name) value = parts[1];
    }
    return value ? [...new Set(javaSplit(value, ','))] : undefined;
  };
  const request: AttributesRequest = {};
  const clientKeys = keys('clientKeys');
  const sharedKeys = keys('sharedKeys');
  if (clientKeys) request.clientKeys = clientKeys;
  if (sharedKeys) request.sharedKeys = sharedKeys;
  return request;
}

/** Java's `String.split`: trailing empty strings are dropped. */
function javaSplit(text: string, separator: string): string[] {
  const parts = text.split(separator);
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}
