import { bindUdp, CoapEndpoint, DEFAULT_ENDPOINT_SETTINGS, Option, type Exchange } from '@edgewise/coap-stack';
import {
  errorMessage,
  PLAIN_DATAGRAMS,
  ThrottledLog,
  type DatagramChannel,
  type DatagramSecurity,
  type TransportContext,
  type TransportInstance,
  type TransportSettings,
} from '@edgewise/plugin-api';
import { CoapDownlink } from './coap-downlink';
import { BUILT_IN_MODELS_DIRECTORY, loadModelDirectory } from './ddf';
import { Lwm2mServer } from './lwm2m-server';
import type { ModelLookup } from './object-model';
import { resolveLwm2mOptions } from './options';
import { TenantModels } from './tenant-models';

/** Listener name, as in the transport's `defaultPorts`. */
export const LWM2M_LISTENER = 'lwm2m';

interface Running {
  channel: DatagramChannel;
  endpoint: CoapEndpoint;
  server: Lwm2mServer;
}

/**
 * ThingsBoard's LwM2M server (device-api.md §6) on UDP: one socket and one CoAP endpoint serve the clients'
 * Registration interface (`/rd`, `/dp`) and carry the server's requests to them. NoSec now; DTLS (PSK, RPK, X.509)
 * plugs into the same datagram-security seam as CoAP's.
 */
export class Lwm2mTransport implements TransportInstance {
  private running?: Running;

  constructor(
    private readonly context: TransportContext,
    private readonly settings: TransportSettings,
    private readonly security: DatagramSecurity = PLAIN_DATAGRAMS,
    /** The built-in object models (the DDF files of `models/` unless a test gives its own); uploaded ones come from the core. */
    private readonly models?: ModelLookup,
  ) {}

  async start(): Promise<void> {
    const { ports, host, maxPayloadBytes } = this.settings;
    if (ports[LWM2M_LISTENER] === undefined) return;
    const options = resolveLwm2mOptions(this.settings.options);
    const builtIn = this.models ?? loadModelDirectory(BUILT_IN_MODELS_DIRECTORY);
    const tenantModels = new TenantModels(
      builtIn,
      (tenantId) => this.context.lwm2mModels?.(tenantId) ?? Promise.resolve([]),
      this.context.log,
    );
    const channel = this.security.wrap(await bindUdp('LwM2M transport', host, ports[LWM2M_LISTENER]));
    // Datagrams are delivered from the next tick on, when `server` below exists.
    const endpoint = new CoapEndpoint(
      channel,
      (exchange) => this.serve(server, exchange),
      { ...DEFAULT_ENDPOINT_SETTINGS, name: 'LwM2M transport', maxPayloadBytes },
      new ThrottledLog(this.context.log),
    );
    const server = new Lwm2mServer(
      this.context,
      { downlink: new CoapDownlink(endpoint), models: builtIn, log: this.context.log, requestTimeoutMs: options.requestTimeoutMs },
      (tenantId) => tenantModels.forTenant(tenantId),
    );
    this.running = { channel, endpoint, server };
  }

  /** Ends every registration (the devices disconnect), then closes the socket. */
  async stop(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    if (!running) return;
    running.server.closeAll();
    running.endpoint.close();
    await running.channel.close();
  }

  boundPorts(): Record<string, number> {
    return this.running ? { [LWM2M_LISTENER]: this.running.channel.local.port } : {};
  }

  /** A request of a client: the Registration interface answers it; a registration's 2.01 names its location. */
  private serve(server: Lwm2mServer, exchange: Exchange): void {
    const { request } = exchange;
    server
      .handle({
        method: request.method,
        path: [...request.path],
        query: [...request.query],
        contentFormat: request.contentFormat,
        payload: request.payload,
        peer: { address: request.peer.address, port: request.peer.port },
      })
      .then((answer) =>
        exchange.respond({
          code: answer.code,
          payload: answer.payload,
          options: (answer.locationPath ?? []).map((segment) => ({ number: Option.LOCATION_PATH, value: Buffer.from(segment) })),
        }),
      )
      .catch((error: unknown) => this.context.log.error('LwM2M transport: could not answer a request', { error: errorMessage(error) }));
  }
}
