/**
 * The LwM2M server's Registration interface (device-api.md §6.1): Register (`POST /rd?ep=…`), Update
 * (`POST /rd/{id}`), De-register (`DELETE /rd/{id}`) and lifetime expiry, plus the client's Send (`POST /dp`).
 * A registration opens the device's `connection` session; de-registration or expiry closes it.
 */
import { randomBytes } from 'node:crypto';
import type { ServerRpcRequest, SessionCloseReason, SessionListener, TransportContext } from '@edgewise/plugin-api';
import { type ClientServices, Lwm2mClient, type RegistrationState } from './client';
import { CodecError, ContentFormat, decodeContent } from './codecs/content';
import { DownlinkTimeoutError, type Peer } from './downlink';
import type { ModelLookup } from './object-model';
import { readProfile } from './profile';
import { parseRegister, parseUpdate, RegistrationError } from './registration';
import { runRpc } from './rpc';

/** A request that arrived on the server's port, reduced to what the Registration interface reads. */
export interface IncomingRequest {
  method: string;
  /** Uri-Path segments, e.g. `['rd', 'Xa3b9']`. */
  path: string[];
  query: string[];
  contentFormat?: number;
  payload: Uint8Array;
  peer: Peer;
}

export interface ServerAnswer {
  code: string;
  /** Location-Path segments of a 2.01 (`['rd', id]`). */
  locationPath?: string[];
  /** Diagnostic text for error codes. */
  payload?: string;
}

const answer = (code: string, payload?: string): ServerAnswer => ({ code, payload });

export class Lwm2mServer {
  private readonly byId = new Map<string, { client: Lwm2mClient; expiry: NodeJS.Timeout }>();
  private readonly idByEndpoint = new Map<string, string>();

  constructor(
    private readonly core: TransportContext,
    private readonly services: ClientServices,
    /** The object models of a tenant's clients, when they differ from `services.models` (uploaded models). */
    private readonly modelsOf?: (tenantId: string) => Promise<ModelLookup>,
  ) {}

  /** Answers a request on the server port; never throws. */
  async handle(request: IncomingRequest): Promise<ServerAnswer> {
    try {
      const [first, id, ...rest] = request.path;
      if (first === 'rd' && rest.length === 0) {
        if (id === undefined)
          return request.method === 'POST' ? await this.register(request) : answer('4.05', 'Register is POST /rd?ep={endpoint}');
        if (request.method === 'POST') return this.update(id, request);
        if (request.method === 'DELETE') return this.deregister(id);
        return answer('4.05', 'Update is POST /rd/{id}, De-register is DELETE /rd/{id}');
      }
      if (first === 'dp' && id === undefined && request.method === 'POST') return await this.send(request);
      return answer('4.04', `No resource ${'/' + request.path.join('/')} here: LwM2M clients register with POST /rd?ep={endpoint}`);
    } catch (e) {
      if (e instanceof RegistrationError || e instanceof CodecError) return answer('4.00', e.message);
      this.core.log.error('LwM2M request failed', { path: request.path.join('/'), error: (e as Error).stack ?? String(e) });
      return answer('5.00', 'The server failed on this request; retry later');
    }
  }

  /** The registered client of an endpoint (tests, OTA). */
  clientOf(endpoint: string): Lwm2mClient | undefined {
    const id = this.idByEndpoint.get(endpoint);
    return id === undefined ? undefined : this.byId.get(id)?.client;
  }

  registrationCount(): number {
    return this.byId.size;
  }

  /** Ends every registration (transport stop). */
  closeAll(): void {
    for (const id of [...this.byId.keys()]) this.remove(id);
  }

  private async register(request: IncomingRequest): Promise<ServerAnswer> {
    const params = parseRegister(request.query, Buffer.from(request.payload).toString('utf8'));
    const auth = await this.core.authenticate({ type: 'LWM2M_CREDENTIALS', endpoint: params.endpoint });
    if (!auth.ok) {
      this.core.log.info(`LwM2M registration of ${params.endpoint} refused: ${auth.reason}`, { endpoint: params.endpoint });
      return auth.failure === 'UNAVAILABLE' ? answer('5.03', auth.reason) : answer('4.03', auth.reason);
    }
    if (auth.device.transportType !== 'LWM2M')
      return answer(
        '4.03',
        `Device ${auth.device.deviceName} has a ${auth.device.transportType} device profile: give it a profile with transport type LWM2M`,
      );
    const models = this.modelsOf ? await this.modelsOf(auth.device.tenantId) : this.services.models;
    const previous = this.idByEndpoint.get(params.endpoint);
    if (previous !== undefined) this.remove(previous);

    const registrationId = randomBytes(5).toString('hex');
    const state: RegistrationState = {
      registrationId,
      endpoint: params.endpoint,
      peer: request.peer,
      version: params.version,
      binding: params.binding,
      lifetimeS: params.lifetimeS,
      objects: params.objects,
    };
    const client: Lwm2mClient = new Lwm2mClient(
      state,
      this.core.openSession(
        auth.device,
        this.listenerOf(() => client, registrationId),
        'connection',
      ),
      readProfile(auth.device.transportConfiguration),
      { ...this.services, models },
    );
    this.byId.set(registrationId, { client, expiry: this.expiryTimer(registrationId, params.lifetimeS) });
    this.idByEndpoint.set(params.endpoint, registrationId);
    this.core.log.info(
      `LwM2M client ${params.endpoint} registered (${registrationId}, LwM2M ${params.version}, lifetime ${params.lifetimeS} s)`,
    );
    // The client gets its 2.01 first; the profile's reads and observations follow.
    setImmediate(() => {
      if (!client.isClosed) void client.start();
    });
    return { code: '2.01', locationPath: ['rd', registrationId] };
  }

