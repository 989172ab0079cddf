/**
 * Observe (RFC 7641) as ThingsBoard's CoAP transport offers it (device-api.md §3.4): per device at most one
 * observation of shared attributes and one of server RPC. While a device observes anything it has one core
 * session of kind `connection` (connected, kept active every `activityReportMs`); when its last observation
 * ends — cancelled, replaced, refused with a Reset, unacknowledged, or closed by the core — the session closes.
 */
import type {
  DeviceIdentity,
  DeviceSession,
  ServerRpcRequest,
  SessionCloseReason,
  SessionListener,
  ThrottledLog,
  TransportContext,
} from '@edgewise/plugin-api';
import { errorMessage } from '@edgewise/plugin-api';
import { ContentFormat, resourceOf, type CoapResponse, type Delivery, type Exchange, type NotificationTarget } from '@edgewise/coap-stack';
import type { CoapOptions } from './options';
import { PowerSaving } from './power-saving';
import { objectMembers, objectText } from './raw-json';

export interface Notifier {
  notify(target: NotificationTarget, response: CoapResponse): Promise<Delivery>;
}

export type ObservedFeature = 'attributes' | 'rpc';

/** §3.4: observation identity = peer address + port + token. */
export const observationKey = (request: Exchange['request']): string =>
  `${request.peer.address}|${request.peer.port}|${request.token.toString('hex')}`;

const DELETED: CoapResponse = { code: '2.02' };
/** The transport stops: the observer should register again later (RFC 7641 §4.2 — a final non-2.xx ends it). */
const SHUTTING_DOWN: CoapResponse = { code: '5.03', payload: 'Edgewise is shutting down; observe again in a few seconds' };

/**
 * One observe request and the messages that answer it: the first answers the request itself, the others are
 * notifications with the same token and increasing Observe numbers. They leave one at a time, in order, so a
 * lost confirmable notification retransmitted later never arrives after a newer one.
 */
export class Observation {
  readonly key: string;
  readonly contentFormat: number;
  private readonly target: NotificationTarget;
  private unanswered?: Exchange;
  private sequence = 0;
  private tail: Promise<unknown> = Promise.resolve();
  private ended = false;

  constructor(
    exchange: Exchange,
    private readonly notifier: Notifier,
    /** The device refused a message (Reset) or never acknowledged it. */
    private readonly onFailed: (observation: Observation) => void,
    /** The device acknowledged a confirmable message: it is awake. */
    private readonly onAcknowledged: () => void,
  ) {
    const { request } = exchange;
    this.key = observationKey(request);
    this.unanswered = exchange;
    // §3.5: the request's Content-Format, else JSON.
    this.contentFormat = request.contentFormat ?? ContentFormat.JSON;
    this.target = {
      peer: request.peer,
      token: request.token,
      confirmable: request.confirmable,
      resource: resourceOf(request),
      onReset: () => this.fail(),
    };
  }

  get confirmable(): boolean {
    return this.target.confirmable;
  }

  /** Queues a 2.xx message of the observation; resolves with its delivery (`unsent` once the observation ended). */
  send(response: CoapResponse | Promise<CoapResponse>): Promise<Delivery> {
    const sent = this.tail.then(async (): Promise<Delivery> => {
      const message = await response;
      if (this.ended) return 'unsent';
      const numbered = { ...message, observe: this.sequence++ };
      const first = this.unanswered;
      this.unanswered = undefined;
      const delivery = first ? await first.respond(numbered) : await this.notifier.notify(this.target, numbered);
      if (delivery === 'delivered' && this.target.confirmable) this.onAcknowledged();
      if (delivery === 'reset' || delivery === 'timeout') this.fail();
      return delivery;
    });
    this.tail = sent;
    return sent;
  }

  /** Ends the observation; `final` (2.02 Deleted, 5.03 …) goes on its exchange at once, without an Observe number. */
  end(final?: CoapResponse, confirmable = this.target.confirmable): Promise<unknown> {
    if (this.ended) return Promise.resolve();
    this.ended = true;
    if (final === undefined) return Promise.resolve();
    const first = this.unanswered;
    this.unanswered = undefined;
    if (first) return first.respond(final);
    return this.notifier.notify({ ...this.target, confirmable, onReset: () => {} }, final);
  }

  private fail(): void {
    if (this.ended) return;
    this.ended = true;
    this.onFailed(this);
  }
}

