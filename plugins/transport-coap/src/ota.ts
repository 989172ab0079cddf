/**
 * Firmware and software downloads, `GET /fw/{token}` and `/sw/{token}` (device-api.md §3.5): `size`/`chunk`
 * select the bytes as over HTTP (both absent: the whole package); `title`/`version`, when given, must name the
 * assigned package. Selections larger than a block go out block-wise (RFC 7959): only the block asked for is read.
 */
import type { DeviceSession, OtaPackageType } from '@edgewise/plugin-api';
import { blockSize, encodeBlock, Option, uintOption, type CoapRequest, type CoapResponse } from '@edgewise/coap-stack';

/** ThingsBoard's block size (Californium MAX_MESSAGE_SIZE / PREFERRED_BLOCK_SIZE 1024 → SZX 6). */
const MAX_SZX = 6;

/** Californium's `getQueryParameter`: the first Uri-Query `name=…`. */
export function queryParameter(query: readonly string[], name: string): string | undefined {
  const option = query.find((entry) => entry.startsWith(`${name}=`));
  return option?.slice(name.length + 1);
}

/** What the device gets; `undefined`: no response at all (the selected chunk is past the end, as in ThingsBoard). */
export async function otaResponse(request: CoapRequest, session: DeviceSession, type: OtaPackageType): Promise<CoapResponse | undefined> {
  const lookup = await session.findOtaPackage(type);
  const kind = type === 'FIRMWARE' ? 'firmware' : 'software';
  if (!lookup.ok) {
    const why =
      lookup.error === 'NOT_FOUND' ? `no ${kind} is assigned to this device` : `the assigned ${kind} is a URL, download it from there`;
    return { code: '4.04', payload: `No ${kind} to download: ${why}` };
  }
  const { packageId, title, version, size: total } = lookup.package;
  const askedTitle = queryParameter(request.query, 'title');
  const askedVersion = queryParameter(request.query, 'version');
  if ((askedTitle !== undefined && askedTitle !== title) || (askedVersion !== undefined && askedVersion !== version))
    return { code: '4.00', payload: `The assigned ${kind} is ${title} ${version}, not ${askedTitle ?? title} ${askedVersion ?? version}` };
  const chunkSize = wholeNumber(queryParameter(request.query, 'size'));
  const chunk = wholeNumber(queryParameter(request.query, 'chunk'));
  if (chunkSize === undefined || chunk === undefined)
    return { code: '4.00', payload: 'size and chunk must be whole numbers of bytes and chunks (e.g. size=1024&chunk=0)' };

  // The selection: the whole package, or chunk `chunk` of `chunkSize` bytes.
  const start = chunkSize === 0 ? 0 : Math.min(chunk * chunkSize, total);
  const end = chunkSize === 0 ? total : Math.min(start + chunkSize, total);
  if (end <= start) return undefined;
  const asked = request.block2;
  const szx = Math.min(asked?.szx ?? MAX_SZX, MAX_SZX);
  const block = blockSize(szx);
  if (asked === undefined && end - start <= block) {
    return { code: '2.05', payload: Buffer.from(await session.readOtaChunk(packageId, chunkSize, chunk)) };
  }
  const num = asked?.num ?? 0;
  const blockStart = start + num * block;
  if (blockStart >= end) return { code: '4.02', payload: `Block ${num} is past the end of the ${end - start} selected bytes` };
  const blockEnd = Math.min(blockStart + block, end);
  // Aligned blocks are read alone; a block across an odd chunk size is cut from its chunk.
  const bytes =
    blockStart % block === 0
      ? (await session.readOtaChunk(packageId, block, blockStart / block)).subarray(0, blockEnd - blockStart)
      : (await session.readOtaChunk(packageId, chunkSize, chunk)).subarray(blockStart - start, blockEnd - start);
  const options = [encodeBlock(Option.BLOCK2, { num, more: blockEnd < end, szx })];
  if (num === 0) options.push(uintOption(Option.SIZE2, end - start));
  return { code: '2.05', payload: Buffer.from(bytes), options };
}

/** A query number as ThingsBoard reads it (absent or empty → 0); undefined when it is not a whole number. */
function wholeNumber(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return 0;
  return /^\d{1,9}$/.test(text) ? Number(text) : undefined;
}
