import { describe, expect, it } from 'vitest';
import { startTransport } from './test-support/http-driver';

const FIRMWARE = Uint8Array.from({ length: 40 }, (_, i) => i);

/** The transport, with firmware `tracker` 1.1 assigned to the test device, and `get` to download it. */
async function transportWithFirmware(fileName = 'tracker.bin') {
  const { core, request } = await startTransport();
  core.assignOta('FIRMWARE', 'fw-1', FIRMWARE, { title: 'tracker', version: '1.1', fileName, contentType: 'application/x-firmware' });
  const get = (query: Record<string, string>, what = 'firmware') => request('GET', `/api/v1/:token/${what}`, { query }).reply;
  return { core, get };
}

/** `GET /api/v1/{token}/firmware|software` (device-api.md §2.6): the wire is covered by e2e/ota.spec.ts. */
describe('HTTP firmware download', () => {
  it('answers a chunk with the reference headers, the whole file for size 0, and an empty 200 past the end', async () => {
    const { core, get } = await transportWithFirmware();
    const chunk = await get({ title: 'tracker', version: '1.1', size: '16', chunk: '1' });
    expect(chunk).toMatchObject({
      status: 200,
      headers: {
        'content-type': 'application/x-firmware',
        'content-disposition': 'attachment;filename=tracker.bin',
        'x-filename': 'tracker.bin',
        'content-length': '16',
      },
    });
    expect(chunk.bytes).toEqual(FIRMWARE.subarray(16, 32));
    expect((await get({ title: 'tracker', version: '1.1' })).bytes).toEqual(FIRMWARE);
    const past = await get({ title: 'tracker', version: '1.1', size: '16', chunk: '3' });
    expect(past).toMatchObject({ status: 200, headers: { 'content-length': '0' } });
    expect(past.bytes).toHaveLength(0);
    expect(core.sessions[0].closed).toBe(true);
  });

  it('answers 404 when nothing is assigned or the package has no binary', async () => {
    const { core, get } = await transportWithFirmware();
    core.assignOtaWithoutBinary('FIRMWARE');
    expect((await get({ title: 'tracker', version: '1.1' })).status).toBe(404);
    expect((await get({ title: 'tracker', version: '1.1' }, 'software')).status).toBe(404);
  });

  it('answers 400 with a reason for another title or version, a missing one, or a bad size or chunk', async () => {
    const { get } = await transportWithFirmware();
    const cases: [Record<string, string>, RegExp][] = [
      [{ title: 'tracker', version: '1.0' }, /is 'tracker' version '1.1'/],
      [{ title: 'other', version: '1.1' }, /is 'tracker' version '1.1'/],
      [{ version: '1.1' }, /'title' is not present/],
      [{ title: 'tracker' }, /'version' is not present/],
      [{ title: 'tracker', version: '1.1', size: 'big' }, /size must be a whole number/],
      [{ title: 'tracker', version: '1.1', chunk: '-1' }, /chunk must be 0 or more/],
      [{ title: 'tracker', version: '1.1', chunk: '3000000000' }, /chunk must be a whole number/],
    ];
    for (const [query, reason] of cases) {
      const answered = await get(query);
      expect(answered.status, JSON.stringify(query)).toBe(400);
      expect(JSON.parse(answered.body!).message).toMatch(reason);
    }
  });

  it('percent-encodes a file name HTTP headers cannot carry', async () => {
    const { get } = await transportWithFirmware('прошивка.bin');
    const answered = await get({ title: 'tracker', version: '1.1', size: '4' });
    expect(answered.headers?.['x-filename']).toBe(encodeURIComponent('прошивка.bin'));
  });
});
