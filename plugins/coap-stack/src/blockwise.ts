/**
 * Block-wise transfers (RFC 7959) of the server role, as Californium does for ThingsBoard: request bodies sent
 * in Block1 blocks are put together before the resource sees them, and response bodies larger than a block
 * (1024 bytes, or what the client asked for) go out in Block2 blocks, the rest served from memory when the
 * client asks for them. A resource may frame its own blocks (OTA reads only the block asked for): it then sets
 * the Block2 option itself and the body passes through untouched.
 */
import { createHash } from 'node:crypto';
import { blockSize, encodeBlock, firstOption, Option, uintOption, type BlockOption, type CoapOption } from './coap-wire';

/** ThingsBoard's Californium settings: MAX_MESSAGE_SIZE and PREFERRED_BLOCK_SIZE 1024 → SZX 6. */
const MAX_SZX = 6;

export interface BlockRequest {
  /** Identifies the resource across the blocks of one transfer: peer, method, path and query. */
  readonly transferKey: string;
  readonly block1?: BlockOption;
  readonly block2?: BlockOption;
  /** Size1 / Size2 the client announced or asked for (0 = "tell me the size"). */
  readonly size1?: number;
  readonly asksSize2: boolean;
  readonly payload: Buffer;
}

/** A response with its body still whole. */
export interface WholeResponse {
  code: string;
  options: CoapOption[];
  payload: Buffer;
}

/** The decision about one Block1 block. */
export type UploadStep = { kind: 'complete'; body: Buffer; echo?: CoapOption } | { kind: 'refused'; response: WholeResponse };

interface Upload {
  parts: Buffer[];
  bytes: number;
  nextNum: number;
  expiresAt: number;
}

interface Download {
  response: WholeResponse;
  etag: Buffer;
  expiresAt: number;
}

const diagnostic = (code: string, text: string, options: CoapOption[] = []): WholeResponse => ({
  code,
  options,
  payload: Buffer.from(text),
});

export class Blockwise {
  private readonly uploads = new Map<string, Upload>();
  private readonly downloads = new Map<string, Download>();

  constructor(
    private readonly maxBodyBytes: number,
    private readonly lifetimeMs: number,
    /** Bodies kept for follow-up block requests at once; the oldest go first. */
    private readonly maxDownloads = 10_000,
    /** Block1 uploads being put together at once (each up to maxBodyBytes); the oldest go first. */
    private readonly maxUploads = 1_000,
  ) {}

  /** Block1 (RFC 7959 §2.5): the whole body after its last block; a 2.31 Continue, 4.08 or 4.13 before that. */
  receive(request: BlockRequest, now: number): UploadStep {
    const tooLarge = () =>
      diagnostic(
        '4.13',
        `The payload exceeds the limit of ${this.maxBodyBytes} bytes`,
        [uintOption(Option.SIZE1, this.maxBodyBytes)], // RFC 7959 §4: Size1 in a 4.13 tells the limit
      );
    if ((request.size1 ?? 0) > this.maxBodyBytes) return { kind: 'refused', response: tooLarge() };
    const block = request.block1;
    if (block === undefined) {
      if (request.payload.length > this.maxBodyBytes) return { kind: 'refused', response: tooLarge() };
      return { kind: 'complete', body: request.payload };
    }
    let upload = this.uploads.get(request.transferKey);
    if (block.num === 0) {
      upload = { parts: [], bytes: 0, nextNum: 0, expiresAt: 0 };
      this.uploads.delete(request.transferKey);
      this.uploads.set(request.transferKey, upload);
      if (this.uploads.size > this.maxUploads) this.uploads.delete(this.uploads.keys().next().value!);
    }
    if (upload === undefined || block.num !== upload.nextNum) {
      this.uploads.delete(request.transferKey);
      return {
        kind: 'refused',
        response: diagnostic('4.08', `Block ${block.num} arrived without the blocks before it; send the body again from block 0`),
      };
    }
    upload.parts.push(request.payload);
    upload.bytes += request.payload.length;
    upload.nextNum++;
    upload.expiresAt = now + this.lifetimeMs;
    if (upload.bytes > this.maxBodyBytes) {
      this.uploads.delete(request.transferKey);
      return { kind: 'refused', response: tooLarge() };
    }
    const echo = encodeBlock(Option.BLOCK1, { num: block.num, more: block.more, szx: block.szx });
    if (block.more) return { kind: 'refused', response: { code: '2.31', options: [echo], payload: Buffer.alloc(0) } };
    this.uploads.delete(request.transferKey);
    return { kind: 'complete', body: Buffer.concat(upload.parts, upload.bytes), echo };
  }

