/**
 * The CoAP message layer (RFC 7252 §4, RFC 7641 notifications, RFC 7959 through Blockwise) on a datagram
 * channel, in both roles. As a server: duplicate detection, piggy-backed or separate responses, retransmission
 * of confirmable messages until they are acknowledged, and the ACKs and Resets that tell a resource whether
 * the peer got them; resources see one Exchange per request and never the datagrams. As a client (ClientRole):
 * requests to peers and observations of their resources, matched to their responses by token.
 */
import { randomInt } from 'node:crypto';
import type { DatagramChannel, DatagramPeer, PeerIdentity, SecureDatagram, ThrottledLog } from '@edgewise/plugin-api';
import { errorMessage } from '@edgewise/plugin-api';
import { Blockwise, type BlockRequest, type WholeResponse } from './blockwise';
import { ClientRole, type ClientObservation, type IncomingResponse, type OutgoingRequest } from './client-role';
import {
  blockOption,
  decodeMessage,
  decodeUint,
  encodeMessage,
  firstOption,
  headerOf,
  isCritical,
  isResponseCode,
  Option,
  optionalUint,
  optionValues,
  REQUEST_METHODS,
  uintOption,
  type BlockOption,
  type CoapMessage,
  type CoapOption,
} from './coap-wire';

/** RFC 7252 §4.8 transmission parameters the transport does not expose. */
const ACK_RANDOM_FACTOR = 1.5;
/** How often remembered messages, outstanding transfers and expired block bodies are looked at. */
const SWEEP_INTERVAL_MS = 1_000;
const EMPTY = Buffer.alloc(0);

/** Critical options this stack acts on (or may ignore, as RFC 7252 allows for the conditional ones). */
const UNDERSTOOD_CRITICAL = new Set<number>([
  Option.IF_MATCH,
  Option.URI_HOST,
  Option.IF_NONE_MATCH,
  Option.URI_PORT,
  Option.URI_PATH,
  Option.URI_QUERY,
  Option.ACCEPT,
  Option.BLOCK2,
  Option.BLOCK1,
]);

export interface EndpointSettings {
  /** Who speaks, for log lines: `CoAP transport`, `LwM2M transport`. */
  name: string;
  /** A confirmable request not answered within this time gets an empty ACK; its response follows separately. */
  piggybackTimeoutMs: number;
  /** Largest request body, in one datagram or put together from Block1 blocks. */
  maxPayloadBytes: number;
  /** RFC 7252 ACK_TIMEOUT: the first wait for the ACK of a confirmable message (doubled on each retransmission). */
  ackTimeoutMs: number;
  /** RFC 7252 MAX_RETRANSMIT: a confirmable message unacknowledged after this many retransmissions has failed. */
  maxRetransmit: number;
  /** How long message ids are remembered to recognise duplicates (RFC 7252 EXCHANGE_LIFETIME, 247 s). */
  exchangeLifetimeMs: number;
  /** At most this many message ids are remembered; under a flood the oldest are forgotten first. */
  maxRememberedMessages: number;
  /** How long an unfinished block-wise transfer is kept. */
  blockTransferLifetimeMs: number;
}

export interface CoapRequest {
  readonly peer: DatagramPeer;
  readonly identity: PeerIdentity;
  /** `GET`, `POST` …, or the raw code (e.g. `0.09`) of a method CoAP does not define. */
  readonly method: string;
  readonly confirmable: boolean;
  readonly messageId: number;
  readonly token: Buffer;
  readonly path: readonly string[];
  /** Uri-Query options as sent, e.g. `clientKeys=a,b`. */
  readonly query: readonly string[];
  readonly options: readonly CoapOption[];
  readonly contentFormat?: number;
  /** The Observe option: 0 registers, 1 deregisters (RFC 7641 §2). */
  readonly observe?: number;
  readonly block2?: BlockOption;
  /** The whole body (Block1 blocks already put together). */
  readonly payload: Buffer;
}

