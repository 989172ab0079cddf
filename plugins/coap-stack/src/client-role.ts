/**
 * The client role of the endpoint: requests this side sends to a peer (an LwM2M server reading a device, a
 * test device registering) and observations it starts there. Confirmable requests are retransmitted by the
 * endpoint until acknowledged (RFC 7252 §4.2); the response comes piggy-backed on the ACK or separately and
 * is matched by peer and token (§5.3.2); bodies larger than a block go out in Block1 blocks and come back from
 * Block2 blocks (RFC 7959); notifications of an observation are ordered by their Observe number (RFC 7641 §3.4).
 */
import { randomBytes } from 'node:crypto';
import {
  blockOption,
  blockSize,
  encodeBlock,
  firstOption,
  METHOD_CODES,
  Option,
  optionalUint,
  optionValues,
  uintOption,
  type CoapMessage,
  type CoapOption,
  type RequestMethod,
} from './coap-wire';
import type { DatagramPeer } from '@edgewise/plugin-api';

/** A request to send to a peer. */
export interface OutgoingRequest {
  method: RequestMethod;
  /** Uri-Path segments; empty or absent is the root resource `/`. */
  path?: readonly string[];
  /** Uri-Query options, e.g. `ep=device-1`. */
  query?: readonly string[];
  contentFormat?: number;
  accept?: number;
  payload?: Uint8Array | string;
  /** Further options, e.g. If-Match. */
  options?: readonly CoapOption[];
}

/** A peer's response, its body whole (Block2 blocks already put together). */
export interface IncomingResponse {
  /** `2.05`, `4.04` … */
  code: string;
  options: readonly CoapOption[];
  payload: Buffer;
  contentFormat?: number;
  /** The Observe option of an observe response or notification. */
  observe?: number;
  /** Location-Path segments, e.g. `['rd', '5a3f']` of a 2.01 Created. */
  locationPath: string[];
  locationQuery: string[];
}

export type RequestFailure =
  /** No ACK after every retransmission, or no response within the request's time. */
  | 'timeout'
  /** The peer refused the request with a Reset. */
  | 'reset'
  /** Could not be sent (socket closed, endpoint closed). */
  | 'unsent'
  /** A block-wise transfer went wrong (a block missing or out of order, the body changed or grew too large). */
  | 'bad-transfer';

export class CoapRequestError extends Error {
  override readonly name = 'CoapRequestError';
  constructor(
    readonly reason: RequestFailure,
    message: string,
  ) {
    super(message);
  }
}

/** An observation this side started. */
export interface ClientObservation {
  /** The response to the observe request (a failure code when the peer refused it). */
  readonly response: IncomingResponse;
  /** Whether notifications still come: false when the peer answered without Observe, ended it, or it was cancelled. */
  readonly active: boolean;
  /** Forgets the observation; the peer's next notification is refused with a Reset (RFC 7641 §3.6). */
  cancel(): void;
}

/** What became of a confirmable message, as the endpoint reports it. */
type Delivery = 'delivered' | 'reset' | 'timeout' | 'unsent';

/** Everything the client role needs from its endpoint. */
export interface ClientIo {
  /** Sends a confirmable message until acknowledged. */
  sendConfirmable(peer: DatagramPeer, message: CoapMessage): Promise<Delivery>;
  /** Stops retransmitting a confirmable message (its response arrived before its ACK). */
  stopRetransmitting(peer: DatagramPeer, messageId: number): void;
  nextMessageId(): number;
  /** Largest response body put together from Block2 blocks. */
  readonly maxBodyBytes: number;
}

/** Blocks of outgoing Block1 transfers and the size asked for in Block2 follow-ups: 1024 bytes, as Californium prefers. */
const PREFERRED_SZX = 6;
const TOKEN_BYTES = 4;
/** RFC 7641 §3.4: a notification more than 128 s after the last one is fresh whatever its number. */
const OBSERVE_FRESHNESS_MS = 128_000;
const OBSERVE_HALF_RANGE = 1 << 23;

interface Waiting {
  messageId: number;
  onResponse(message: CoapMessage): void;
  onFailure(error: CoapRequestError): void;
}

