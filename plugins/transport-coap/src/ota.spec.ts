import { afterEach, describe, expect, it } from 'vitest';
import { CoapHarness, settle, uriPath } from './test-support/coap-harness';
import { TOKEN } from './test-support/fake-core';

const FIRMWARE = Uint8Array.from({ length: 3000 }, (_, i) => i % 251);
const FW = `/fw/${TOKEN}`;

/** `GET /fw/{token}` and `/sw/{token}` (device-api.md §3.3, §3.5). */
describe('CoAP OTA downloads', () => {
  let harness: CoapHarness;
  afterEach(() => harness.stop());
  const start = async () => {
    harness = await new CoapHarness().start();
    harness.core.otaPackages.set('FIRMWARE', { title: 'tracker', version: '1.1', bytes: FIRMWARE });
  };
  const get = (path: string, query?: string) => harness.request('GET', path, { query });

  it('sends the whole package block-wise when no chunk is asked for, reading one block at a time', async () => {
    await start();
    expect(await harness.download(FW, 'title=tracker&version=1.1')).toEqual(Buffer.from(FIRMWARE));
    expect(harness.core.otaReads).toEqual([0, 1, 2].map((chunk) => ({ packageId: 'FIRMWARE-1', chunkSize: 1024, chunk })));
    expect(await harness.download(`/sw/${TOKEN}`).catch((error: Error) => error.message)).toMatch(/4.04/);
  });

  it('selects a chunk with size/chunk like HTTP, and reads only the block asked for', async () => {
    await start();
    const peer = await harness.raw();
    const query = (text: string) => text.split('&').map((entry) => ({ name: 'Uri-Query' as const, value: Buffer.from(entry) }));
    peer.send({
      confirmable: true,
      code: 'GET',
      messageId: 1,
      token: Buffer.from('f'),
      options: [...uriPath(FW), ...query('size=512&chunk=1')],
    });
    const chunk = await peer.next();
    expect(chunk).toMatchObject({ ack: true, code: '2.05', messageId: 1, token: Buffer.from('f') });
    expect(chunk.payload).toEqual(Buffer.from(FIRMWARE.subarray(512, 1024)));

    const block = { name: 'Block2' as const, value: Buffer.from([(2 << 4) | 4]) }; // num 2 of 256-byte blocks
    peer.send({
      confirmable: true,
      code: 'GET',
      messageId: 2,
      token: Buffer.from('g'),
      options: [...uriPath(FW), ...query('size=2048&chunk=0'), block],
    });
    const third = await peer.next();
    expect(third.payload).toEqual(Buffer.from(FIRMWARE.subarray(512, 768)));
    expect(third.options.find((option) => option.name === 'Block2')?.value).toEqual(Buffer.from([0x2c])); // num 2, more, 256
    expect(harness.core.otaReads.at(-1)).toEqual({ packageId: 'FIRMWARE-1', chunkSize: 256, chunk: 2 });
  });

  it('sends no response for a chunk past the end, as ThingsBoard does', async () => {
    await start();
    expect(await harness.request('GET', FW, { query: 'size=1024&chunk=5' }, harness.agent(), 300)).toBeUndefined();
  });

  it('answers 4.04 when nothing (or only a URL) is assigned, 4.00 for another title or version or a bad size', async () => {
    await start();
    expect((await get(`/sw/${TOKEN}`))?.code).toBe('4.04');
    harness.core.otaPackages.set('SOFTWARE', 'URL');
    expect((await get(`/sw/${TOKEN}`))?.code).toBe('4.04');
    expect((await get(FW, 'title=other&version=1.1'))?.code).toBe('4.00');
    expect((await get(FW, 'title=tracker&version=2.0'))?.code).toBe('4.00');
    expect((await get(FW, 'size=-5'))?.code).toBe('4.00');
  });

  it('answers 4.01 without the token as the one segment after /fw, or with an unknown token', async () => {
    await start();
    expect((await get('/fw'))?.code).toBe('4.01');
    expect((await get(`/fw/${TOKEN}/extra`))?.code).toBe('4.01');
    expect((await get('/fw/NOPE'))?.code).toBe('4.01');
    await settle(10);
    expect(harness.core.otaReads).toEqual([]);
  });
});