export interface CoapResponse {
  code: string;
  payload?: Buffer | string;
  contentFormat?: number;
  observe?: number;
  /** Further options, e.g. Max-Age, or Block2 when the resource frames its blocks itself. */
  options?: CoapOption[];
}

/**
 * RFC 7252 §4.8 defaults (ACK_TIMEOUT 2 s, MAX_RETRANSMIT 4, EXCHANGE_LIFETIME 247 s), Californium's block transfer
 * lifetime (which ThingsBoard keeps), and bounds that keep a flood from exhausting memory.
 */
export const DEFAULT_ENDPOINT_SETTINGS: Readonly<Omit<EndpointSettings, 'name' | 'maxPayloadBytes'>> = {
  piggybackTimeoutMs: 500,
  ackTimeoutMs: 2_000,
  maxRetransmit: 4,
  exchangeLifetimeMs: 247_000,
  /** About 50 MB of remembered message ids at most; under a flood the oldest are forgotten first. */
  maxRememberedMessages: 200_000,
  blockTransferLifetimeMs: 300_000,
};

/** What became of a message sent to a device. */
export type Delivery =
  /** Acknowledged (confirmable) or handed to the network (non-confirmable, piggy-backed). */
  | 'delivered'
  /** The device answered with a Reset: it does not want it. */
  | 'reset'
  /** No ACK after every retransmission. */
  | 'timeout'
  /** Could not be sent (socket closed, transport stopping). */
  | 'unsent';

/** Where notifications of an observation go (RFC 7641): the observe request's peer and token. */
export interface NotificationTarget {
  readonly peer: DatagramPeer;
  readonly token: Buffer;
  readonly confirmable: boolean;
  /** The observed resource (method, path, query), for the client's follow-up requests of a large notification's blocks. */
  readonly resource: string;
  /** A Reset to a non-confirmable notification: the device no longer wants them. */
  readonly onReset: () => void;
}

interface RememberedMessage {
  expiresAt: number;
  /** What answered this message id (piggy-backed response or empty ACK), sent again to duplicates. */
  reply?: Buffer;
  /** Still waiting for its response: a duplicate makes it acknowledge at once. */
  exchange?: Exchange;
}

interface Outstanding {
  peer: DatagramPeer;
  bytes: Buffer;
  retransmissions: number;
  waitMs: number;
  timer?: NodeJS.Timeout;
  settle(delivery: Delivery): void;
}

const peerKey = (peer: DatagramPeer): string => `${peer.address}|${peer.port}`;

/** Everything an exchange needs from its endpoint. */
interface ExchangeIo {
  readonly piggybackTimeoutMs: number;
  write(peer: DatagramPeer, bytes: Buffer): Promise<Delivery>;
  sendConfirmable(peer: DatagramPeer, message: CoapMessage): Promise<Delivery>;
  nextMessageId(): number;
  frame(request: BlockRequest, response: CoapResponse, extraOptions: CoapOption[]): WholeResponse;
}

/**
 * One request and its response. The response is piggy-backed on the ACK when it comes within the piggyback
 * timeout; otherwise an empty ACK goes first and the response follows as its own message (confirmable when the
 * request was), retransmitted until acknowledged.
 */
export class Exchange {
  private state: 'waiting' | 'accepted' | 'answered' = 'waiting';
  private readonly piggybackTimer?: NodeJS.Timeout;
  /** Added to the response: the Block1 option echoing the last block of an assembled body. */
  readonly responseOptions: CoapOption[] = [];

  constructor(
    private readonly io: ExchangeIo,
    readonly request: CoapRequest,
    private readonly remembered: RememberedMessage,
    private readonly blocks: BlockRequest,
  ) {
    if (request.confirmable) {
      remembered.exchange = this;
      this.piggybackTimer = setTimeout(() => this.accept(), io.piggybackTimeoutMs);
    }
  }

  get answered(): boolean {
    return this.state === 'answered';
  }

