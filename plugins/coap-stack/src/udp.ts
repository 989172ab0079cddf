import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { errorMessage, PLAIN_DATAGRAMS, ThrottledLog, type DatagramPeer, type PluginLogger } from '@edgewise/plugin-api';
import { CoapEndpoint, type EndpointSettings, type Exchange } from './coap-endpoint';

/** Bursts of small datagrams must not be dropped by a default-sized kernel buffer (the kernel caps what it grants). */
const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * A UDP socket bound to `host`:`port` (0 picks a free port), IPv6 when the host is an IPv6 address. Rejects with a
 * message naming `owner` and the address when the port cannot be had (taken, no permission).
 */
export function bindUdp(owner: string, host: string, port: number): Promise<Socket> {
  const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
  return new Promise((resolve, reject) => {
    socket.once('error', (error) => reject(new Error(`${owner}: cannot listen on UDP ${host}:${port}: ${errorMessage(error)}`)));
    socket.bind(port, host, () => {
      socket.removeAllListeners('error');
      try {
        socket.setRecvBufferSize(RECEIVE_BUFFER_BYTES);
      } catch {
        // The kernel refused the size: the default buffer still works, it only drops sooner under bursts.
      }
      resolve(socket);
    });
  });
}

/** An endpoint on a plain UDP socket of its own, with the means to close both. */
export interface UdpEndpoint {
  readonly endpoint: CoapEndpoint;
  /** Where the socket listens. */
  readonly local: DatagramPeer;
  close(): Promise<void>;
}

const SILENT: PluginLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/**
 * A CoAP endpoint on a plain UDP socket bound to `host`:`port` (0 picks a free port) — for clients and test peers;
 * transports bind through their datagram-security layer instead. `handler` serves the requests peers send it.
 */
export async function openUdpEndpoint(
  host: string,
  port: number,
  handler: (exchange: Exchange) => void,
  settings: EndpointSettings,
  log: PluginLogger = SILENT,
): Promise<UdpEndpoint> {
  const channel = PLAIN_DATAGRAMS.wrap(await bindUdp(settings.name, host, port));
  const endpoint = new CoapEndpoint(channel, handler, settings, new ThrottledLog(log));
  return {
    endpoint,
    local: channel.local,
    close: async () => {
      endpoint.close();
      await channel.close();
    },
  };
}
