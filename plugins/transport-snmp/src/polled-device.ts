/**
 * One SNMP device as the transport runs it (device-api.md §7): its querying schedules, its agent, and its session in
 * the core, which is open while the agent answers. The session is what makes the device connected; through it the
 * polled values become telemetry and client attributes, and the core's shared-attribute updates and server RPCs
 * become SETs and GETs.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type {
  DeviceSession,
  PolledDevice,
  ServerRpcRequest,
  SessionCloseReason,
  SessionListener,
  TransportContext,
} from '@edgewise/plugin-api';
import type { Varbind } from 'net-snmp';
import { AgentClient, AgentError, NoAnswerError, type AgentTarget, type ClientServices } from './agent-client';
import { readAgentSettings, readProfileSettings, type AgentSettings, type ProfileSettings, type QueryingConfig } from './configuration';
import type { SnmpOptions } from './options';
import { PollCounters, PollSchedule } from './poll-schedule';
import { mapResponse, setVarbind } from './values';

export interface DeviceServices extends ClientServices {
  core: TransportContext;
  options: SnmpOptions;
  counters: PollCounters;
}

/** ThingsBoard's labels of the communication specs, used to name what failed (its error events' `method`). */
const LABELS = {
  TELEMETRY_QUERYING: 'telemetryQuerying',
  CLIENT_ATTRIBUTES_QUERYING: 'clientAttributesQuerying',
  SHARED_ATTRIBUTES_SETTING: 'sharedAttributesSetting',
  TO_DEVICE_RPC_REQUEST: 'toDeviceRpcRequest',
  TO_SERVER_RPC_REQUEST: 'toServerRpcRequest',
} as const;

export type Reachability = 'unknown' | 'answering' | 'silent';

interface Configured {
  profile: ProfileSettings;
  agent: AgentSettings;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** An attribute or RPC value as the text ThingsBoard sends: strings as they are, other JSON as its text. */
const valueAsText = (value: unknown) =>
  typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);

/** IP literals as the socket reports senders (IPv6 in its short form); host names resolved, IPv4 first. */
async function resolveTarget(host: string, port: number): Promise<AgentTarget> {
  const literal = isIP(host);
  if (literal === 4) return { address: host, family: 4, port };
  if (literal === 6) return { address: new URL(`udp://[${host}]`).hostname.slice(1, -1), family: 6, port };
  const found = await lookup(host, { all: true });
  const chosen = found.find((a) => a.family === 4) ?? found[0];
  if (!chosen) throw new NoAnswerError(`host ${host} has no address`);
  return { address: chosen.address, family: chosen.family === 6 ? 6 : 4, port };
}

export class PolledDeviceRunner implements SessionListener {
  private polled: PolledDevice;
  private configured?: Configured;
  private client?: AgentClient;
  /** The agent's address as last resolved: traps are matched to devices by it. */
  private address?: string;
  private schedules: PollSchedule[] = [];
  private session?: DeviceSession;
  private state: Reachability = 'unknown';
  /** Bumped on every reconfiguration and on stop: answers to older requests are ignored. */
  private generation = 0;
  private stopped = false;
  /** The last error logged per topic, so a failing poll is logged when its error changes, not every time. */
  private readonly lastErrors = new Map<string, string>();

  constructor(
    private readonly services: DeviceServices,
    polled: PolledDevice,
  ) {
    this.polled = polled;
    this.configure();
  }

  get reachability(): Reachability {
    return this.state;
  }

  /** Whether a datagram from `address` comes from this device's agent. */
  isAt(address: string): boolean {
    return this.address === address;
  }