  /** Acknowledges a confirmable request now with an empty ACK; the response will follow on its own. */
  accept(): void {
    if (this.state !== 'waiting') return;
    clearTimeout(this.piggybackTimer);
    this.state = 'accepted';
    if (!this.request.confirmable) return;
    const ack = encodeMessage({ type: 'ACK', code: '0.00', messageId: this.request.messageId, token: EMPTY, options: [], payload: EMPTY });
    this.remembered.reply = ack;
    this.remembered.exchange = undefined;
    void this.io.write(this.request.peer, ack);
  }

  /** Sends the response (once). Resolves with what became of it; never rejects. */
  respond(response: CoapResponse): Promise<Delivery> {
    if (this.state === 'answered') throw new Error('this CoAP request has been answered already');
    const piggyback = this.state === 'waiting' && this.request.confirmable;
    clearTimeout(this.piggybackTimer);
    this.state = 'answered';
    this.remembered.exchange = undefined;
    const framed = this.io.frame(this.blocks, response, this.responseOptions);
    const { peer, token, confirmable, messageId } = this.request;
    if (piggyback) {
      const bytes = encodeMessage({ type: 'ACK', messageId, token, ...framed });
      this.remembered.reply = bytes;
      return this.io.write(peer, bytes);
    }
    const message: CoapMessage = { type: confirmable ? 'CON' : 'NON', messageId: this.io.nextMessageId(), token, ...framed };
    return confirmable ? this.io.sendConfirmable(peer, message) : this.io.write(peer, encodeMessage(message));
  }
}

export class CoapEndpoint {
  private readonly remembered = new Map<string, RememberedMessage>();
  private readonly outstanding = new Map<string, Outstanding>();
  /** Recent non-confirmable notifications, so that a Reset to one reaches its observation. */
  private readonly recentNotifications = new Map<string, { expiresAt: number; onReset: () => void }>();
  private readonly blockwise: Blockwise;
  private readonly client: ClientRole;
  private readonly io: ExchangeIo;
  private readonly sweeper: NodeJS.Timeout;
  private lastMessageId = randomInt(0x10000);
  private closed = false;

