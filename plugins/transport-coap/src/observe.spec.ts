import { afterEach, describe, expect, it } from 'vitest';
import { CoapHarness, hasOption, settle, until, uriPath } from './test-support/coap-harness';
import { deviceIdentity, Gate, TOKEN } from './test-support/fake-core';

const ATTRIBUTES = `/api/v1/${TOKEN}/attributes`;
const RPC = `/api/v1/${TOKEN}/rpc`;

/** Observe of shared attributes and of server RPC (device-api.md §3.4), with a real CoAP client or a raw peer. */
describe('CoAP observe', () => {
  let harness: CoapHarness;
  afterEach(() => harness.stop());
  const start = async (...args: Parameters<CoapHarness['start']>) => (harness = await new CoapHarness().start(...args));
  const answerAttributes = (json: string) => {
    harness.core.attributesAnswer = new Gate<string>();
    harness.core.attributesAnswer.release(json);
  };

  describe('attributes', () => {
    it('first sends every shared attribute as a flat object, values untouched, then each change the core pushes', async () => {
      await start();
      answerAttributes('{"client":{"fw":"1.0"},"shared":{"target":22.0,"big":12345678901234567890}}');
      const observer = await harness.observe(ATTRIBUTES);
      expect(observer.first).toEqual({
        code: '2.05',
        payload: '{"target":22.0,"big":12345678901234567890}',
        contentFormat: 50,
        observe: 0,
      });
      const session = harness.core.connection;
      expect(session).toMatchObject({ kind: 'connection', attributeSubscription: true, rpcSubscription: false });
      expect(session.attributeRequests).toEqual([{}]);

      session.pushAttributes('{"target":23}');
      expect(await observer.notification(1)).toEqual({ code: '2.05', payload: '{"target":23}', contentFormat: 50, observe: 1 });
      session.pushAttributes('{"deleted":["target"]}');
      expect(await observer.notification(2)).toMatchObject({ payload: '{"deleted":["target"]}', observe: 2 });
    });

    it('starts with {} when the device has no shared attributes', async () => {
      await start();
      answerAttributes('{"client":{"fw":"1.0"}}');
      expect((await harness.observe(ATTRIBUTES)).first.payload).toBe('{}');
    });

    it('queues changes pushed while the first snapshot is read behind it, so none is lost or overtakes it', async () => {
      await start();
      harness.core.attributesAnswer = new Gate<string>();
      const observing = harness.observe(ATTRIBUTES);
      await until(() => harness.core.connections.length === 1 && harness.core.connection.attributeSubscription);
      harness.core.connection.pushAttributes('{"target":24}');
      harness.core.attributesAnswer.release('{"shared":{"target":24}}');
      const observer = await observing;
      expect(observer.first).toMatchObject({ payload: '{"target":24}', observe: 0 });
      expect(await observer.notification(1)).toMatchObject({ payload: '{"target":24}', observe: 1 });
    });

    it('keeps a device connected while it observes: one connection session, activity reported, closed on deregistration', async () => {
      await start({ activityReportMs: 20 });
      const peer = await harness.raw();
      peer.observe(ATTRIBUTES, 'o', 1);
      await peer.next();
      const session = harness.core.connection;
      await until(() => session.activityReports >= 3);
      expect(session.closed).toBe(false);
      peer.observe(ATTRIBUTES, 'o', 2, { observe: 1 });
      await until(() => session.closed);
      expect(session.attributeSubscription).toBe(false);
      expect(harness.core.connections).toHaveLength(1);
    });

    it('answers a deregistration with 2.02 Deleted on the observation, and ignores one with another token', async () => {
      await start({ piggybackTimeoutMs: 30 });
      const peer = await harness.raw();
      peer.observe(ATTRIBUTES, 'o1', 1);
      expect(await peer.next()).toMatchObject({ ack: true, code: '2.05', messageId: 1 });
      peer.observe(ATTRIBUTES, 'xx', 2, { observe: 1 });
      expect(await peer.next()).toMatchObject({ ack: true, code: '0.00', messageId: 2 }); // only the empty ACK
      expect(harness.core.connection.closed).toBe(false);

      peer.observe(ATTRIBUTES, 'o1', 3, { observe: 1 });
      const deleted = await peer.next((packet) => packet.code === '2.02');
      expect(deleted).toMatchObject({ confirmable: true, token: Buffer.from('o1') });
      expect(hasOption(deleted, 'Observe')).toBe(false);
      peer.ack(deleted);
      expect(await peer.next()).toMatchObject({ ack: true, code: '0.00', messageId: 3 });
      expect(harness.core.connection.closed).toBe(true);
    });

    it('replaces the observation when the device observes with a new token, from any peer: the old one gets 2.02 Deleted', async () => {
      await start();
      const oldPeer = await harness.raw();
      oldPeer.observe(ATTRIBUTES, 'old', 1);
      await oldPeer.next();
      const second = await harness.observe(ATTRIBUTES);
      const deleted = await oldPeer.next();
      expect(deleted).toMatchObject({ confirmable: true, code: '2.02', token: Buffer.from('old') });
      oldPeer.ack(deleted);
      expect(harness.core.connections).toHaveLength(1);
      harness.core.connection.pushAttributes('{"a":1}');
      expect((await second.notification(1)).payload).toBe('{"a":1}');
      await settle(50);
      expect(oldPeer.received).toEqual([]);
    });

    it('ignores a repeated observe with the same token from the same peer (no new snapshot)', async () => {
      await start({ piggybackTimeoutMs: 20 });
      const peer = await harness.raw();
      peer.observe(ATTRIBUTES, 'same', 1);
      expect((await peer.next()).code).toBe('2.05');
      peer.observe(ATTRIBUTES, 'same', 2);
      expect(await peer.next()).toMatchObject({ code: '0.00', messageId: 2 });
      expect(harness.core.connection.attributeRequests).toHaveLength(1);
    });

    it('drops the observation when the device answers a confirmable notification with a Reset', async () => {
      await start();
      const peer = await harness.raw();
      peer.observe(ATTRIBUTES, 'o', 1);
      await peer.next();
      const session = harness.core.connection;
      session.pushAttributes('{"a":1}');
      const notification = await peer.next();
      peer.send({ reset: true, code: '0.00', messageId: notification.messageId });
      await until(() => session.closed);
      expect(session.attributeSubscription).toBe(false);
    });

    it('drops the observation when a confirmable notification is never acknowledged, after retransmitting it', async () => {
      await start({ ackTimeoutMs: 20, maxRetransmit: 2 });
      const peer = await harness.raw();
      peer.observe(ATTRIBUTES, 'o', 1);
      await peer.next();
      const session = harness.core.connection;
      session.pushAttributes('{"a":1}');
      const sent = await peer.next();
      const retransmitted = await peer.next();
      expect(retransmitted.messageId).toBe(sent.messageId);
      await until(() => session.closed);
    });

    it('sends non-confirmable notifications to a non-confirmable observe, and drops it on a Reset', async () => {
      await start();
      const peer = await harness.raw();
      peer.observe(ATTRIBUTES, 'n', 1, { confirmable: false });
      expect(await peer.next()).toMatchObject({ confirmable: false, ack: false, code: '2.05' });
      harness.core.connection.pushAttributes('{"a":1}');
      const notification = await peer.next();
      expect(notification).toMatchObject({ confirmable: false, code: '2.05', payload: Buffer.from('{"a":1}') });
      peer.send({ reset: true, code: '0.00', messageId: notification.messageId });
      await until(() => harness.core.connection.closed);
    });

    it('sends a notification larger than a block as its first block; the later blocks answer plain GETs (RFC 7959 §2.6)', async () => {
      await start();
      const peer = await harness.raw();
      peer.observe(ATTRIBUTES, 'big', 1);
      await peer.next();
      const big = `{"blob":"${'x'.repeat(1500)}"}`;
      harness.core.connection.pushAttributes(big);
      const first = await peer.next();
      peer.ack(first);
      expect(hasOption(first, 'Observe')).toBe(true);
      expect(first.options.find((option) => option.name === 'Block2')?.value).toEqual(Buffer.from([0x0e])); // num 0, more, 1024
      expect(first.payload.toString()).toBe(big.slice(0, 1024));
      const block1 = { name: 'Block2' as const, value: Buffer.from([0x16]) }; // num 1, 1024
      peer.send({ confirmable: true, code: 'GET', messageId: 2, token: Buffer.from('b2'), options: [...uriPath(ATTRIBUTES), block1] });
      const rest = await peer.next();
      expect(rest).toMatchObject({ ack: true, code: '2.05', messageId: 2 });
      expect(hasOption(rest, 'Observe')).toBe(false);
      expect(rest.payload.toString()).toBe(big.slice(1024));
      expect(harness.core.connection.attributeRequests).toHaveLength(1); // served from memory, not read again
    });
  });

  describe('server RPC', () => {
    it('answers 2.03 Valid at once, then sends each RPC as a notification with its id; the ACK delivers it', async () => {
      await start();
      const observer = await harness.observe(RPC);
      expect(observer.first).toEqual({ code: '2.03', payload: '', contentFormat: undefined, observe: 0 });
      const session = harness.core.connection;
      expect(session.rpcSubscription).toBe(true);
      const delivered = session.pushRpc({ id: 3, method: 'setGpio', params: { pin: 4 } });
      expect(await observer.notification(1)).toEqual({
        code: '2.05',
        payload: '{"id":3,"method":"setGpio","params":{"pin":4}}',
        contentFormat: 50,
        observe: 1,
      });
      await expect(delivered).resolves.toBeUndefined();
    });

    it('passes the reply to the observing session', async () => {
      await start();
      await harness.observe(RPC);
      expect((await harness.request('POST', `${RPC}/3`, { payload: '{"pin":4,"value":1}' }))?.code).toBe('2.01');
      expect(harness.core.connection.serverRpcReplies).toEqual([{ requestId: 3, payload: '{"pin":4,"value":1}' }]);
    });

    it('fails delivery when the ACK does not come within the paging transmission window', async () => {
      await start({ pagingTransmissionWindowMs: 50 });
      const peer = await harness.raw();
      peer.observe(RPC, 'r', 1);
      expect((await peer.next()).code).toBe('2.03');
      await expect(harness.core.connection.pushRpc()).rejects.toThrow(/did not acknowledge/);
    });

    it('counts an RPC to a non-confirmable observation as delivered once sent', async () => {
      await start();
      const peer = await harness.raw();
      peer.observe(RPC, 'r', 1, { confirmable: false });
      expect((await peer.next()).code).toBe('2.03');
      await expect(harness.core.connection.pushRpc({ id: 5 })).resolves.toBeUndefined();
      expect((await peer.next()).payload.toString()).toBe('{"id":5,"method":"setGpio","params":{"pin":4}}');
    });

    it('refuses a push without an RPC observation, so the core keeps the RPC pending', async () => {
      await start();
      await harness.observe(ATTRIBUTES);
      await expect(harness.core.connection.listener.onServerRpc({ id: 1, method: 'm', params: {}, oneway: true })).rejects.toThrow(
        /does not observe server RPC/,
      );
    });

    it('shares one connection session between the attribute and the RPC observation of a device', async () => {
      await start();
      const peer = await harness.raw();
      peer.observe(ATTRIBUTES, 'a', 1);
      peer.observe(RPC, 'r', 2);
      await peer.next((packet) => packet.code === '2.03');
      expect(harness.core.connections).toHaveLength(1);
      const session = harness.core.connection;
      expect(session).toMatchObject({ attributeSubscription: true, rpcSubscription: true });
      peer.observe(RPC, 'r', 3, { observe: 1 });
      await until(() => !session.rpcSubscription);
      expect(session.closed).toBe(false);
      peer.observe(ATTRIBUTES, 'a', 4, { observe: 1 });
      await until(() => session.closed);
    });
  });

  describe('the core ending the session', () => {
    it('ends every observation with 2.02 Deleted when the device is deleted', async () => {
      await start();
      const peer = await harness.raw();
      peer.observe(ATTRIBUTES, 'a', 1);
      peer.observe(RPC, 'r', 2);
      await peer.next((packet) => packet.code === '2.03');
      await peer.next((packet) => packet.code === '2.05');
      harness.core.connection.closeBy('DEVICE_DELETED');
      const ends = [await peer.next(), await peer.next()];
      expect(ends.map((packet) => [packet.code, packet.token.toString()]).sort()).toEqual([
        ['2.02', 'a'],
        ['2.02', 'r'],
      ]);
      ends.forEach((packet) => peer.ack(packet));
    });

    it('tells observers the transport stops with 5.03 and closes their sessions', async () => {
      await start();
      const peer = await harness.raw();
      peer.observe(ATTRIBUTES, 'o', 1);
      await peer.next();
      const session = harness.core.connection;
      await harness.transport.stop();
      expect(await peer.next()).toMatchObject({ confirmable: false, code: '5.03', token: Buffer.from('o') });
      expect(session.closed).toBe(true);
    });
  });

  describe('power saving (PSM)', () => {
    const psmDevice = (psmActivityTimer: number) =>
      deviceIdentity({
        transportType: 'COAP',
        transportConfiguration: { type: 'COAP', clientSettings: { powerMode: 'PSM', psmActivityTimer } },
      });

    it('holds attribute changes while the device sleeps and sends them merged when it wakes up', async () => {
      await start();
      harness.core.tokens.set('PSM', psmDevice(100));
      const observer = await harness.observe('/api/v1/PSM/attributes');
      const session = harness.core.connection;
      await settle(150);
      session.pushAttributes('{"a":1,"b":1}');
      session.pushAttributes('{"a":2}');
      session.pushAttributes('{"deleted":["b"]}');
      await settle(50);
      expect(observer.notifications).toEqual([]);
      expect((await harness.request('POST', '/api/v1/PSM/telemetry', { payload: '{"t":1}' }))?.code).toBe('2.01');
      expect((await observer.notification(1)).payload).toBe('{"a":2,"deleted":["b"]}');
    });

    it('drops RPCs while the device sleeps and has the core send them again when it wakes up', async () => {
      await start();
      harness.core.tokens.set('PSM', psmDevice(100));
      await harness.observe('/api/v1/PSM/rpc');
      const session = harness.core.connection;
      await settle(150);
      await expect(session.pushRpc()).rejects.toThrow(/sleeps/);
      const subscribed = session.rpcSubscribeCount;
      await harness.request('POST', '/api/v1/PSM/telemetry', { payload: '{"t":1}' });
      expect(session.rpcSubscribeCount).toBe(subscribed + 1);
    });
  });
});
