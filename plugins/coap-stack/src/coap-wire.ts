/**
 * CoAP messages (RFC 7252) as the stack handles them: coap-packet does the byte codec; this module adds
 * the message types, option numbers and the option value formats (uint, Block1/Block2 of RFC 7959).
 */
import { generate, parse } from 'coap-packet';

export type MessageType = 'CON' | 'NON' | 'ACK' | 'RST';

export interface CoapOption {
  /** Option number (RFC 7252 §12.2 registry). */
  number: number;
  value: Buffer;
}

export interface CoapMessage {
  type: MessageType;
  /** `c.dd`: `0.01` GET … `2.05` Content; `0.00` is an empty message. */
  code: string;
  messageId: number;
  token: Buffer;
  options: CoapOption[];
  payload: Buffer;
}

export const Option = {
  IF_MATCH: 1,
  URI_HOST: 3,
  ETAG: 4,
  IF_NONE_MATCH: 5,
  OBSERVE: 6,
  URI_PORT: 7,
  LOCATION_PATH: 8,
  URI_PATH: 11,
  CONTENT_FORMAT: 12,
  MAX_AGE: 14,
  URI_QUERY: 15,
  ACCEPT: 17,
  LOCATION_QUERY: 20,
  BLOCK2: 23,
  BLOCK1: 27,
  SIZE2: 28,
  SIZE1: 60,
} as const;

/** coap-packet names the options it knows; these are their numbers (RFC 7252, 7641, 7959, 8613, 8768, 9177, 7967). */
const NUMBER_OF_NAME: Record<string, number> = {
  'If-Match': 1,
  'Uri-Host': 3,
  ETag: 4,
  'If-None-Match': 5,
  Observe: 6,
  'Uri-Port': 7,
  'Location-Path': 8,
  OSCORE: 9,
  'Uri-Path': 11,
  'Content-Format': 12,
  'Max-Age': 14,
  'Uri-Query': 15,
  'Hop-Limit': 16,
  Accept: 17,
  'Q-Block1': 19,
  'Location-Query': 20,
  Block2: 23,
  Block1: 27,
  Size2: 28,
  'Q-Block2': 31,
  'Proxy-Uri': 35,
  'Proxy-Scheme': 39,
  Size1: 60,
  'No-Response': 258,
  'OCF-Accept-Content-Format-Version': 2049,
  'OCF-Content-Format-Version': 2053,
};

export const ContentFormat = { TEXT_PLAIN: 0, LINK_FORMAT: 40, OCTET_STREAM: 42, JSON: 50 } as const;

/** The largest datagram the stack writes (IPv4 UDP limit); block-wise transfer keeps responses far below it. */
const MAX_DATAGRAM_BYTES = 65_507;

export class MalformedMessageError extends Error {
  override readonly name = 'MalformedMessageError';
}

export function decodeMessage(data: Buffer): CoapMessage {
  let packet: ReturnType<typeof parse>;
  try {
    packet = parse(data);
  } catch (error) {
    throw new MalformedMessageError((error as Error).message);
  }
  if (packet.token.length > 8) throw new MalformedMessageError(`token of ${packet.token.length} bytes (at most 8)`);
  return {
    type: packet.confirmable ? 'CON' : packet.ack ? 'ACK' : packet.reset ? 'RST' : 'NON',
    code: packet.code,
    messageId: packet.messageId,
    token: packet.token,
    options: packet.options.map(({ name, value }) => ({ number: NUMBER_OF_NAME[name] ?? Number(name), value })),
    payload: packet.payload,
  };
}

export function encodeMessage(message: CoapMessage): Buffer {
  return generate(
    {
      confirmable: message.type === 'CON',
      ack: message.type === 'ACK',
      reset: message.type === 'RST',
      code: message.code,
      messageId: message.messageId,
      token: message.token,
      options: message.options.map(({ number, value }) => ({ name: String(number), value })),
      payload: message.payload,
    },
    MAX_DATAGRAM_BYTES,
  );
}

/**
 * The message id and type of a datagram whose header is readable even if the rest is not, so that a malformed
 * confirmable message can be rejected with a Reset (RFC 7252 §4.2); undefined when not even the header is CoAP.
 */
export function headerOf(data: Buffer): { type: MessageType; messageId: number } | undefined {
  if (data.length < 4 || data[0] >> 6 !== 1) return undefined;
  const types: MessageType[] = ['CON', 'NON', 'ACK', 'RST'];
  return { type: types[(data[0] >> 4) & 0b11], messageId: data.readUInt16BE(2) };
}

/** RFC 7252 §5.4.1: odd option numbers are critical; a request with one the server does not understand is refused. */
export const isCritical = (optionNumber: number): boolean => (optionNumber & 1) === 1;

export function optionValues(options: readonly CoapOption[], number: number): Buffer[] {
  return options.filter((option) => option.number === number).map((option) => option.value);
}

export function firstOption(options: readonly CoapOption[], number: number): Buffer | undefined {
  return options.find((option) => option.number === number)?.value;
}

/** The uint value of the first option `number`; undefined when absent. */
export function optionalUint(options: readonly CoapOption[], number: number): number | undefined {
  const value = firstOption(options, number);
  return value === undefined ? undefined : decodeUint(value);
}

export function decodeUint(value: Buffer): number {
  let n = 0;
  for (const byte of value) n = n * 256 + byte;
  return n;
}

/** Minimal big-endian bytes; 0 is the empty value (RFC 7252 §3.2). */
export function encodeUint(n: number): Buffer {
  const bytes: number[] = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from(bytes);
}

export const uintOption = (number: number, n: number): CoapOption => ({ number, value: encodeUint(n) });

/** A Block1/Block2 option (RFC 7959 §2.2): block number, more-flag and size exponent (block size = 2^(szx+4)). */
export interface BlockOption {
  num: number;
  more: boolean;
  szx: number;
}

export const blockSize = (szx: number): number => 1 << (szx + 4);

/** The block option of `number` in a request; undefined when absent, `invalid` when longer than 3 bytes or SZX 7 (BERT, TCP only). */
export function blockOption(options: readonly CoapOption[], number: number): BlockOption | 'invalid' | undefined {
  const value = firstOption(options, number);
  if (value === undefined) return undefined;
  if (value.length > 3) return 'invalid';
  const raw = decodeUint(value);
  const block = { num: Math.floor(raw / 16), more: (raw & 0b1000) !== 0, szx: raw & 0b111 };
  return block.szx === 7 ? 'invalid' : block;
}

export const encodeBlock = (number: number, block: BlockOption): CoapOption =>
  uintOption(number, block.num * 16 + (block.more ? 0b1000 : 0) + block.szx);

/** The size exponent of the largest block not bigger than `bytes` (16 … 1024). */
export function szxFor(bytes: number): number {
  let szx = 6;
  while (szx > 0 && blockSize(szx) > bytes) szx--;
  return szx;
}

export type RequestMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'FETCH' | 'PATCH' | 'iPATCH';

export const REQUEST_METHODS: Record<string, RequestMethod> = {
  '0.01': 'GET',
  '0.02': 'POST',
  '0.03': 'PUT',
  '0.04': 'DELETE',
  '0.05': 'FETCH',
  '0.06': 'PATCH',
  '0.07': 'iPATCH',
};

export const METHOD_CODES: Record<RequestMethod, string> = Object.fromEntries(
  Object.entries(REQUEST_METHODS).map(([code, method]) => [method, code]),
) as Record<RequestMethod, string>;

/** Class 2 (success), 4 (client error) or 5 (server error): a response, not a request or an empty message. */
export const isResponseCode = (code: string): boolean => /^[245]\./.test(code);
