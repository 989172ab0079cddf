/**
 * The datagram-security seam: the layer between a bound UDP socket and a datagram protocol stack (CoAP,
 * LwM2M). A security layer turns the socket's raw datagrams into plaintext ones tagged with who sent them and
 * what that sender proved in the handshake, and protects what the stack sends back. The stack never touches
 * the socket, so one stack serves both `coap://` (the plain pass-through below) and `coaps://` (DTLS 1.2 with
 * PSK, raw public keys or X.509 client certificates, once a DTLS implementation exists for Node).
 */
import type { RemoteInfo, Socket } from 'node:dgram';

/** Where a datagram came from, and where its replies go. */
export interface DatagramPeer {
  readonly address: string;
  readonly port: number;
}

/**
 * What the security layer proved about a peer. The layer only proves possession (the peer holds the key or the
 * certificate's private key); whether that identity belongs to a device is the core's decision (credentials
 * lookup through `TransportContext.authenticate`).
 */
export type PeerIdentity =
  /** Nothing proven: plain UDP, or DTLS without client authentication (the device then names itself, e.g. by token). */
  | { readonly kind: 'anonymous' }
  /** DTLS-PSK: the identity the peer used with its pre-shared key. */
  | { readonly kind: 'psk'; readonly identity: string }
  /** DTLS with a client certificate: the peer's leaf certificate, Base64 DER (the body between the PEM armour lines). */
  | { readonly kind: 'x509'; readonly certificate: string }
  /** DTLS with a raw public key (RFC 7250, used by LwM2M): Base64 DER SubjectPublicKeyInfo. */
  | { readonly kind: 'rpk'; readonly publicKey: string };

export const ANONYMOUS_PEER: PeerIdentity = Object.freeze({ kind: 'anonymous' });

/** One plaintext datagram with its sender. */
export interface SecureDatagram {
  readonly data: Buffer;
  readonly peer: DatagramPeer;
  readonly identity: PeerIdentity;
}

/** A bound UDP socket seen through a security layer. */
export interface DatagramChannel {
  /** The address and port the socket is bound to. */
  readonly local: DatagramPeer;
  /** Plaintext datagrams from now on; a second listener replaces the first. */
  onDatagram(listener: (datagram: SecureDatagram) => void): void;
  /** Socket errors and failed handshakes the stack may want to log (never thrown). */
  onError(listener: (error: Error) => void): void;
  /**
   * Protects `data` for `peer` (with DTLS: encrypts it in the peer's session) and hands it to the socket.
   * Rejects when it cannot be sent (socket closed; with DTLS, no session with that peer).
   */
  send(peer: DatagramPeer, data: Buffer): Promise<void>;
  /** Stops receiving and closes the socket; idempotent. */
  close(): Promise<void>;
}

/** What a DTLS layer asks of the core while it authenticates a peer (implemented by the core, used by the layer). */
export interface DatagramCredentialsResolver {
  /** The pre-shared key of a PSK identity, or undefined to fail the handshake. */
  preSharedKey(identity: string): Promise<Uint8Array | undefined>;
}

/** A security layer: wraps bound sockets into channels. */
export interface DatagramSecurity {
  /** For logs, e.g. `plain` or `dtls1.2`. */
  readonly name: string;
  /** Takes over a bound socket: from now on its datagrams reach the stack through the returned channel only. */
  wrap(socket: Socket): DatagramChannel;
}

class PlainDatagramChannel implements DatagramChannel {
  private closed?: Promise<void>;

  constructor(private readonly socket: Socket) {}

  get local(): DatagramPeer {
    const { address, port } = this.socket.address();
    return { address, port };
  }

  onDatagram(listener: (datagram: SecureDatagram) => void): void {
    this.socket.removeAllListeners('message');
    this.socket.on('message', (data: Buffer, from: RemoteInfo) =>
      listener({ data, peer: { address: from.address, port: from.port }, identity: ANONYMOUS_PEER }),
    );
  }

  onError(listener: (error: Error) => void): void {
    this.socket.on('error', listener);
  }

  send(peer: DatagramPeer, data: Buffer): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the datagram channel is closed'));
    return new Promise((resolve, reject) =>
      this.socket.send(data, peer.port, peer.address, (error) => (error ? reject(error) : resolve())),
    );
  }

  close(): Promise<void> {
    this.closed ??= new Promise((resolve) => this.socket.close(() => resolve()));
    return this.closed;
  }
}

/** No security: datagrams pass through as they are, every peer anonymous (`coap://`, LwM2M NoSec). */
export const PLAIN_DATAGRAMS: DatagramSecurity = Object.freeze({
  name: 'plain',
  wrap: (socket: Socket): DatagramChannel => new PlainDatagramChannel(socket),
});
