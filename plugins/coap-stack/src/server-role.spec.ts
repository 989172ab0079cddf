import { afterEach, describe, expect, it } from 'vitest';
import { resourceOf, type Delivery, type NotificationTarget } from './coap-endpoint';
import { Option } from './coap-wire';
import { optionOf, RawPeer, settle, openTestEndpoint, until } from './test-support/peers';

/**
 * The server role, and both roles of the stack talking to each other (as the LwM2M server and its clients do):
 * requests and responses, block-wise bodies both ways, observations, and the message-level answers a peer sees.
 */
describe('CoAP server role', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const open = async (...args: Parameters<typeof openTestEndpoint>) => {
    const endpoint = await openTestEndpoint(...args);
    cleanups.push(() => endpoint.close());
    return endpoint;
  };
  const raw = async () => {
    const peer = await RawPeer.open();
    cleanups.push(() => peer.close());
    return peer;
  };

  it('answers a request of another stack endpoint with Location-Path and a diagnostic body', async () => {
    const server = await open((exchange) => {
      const { method, path, query, payload, contentFormat } = exchange.request;
      void exchange.respond({
        code: '2.01',
        payload: `${method} /${path.join('/')}?${query.join('&')} cf=${contentFormat} ${payload.toString()}`,
        options: [
          { number: Option.LOCATION_PATH, value: Buffer.from('rd') },
          { number: Option.LOCATION_PATH, value: Buffer.from('a1') },
        ],
      });
    });
    const client = await open();
    const response = await client.endpoint.request(
      server.local,
      { method: 'POST', path: ['rd'], query: ['ep=dev-1', 'lt=300'], contentFormat: 40, payload: '</3/0>' },
      2_000,
    );
    expect(response).toMatchObject({ code: '2.01', locationPath: ['rd', 'a1'] });
    expect(response.payload.toString()).toBe('POST /rd?ep=dev-1&lt=300 cf=40 </3/0>');
  });

  it('acknowledges a slow request at once and sends the response separately, confirmable, until acknowledged', async () => {
    let answer: (() => void) | undefined;
    const server = await open((exchange) => (answer = () => void exchange.respond({ code: '2.05', payload: 'done' })));
    const peer = await raw();
    peer.send(server.local, { confirmable: true, code: 'GET', messageId: 1, token: Buffer.from('tk'), options: [] });
    expect(await peer.next()).toMatchObject({ ack: true, code: '0.00', messageId: 1 });
    answer!();
    const separate = await peer.next();
    expect(separate).toMatchObject({ confirmable: true, code: '2.05', token: Buffer.from('tk') });
    const again = await peer.next(); // not acknowledged yet: retransmitted with the same message id
    expect(again.messageId).toBe(separate.messageId);
    peer.send(server.local, { ack: true, code: '0.00', messageId: separate.messageId });
    await settle(150);
    expect(peer.received.filter((packet) => packet.code === '2.05')).toEqual([]);
  });

  it('answers a retransmitted request with the same response, handling it once', async () => {
    let handled = 0;
    const server = await open((exchange) => void exchange.respond({ code: '2.04', payload: String(++handled) }));
    const peer = await raw();
    const request = { confirmable: true, code: 'PUT', messageId: 9, token: Buffer.from('w'), payload: Buffer.from('x') };
    peer.send(server.local, request);
    const first = await peer.next();
    peer.send(server.local, request);
    expect(await peer.next()).toEqual(first);
    expect(handled).toBe(1);
  });

  it('answers a ping and a malformed confirmable message with a Reset', async () => {
    const server = await open();
    const peer = await raw();
    peer.send(server.local, { confirmable: true, code: '0.00', messageId: 5 });
    expect(await peer.next()).toMatchObject({ reset: true, messageId: 5 });
    // CON, token length 15 (reserved): unreadable, but the header names message id 0x1234.
    peer.sendBytes(server.local, Buffer.from([0x4f, 0x02, 0x12, 0x34]));
    expect(await peer.next()).toMatchObject({ reset: true, messageId: 0x1234 });
  });

  it('puts a Block1 body together and sends a large response block-wise to another stack endpoint', async () => {
    const big = Buffer.alloc(3000, 'r');
    let uploaded: Buffer | undefined;
    const server = await open(
      (exchange) => {
        uploaded = exchange.request.payload;
        void exchange.respond({ code: '2.05', payload: big, contentFormat: 42 });
      },
      { maxPayloadBytes: 2 * 1024 * 1024 },
    );
    const client = await open();
    const body = Buffer.alloc(256 * 1024 + 7, 'u');
    const response = await client.endpoint.request(server.local, { method: 'PUT', path: ['5', '0', '0'], payload: body }, 20_000);
    expect(uploaded).toEqual(body);
    expect(response).toMatchObject({ code: '2.05', contentFormat: 42 });
    expect(response.payload).toEqual(big);
  });

  it('notifies an observing stack endpoint until it cancels; then the next notification is refused', async () => {
    let target: NotificationTarget | undefined;
    let resets = 0;
    const server = await open((exchange) => {
      const { request } = exchange;
      target = { peer: request.peer, token: request.token, confirmable: true, resource: resourceOf(request), onReset: () => resets++ };
      void exchange.respond({ code: '2.05', observe: 1, payload: '20' });
    });
    const client = await open();
    const values: string[] = [];
    const observation = await client.endpoint.observe(server.local, { method: 'GET', path: ['3303', '0', '5700'] }, 2_000, (n) =>
      values.push(n.payload.toString()),
    );
    expect(observation.response.payload.toString()).toBe('20');
    const deliveries: Delivery[] = [];
    deliveries.push(await server.endpoint.notify(target!, { code: '2.05', observe: 2, payload: '21' }));
    deliveries.push(await server.endpoint.notify(target!, { code: '2.05', observe: 3, payload: Buffer.alloc(2500, 'n') }));
    await until(() => values.length === 2);
    expect(values[0]).toBe('21');
    expect(values[1]).toHaveLength(2500); // its later blocks asked for and put together
    observation.cancel();
    deliveries.push(await server.endpoint.notify(target!, { code: '2.05', observe: 4, payload: '23' }));
    expect(deliveries).toEqual(['delivered', 'delivered', 'reset']);
    expect(values).toHaveLength(2);
  });

  it('keeps the Observe option on the first block of a large notification only', async () => {
    const server = await open((exchange) => void exchange.respond({ code: '2.05', observe: 1, payload: Buffer.alloc(2000, 'a') }));
    const peer = await raw();
    peer.send(server.local, {
      confirmable: true,
      code: 'GET',
      messageId: 1,
      token: Buffer.from('o'),
      options: [{ name: 'Observe', value: Buffer.alloc(0) }],
    });
    const first = await peer.next();
    expect(optionOf(first, 'Observe')).toBeDefined();
    expect(optionOf(first, 'Block2')).toEqual(Buffer.from([0x0e])); // block 0, more, 1024 bytes
  });
});
