/**
 * The transport seam: what a transport plugin gets from the core, and what the core calls back on a
 * device session. A transport speaks one wire protocol and nothing else: it decodes, authenticates
 * through the core, hands payloads over as text, and maps the core's answers and errors to its protocol.
 * Payloads are handed over undecoded so that every transport types values the same way (ThingsBoard's
 * rules: `42.0` is a DOUBLE, `"25"` a LONG …); the core does the parsing once.
 */

/** What a device presented to prove who it is. */
export type DeviceCredentialsRequest =
  | { type: 'ACCESS_TOKEN'; token: string }
  /** MQTT CONNECT fields; any may be absent. The core applies ThingsBoard's lookup order (device-api.md §1.2). */
  | { type: 'MQTT_BASIC'; clientId?: string; username?: string; password?: string }
  /** The client certificate, PEM or the Base64 body between the armour lines. */
  | { type: 'X509_CERTIFICATE'; certificate: string }
  /** An LwM2M client's endpoint name (security mode NoSec; device-api.md §6.1). */
  | { type: 'LWM2M_CREDENTIALS'; endpoint: string };

/** The device a session belongs to. */
export interface DeviceIdentity {
  deviceId: string;
  deviceName: string;
  /** Device profile name (ThingsBoard's `type`). */
  deviceType: string;
  deviceProfileId: string;
  tenantId: string;
  customerId: string;
  /** Profile transport type: `DEFAULT`, `MQTT`, `COAP`, `LWM2M`, `SNMP`. */
  transportType: string;
  /**
   * The device profile's `profileData.transportConfiguration` as ThingsBoard shapes it (e.g. MQTT custom
   * topics, `sendAckOnValidationException`); transports read the members of their own type.
   */
  transportConfiguration?: Readonly<Record<string, unknown>>;
  isGateway: boolean;
}

export type AuthFailure =
  /** No credentials with that id. */
  | 'NOT_FOUND'
  /** Credentials found but the secret part (password) did not match. */
  | 'BAD_CREDENTIALS'
  /** The core could not answer (database down …): the device should retry later. */
  | 'UNAVAILABLE';

export type AuthResult = { ok: true; device: DeviceIdentity } | { ok: false; failure: AuthFailure; reason: string };

/** Why the core closes a session; transports map it to their protocol (e.g. MQTT 5 DISCONNECT 0x98). */
export type SessionCloseReason = 'DEVICE_DELETED' | 'CREDENTIALS_UPDATED' | 'SESSION_TIMEOUT' | 'SHUTDOWN';

/** A server-side RPC for the device. `params` is whatever JSON the caller sent. */
export interface ServerRpcRequest {
  id: number;
  method: string;
  params: unknown;
  oneway: boolean;
}

/** What the core asks of a session; implemented by the transport. */
export interface SessionListener {
  /**
   * A shared-attribute change, as the JSON text devices receive: the saved keys `{"target":22}` or the
   * deleted ones `{"deleted":["target"]}` (never both; device-api.md §1.7).
   */
  onAttributeUpdate(payload: string): void;
  /** Resolve when the device acknowledged receipt (MQTT PUBACK, CoAP ACK); reject when delivery failed. */
  onServerRpc(request: ServerRpcRequest): Promise<void>;
  /** The core ends the session; the transport closes the connection with the fitting protocol signal. */
  onClose(reason: SessionCloseReason): void;
}

export interface AttributesRequest {
  /** Absent together with `sharedKeys` → every client and shared attribute. */
  clientKeys?: string[];
  sharedKeys?: string[];
}

/** A device's open session in the core. Every uplink also counts as device activity. */
export interface DeviceSession {
  readonly id: string;
  readonly device: DeviceIdentity;
  /** Resolves once the telemetry is durable (acknowledge the device then); rejects with PayloadError on bad input. */
  postTelemetry(payload: string): Promise<void>;
  /** Client-scope attributes; same guarantees as postTelemetry. */
  postAttributes(payload: string): Promise<void>;
  /**
   * JSON text of `{"client":{…},"shared":{…}}`, members present only when non-empty, values in their
   * stored types (device-api.md §1.6); the transport sends it as is.
   */
  getAttributes(request: AttributesRequest): Promise<string>;
  /** The device's answer to server RPC `requestId`; `payload` verbatim. */
  replyToServerRpc(requestId: number, payload: string): void;
  /** Device-to-server RPC; resolves with the reply text (`{"error":"timeout"}` when nothing answers in time). */
  callServer(payload: string): Promise<string>;
  /** Subscriptions decide what the core pushes through the listener. */
  setAttributeSubscription(on: boolean): void;
  setRpcSubscription(on: boolean): void;
  /** Keep-alive traffic (MQTT PINGREQ, CoAP observe refresh) that carries no message. */
  reportActivity(): void;
  /**
   * Device-side claiming (device-api.md §1.10): `{"secretKey":…,"durationMs":…}`, both optional, empty text
   * allowed. Resolves once the request is kept (a refused registration is logged, not reported to the device);
   * rejects with PayloadError on bad input.
   */
  claim(payload: string): Promise<void>;
  /**
   * The OTA package currently assigned to the device (its own, else its profile's), device-api.md §1.12.3.
   * Transports that cache it per request (MQTT `requestId`) keep the returned `packageId`.
   */
  findOtaPackage(type: OtaPackageType): Promise<OtaPackageLookup>;
  /** Bytes `[chunk*chunkSize, min((chunk+1)*chunkSize, size))` of a package; `chunkSize` 0 = the whole file; past the end → empty. */
  readOtaChunk(packageId: string, chunkSize: number, chunk: number): Promise<Uint8Array>;
  /** The connection ended; idempotent. */
  close(): void;
}