interface ObservationState {
  peer: DatagramPeer;
  request: OutgoingRequest;
  onNotification: (response: IncomingResponse) => void;
  /** The time later blocks of a large notification may take. */
  timeoutMs: number;
  active: boolean;
  sequence?: number;
  receivedAt: number;
  /** Notifications are handed over in order even when one needs follow-up blocks. */
  tail: Promise<void>;
}

const peerKey = (peer: DatagramPeer): string => `${peer.address}|${peer.port}`;
const tokenKey = (peer: DatagramPeer, token: Buffer): string => `${peerKey(peer)}#${token.toString('hex')}`;
const describeRequest = (peer: DatagramPeer, request: OutgoingRequest): string =>
  `${request.method} /${(request.path ?? []).join('/')} to ${peer.address}:${peer.port}`;

export class ClientRole {
  private readonly waiting = new Map<string, Waiting>();
  private readonly observations = new Map<string, ObservationState>();
  private closed = false;

  constructor(private readonly io: ClientIo) {}

  /** Sends `request` and resolves with the whole response; rejects with CoapRequestError. */
  async request(peer: DatagramPeer, request: OutgoingRequest, timeoutMs: number): Promise<IncomingResponse> {
    const deadline = Date.now() + timeoutMs;
    // One token for every block of the transfer: some servers (node-coap) match blocks by token.
    const token = this.newToken(peer);
    const first = await this.sendBody(peer, request, token, deadline);
    return this.wholeResponse(peer, request, first, token, deadline);
  }

  /**
   * Sends `request` with Observe 0 and resolves with the first response; while the observation is active, each
   * fresh notification (its body whole) goes to `onNotification`. A notification with an error code ends it.
   */
  async observe(
    peer: DatagramPeer,
    request: OutgoingRequest,
    timeoutMs: number,
    onNotification: (response: IncomingResponse) => void,
  ): Promise<ClientObservation> {
    const deadline = Date.now() + timeoutMs;
    const token = this.newToken(peer);
    const key = tokenKey(peer, token);
    const state: ObservationState = { peer, request, onNotification, timeoutMs, active: false, receivedAt: 0, tail: Promise.resolve() };
    this.observations.set(key, state);
    try {
      const observeRequest = { ...request, options: [...(request.options ?? []), uintOption(Option.OBSERVE, 0)] };
      const first = await this.exchange(peer, this.message(observeRequest, toBuffer(request.payload), [], token), deadline);
      const sequence = optionalUint(first.options, Option.OBSERVE);
      // Active before the rest of a large first response comes, so that a notification meanwhile is taken, not refused.
      if (first.code.startsWith('2.') && sequence !== undefined && !this.closed) {
        state.active = true;
        state.sequence = sequence;
        state.receivedAt = Date.now();
      } else this.observations.delete(key);
      const response = await this.wholeResponse(peer, request, first, this.newToken(peer), deadline);
      return {
        response,
        get active() {
          return state.active;
        },
        cancel: () => {
          state.active = false;
          this.observations.delete(key);
        },
      };
    } catch (error) {
      state.active = false;
      this.observations.delete(key);
      throw error;
    }
  }

  /**
   * A response (piggy-backed on an ACK, or a separate CON/NON message) or a notification from `peer`; false when
   * its token belongs to nothing this side waits for or observes, so that the endpoint refuses it with a Reset.
   */
  onResponse(peer: DatagramPeer, message: CoapMessage): boolean {
    const key = tokenKey(peer, message.token);
    const waiting = this.waiting.get(key);
    if (waiting !== undefined) {
      if (message.type === 'ACK' && message.messageId !== waiting.messageId) return false; // an ACK of an older message
      waiting.onResponse(message);
      return true;
    }
    const observation = this.observations.get(key);
    if (observation === undefined || !observation.active || message.type === 'ACK') return false;
    this.onNotification(key, observation, message);
    return true;
  }

  /** Fails whatever still waits and forgets the observations. */
  close(): void {
    this.closed = true;
    const closed = new CoapRequestError('unsent', 'the CoAP endpoint closed before the response came');
    for (const waiting of [...this.waiting.values()]) waiting.onFailure(closed);
    this.waiting.clear();
    for (const observation of this.observations.values()) observation.active = false;
    this.observations.clear();
  }

  // ---- one message and its response ----

