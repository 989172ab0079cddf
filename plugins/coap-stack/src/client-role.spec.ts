import { createServer, type IncomingMessage, type OutgoingMessage, type Server } from 'coap';
import { afterEach, describe, expect, it } from 'vitest';
import type { IncomingResponse } from './client-role';
import type { EndpointSettings } from './coap-endpoint';
import { DEFAULT_ENDPOINT_SETTINGS } from './coap-endpoint';
import { optionOf, RawPeer, settle, openTestEndpoint, until } from './test-support/peers';

/**
 * The client role as a peer observes it: against node-coap's server (an independent CoAP implementation) for
 * the ordinary exchanges, and against a raw UDP peer for lost messages, Resets and out-of-order notifications.
 */
const RFC_TIMING = { ackTimeoutMs: DEFAULT_ENDPOINT_SETTINGS.ackTimeoutMs };

describe('CoAP client role', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /**
   * A stack endpoint; `.endpoint` sends, `.local` is where a raw peer answers it. Against node-coap it keeps
   * RFC 7252's ACK_TIMEOUT (2 s), longer than node-coap's 50 ms wait before an empty ACK.
   */
  const client = async (settings: Partial<EndpointSettings> = {}) => {
    const endpoint = await openTestEndpoint(undefined, settings);
    cleanups.push(() => endpoint.close());
    return endpoint;
  };
  const raw = async () => {
    const peer = await RawPeer.open();
    cleanups.push(() => peer.close());
    return peer;
  };
  /** node-coap's server on a free port; it answers piggy-backed unless the handler takes longer than 50 ms. */
  const nodeCoapServer = async (handler: (request: IncomingMessage, response: OutgoingMessage) => void) => {
    const server: Server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    return { address: '127.0.0.1', port: (server as unknown as { _sock: { address(): { port: number } } })._sock.address().port };
  };

  describe('requests', () => {
    it('gets a piggy-backed response with its code, options and body', async () => {
      const server = await nodeCoapServer((request, response) => {
        response.code = '2.05';
        response.setOption('Content-Format', 'application/json');
        response.end(JSON.stringify({ url: request.url, payload: String(request.payload) }));
      });
      const response = await (
        await client()
      ).endpoint.request(server, { method: 'POST', path: ['echo', 'me'], query: ['a=1'], payload: 'hi', contentFormat: 0 }, 2_000);
      expect(response).toMatchObject({ code: '2.05', contentFormat: 50 });
      expect(JSON.parse(response.payload.toString())).toEqual({ url: '/echo/me?a=1', payload: 'hi' });
    });

    it('gets a separate response after an empty ACK, and acknowledges it', async () => {
      const server = await nodeCoapServer((_request, response) => setTimeout(() => response.end('late'), 200));
      const response = await (await client(RFC_TIMING)).endpoint.request(server, { method: 'GET', path: ['slow'] }, 2_000);
      expect(response).toMatchObject({ code: '2.05' });
      expect(response.payload.toString()).toBe('late');
    });

    it('puts a Block2 response together (3000 bytes in 1024-byte blocks)', async () => {
      const big = '0123456789'.repeat(300);
      const server = await nodeCoapServer((_request, response) => response.end(big));
      const response = await (await client(RFC_TIMING)).endpoint.request(server, { method: 'GET', path: ['big'] }, 2_000);
      expect(response.payload.toString()).toBe(big);
    });

    it('sends a large body in Block1 blocks that the server puts together', async () => {
      let received: Buffer | undefined;
      const server = await nodeCoapServer((request, response) => {
        received = request.payload;
        response.code = '2.04';
        response.end();
      });
      const body = Buffer.alloc(5000, 7);
      const response = await (
        await client()
      ).endpoint.request(server, { method: 'PUT', path: ['fw'], payload: body, contentFormat: 42 }, 2_000);
      expect(response.code).toBe('2.04');
      expect(received).toEqual(body);
    });

    it('resolves with an error response rather than failing', async () => {
      const server = await nodeCoapServer((_request, response) => {
        response.code = '4.04';
        response.end('nothing here');
      });
      expect(await (await client(RFC_TIMING)).endpoint.request(server, { method: 'GET', path: ['nope'] }, 2_000)).toMatchObject({
        code: '4.04',
      });
    });

    it('retransmits an unacknowledged request with the same message id, then fails it as a timeout', async () => {
      const peer = await raw();
      const sent = (await client()).endpoint.request(peer.address, { method: 'GET', path: ['3', '0', '9'] }, 10_000);
      await expect(sent).rejects.toMatchObject({ name: 'CoapRequestError', reason: 'timeout' });
      // maxRetransmit 2: the request and two retransmissions
      const ids = peer.received.map((packet) => packet.messageId);
      expect(ids).toHaveLength(3);
      expect(new Set(ids).size).toBe(1);
    });

    it('fails a request the peer refuses with a Reset', async () => {
      const [peer, endpoint] = [await raw(), await client()];
      const sent = endpoint.endpoint.request(peer.address, { method: 'GET', path: ['x'] }, 2_000);
      const request = await peer.next();
      peer.send(endpoint.local, { reset: true, code: '0.00', messageId: request.messageId });
      await expect(sent).rejects.toMatchObject({ reason: 'reset' });
    });

    it('fails when a separate response never comes after the empty ACK', async () => {
      const [peer, endpoint] = [await raw(), await client()];
      const sent = endpoint.endpoint.request(peer.address, { method: 'GET', path: ['x'] }, 300);
      const request = await peer.next();
      peer.send(endpoint.local, { ack: true, code: '0.00', messageId: request.messageId });
      await expect(sent).rejects.toMatchObject({ reason: 'timeout' });
      expect(peer.received).toEqual([]); // acknowledged: not retransmitted
    });
  });

  describe('separate responses from a raw peer', () => {
    it('takes a separate CON response once, acknowledging it and its retransmission', async () => {
      const [peer, clientEndpoint] = [await raw(), await client()];
      const to = clientEndpoint.local;
      const sent = clientEndpoint.endpoint.request(peer.address, { method: 'GET', path: ['x'] }, 2_000);
      const request = await peer.next();
      peer.send(to, { ack: true, code: '0.00', messageId: request.messageId });
      const separate = { confirmable: true, code: '2.05', messageId: 900, token: request.token, payload: Buffer.from('v1') };
      peer.send(to, separate);
      expect(await peer.next()).toMatchObject({ ack: true, messageId: 900 });
      peer.send(to, separate); // our ACK got lost: the peer sends it again
      expect(await peer.next()).toMatchObject({ ack: true, messageId: 900 });
      expect((await sent).payload.toString()).toBe('v1');
    });

    it('refuses a response whose token nobody waits for with a Reset', async () => {
      const [peer, clientEndpoint] = [await raw(), await client()];
      peer.send(clientEndpoint.local, {
        confirmable: true,
        code: '2.05',
        messageId: 77,
        token: Buffer.from('zz'),
        payload: Buffer.from('?'),
      });
      expect(await peer.next()).toMatchObject({ reset: true, messageId: 77 });
    });

    it('sends smaller Block1 blocks when the server asks for them in its 2.31', async () => {
      const [peer, clientEndpoint] = [await raw(), await client()];
      const to = clientEndpoint.local;
      const body = Buffer.from('b'.repeat(1024 + 100));
      const sent = clientEndpoint.endpoint.request(peer.address, { method: 'PUT', path: ['5', '0', '0'], payload: body }, 2_000);
      const first = await peer.next();
      expect(first.payload).toHaveLength(1024);
      expect(optionOf(first, 'Size1')).toEqual(Buffer.from([0x04, 0x64]));
      // Continue, but with 64-byte blocks (SZX 2): the next block is number 16 of 64 bytes.
      peer.send(to, {
        ack: true,
        code: '2.31',
        messageId: first.messageId,
        token: first.token,
        options: [{ name: 'Block1', value: Buffer.from([0x0a]) }],
      });
      const parts = [first.payload];
      for (;;) {
        const block = await peer.next();
        expect(block.token).toEqual(first.token);
        parts.push(block.payload);
        const option = optionOf(block, 'Block1')!;
        const more = (option[option.length - 1] & 0x08) !== 0;
        peer.send(to, {
          ack: true,
          code: more ? '2.31' : '2.04',
          messageId: block.messageId,
          token: block.token,
          options: [{ name: 'Block1', value: option }],
        });
        if (!more) break;
      }
      expect(parts.slice(1).every((part, i, all) => part.length === 64 || i === all.length - 1)).toBe(true);
      expect(Buffer.concat(parts)).toEqual(body);
      expect((await sent).code).toBe('2.04');
    });
  });

  describe('observations', () => {
    it('receives notifications from node-coap and stops taking them when cancelled', async () => {
      let notify: ((n: number) => void) | undefined;
      const server = await nodeCoapServer((request, response) => {
        if (request.headers.Observe !== 0) return response.end('once');
        response.write('n=0');
        notify = (n) => response.write(`n=${n}`);
      });
      const values: string[] = [];
      const observation = await (
        await client()
      ).endpoint.observe(server, { method: 'GET', path: ['obs'] }, 2_000, (response) => values.push(response.payload.toString()));
      expect(observation.response.payload.toString()).toBe('n=0');
      expect(observation.active).toBe(true);
      notify!(1);
      notify!(2);
      await until(() => values.length === 2);
      expect(values).toEqual(['n=1', 'n=2']);
      observation.cancel();
      notify!(3);
      await settle(100);
      expect(values).toEqual(['n=1', 'n=2']);
      expect(observation.active).toBe(false);
    });

    it('is not active when the server answers without Observe', async () => {
      const [peer, clientEndpoint] = [await raw(), await client()];
      const observing = clientEndpoint.endpoint.observe(peer.address, { method: 'GET', path: ['plain'] }, 2_000, () => {});
      const request = await peer.next();
      peer.send(clientEndpoint.local, {
        ack: true,
        code: '2.05',
        messageId: request.messageId,
        token: request.token,
        payload: Buffer.from('no observe here'),
      });
      const observation = await observing;
      expect(observation.active).toBe(false);
      expect(observation.response.payload.toString()).toBe('no observe here');
    });

    it('acknowledges CON notifications, drops stale ones, ends on an error code, and resets after a cancel', async () => {
      const [peer, clientEndpoint] = [await raw(), await client()];
      const to = clientEndpoint.local;
      const values: IncomingResponse[] = [];
      const observing = clientEndpoint.endpoint.observe(peer.address, { method: 'GET', path: ['3', '0', '9'] }, 2_000, (response) =>
        values.push(response),
      );
      const request = await peer.next();
      expect(optionOf(request, 'Observe')).toEqual(Buffer.alloc(0));
      const notification = (messageId: number, sequence: number, payload: string, code = '2.05', confirmable = true) => ({
        confirmable,
        code,
        messageId,
        token: request.token,
        options: [{ name: 'Observe' as const, value: Buffer.from([sequence]) }],
        payload: Buffer.from(payload),
      });
      peer.send(to, { ...notification(request.messageId, 5, '80'), confirmable: false, ack: true });
      const observation = await observing;
      expect(observation.response).toMatchObject({ code: '2.05', observe: 5 });

      peer.send(to, notification(10, 7, '81'));
      expect(await peer.next()).toMatchObject({ ack: true, messageId: 10 });
      peer.send(to, notification(11, 6, 'stale'));
      expect(await peer.next()).toMatchObject({ ack: true, messageId: 11 });
      peer.send(to, notification(12, 8, '82', '2.05', false));
      await until(() => values.length === 2);
      expect(values.map((value) => value.payload.toString())).toEqual(['81', '82']);

      observation.cancel();
      peer.send(to, notification(13, 9, '83', '2.05', false));
      expect(await peer.next()).toMatchObject({ reset: true, messageId: 13 });
      expect(values).toHaveLength(2);
    });

    it('ends the observation on a notification with an error code, handing it over', async () => {
      const [peer, clientEndpoint] = [await raw(), await client()];
      const to = clientEndpoint.local;
      const codes: string[] = [];
      const observing = clientEndpoint.endpoint.observe(peer.address, { method: 'GET', path: ['r'] }, 2_000, (response) =>
        codes.push(response.code),
      );
      const request = await peer.next();
      const observe = (sequence: number) => [{ name: 'Observe' as const, value: Buffer.from([sequence]) }];
      peer.send(to, { ack: true, code: '2.05', messageId: request.messageId, token: request.token, options: observe(1) });
      const observation = await observing;
      peer.send(to, { confirmable: true, code: '4.04', messageId: 20, token: request.token });
      await until(() => codes.length === 1);
      expect(codes).toEqual(['4.04']);
      expect(observation.active).toBe(false);
    });
  });

  it('fails what still waits when the endpoint closes', async () => {
    const peer = await raw();
    const endpoint = await openTestEndpoint();
    const sent = endpoint.endpoint.request(peer.address, { method: 'GET', path: ['x'] }, 5_000);
    await peer.next();
    await endpoint.close();
    await expect(sent).rejects.toMatchObject({ reason: 'unsent' });
  });
});