  /** A Block2 request for a later block of a body this peer is being sent; undefined when none is kept for it. */
  followUp(request: BlockRequest): WholeResponse | undefined {
    if (request.block2 === undefined || request.block2.num === 0) return undefined;
    const download = this.downloads.get(request.transferKey);
    return download ? this.slice(download, request.block2, request.asksSize2) : undefined;
  }

  /**
   * Frames a response body for the wire: as it is when it fits one block (with a closing Block2 option when the
   * client asked block-wise), else the block asked for (block 0 by default), keeping the body for the others.
   */
  send(request: BlockRequest, response: WholeResponse, now: number): WholeResponse {
    if (firstOption(response.options, Option.BLOCK2) !== undefined) return response; // the resource framed it
    const asked = request.block2;
    const szx = Math.min(asked?.szx ?? MAX_SZX, MAX_SZX);
    if (response.payload.length <= blockSize(szx)) {
      if (asked === undefined) return response;
      if (asked.num > 0) return diagnostic('4.02', `Block ${asked.num} is past the end of a ${response.payload.length}-byte body`);
      // ThingsBoard's stack answers a block-wise request block-wise even when one block is enough (strict Block2).
      return { ...response, options: [...response.options, encodeBlock(Option.BLOCK2, { num: 0, more: false, szx })] };
    }
    const etag = etagOf(response.payload);
    // The later blocks answer plain GETs: a notification's Observe option stays with its first block (RFC 7959 §2.6).
    const later = { ...response, options: response.options.filter((option) => option.number !== Option.OBSERVE) };
    this.downloads.delete(request.transferKey);
    this.downloads.set(request.transferKey, { response: later, etag, expiresAt: now + this.lifetimeMs });
    if (this.downloads.size > this.maxDownloads) this.downloads.delete(this.downloads.keys().next().value!);
    const first = { num: asked?.num ?? 0, more: false, szx };
    return this.slice({ response, etag, expiresAt: 0 }, first, request.asksSize2 || asked === undefined);
  }

  /** Forgets transfers idle past their lifetime. */
  sweep(now: number): void {
    for (const [key, upload] of this.uploads) if (upload.expiresAt <= now) this.uploads.delete(key);
    for (const [key, download] of this.downloads) if (download.expiresAt <= now) this.downloads.delete(key);
  }

  private slice(download: Download, asked: BlockOption, withSize2: boolean): WholeResponse {
    const { response, etag } = download;
    const szx = Math.min(asked.szx, MAX_SZX);
    const size = blockSize(szx);
    const start = asked.num * size;
    if (start >= response.payload.length)
      return diagnostic('4.02', `Block ${asked.num} is past the end of a ${response.payload.length}-byte body`);
    const end = Math.min(start + size, response.payload.length);
    const options = [
      ...response.options,
      encodeBlock(Option.BLOCK2, { num: asked.num, more: end < response.payload.length, szx }),
      { number: Option.ETAG, value: etag },
    ];
    if (withSize2) options.push(uintOption(Option.SIZE2, response.payload.length));
    return { code: response.code, options, payload: response.payload.subarray(start, end) };
  }
}

/** Lets a client notice that the body changed between two of its blocks (RFC 7959 §2.4). */
function etagOf(body: Buffer): Buffer {
  return createHash('sha1').update(body).digest().subarray(0, 4);
}