  /** Sends one confirmable message and waits for its response (piggy-backed or separate) until `deadline`. */
  private exchange(peer: DatagramPeer, message: CoapMessage, deadline: number): Promise<CoapMessage> {
    if (this.closed) return Promise.reject(new CoapRequestError('unsent', 'the CoAP endpoint is closed'));
    const key = tokenKey(peer, message.token);
    const what = `${message.code} message ${message.messageId} to ${peer.address}:${peer.port}`;
    return new Promise((resolve, reject) => {
      let done = false;
      const finish = (outcome: CoapMessage | CoapRequestError) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.waiting.delete(key);
        this.io.stopRetransmitting(peer, message.messageId);
        if (outcome instanceof CoapRequestError) reject(outcome);
        else resolve(outcome);
      };
      const timer = setTimeout(
        () => finish(new CoapRequestError('timeout', `no response to ${what} in time`)),
        Math.max(0, deadline - Date.now()),
      );
      this.waiting.set(key, {
        messageId: message.messageId,
        onResponse: finish,
        onFailure: finish,
      });
      void this.io.sendConfirmable(peer, message).then((delivery) => {
        // ACK: the response came on it (already handled) or follows separately.
        if (delivery === 'delivered') return;
        if (delivery === 'reset') finish(new CoapRequestError('reset', `${what} was refused with a Reset`));
        else if (delivery === 'timeout') finish(new CoapRequestError('timeout', `${what} was never acknowledged`));
        else finish(new CoapRequestError('unsent', `${what} could not be sent`));
      });
    });
  }

  // ---- block-wise ----

  /** The request, its body in Block1 blocks when larger than one (RFC 7959 §2.5); the response to the last block. */
  private async sendBody(peer: DatagramPeer, request: OutgoingRequest, token: Buffer, deadline: number): Promise<CoapMessage> {
    const payload = toBuffer(request.payload);
    let szx = PREFERRED_SZX;
    if (payload.length <= blockSize(szx)) return this.exchange(peer, this.message(request, payload, [], token), deadline);
    for (let offset = 0; ;) {
      const size = blockSize(szx);
      const more = offset + size < payload.length;
      const options = [encodeBlock(Option.BLOCK1, { num: offset / size, more, szx })];
      if (offset === 0) options.push(uintOption(Option.SIZE1, payload.length));
      const response = await this.exchange(peer, this.message(request, payload.subarray(offset, offset + size), options, token), deadline);
      if (!more || response.code !== '2.31') return response; // the final response, or a refusal (4.08, 4.13 …)
      offset += size;
      // The peer may ask for smaller blocks in its 2.31 (RFC 7959 §2.5); the offset stays a multiple of them.
      const echoed = blockOption(response.options, Option.BLOCK1);
      if (echoed !== undefined && echoed !== 'invalid' && echoed.szx < szx) szx = echoed.szx;
    }
  }

  /** The response with its body whole: later Block2 blocks asked for one by one, with `token` (RFC 7959 §2.4). */
  private async wholeResponse(
    peer: DatagramPeer,
    request: OutgoingRequest,
    first: CoapMessage,
    token: Buffer,
    deadline: number,
  ): Promise<IncomingResponse> {
    const block = blockOption(first.options, Option.BLOCK2);
    if (block === undefined || block === 'invalid' || !block.more) return toResponse(first, first.payload);
    const what = `the block-wise response to ${describeRequest(peer, request)}`;
    if (block.num !== 0) throw new CoapRequestError('bad-transfer', `${what} started at block ${block.num}, not 0`);
    const etag = firstOption(first.options, Option.ETAG);
    // Later blocks answer the same request without Observe (RFC 7959 §2.6); FETCH keeps its body, which names what is read.
    const followUp: OutgoingRequest = {
      ...request,
      payload: request.method === 'FETCH' ? request.payload : undefined,
      options: (request.options ?? []).filter((option) => option.number !== Option.OBSERVE),
    };
    const parts = [first.payload];
    let received = first.payload.length;
    let szx = block.szx;
    for (;;) {
      const num = received / blockSize(szx);
      const options = [encodeBlock(Option.BLOCK2, { num, more: false, szx: Math.min(szx, PREFERRED_SZX) })];
      const response = await this.exchange(peer, this.message(followUp, toBuffer(followUp.payload), options, token), deadline);
      const got = blockOption(response.options, Option.BLOCK2);
      if (!response.code.startsWith('2.') || got === undefined || got === 'invalid' || got.num * blockSize(got.szx) !== received)
        throw new CoapRequestError(
          'bad-transfer',
          `${what}: block ${num} came back as ${response.code} without the bytes from ${received} on`,
        );
      const blockEtag = firstOption(response.options, Option.ETAG);
      if (etag !== undefined && blockEtag !== undefined && !etag.equals(blockEtag))
        throw new CoapRequestError('bad-transfer', `${what}: the body changed during the transfer; send the request again`);
      parts.push(response.payload);
      received += response.payload.length;
      if (received > this.io.maxBodyBytes)
        throw new CoapRequestError('bad-transfer', `${what} is larger than the limit of ${this.io.maxBodyBytes} bytes`);
      if (!got.more) return toResponse(first, Buffer.concat(parts, received));
      szx = got.szx;
    }
  }

  // ---- notifications ----

  private onNotification(key: string, state: ObservationState, message: CoapMessage): void {
    const sequence = optionalUint(message.options, Option.OBSERVE);
    const final = !message.code.startsWith('2.') || sequence === undefined;
    if (!final && !isFresh(state, sequence, Date.now())) return; // an older notification overtaken by a newer one
    if (final) {
      // A notification without Observe or with an error code ends the observation (RFC 7641 §3.2).
      state.active = false;
      this.observations.delete(key);
    } else {
      state.sequence = sequence;
      state.receivedAt = Date.now();
    }
    // The rest of a large notification is asked for with a token of its own: the observation's stays with notifications.
    const whole = this.wholeResponse(state.peer, state.request, message, this.newToken(state.peer), Date.now() + state.timeoutMs);
    state.tail = state.tail.then(async () => {
      let response: IncomingResponse;
      try {
        response = await whole;
      } catch {
        return; // the rest of its blocks did not come: the next notification brings the value again
      }
      if (state.active || final) state.onNotification(response);
    });
  }

  // ---- messages ----

  private message(request: OutgoingRequest, payload: Buffer, extra: CoapOption[], token: Buffer): CoapMessage {
    const options: CoapOption[] = [...(request.options ?? []), ...extra];
    for (const segment of request.path ?? []) options.push({ number: Option.URI_PATH, value: Buffer.from(segment) });
    for (const query of request.query ?? []) options.push({ number: Option.URI_QUERY, value: Buffer.from(query) });
    if (request.contentFormat !== undefined) options.push(uintOption(Option.CONTENT_FORMAT, request.contentFormat));
    if (request.accept !== undefined) options.push(uintOption(Option.ACCEPT, request.accept));
    return { type: 'CON', code: METHOD_CODES[request.method], messageId: this.io.nextMessageId(), token, options, payload };
  }

  /** A token no pending request or observation with `peer` uses. */
  private newToken(peer: DatagramPeer): Buffer {
    for (;;) {
      const token = randomBytes(TOKEN_BYTES);
      const key = tokenKey(peer, token);
      if (!this.waiting.has(key) && !this.observations.has(key)) return token;
    }
  }
}

/** RFC 7641 §3.4: whether Observe number `sequence` is newer than the last one seen. */
function isFresh(state: ObservationState, sequence: number, now: number): boolean {
  const last = state.sequence;
  if (last === undefined) return true;
  return (
    (last < sequence && sequence - last < OBSERVE_HALF_RANGE) ||
    (last > sequence && last - sequence > OBSERVE_HALF_RANGE) ||
    now > state.receivedAt + OBSERVE_FRESHNESS_MS
  );
}

function toResponse(message: CoapMessage, payload: Buffer): IncomingResponse {
  const text = (number: number) => optionValues(message.options, number).map((value) => value.toString('utf8'));
  return {
    code: message.code,
    options: message.options,
    payload,
    contentFormat: optionalUint(message.options, Option.CONTENT_FORMAT),
    observe: optionalUint(message.options, Option.OBSERVE),
    locationPath: text(Option.LOCATION_PATH),
    locationQuery: text(Option.LOCATION_QUERY),
  };
}

const toBuffer = (payload: Uint8Array | string | undefined): Buffer =>
  payload === undefined
    ? Buffer.alloc(0)
    : typeof payload === 'string'
      ? Buffer.from(payload)
      : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