/** A device with at least one observation: its `connection` session in the core, and what it observes. */
class ObservedDevice implements SessionListener {
  readonly session: DeviceSession;
  readonly power: PowerSaving;
  attributes?: Observation;
  rpc?: Observation;
  /** The core ended the session (device deleted, credentials changed …): nothing more is asked of it. */
  closedByCore = false;
  /** Shared-attribute changes that came while the device slept, merged per key (undefined: deleted). */
  private readonly missedUpdates = new Map<string, string | undefined>();
  private missedRpcs = false;

  constructor(
    device: DeviceIdentity,
    private readonly observers: Observers,
  ) {
    this.power = PowerSaving.of(device, observers.options);
    this.session = observers.context.openSession(device, this, 'connection');
  }

  get deviceId(): string {
    return this.session.device.deviceId;
  }

  // ---- what the core pushes ----

  onAttributeUpdate(payload: string): void {
    const observation = this.attributes;
    if (observation === undefined) return;
    if (!this.power.downlinkAllowed(Date.now())) return this.rememberMissed(payload);
    void observation.send({ code: '2.05', payload, contentFormat: observation.contentFormat });
  }

  async onServerRpc(request: ServerRpcRequest): Promise<void> {
    const observation = this.rpc;
    if (observation === undefined) throw new Error('the device does not observe server RPC (GET /api/v1/{token}/rpc with Observe)');
    if (!this.power.downlinkAllowed(Date.now())) {
      this.missedRpcs = true; // §3.4: dropped now, asked for again when the device wakes up
      throw new Error(`the device sleeps (${this.power.mode} power saving); the RPC goes out when it sends something`);
    }
    // §3.5/§2.4: unlike MQTT, the notification carries the id the device replies to.
    const payload = JSON.stringify({ id: request.id, method: request.method, params: request.params });
    const sent = observation.send({ code: '2.05', payload, contentFormat: observation.contentFormat });
    if (!observation.confirmable) return void (await sent); // §3.4: a non-confirmable RPC counts as delivered once sent
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<'no ACK'>((resolve) => (timer = setTimeout(() => resolve('no ACK'), this.power.ackWaitMs)));
    const outcome = await Promise.race([sent, waited]);
    clearTimeout(timer);
    if (outcome !== 'delivered') throw new Error(`the device did not acknowledge the RPC notification (${outcome})`);
  }

  onClose(reason: SessionCloseReason): void {
    this.closedByCore = true;
    void this.observers.end(this, reason === 'SHUTDOWN' ? SHUTTING_DOWN : DELETED);
  }

  // ---- power saving ----

  /** The device sent something; if it had been asleep, what it missed goes out now. */
  awake(): void {
    if (!this.power.uplink(Date.now())) return;
    if (this.missedUpdates.size > 0 && this.attributes) {
      const deleted = [...this.missedUpdates].filter(([, value]) => value === undefined).map(([key]) => key);
      const updated = [...this.missedUpdates].filter((entry): entry is [string, string] => entry[1] !== undefined);
      if (deleted.length) updated.push(['deleted', JSON.stringify(deleted)]);
      void this.attributes.send({ code: '2.05', payload: objectText(updated), contentFormat: this.attributes.contentFormat });
    }
    this.missedUpdates.clear();
    if (this.missedRpcs && this.rpc) {
      // Subscribing again makes the core push the RPCs still pending (ThingsBoard: SendPendingRPC on wake-up).
      this.session.setRpcSubscription(false);
      this.session.setRpcSubscription(true);
    }
    this.missedRpcs = false;
  }

  private rememberMissed(payload: string): void {
    for (const [key, value] of objectMembers(payload) ?? []) {
      if (key !== 'deleted') this.missedUpdates.set(key, value);
      else for (const deletedKey of JSON.parse(value) as string[]) this.missedUpdates.set(deletedKey, undefined);
    }
  }
}

/** Every observing device of the transport, by device id. */
export class Observers {
  private readonly devices = new Map<string, ObservedDevice>();
  private readonly activityTimer: NodeJS.Timeout;

  constructor(
    readonly context: TransportContext,
    readonly options: CoapOptions,
    private readonly notifier: Notifier,
    private readonly problems: ThrottledLog,
  ) {
    // §3.4: an observing device stays active whether or not it sends anything.
    this.activityTimer = setInterval(() => {
      for (const device of this.devices.values()) device.session.reportActivity();
    }, options.activityReportMs);
    this.activityTimer.unref();
  }

  /** The open `connection` session of an observing device (RPC replies go through it, as in ThingsBoard). */
  sessionOf(deviceId: string): DeviceSession | undefined {
    return this.devices.get(deviceId)?.session;
  }

  /** Any request of a device wakes it up (power saving). */
  uplink(deviceId: string): void {
    this.devices.get(deviceId)?.awake();
  }