export type OtaPackageType = 'FIRMWARE' | 'SOFTWARE';

export interface OtaPackageRef {
  packageId: string;
  title: string;
  version: string;
  /** Bytes of the binary. */
  size: number;
  /** The uploaded file's name and content type, for download headers (HTTP `x-filename`, device-api.md §2.6). */
  fileName: string;
  contentType: string;
  /** e.g. `SHA256` with its lowercase hex digest (device-api.md §1.12.1), for transports that announce it (LwM2M Object 19). */
  checksumAlgorithm: string;
  checksum: string;
}

/** `NOT_FOUND`: nothing assigned; `FAILURE`: the package has no binary (URL package). */
export type OtaPackageLookup = { ok: true; package: OtaPackageRef } | { ok: false; error: 'NOT_FOUND' | 'FAILURE' };

/** The answer to a provisioning request (device-api.md §1.11.3), in the JSON the device receives. */
export interface ProvisionResponse {
  status: 'SUCCESS' | 'NOT_FOUND' | 'FAILURE';
  /** JSON text, e.g. `{"credentialsValue":"…","credentialsType":"ACCESS_TOKEN","status":"SUCCESS"}`. */
  json: string;
}

/** A device the platform reaches out to (SNMP polling) rather than one that connects. */
export interface PolledDevice {
  device: DeviceIdentity;
  /** The device's `deviceData.transportConfiguration` (e.g. SNMP host, port, version, community). */
  deviceTransportConfiguration: Readonly<Record<string, unknown>>;
}

export type PolledDeviceChange = { kind: 'upserted'; polled: PolledDevice } | { kind: 'removed'; deviceId: string };

/** `connection` (default): a lasting connection. `request`: one exchange, no connect/disconnect events. */
export type SessionKind = 'connection' | 'request';

/** What the core gives a transport when it starts it. */
export interface TransportContext {
  readonly log: PluginLogger;
  authenticate(credentials: DeviceCredentialsRequest): Promise<AuthResult>;
  /**
   * Opens a session for an authenticated device. A connection (MQTT, CoAP observe) marks the device
   * connected while it lasts; a `request` session (one HTTP request) only records activity.
   */
  openSession(device: DeviceIdentity, listener: SessionListener, kind?: SessionKind): DeviceSession;
  /**
   * Gateway API (device-api.md §4.3): finds the child device by name in the gateway's tenant or creates it
   * (`deviceType` = profile name, default `default`), and opens its `connection` session. The core closes a
   * gateway's child sessions when the gateway's session closes.
   * Rejects with PayloadError for a name the contract refuses (empty, too long).
   */
  openGatewayChildSession(
    gateway: DeviceSession,
    deviceName: string,
    deviceType: string | undefined,
    listener: SessionListener,
  ): Promise<DeviceSession>;
  /**
   * Device provisioning (device-api.md §1.11): the request as the device sent it (JSON text). Every outcome the
   * contract answers with a `status` resolves; a malformed request rejects with PayloadError.
   */
  provision(payload: string): Promise<ProvisionResponse>;
  /**
   * Devices whose profile uses `transportType` (e.g. `SNMP`), for transports that poll: the current list, then
   * every change through `onChange` until the returned `stop` is called.
   */
  watchPolledDevices(
    transportType: string,
    onChange: (change: PolledDeviceChange) => void,
  ): Promise<{ devices: PolledDevice[]; stop(): void }>;
  /** Routes on the platform's HTTP listener (port 8080), for transports that speak HTTP (device-api.md §2). */
  readonly http: HttpRouteRegistry;
  /**
   * LwM2M object models (DDF XML, `LWM2M_MODEL` resources of the resource library) for a tenant's devices: the system
   * administrator's first, then the tenant's own, which win for the same object id and version (device-api.md §6.2).
   * Optional: a core without a resource library leaves it out, and the LwM2M transport uses its built-in models.
   */
  lwm2mModels?(tenantId: string): Promise<Lwm2mModelFile[]>;
}

/** An LwM2M object model as uploaded: the file name (for messages about it) and its XML. */
export interface Lwm2mModelFile {
  fileName: string;
  xml: string;
}

/**
 * Registers handlers on the core's HTTP server without exposing its framework. Routes registered here run
 * before the core's body parsing: the handler reads the body itself (`readBody`), so device payloads reach
 * the core as the text the device sent.
 */
export interface HttpRouteRegistry {
  /** `path` uses `:name` segments, e.g. `/api/v1/:token/telemetry`. */
  route(method: 'GET' | 'POST', path: string, handler: HttpHandler): void;
}

export type HttpHandler = (request: HttpRequest, response: HttpResponse) => void | Promise<void>;

export interface HttpRequest {
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string | undefined>>;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body as text; rejects with `BodyTooLargeError` past `maxBytes`. */
  readBody(maxBytes: number): Promise<string>;
  /** Called when the client goes away before the response is sent (long polls stop waiting). */
  onAbort(listener: () => void): void;
}

export interface HttpResponse {
  /** Sends the response; a string body is sent as given with the content type (default `application/json`). */
  send(status: number, body?: string | Uint8Array, headers?: Record<string, string>): void;
  readonly sent: boolean;
}

export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  constructor(readonly limit: number) {
    super(`Payload size exceeds the limit of ${limit} bytes`);
  }
}

export interface PluginLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** The device sent something the contract refuses (not JSON, wrong shape, wrong value type). */
export class PayloadError extends Error {
  override readonly name = 'PayloadError';
}