  private update(registrationId: string, request: IncomingRequest): ServerAnswer {
    const entry = this.byId.get(registrationId);
    if (!entry) return answer('4.04', `No registration ${registrationId}: register again with POST /rd?ep={endpoint}`);
    const params = parseUpdate(request.query, Buffer.from(request.payload).toString('utf8'));
    const state = entry.client.state;
    entry.client.update({
      ...state,
      peer: request.peer,
      lifetimeS: params.lifetimeS ?? state.lifetimeS,
      binding: params.binding ?? state.binding,
      objects: params.objects ?? state.objects,
    });
    clearTimeout(entry.expiry);
    entry.expiry = this.expiryTimer(registrationId, entry.client.state.lifetimeS);
    return answer('2.04');
  }

  private deregister(registrationId: string): ServerAnswer {
    if (!this.byId.has(registrationId)) return answer('4.04', `No registration ${registrationId}`);
    this.remove(registrationId);
    return answer('2.02');
  }

  /** LwM2M 1.1 Send: SenML values from a registered client, as if read. */
  private async send(request: IncomingRequest): Promise<ServerAnswer> {
    const client = [...this.byId.values()]
      .map((entry) => entry.client)
      .find((candidate) => candidate.state.peer.address === request.peer.address && candidate.state.peer.port === request.peer.port);
    if (!client) return answer('4.03', 'Send comes only from a registered client: register first');
    const format = request.contentFormat ?? ContentFormat.SENML_JSON;
    if (format !== ContentFormat.SENML_JSON && format !== ContentFormat.SENML_CBOR)
      return answer('4.15', 'Send carries SenML JSON (110) or SenML CBOR (112)');
    const values = decodeContent(format, request.payload, { objectId: 0 }, (path) => client.resourceModel(path)?.type);
    await client.onValues(values);
    return answer('2.04');
  }

  private expiryTimer(registrationId: string, lifetimeS: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      const entry = this.byId.get(registrationId);
      if (!entry) return;
      this.core.log.info(`LwM2M registration of ${entry.client.endpoint} expired after ${lifetimeS} s without update`);
      this.remove(registrationId);
    }, lifetimeS * 1000);
    timer.unref();
    return timer;
  }

  private remove(registrationId: string): void {
    const entry = this.byId.get(registrationId);
    if (!entry) return;
    clearTimeout(entry.expiry);
    this.byId.delete(registrationId);
    if (this.idByEndpoint.get(entry.client.endpoint) === registrationId) this.idByEndpoint.delete(entry.client.endpoint);
    entry.client.close();
  }

  /**
   * The core ended the session: a deleted device or new credentials end the registration (the client must
   * register again); an expired session of a live registration is opened again, as ThingsBoard does.
   */
  private onCoreClose(registrationId: string, reason: SessionCloseReason): void {
    const entry = this.byId.get(registrationId);
    if (!entry) return;
    if (reason === 'SESSION_TIMEOUT') {
      const { client } = entry;
      client.session = this.core.openSession(
        client.session.device,
        this.listenerOf(() => client, registrationId),
        'connection',
      );
      client.session.setAttributeSubscription(true);
      client.session.setRpcSubscription(true);
      return;
    }
    this.remove(registrationId);
  }

  /** `client` is read late: the session opens before the client that holds it exists. */
  private listenerOf(client: () => Lwm2mClient, registrationId: string): SessionListener {
    return {
      onAttributeUpdate: (payload) => {
        client()
          .onSharedAttributes(payload)
          .catch((e: Error) => this.core.log.warn(`LwM2M ${client().endpoint}: shared attributes not written: ${e.message}`));
      },
      onServerRpc: (rpc) => this.onServerRpc(client(), rpc),
      onClose: (reason) => this.onCoreClose(registrationId, reason),
    };
  }

  /** Resolves once the client answered (the RPC is delivered) after replying; rejects when it did not answer. */
  private async onServerRpc(client: Lwm2mClient, rpc: ServerRpcRequest): Promise<void> {
    try {
      const reply = await runRpc(client, rpc.method, rpc.params);
      client.session.replyToServerRpc(rpc.id, JSON.stringify(reply));
    } catch (e) {
      if (e instanceof DownlinkTimeoutError) throw e;
      client.session.replyToServerRpc(rpc.id, JSON.stringify({ result: 'INTERNAL_SERVER_ERROR', error: (e as Error).message }));
    }
  }
}