  /**
   * The device or its profile changed: polling restarts when the SNMP settings changed (the session stays open until a
   * poll says otherwise), and the session is reopened when the identity it carries changed (name, profile, customer).
   */
  update(polled: PolledDevice): void {
    const before = this.polled;
    this.polled = polled;
    const { transportConfiguration: profileBefore, ...identityBefore } = before.device;
    const { transportConfiguration: profileAfter, ...identityAfter } = polled.device;
    if (JSON.stringify(identityBefore) !== JSON.stringify(identityAfter) && this.session) {
      this.closeSession();
      this.openSession();
    }
    const settingsChanged =
      JSON.stringify(profileBefore) !== JSON.stringify(profileAfter) ||
      JSON.stringify(before.deviceTransportConfiguration) !== JSON.stringify(polled.deviceTransportConfiguration);
    if (settingsChanged) {
      this.halt();
      this.configure();
    }
  }

  /** The device is no longer polled (deleted, moved to another transport, or the transport stops). */
  stop(): void {
    this.stopped = true;
    this.halt();
    this.closeSession();
  }

  // ---- SessionListener: what the core pushes to the device ----

  /** SHARED_ATTRIBUTES_SETTING: one SET with a varbind per updated key that has a mapping; deletions set nothing. */
  onAttributeUpdate(payload: string): void {
    const mappings = this.configured?.profile.sharedAttributes;
    if (!mappings) return;
    let values: unknown;
    try {
      values = JSON.parse(payload);
    } catch {
      return;
    }
    if (!isObject(values) || Array.isArray(values.deleted)) return;
    const varbinds = mappings.filter((m) => Object.hasOwn(values, m.key)).map((m) => setVarbind(m, valueAsText(values[m.key])));
    if (varbinds.length) void this.setSharedAttributes(varbinds);
  }

  /**
   * TO_DEVICE_RPC_REQUEST (device-api.md §7.3): `GET`/`SET` of the OID mapped to `params.key`. The call counts as
   * delivered once the request is on its way (resolves); a call the device cannot take is refused (rejects) and,
   * as in ThingsBoard, ends by timeout.
   */
  async onServerRpc(request: ServerRpcRequest): Promise<void> {
    const refuse = (reason: string) => {
      const message = `RPC ${request.id} (${request.method}) to ${this.polled.device.deviceName} refused: ${reason}`;
      this.services.core.log.warn(message, this.fields({ method: LABELS.TO_DEVICE_RPC_REQUEST }));
      return new Error(message);
    };
    const { method, params } = request;
    if (method !== 'GET' && method !== 'SET') throw refuse('the method must be GET or SET');
    const mappings = this.configured?.profile.rpc;
    if (!mappings) throw refuse('the device profile has no TO_DEVICE_RPC_REQUEST mappings');
    if (!isObject(params)) throw refuse('params must be an object {"key": …, "value": …}');
    const mapping = mappings.find((m) => m.key === params.key);
    if (!mapping) throw refuse(`no TO_DEVICE_RPC_REQUEST mapping has the key ${JSON.stringify(params.key)}`);
    const hasValue = params.value !== undefined && params.value !== null;
    if (method === 'SET' && !hasValue) throw refuse('a SET needs params.value');
    const client = await this.connectedClient();
    const generation = this.generation;
    const exchange = method === 'SET' ? client.set([setVarbind(mapping, valueAsText(params.value))]) : client.get([mapping.oid]);
    void this.answerRpc(request, exchange, generation);
  }

  /**
   * A trap from the device's address (TO_SERVER_RPC_REQUEST): its varbinds mapped as a poll's are, sent to the rule
   * engine as ThingsBoard does, a device-to-server RPC `{"method":"TRAP","params":{…}}`. It shows the device is up.
   */
  onTrap(varbinds: Varbind[]): void {
    const label = LABELS.TO_SERVER_RPC_REQUEST;
    const mappings = this.configured?.profile.traps;
    if (!mappings) return this.report(label, 'sent a trap, but the device profile has no TO_SERVER_RPC_REQUEST mappings');
    let mapped;
    try {
      mapped = mapResponse(varbinds, mappings, this.services.options.ignoreTypeCastErrors);
    } catch (e) {
      return this.report(label, (e as Error).message);
    }
    if (mapped.count === 0) return this.report(label, 'No values in the trap: none of its OIDs has a TO_SERVER_RPC_REQUEST mapping');
    this.answering();
    this.session?.callServer(`{"method":"TRAP","params":${mapped.json}}`).catch((e: Error) => this.report(label, e.message));
  }

