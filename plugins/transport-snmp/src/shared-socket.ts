/**
 * One UDP socket for every device, instead of net-snmp's socket per session: thousands of polled devices must not
 * cost thousands of file descriptors and receive buffers. net-snmp takes a `dgramModule` (an object with
 * `createSocket`); each session gets a light socket whose sends go out through the shared one, and which receives
 * the datagrams that come back from the addresses it sent to. A session stays a session — community, SNMPv3
 * engine discovery and keys, request ids and timers are still its own.
 */
import { createSocket, type RemoteInfo, type Socket, type SocketType } from 'node:dgram';
import { EventEmitter } from 'node:events';

/** What net-snmp's Session calls on its socket (constructor, send, close, ref/unref, and the three events). */
export class SessionSocket extends EventEmitter {
  private readonly peers = new Set<string>();
  private closed = false;

  constructor(private readonly shared: SharedSocket) {
    super();
  }

  send(buffer: Buffer, offset: number, length: number, port: number, address: string, callback?: (error: Error | null) => void): void {
    if (this.closed) {
      callback?.(new Error('the SNMP session is closed'));
      return;
    }
    const peer = peerKey(address, port);
    if (!this.peers.has(peer)) {
      this.peers.add(peer);
      this.shared.attach(peer, this);
    }
    this.shared.send(buffer, offset, length, port, address, callback);
  }

  /** As a real socket: 'close' follows asynchronously, and net-snmp then fails the session's pending requests. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const peer of this.peers) this.shared.detach(peer, this);
    this.peers.clear();
    process.nextTick(() => this.emit('close'));
  }

  // The shared socket's lifetime is the transport's, not a session's.
  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }
}

const peerKey = (address: string, port: number) => `${address}|${port}`;

export class SharedSocket {
  private readonly socket: Socket;
  private readonly receivers = new Map<string, Set<SessionSocket>>();
  /** Datagrams from an address no session sent to (a trap, or an agent answering from another address). */
  unmatchedDatagrams = 0;
  /** Where those datagrams go (the trap receiver). */
  onUnmatched?: (message: Buffer, remote: RemoteInfo) => void;

  constructor(
    readonly type: SocketType,
    onError: (error: Error) => void,
  ) {
    this.socket = createSocket({ type, reuseAddr: false });
    this.socket.on('message', (message, remote) => this.deliver(message, remote));
    this.socket.on('error', onError);
  }

  /** Binds the socket (port 0 picks one) and returns the bound port. */
  bind(address: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const failed = (error: Error) => reject(error);
      this.socket.once('error', failed);
      this.socket.bind(port, address, () => {
        this.socket.off('error', failed);
        try {
          // Answers to a burst of polls arrive together; a larger buffer keeps them while the event loop is busy.
          this.socket.setRecvBufferSize(4 * 1024 * 1024);
        } catch {
          // the system caps it (net.core.rmem_max): the default buffer still works
        }
        resolve(this.socket.address().port);
      });
    });
  }

  /** The module net-snmp creates its sockets with. */
  dgramModule(): { createSocket(type: SocketType): SessionSocket } {
    return { createSocket: () => new SessionSocket(this) };
  }

  attach(peer: string, session: SessionSocket): void {
    let sessions = this.receivers.get(peer);
    if (!sessions) this.receivers.set(peer, (sessions = new Set()));
    sessions.add(session);
  }

  detach(peer: string, session: SessionSocket): void {
    const sessions = this.receivers.get(peer);
    sessions?.delete(session);
    if (sessions?.size === 0) this.receivers.delete(peer);
  }

  send(buffer: Buffer, offset: number, length: number, port: number, address: string, callback?: (error: Error | null) => void): void {
    this.socket.send(buffer, offset, length, port, address, callback);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  /**
   * A datagram goes to every session that sent to its source address and port. Usually that is one; devices that
   * share an agent each get it, and the session whose request id it answers takes it (the others ignore it).
   */
  private deliver(message: Buffer, remote: RemoteInfo): void {
    const sessions = this.receivers.get(peerKey(remote.address, remote.port));
    if (!sessions) {
      this.unmatchedDatagrams++;
      this.onUnmatched?.(message, remote);
      return;
    }
    for (const session of sessions) session.emit('message', message, remote);
  }
}
