import { bindUdp, CoapEndpoint, DEFAULT_ENDPOINT_SETTINGS } from '@edgewise/coap-stack';
import {
  PLAIN_DATAGRAMS,
  ThrottledLog,
  type DatagramChannel,
  type DatagramSecurity,
  type TransportContext,
  type TransportInstance,
  type TransportSettings,
} from '@edgewise/plugin-api';
import { CoapDeviceApi } from './device-api';
import { Observers } from './observations';
import { resolveCoapOptions } from './options';

/** Listener names, as in the transport's `defaultPorts`. */
export const PLAIN_LISTENER = 'coap';
export const DTLS_LISTENER = 'coaps';

/** The running parts, present between start() and stop(). */
interface Running {
  channel: DatagramChannel;
  endpoint: CoapEndpoint;
  observers: Observers;
  api: CoapDeviceApi;
}

/**
 * ThingsBoard's CoAP device API (device-api.md §3) on UDP. The socket is reached through a datagram-security
 * layer (plugin-api `DatagramSecurity`): plain for `coap://` now; `coaps://` plugs a DTLS layer into the same seam.
 */
export class CoapTransport implements TransportInstance {
  private running?: Running;

  constructor(
    private readonly context: TransportContext,
    private readonly settings: TransportSettings,
    private readonly security: DatagramSecurity = PLAIN_DATAGRAMS,
  ) {}

  async start(): Promise<void> {
    const { ports, host, maxPayloadBytes } = this.settings;
    if (ports[DTLS_LISTENER] !== undefined) {
      this.context.log.warn(
        `CoAP over DTLS (coaps://, port ${ports[DTLS_LISTENER]}) is not available yet in this Edgewise version: coaps:// devices cannot ` +
          'connect. Devices can use coap:// on COAP_PORT; unset COAPS_PORT to silence this warning.',
        { listener: DTLS_LISTENER, port: ports[DTLS_LISTENER] },
      );
    }
    if (ports[PLAIN_LISTENER] === undefined) return;
    const options = resolveCoapOptions(this.settings.options);
    const problems = new ThrottledLog(this.context.log);
    const channel = this.security.wrap(await bindUdp('CoAP transport', host, ports[PLAIN_LISTENER]));
    // Datagrams are delivered from the next tick on, when `api` below exists.
    const endpoint = new CoapEndpoint(
      channel,
      (exchange) => api.handle(exchange),
      {
        ...DEFAULT_ENDPOINT_SETTINGS,
        name: 'CoAP transport',
        piggybackTimeoutMs: options.piggybackTimeoutMs,
        maxPayloadBytes,
        ackTimeoutMs: options.ackTimeoutMs,
        maxRetransmit: options.maxRetransmit,
      },
      problems,
    );
    const observers = new Observers(this.context, options, endpoint, problems);
    const api = new CoapDeviceApi(this.context, observers, options, problems);
    this.running = { channel, endpoint, observers, api };
  }

  /** Refuses new requests, tells every observer (5.03) and closes their sessions, then the socket. */
  async stop(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    if (!running) return;
    running.api.stop();
    await running.observers.stop();
    running.endpoint.close();
    await running.channel.close();
  }

  boundPorts(): Record<string, number> {
    return this.running ? { [PLAIN_LISTENER]: this.running.channel.local.port } : {};
  }
}