  /** The trap's source address is shared by several devices: ThingsBoard reports the clash on each and drops the trap. */
  onAmbiguousTrap(address: string): void {
    this.report(LABELS.TO_SERVER_RPC_REQUEST, `Found multiple devices for host ${address}: its traps are dropped`);
  }

  /** The core ended the session. A timed-out or re-keyed session of a device that still answers is opened again, as ThingsBoard re-registers it. */
  onClose(reason: SessionCloseReason): void {
    this.session = undefined;
    if (this.stopped || this.state !== 'answering') return;
    if (reason === 'SESSION_TIMEOUT' || reason === 'CREDENTIALS_UPDATED') this.openSession();
  }

  // ---- configuration ----

  private configure(): void {
    const generation = this.generation;
    try {
      this.configured = {
        profile: readProfileSettings(this.polled.device.transportConfiguration, this.services.options),
        agent: readAgentSettings(this.polled.deviceTransportConfiguration),
      };
    } catch (e) {
      this.configured = undefined;
      this.closeSession();
      this.state = 'unknown';
      this.report('configuration', `is not polled: ${(e as Error).message}`);
      return;
    }
    this.lastErrors.delete('configuration');
    // Resolved now rather than at the first request, so that traps from the device are recognised at once.
    this.connectedClient().catch((e: Error) => generation === this.generation && this.report('address', e.message));
    const { querying } = this.configured.profile;
    // Without anything to poll there is no way to tell whether the agent answers: the session simply stays open.
    if (querying.length === 0) {
      this.state = 'answering';
      this.openSession();
    }
    this.schedules = querying.map(
      (config) => new PollSchedule(config.frequencyMs, (dueAt) => this.poll(config, dueAt, generation), this.services.counters),
    );
    for (const schedule of this.schedules) schedule.start();
  }

  /** Stops the schedules and the agent's session; answers still on their way are ignored from now on. */
  private halt(): void {
    this.generation++;
    for (const schedule of this.schedules) schedule.stop();
    this.schedules = [];
    this.client?.close();
    this.client = undefined;
  }

  private async connectedClient(): Promise<AgentClient> {
    if (this.client) return this.client;
    const { agent, profile } = this.configured!;
    const generation = this.generation;
    let target: AgentTarget;
    try {
      target = await resolveTarget(agent.host, agent.port);
    } catch (e) {
      throw e instanceof NoAnswerError ? e : new NoAnswerError(`cannot resolve ${agent.host}: ${(e as Error).message}`);
    }
    if (generation !== this.generation) throw new Error('the device was reconfigured');
    this.address = target.address;
    this.client ??= new AgentClient(target, agent, profile, this.services);
    return this.client;
  }

  // ---- polling ----

  private async poll(config: QueryingConfig, dueAt: number, generation: number): Promise<void> {
    const label = LABELS[config.spec];
    const current = () => generation === this.generation && !this.stopped;
    let varbinds: Varbind[];
    try {
      const client = await this.connectedClient();
      varbinds = await client.get(config.oids, () => this.services.counters.started(dueAt, config.frequencyMs));
    } catch (e) {
      if (!current()) return;
      this.services.counters.failed++;
      if (e instanceof NoAnswerError) this.silent(e.message);
      else {
        if (e instanceof AgentError) this.answering();
        this.report(label, (e as Error).message);
      }
      return;
    }
    if (!current()) return;
    this.answering();
    try {
      const mapped = mapResponse(varbinds, config.mappings, this.services.options.ignoreTypeCastErrors);
      if (mapped.count === 0)
        throw new Error('No values in the response: every mapped OID is missing on the agent (noSuchObject/noSuchInstance)');
      const session = this.session;
      if (!session) return;
      await (config.spec === 'TELEMETRY_QUERYING' ? session.postTelemetry(mapped.json) : session.postAttributes(mapped.json));
      this.lastErrors.delete(label);
    } catch (e) {
      this.services.counters.failed++;
      this.report(label, (e as Error).message);
    }
  }

