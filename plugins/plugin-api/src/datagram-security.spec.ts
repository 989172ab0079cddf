import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { PLAIN_DATAGRAMS, type SecureDatagram } from './datagram-security';

const bound = async (): Promise<Socket> => {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
};

describe('PLAIN_DATAGRAMS', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  it('passes datagrams through both ways, every peer anonymous', async () => {
    const server = PLAIN_DATAGRAMS.wrap(await bound());
    const client = PLAIN_DATAGRAMS.wrap(await bound());
    closers.push(
      () => server.close(),
      () => client.close(),
    );
    const received = new Promise<SecureDatagram>((resolve) => server.onDatagram(resolve));
    await client.send(server.local, Buffer.from('ping'));
    const datagram = await received;
    expect(datagram).toEqual({ data: Buffer.from('ping'), peer: client.local, identity: { kind: 'anonymous' } });
    const answered = new Promise<SecureDatagram>((resolve) => client.onDatagram(resolve));
    await server.send(datagram.peer, Buffer.from('pong'));
    expect((await answered).data.toString()).toBe('pong');
  });

  it('refuses to send once closed; closing twice is harmless', async () => {
    const channel = PLAIN_DATAGRAMS.wrap(await bound());
    const local = channel.local;
    await channel.close();
    await channel.close();
    await expect(channel.send(local, Buffer.from('x'))).rejects.toThrow(/closed/);
  });
});