  constructor(
    private readonly channel: DatagramChannel,
    private readonly handler: (exchange: Exchange) => void,
    private readonly settings: EndpointSettings,
    private readonly problems: ThrottledLog,
  ) {
    this.blockwise = new Blockwise(settings.maxPayloadBytes, settings.blockTransferLifetimeMs);
    this.io = {
      piggybackTimeoutMs: settings.piggybackTimeoutMs,
      write: (peer, bytes) => this.write(peer, bytes),
      sendConfirmable: (peer, message) => this.sendConfirmable(peer, message),
      nextMessageId: () => this.nextMessageId(),
      frame: (request, response, extraOptions) => this.frame(request, response, extraOptions),
    };
    this.client = new ClientRole({
      sendConfirmable: (peer, message) => this.sendConfirmable(peer, message),
      stopRetransmitting: (peer, messageId) => this.outstanding.get(`${peerKey(peer)}#${messageId}`)?.settle('delivered'),
      nextMessageId: () => this.nextMessageId(),
      maxBodyBytes: settings.maxPayloadBytes,
    });
    channel.onDatagram((datagram) => this.receive(datagram));
    channel.onError((error) => problems.warn('socket-error', `${settings.name}: socket error`, { error: error.message }));
    this.sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  /** Sends a notification of an observation; resolves with what became of it, never rejects. */
  notify(target: NotificationTarget, response: CoapResponse): Promise<Delivery> {
    if (this.closed) return Promise.resolve('unsent');
    const blocks: BlockRequest = { transferKey: `${peerKey(target.peer)} ${target.resource}`, asksSize2: false, payload: EMPTY };
    const message: CoapMessage = {
      type: target.confirmable ? 'CON' : 'NON',
      messageId: this.nextMessageId(),
      token: target.token,
      ...this.frame(blocks, response, []),
    };
    if (target.confirmable) return this.sendConfirmable(target.peer, message);
    this.recentNotifications.set(`${peerKey(target.peer)}#${message.messageId}`, {
      expiresAt: Date.now() + this.settings.exchangeLifetimeMs,
      onReset: target.onReset,
    });
    return this.write(target.peer, encodeMessage(message));
  }

  /**
   * Client role: sends `request` to `peer` (confirmable, retransmitted until acknowledged; a large body in Block1
   * blocks) and resolves with its response, the body whole. Rejects with CoapRequestError when the peer refuses it
   * (Reset), never acknowledges it, or does not answer within `timeoutMs`.
   */
  request(peer: DatagramPeer, request: OutgoingRequest, timeoutMs: number): Promise<IncomingResponse> {
    return this.client.request(peer, request, timeoutMs);
  }

  /**
   * Client role: observes a resource of `peer` (RFC 7641). Resolves with the first response; while the peer keeps
   * the observation, each fresh notification goes to `onNotification` (confirmable ones are acknowledged).
   */
  observe(
    peer: DatagramPeer,
    request: OutgoingRequest,
    timeoutMs: number,
    onNotification: (response: IncomingResponse) => void,
  ): Promise<ClientObservation> {
    return this.client.observe(peer, request, timeoutMs, onNotification);
  }

  /** Stops: what still waits for an ACK or a response is given up as `unsent`; the channel stays open for its owner to close. */
  close(): void {
    this.closed = true;
    clearInterval(this.sweeper);
    this.client.close();
    for (const outstanding of [...this.outstanding.values()]) outstanding.settle('unsent');
    this.remembered.clear();
    this.recentNotifications.clear();
  }

  // ---- receiving ----

  private receive(datagram: SecureDatagram): void {
    if (this.closed) return;
    let message: CoapMessage;
    try {
      message = decodeMessage(datagram.data);
    } catch (error) {
      return this.rejectMalformed(datagram, error);
    }
    const key = `${peerKey(datagram.peer)}#${message.messageId}`;
    if (message.type === 'ACK' || message.type === 'RST') return this.onAckOrReset(datagram.peer, key, message);
    const isRequest = message.code.startsWith('0.') && message.code !== '0.00';
    if (!isRequest && !isResponseCode(message.code)) {
      // An empty confirmable message is a ping (RFC 7252 §4.3), answered with a Reset; other codes are reserved.
      if (message.type === 'CON') void this.write(datagram.peer, this.resetFor(message.messageId));
      return;
    }
    const seen = this.remembered.get(key);
    if (seen !== undefined) return this.onDuplicate(datagram.peer, message, seen);
    const remembered: RememberedMessage = { expiresAt: Date.now() + this.settings.exchangeLifetimeMs };
    this.remembered.set(key, remembered);
    if (this.remembered.size > this.settings.maxRememberedMessages) this.remembered.delete(this.remembered.keys().next().value!);
    try {
      if (isRequest) this.onRequest(datagram, message, remembered);
      else this.onSeparateResponse(datagram.peer, message, remembered);
    } catch (error) {
      this.problems.error('request-failure', `${this.settings.name}: failed to handle a message`, { error: errorMessage(error) });
    }
  }

  /**
   * A separate response or a notification (client role): acknowledged when confirmable; refused with a Reset when
   * nothing waits for its token — which also tells a peer to stop notifying a cancelled observation (RFC 7641 §3.6).
   */
  private onSeparateResponse(peer: DatagramPeer, message: CoapMessage, remembered: RememberedMessage): void {
    const matched = this.client.onResponse(peer, message);
    if (matched && message.type === 'NON') return;
    const reply = matched
      ? encodeMessage({ type: 'ACK', code: '0.00', messageId: message.messageId, token: EMPTY, options: [], payload: EMPTY })
      : this.resetFor(message.messageId);
    remembered.reply = reply;
    void this.write(peer, reply);
  }

  private rejectMalformed(datagram: SecureDatagram, error: unknown): void {
    this.problems.debug('malformed-message', `${this.settings.name}: dropped a malformed message`, {
      peer: `${datagram.peer.address}:${datagram.peer.port}`,
      error: errorMessage(error),
    });
    const header = headerOf(datagram.data);
    if (header?.type === 'CON') void this.write(datagram.peer, this.resetFor(header.messageId)); // RFC 7252 §4.2
  }

  private onDuplicate(peer: DatagramPeer, message: CoapMessage, seen: RememberedMessage): void {
    if (message.type !== 'CON') return;
    if (seen.reply !== undefined) void this.write(peer, seen.reply);
    else seen.exchange?.accept(); // still working on it: stop the device's retransmissions
  }

  private onAckOrReset(peer: DatagramPeer, key: string, message: CoapMessage): void {
    const outstanding = this.outstanding.get(key);
    // A response piggy-backed on the ACK of a request this side sent (client role).
    if (outstanding !== undefined && message.type === 'ACK' && isResponseCode(message.code)) this.client.onResponse(peer, message);
    outstanding?.settle(message.type === 'ACK' ? 'delivered' : 'reset');
    if (message.type === 'RST') {
      const notification = this.recentNotifications.get(key);
      this.recentNotifications.delete(key);
      notification?.onReset();
    }
  }

  private onRequest(datagram: SecureDatagram, message: CoapMessage, remembered: RememberedMessage): void {
    const block1 = blockOption(message.options, Option.BLOCK1);
    const block2 = blockOption(message.options, Option.BLOCK2);
    const request: CoapRequest = {
      peer: datagram.peer,
      identity: datagram.identity,
      method: REQUEST_METHODS[message.code] ?? message.code,
      confirmable: message.type === 'CON',
      messageId: message.messageId,
      token: message.token,
      path: uriPath(message.options),
      query: optionValues(message.options, Option.URI_QUERY).map((value) => value.toString('utf8')),
      options: message.options,
      contentFormat: optionalUint(message.options, Option.CONTENT_FORMAT),
      observe: optionalUint(message.options, Option.OBSERVE),
      block2: block2 === 'invalid' ? undefined : block2,
      payload: message.payload,
    };
    const size2 = firstOption(message.options, Option.SIZE2);
    const blocks: BlockRequest = {
      transferKey: `${peerKey(request.peer)} ${resourceOf(request)}`,
      block1: block1 === 'invalid' ? undefined : block1,
      block2: request.block2,
      size1: optionalUint(message.options, Option.SIZE1),
      asksSize2: size2 !== undefined && decodeUint(size2) === 0,
      payload: message.payload,
    };
    const refusal = refusalOf(message, block1, block2);
    const upload = refusal ? undefined : this.blockwise.receive(blocks, Date.now());
    const body = upload?.kind === 'complete' ? upload.body : message.payload;
    const exchange = new Exchange(this.io, body === message.payload ? request : { ...request, payload: body }, remembered, blocks);
    if (refusal) return void exchange.respond(refusal);
    if (upload?.kind === 'refused') return void exchange.respond(upload.response);
    if (upload?.echo) exchange.responseOptions.push(upload.echo);
    const followUp = this.blockwise.followUp(blocks);
    if (followUp) return void exchange.respond(followUp);
    this.handler(exchange);
  }

  // ---- sending ----

  private frame(request: BlockRequest, response: CoapResponse, extraOptions: CoapOption[]): WholeResponse {
    const options = [...(response.options ?? []), ...extraOptions];
    if (response.contentFormat !== undefined) options.push(uintOption(Option.CONTENT_FORMAT, response.contentFormat));
    if (response.observe !== undefined) options.push(uintOption(Option.OBSERVE, response.observe & 0xffffff));
    const payload = typeof response.payload === 'string' ? Buffer.from(response.payload) : (response.payload ?? EMPTY);
    return this.blockwise.send(request, { code: response.code, options, payload }, Date.now());
  }

  private nextMessageId(): number {
    this.lastMessageId = (this.lastMessageId + 1) & 0xffff;
    return this.lastMessageId;
  }

  private resetFor(messageId: number): Buffer {
    return encodeMessage({ type: 'RST', code: '0.00', messageId, token: EMPTY, options: [], payload: EMPTY });
  }

  private write(peer: DatagramPeer, bytes: Buffer): Promise<Delivery> {
    if (this.closed) return Promise.resolve('unsent');
    return this.channel.send(peer, bytes).then(
      (): Delivery => 'delivered',
      (error: unknown): Delivery => {
        this.problems.warn('send-failure', `${this.settings.name}: could not send a message`, { error: errorMessage(error) });
        return 'unsent';
      },
    );
  }

  /** Sends until acknowledged (RFC 7252 §4.2): the wait starts at ACK_TIMEOUT × [1, 1.5) and doubles each time. */
  private sendConfirmable(peer: DatagramPeer, message: CoapMessage): Promise<Delivery> {
    if (this.closed) return Promise.resolve('unsent');
    const key = `${peerKey(peer)}#${message.messageId}`;
    return new Promise((resolve) => {
      const outstanding: Outstanding = {
        peer,
        bytes: encodeMessage(message),
        retransmissions: 0,
        waitMs: this.settings.ackTimeoutMs * (1 + Math.random() * (ACK_RANDOM_FACTOR - 1)),
        settle: (delivery) => {
          clearTimeout(outstanding.timer);
          this.outstanding.delete(key);
          resolve(delivery);
        },
      };
      this.outstanding.set(key, outstanding);
      this.transmit(outstanding);
    });
  }

  private transmit(outstanding: Outstanding): void {
    void this.write(outstanding.peer, outstanding.bytes);
    outstanding.timer = setTimeout(() => {
      if (outstanding.retransmissions >= this.settings.maxRetransmit) return outstanding.settle('timeout');
      outstanding.retransmissions++;
      outstanding.waitMs *= 2;
      this.transmit(outstanding);
    }, outstanding.waitMs);
  }

  private sweep(): void {
    const now = Date.now();
    // Insertion order is expiry order: stop at the first one still fresh.
    for (const [key, remembered] of this.remembered) {
      if (remembered.expiresAt > now) break;
      this.remembered.delete(key);
    }
    for (const [key, notification] of this.recentNotifications) {
      if (notification.expiresAt > now) break;
      this.recentNotifications.delete(key);
    }
    this.blockwise.sweep(now);
  }
}

/** Requests refused before any resource sees them (RFC 7252 §5.4.1, §5.8; RFC 7959 §2.2). */
function refusalOf(message: CoapMessage, block1: unknown, block2: unknown): CoapResponse | undefined {
  if (REQUEST_METHODS[message.code] === undefined) return { code: '4.05', payload: `Method code ${message.code} is not supported` };
  const unknown = message.options.find((option) => isCritical(option.number) && !UNDERSTOOD_CRITICAL.has(option.number));
  if (unknown) return { code: '4.02', payload: `Critical option ${unknown.number} is not supported` };
  if (block1 === 'invalid' || block2 === 'invalid')
    return { code: '4.02', payload: 'Invalid Block1/Block2 option (at most 3 bytes, block size 16 to 1024)' };
  return undefined;
}

/**
 * Uri-Path segments. Like ThingsBoard's message deliverer, a single Uri-Path option holding a whole path
 * (`api/v1/TOKEN/telemetry`, as some clients send it) is split at its slashes.
 */
function uriPath(options: readonly CoapOption[]): string[] {
  const segments = optionValues(options, Option.URI_PATH).map((value) => value.toString('utf8'));
  if (segments.length === 1 && segments[0].includes('/')) return segments[0].replace(/^\//, '').split('/');
  return segments;
}

/** A resource as the blocks of one transfer share it: method, path and query. */
export function resourceOf(request: Pick<CoapRequest, 'method' | 'path' | 'query'>): string {
  return `${request.method} /${request.path.join('/')}?${request.query.join('&')}`;
}
