/**
 * The simulated LwM2M client of `fake-lwm2m.ts` on a real UDP socket: a CoAP endpoint of the shared stack that
 * registers with the transport and answers the server's requests from FakeDevice's value table, so the
 * transport's tests exercise the UDP binding, the message layer and the codecs together.
 */
import {
  DEFAULT_ENDPOINT_SETTINGS,
  Option,
  openUdpEndpoint,
  optionalUint,
  resourceOf,
  type Exchange,
  type IncomingResponse,
  type NotificationTarget,
  type UdpEndpoint,
} from '@edgewise/coap-stack';
import type { DatagramPeer } from '@edgewise/plugin-api';
import type { DownlinkRequest } from '../downlink';
import { FakeDevice } from './fake-lwm2m';

export class UdpDevice {
  /** Requests the server sent, as the device saw them. */
  readonly requests: DownlinkRequest[] = [];
  /** Observations the server holds, by path. */
  readonly observedPaths = new Set<string>();
  /** When set, the device stops answering (as if it went away without de-registering). */
  silent = false;
  private location: string[] = [];

  private constructor(
    readonly fake: FakeDevice,
    private readonly udp: UdpEndpoint,
    private readonly server: DatagramPeer,
  ) {}

  static async open(serverPort: number, fake = new FakeDevice()): Promise<UdpDevice> {
    // Requests are delivered from the next tick on, when `device` exists.
    const udp = await openUdpEndpoint('127.0.0.1', 0, (exchange) => device.serve(exchange), {
      ...DEFAULT_ENDPOINT_SETTINGS,
      name: 'test LwM2M client',
      maxPayloadBytes: 4 * 1024 * 1024,
      ackTimeoutMs: 200,
    });
    const device = new UdpDevice(fake, udp, { address: '127.0.0.1', port: serverPort });
    return device;
  }

  /** `POST /rd?…` with the object links; keeps the registration's location for Update and De-register. */
  async register(query: string[], links: string): Promise<IncomingResponse> {
    const response = await this.endpoint.request(
      this.server,
      { method: 'POST', path: ['rd'], query, contentFormat: 40, payload: links },
      3_000,
    );
    this.location = response.locationPath;
    return response;
  }

  update(query: string[] = []): Promise<IncomingResponse> {
    return this.endpoint.request(this.server, { method: 'POST', path: this.location, query }, 3_000);
  }

  deregister(): Promise<IncomingResponse> {
    return this.endpoint.request(this.server, { method: 'DELETE', path: this.location }, 3_000);
  }

  get registrationPath(): string[] {
    return this.location;
  }

  close(): Promise<void> {
    return this.udp.close();
  }

  private get endpoint() {
    return this.udp.endpoint;
  }

  private serve(exchange: Exchange): void {
    if (this.silent) return;
    const { request } = exchange;
    const downlinkRequest: DownlinkRequest = {
      method: request.method as DownlinkRequest['method'],
      path: `/${request.path.join('/')}`,
      query: [...request.query],
      contentFormat: request.contentFormat,
      accept: optionalUint(request.options, Option.ACCEPT),
      payload: request.payload.length ? request.payload : undefined,
    };
    this.requests.push(downlinkRequest);
    const answer = request.observe === 0 ? this.observe(exchange, downlinkRequest) : this.answer(exchange, downlinkRequest);
    answer.catch((error: Error) => void exchange.respond({ code: '5.00', payload: error.message }));
  }

  private async answer(exchange: Exchange, request: DownlinkRequest): Promise<void> {
    const response = await this.fake.send(exchange.request.peer, request);
    await exchange.respond({
      code: response.code,
      contentFormat: response.contentFormat,
      payload: Buffer.from(response.payload),
      options: (response.locationPath ?? '')
        .split('/')
        .filter(Boolean)
        .map((segment) => ({ number: Option.LOCATION_PATH, value: Buffer.from(segment) })),
    });
  }

  /** Observe 0: the first response, then a confirmable notification per change until the server refuses one. */
  private async observe(exchange: Exchange, request: DownlinkRequest): Promise<void> {
    const { peer, token } = exchange.request;
    let sequence = 0;
    const target: NotificationTarget = { peer, token, confirmable: true, resource: resourceOf(exchange.request), onReset: () => {} };
    const observation = await this.fake.observe(peer, request, 0, (notification) => {
      void this.endpoint
        .notify(target, {
          code: notification.code,
          contentFormat: notification.contentFormat,
          payload: Buffer.from(notification.payload),
          observe: ++sequence,
        })
        .then((delivery) => {
          if (delivery === 'delivered') return;
          observation.cancel(); // the server forgot the observation (or went away)
          this.observedPaths.delete(request.path);
        });
    });
    this.observedPaths.add(request.path);
    const { response } = observation;
    await exchange.respond({
      code: response.code,
      contentFormat: response.contentFormat,
      payload: Buffer.from(response.payload),
      observe: sequence,
    });
  }
}