  private async setSharedAttributes(varbinds: Varbind[]): Promise<void> {
    const generation = this.generation;
    try {
      await (await this.connectedClient()).set(varbinds);
      if (generation === this.generation) this.session?.reportActivity();
      this.lastErrors.delete(LABELS.SHARED_ATTRIBUTES_SETTING);
    } catch (e) {
      if (generation === this.generation) this.report(LABELS.SHARED_ATTRIBUTES_SETTING, (e as Error).message);
    }
  }

  /**
   * The reply is the answered varbinds mapped by every TO_DEVICE_RPC_REQUEST mapping, e.g. `{"contact":"ops@example.com"}`.
   * No answer (or nothing mapped) gives no reply, as in ThingsBoard; an error status from the agent is answered with
   * `{"error":"…"}` (ThingsBoard would echo the request's values as if the SET had worked).
   */
  private async answerRpc(request: ServerRpcRequest, exchange: Promise<Varbind[]>, generation: number): Promise<void> {
    const label = LABELS.TO_DEVICE_RPC_REQUEST;
    let reply: string | undefined;
    try {
      const mapped = mapResponse(await exchange, this.configured?.profile.rpc ?? [], this.services.options.ignoreTypeCastErrors);
      if (mapped.count === 0) throw new Error('No values in the response');
      reply = mapped.json;
    } catch (e) {
      if (e instanceof AgentError) reply = JSON.stringify({ error: e.message });
      this.services.core.log.warn(
        `RPC ${request.id} (${request.method}) to ${this.polled.device.deviceName}: ${(e as Error).message}`,
        this.fields({ method: label }),
      );
    }
    if (generation !== this.generation || this.stopped || reply === undefined || request.oneway) return;
    this.session?.replyToServerRpc(request.id, reply);
  }

  // ---- reachability and the core session ----

  private answering(): void {
    if (this.state === 'answering') return;
    const before = this.state;
    this.state = 'answering';
    this.openSession();
    const { host, port } = this.configured!.agent;
    const message = `SNMP device ${this.polled.device.deviceName} answers at ${host}:${port}${before === 'silent' ? ' again' : ''}: session opened`;
    if (before === 'silent') this.services.core.log.info(message, this.fields());
    else this.services.core.log.debug(message, this.fields());
  }

  /** Logged once when the agent falls silent; polling goes on at the configured frequency, which is the retry. */
  private silent(reason: string): void {
    // A fresh session on the next poll: SNMPv3 rediscovers the engine (it may have restarted).
    this.client?.retire();
    this.client = undefined;
    if (this.state === 'silent') return;
    this.state = 'silent';
    this.closeSession();
    const every = Math.min(...(this.configured?.profile.querying.map((q) => q.frequencyMs) ?? [0]));
    this.services.core.log.warn(
      `SNMP device ${this.polled.device.deviceName} does not answer (${reason}): session closed, still polling every ${every} ms`,
      this.fields(),
    );
  }

  private openSession(): void {
    if (this.session || this.stopped) return;
    this.session = this.services.core.openSession(this.polled.device, this, 'connection');
    this.session.setAttributeSubscription(true);
    this.session.setRpcSubscription(true);
  }

  private closeSession(): void {
    const session = this.session;
    this.session = undefined;
    session?.close();
  }

  private report(topic: string, message: string): void {
    if (this.lastErrors.get(topic) === message) return;
    this.lastErrors.set(topic, message);
    this.services.core.log.warn(
      `SNMP device ${this.polled.device.deviceName} ${topic === 'configuration' ? '' : `${topic}: `}${message}`,
      this.fields({ method: topic }),
    );
  }

  private fields(extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { deviceId: this.polled.device.deviceId, deviceName: this.polled.device.deviceName, ...extra };
  }
}
