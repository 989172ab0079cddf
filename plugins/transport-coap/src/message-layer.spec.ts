import { afterEach, describe, expect, it } from 'vitest';
import { CoapHarness, hasOption, settle, until, uriPath } from './test-support/coap-harness';
import { Gate, TOKEN } from './test-support/fake-core';

const TELEMETRY = `/api/v1/${TOKEN}/telemetry`;
const ATTRIBUTES = `/api/v1/${TOKEN}/attributes`;

/** The CoAP message layer (RFC 7252 §4, RFC 7959) as a device observes it. */
describe('CoAP message layer', () => {
  let harness: CoapHarness;
  afterEach(() => harness.stop());
  const start = async (...args: Parameters<CoapHarness['start']>) => (harness = await new CoapHarness().start(...args));
  const post = (messageId: number, payload: string) => ({
    confirmable: true,
    code: 'POST',
    messageId,
    token: Buffer.from('t'),
    options: uriPath(TELEMETRY),
    payload: Buffer.from(payload),
  });

  describe('duplicates', () => {
    it('answers a retransmitted request with the same response and stores it once', async () => {
      await start();
      const peer = await harness.raw();
      peer.send(post(5, '{"a":1}'));
      const first = await peer.next();
      peer.send(post(5, '{"a":1}'));
      expect(await peer.next()).toEqual(first);
      expect(harness.core.telemetry).toEqual(['{"a":1}']);
    });

    it('acknowledges at once a retransmission of a request the core is still working on, and processes it once', async () => {
      await start({ piggybackTimeoutMs: 10_000 });
      harness.core.manualCommits = true;
      const peer = await harness.raw();
      peer.send(post(6, '{"a":1}'));
      await until(() => harness.core.heldCommits.length === 1);
      peer.send(post(6, '{"a":1}'));
      expect(await peer.next()).toMatchObject({ ack: true, code: '0.00', messageId: 6 });
      harness.core.heldCommits[0].resolve();
      const response = await peer.next();
      expect(response).toMatchObject({ confirmable: true, code: '2.01' });
      peer.ack(response);
      expect(harness.core.heldCommits).toHaveLength(1);
    });

    it('tells the same message id from two peers apart', async () => {
      await start();
      const [one, two] = [await harness.raw(), await harness.raw()];
      one.send(post(1, '{"from":1}'));
      two.send(post(1, '{"from":2}'));
      await one.next();
      await two.next();
      expect(harness.core.telemetry.sort()).toEqual(['{"from":1}', '{"from":2}']);
    });
  });

  describe('bad messages', () => {
    it('rejects a malformed confirmable message with a Reset, ignores other garbage, and logs once', async () => {
      await start();
      const peer = await harness.raw();
      // CON, token length 15 (reserved) → cannot be parsed, but the header says CON with message id 0x1234.
      peer.send(Buffer.from([0x4f, 0x02, 0x12, 0x34]));
      expect(await peer.next()).toMatchObject({ reset: true, code: '0.00', messageId: 0x1234 });
      peer.send(Buffer.from('hello, not CoAP'));
      peer.send(Buffer.from([0x5f, 0x02, 0x12, 0x35])); // NON: no Reset
      await settle(50);
      expect(peer.received).toEqual([]);
      expect(harness.core.logEntries.filter((entry) => /malformed/.test(entry.message))).toHaveLength(1);
      peer.send(post(1, '{"still":"serving"}'));
      expect((await peer.next()).code).toBe('2.01');
    });

    it('answers a CoAP ping (empty confirmable message) with a Reset', async () => {
      await start();
      const peer = await harness.raw();
      peer.send({ confirmable: true, code: '0.00', messageId: 77 });
      expect(await peer.next()).toMatchObject({ reset: true, messageId: 77 });
    });

    it('refuses an unknown method code with 4.05 and an unsupported critical option with 4.02', async () => {
      await start();
      const peer = await harness.raw();
      peer.send({ confirmable: true, code: '0.09', messageId: 1, token: Buffer.from('m'), options: uriPath(TELEMETRY) });
      expect(await peer.next()).toMatchObject({ ack: true, code: '4.05', messageId: 1 });
      const proxyUri = { name: 'Proxy-Uri' as const, value: Buffer.from('coap://elsewhere/') };
      peer.send({ ...post(2, '{"a":1}'), options: [...uriPath(TELEMETRY), proxyUri] });
      expect(await peer.next()).toMatchObject({ code: '4.02', messageId: 2 });
      expect(harness.core.telemetry).toEqual([]);
    });

    it('refuses a payload over the limit with 4.13 and the limit in Size1', async () => {
      await start({}, { maxPayloadBytes: 100 });
      const peer = await harness.raw();
      peer.send(post(1, `{"a":"${'x'.repeat(200)}"}`));
      const refused = await peer.next();
      expect(refused.code).toBe('4.13');
      expect(refused.options.find((option) => option.name === 'Size1')?.value).toEqual(Buffer.from([100]));
    });
  });

  describe('block-wise transfers', () => {
    it('puts a Block1 upload together before the core sees it', async () => {
      await start();
      const payload = JSON.stringify({ blob: 'y'.repeat(300) });
      expect((await harness.request('POST', TELEMETRY, { payload, block1Szx: 2 }))?.code).toBe('2.01');
      expect(harness.core.telemetry).toEqual([payload]);
    });

    it('refuses a Block1 upload growing past the limit with 4.13, and a block out of order with 4.08', async () => {
      await start({}, { maxPayloadBytes: 100 });
      expect((await harness.request('POST', TELEMETRY, { payload: 'z'.repeat(200), block1Szx: 2 }))?.code).toBe('4.13');
      const peer = await harness.raw();
      const block = { name: 'Block1' as const, value: Buffer.from([0x2a]) }; // num 2, more, 64 bytes
      peer.send({ ...post(1, 'x'.repeat(64)), options: [...uriPath(TELEMETRY), block] });
      expect((await peer.next()).code).toBe('4.08');
      expect(harness.core.telemetry).toEqual([]);
    });

    it('sends a response larger than 1024 bytes block-wise; the client puts it together', async () => {
      await start();
      const big = `{"shared":{"blob":"${'b'.repeat(2500)}"}}`;
      harness.core.attributesAnswer = new Gate<string>();
      harness.core.attributesAnswer.release(big);
      expect(await harness.request('GET', ATTRIBUTES)).toMatchObject({ code: '2.05', payload: big });
      expect(harness.core.sessions).toHaveLength(1); // the later blocks came from memory
    });

    it('uses the smaller block size a client asks for', async () => {
      await start();
      harness.core.attributesAnswer = new Gate<string>();
      harness.core.attributesAnswer.release(`{"client":{"k":"${'c'.repeat(100)}"}}`);
      const peer = await harness.raw();
      const block = (num: number) => ({ name: 'Block2' as const, value: Buffer.from([(num << 4) | 2]) }); // 64-byte blocks
      peer.send({ confirmable: true, code: 'GET', messageId: 1, token: Buffer.from('g'), options: [...uriPath(ATTRIBUTES), block(0)] });
      const first = await peer.next();
      expect(first.payload).toHaveLength(64);
      expect(first.options.find((option) => option.name === 'Block2')?.value).toEqual(Buffer.from([0x0a]));
      peer.send({ confirmable: true, code: 'GET', messageId: 2, token: Buffer.from('g'), options: [...uriPath(ATTRIBUTES), block(1)] });
      const last = await peer.next();
      expect(last.payload.length).toBe(`{"client":{"k":"${'c'.repeat(100)}"}}`.length - 64);
      expect(last.options.find((option) => option.name === 'Block2')?.value).toEqual(Buffer.from([0x12]));
      expect(hasOption(last, 'Content-Format')).toBe(true);
    });
  });
});