  /**
   * Attributes: the first message is the full set of shared attributes as a flat object, the others the changes
   * the core pushes. A repeated observe with the same token from the same peer is ignored.
   */
  observeAttributes(exchange: Exchange, device: DeviceIdentity): void {
    const observed = this.register(exchange, device, 'attributes');
    if (observed === undefined) return;
    const observation = observed.attributes!;
    // Changes pushed from now on queue up behind the snapshot, so none is lost and none overtakes it.
    observed.session.setAttributeSubscription(true);
    void observation.send(this.sharedSnapshot(observed, observation));
  }

  /** RPC: 2.03 Valid at once, then each server RPC as a notification. */
  observeRpc(exchange: Exchange, device: DeviceIdentity): void {
    const observed = this.register(exchange, device, 'rpc');
    if (observed === undefined) return;
    void observed.rpc!.send({ code: '2.03' });
    // Re-subscribing makes the core push what is still pending, to this observation (it queues behind the 2.03).
    observed.session.setRpcSubscription(false);
    observed.session.setRpcSubscription(true);
  }

  /**
   * Observe=1 from the peer and with the token of the active observation: it ends with 2.02 Deleted on its own
   * exchange (§3.4). The cancel request gets only its empty ACK; a cancel that matches nothing is ignored.
   */
  cancel(exchange: Exchange, deviceId: string, feature: ObservedFeature): void {
    const observed = this.devices.get(deviceId);
    const observation = observed?.[feature];
    if (observed === undefined || observation === undefined || observation.key !== observationKey(exchange.request)) return;
    void observation.end(DELETED);
    this.remove(observed, feature);
  }

  /** Ends every observation of a device with `final`, and its session. */
  async end(observed: ObservedDevice, final: CoapResponse): Promise<void> {
    const confirmable = final === SHUTTING_DOWN ? false : undefined; // a stopping transport waits for no ACK
    const sent = [observed.attributes?.end(final, confirmable), observed.rpc?.end(final, confirmable)];
    this.remove(observed, 'attributes');
    this.remove(observed, 'rpc');
    await Promise.all(sent);
  }

  /** The transport stops: every observer is told, every session closed. */
  async stop(): Promise<void> {
    clearInterval(this.activityTimer);
    await Promise.all([...this.devices.values()].map((observed) => this.end(observed, SHUTTING_DOWN)));
  }

  /** Installs a new observation of `feature`, replacing (2.02 Deleted) another one; undefined for a repeated observe. */
  private register(exchange: Exchange, device: DeviceIdentity, feature: ObservedFeature): ObservedDevice | undefined {
    let observed = this.devices.get(device.deviceId);
    if (observed?.[feature]?.key === observationKey(exchange.request)) {
      observed.session.reportActivity();
      return undefined;
    }
    if (observed === undefined) {
      observed = new ObservedDevice(device, this);
      this.devices.set(device.deviceId, observed);
    }
    const owner = observed;
    const observation = new Observation(
      exchange,
      this.notifier,
      (failed) => {
        if (owner[feature] === failed) this.remove(owner, feature);
      },
      () => owner.awake(),
    );
    const previous = observed[feature];
    observed[feature] = observation;
    void previous?.end(DELETED);
    return observed;
  }

  private remove(observed: ObservedDevice, feature: ObservedFeature): void {
    if (observed[feature] === undefined) return;
    observed[feature] = undefined;
    if (observed.closedByCore) {
      if (observed.attributes === undefined && observed.rpc === undefined) this.devices.delete(observed.deviceId);
      return;
    }
    if (feature === 'attributes') observed.session.setAttributeSubscription(false);
    else observed.session.setRpcSubscription(false);
    if (observed.attributes === undefined && observed.rpc === undefined) {
      this.devices.delete(observed.deviceId);
      observed.session.close(); // §3.4: no observation left → the device disconnects
    }
  }

  /** §3.4: the first attribute notification is every shared attribute, flat (`{}` when there are none). */
  private async sharedSnapshot(observed: ObservedDevice, observation: Observation): Promise<CoapResponse> {
    try {
      const all = await observed.session.getAttributes({});
      const shared = objectMembers(all)?.find(([name]) => name === 'shared')?.[1] ?? '{}';
      return { code: '2.05', payload: shared, contentFormat: observation.contentFormat };
    } catch (error) {
      this.problems.error('attribute-snapshot', 'CoAP transport: could not read shared attributes for a new observation', {
        deviceId: observed.deviceId,
        error: errorMessage(error),
      });
      void observation.end({ code: '5.00', payload: 'Edgewise could not read the shared attributes; observe again later' });
      this.remove(observed, 'attributes');
      return { code: '5.00' };
    }
  }
}
