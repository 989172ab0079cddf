/**
 * One registered LwM2M client: its registration, its core session, what it reported (resource values), its
 * observations, and the operations the server sends it. Values of profile-mapped paths become telemetry and
 * client attributes (device-api.md §6.2); shared attributes named in `keyName` are written to the client.
 */
import type { DeviceSession, PluginLogger } from '@edgewise/plugin-api';
import { CodecError, ContentFormat, decodeContent, encodeContent, encodeSenmlNames, type TimedResourceValue } from './codecs/content';
import { codeName, type DeviceResponse, type Downlink, type DownlinkRequest, isSuccess, type Observation, type Peer } from './downlink';
import { formatLinks, type Link } from './link-format';
import { isExecutable, isReadable, type ModelLookup, type ObjectModel, type ResourceModel, type ResourceType } from './object-model';
import {
  formatPath,
  formatVersionedPath,
  isObject,
  isObjectInstance,
  isResource,
  isResourceInstance,
  type Lwm2mPath,
  parsePath,
} from './paths';
import { OtaUpdates } from './ota';
import { type Lwm2mProfile, type ObjectAttributes, pathOfKey } from './profile';
import { type Lwm2mVersion, type ObjectLinks, supportsFormat } from './registration';
import { coerceValue, jsonValue, type Lwm2mValue, type ResourceValue, telemetryJson, ValueError } from './values';

export interface ClientServices {
  downlink: Downlink;
  models: ModelLookup;
  log: PluginLogger;
  /** How long a request to the client may take (ThingsBoard's `transport.lwm2m.timeout`). */
  requestTimeoutMs: number;
}

export interface RegistrationState {
  registrationId: string;
  endpoint: string;
  peer: Peer;
  version: Lwm2mVersion;
  binding: string;
  lifetimeS: number;
  objects: ObjectLinks;
}

/** An operation the client answered; `values` hold what a Read/Observe returned. */
export interface OperationResult {
  response: DeviceResponse;
  values: TimedResourceValue[];
}

/** A request refused before anything was sent (unknown path, wrong value): RPC `BAD_REQUEST`. */
export class OperationError extends Error {
  override readonly name = 'OperationError';
}

const WRITE_ATTRIBUTE_ORDER = ['pmax', 'pmin', 'gt', 'lt', 'st', 'epmax', 'epmin', 'dim', 'ssid', 'uri', 'lwm2m', 'ver'] as const;

export class Lwm2mClient {
  /** Last known value per resource or resource-instance path (`/3/0/9`, `/3/0/6/1`). */
  private readonly values = new Map<string, ResourceValue>();
  /** Active observations by plain path, or by the sorted paths of a composite one. */
  private readonly observations = new Map<string, { observation: Observation; paths: Lwm2mPath[]; composite: boolean }>();
  private closed = false;
  /**
   * Notifications are taken one after the other, in the order they came: each may move the OTA state machine
   * (Downloading → Downloaded → Execute Update …), which must see them in order.
   */
  private notificationsTaken: Promise<void> = Promise.resolve();
  private readonly ota: OtaUpdates;

  constructor(
    public state: RegistrationState,
    public session: DeviceSession,
    readonly profile: Lwm2mProfile,
    private readonly services: ClientServices,
  ) {
    this.ota = new OtaUpdates({
      endpoint: state.endpoint,
      settings: profile.clientSettings,
      findPackage: async (type) => {
        const found = await this.session.findOtaPackage(type);
        return found.ok ? found.package : undefined;
      },
      hasRegistered: (path) =>
        path.instanceId === undefined
          ? this.state.objects.objectVersions.has(path.objectId)
          : this.state.objects.instances.has(`/${path.objectId}/${path.instanceId}`),
      create: async (instance, resources) =>
        this.expectSuccess(await this.create(instance, resources, undefined), `create ${formatPath(instance)}`),
      readPackage: (packageId) => this.session.readOtaChunk(packageId, 0, 0),
      write: async (path, value) => this.expectSuccess(await this.writeReplace(path, value), `write ${formatPath(path)}`),
      execute: async (path, argument) => this.expectSuccess(await this.execute(path, argument), `execute ${formatPath(path)}`),
      telemetry: (json) => this.session.postTelemetry(json),
      warn: (message) => this.services.log.warn(message, { endpoint: this.endpoint }),
    });
  }

  private expectSuccess(response: DeviceResponse, what: string): void {
    if (!isSuccess(response.code)) throw new OperationError(`the client answered ${response.code} ${codeName(response.code)} to ${what}`);
  }

  get endpoint(): string {
    return this.state.endpoint;
  }

  // ---------- models and paths ----------

  /** The object version the client registered (`ver=`), else the profile's `defaultObjectIDVer`. */
  objectVersion(objectId: number): string {
    return this.state.objects.objectVersions.get(objectId) ?? this.profile.clientSettings.defaultObjectIDVer;
  }

  objectModel(objectId: number): ObjectModel | undefined {
    return this.services.models.find(objectId, this.objectVersion(objectId));
  }

  resourceModel(path: Lwm2mPath): ResourceModel | undefined {
    return path.resourceId === undefined ? undefined : this.objectModel(path.objectId)?.resources.get(path.resourceId);
  }

  private readonly typeOf = (path: Lwm2mPath): ResourceType | undefined => {
    const type = this.resourceModel(path)?.type;
    return type === 'NONE' ? undefined : type;
  };

  private isReadable(path: Lwm2mPath): boolean {
    const model = this.resourceModel(path);
    return model !== undefined && isReadable(model);
  }

  versionedPath(path: Lwm2mPath): string {
    return formatVersionedPath(path, this.objectVersion(path.objectId));
  }

  /** A plain or versioned path text as a plain path; a versioned one must name the version the client registered. */
  resolveTarget(text: string): Lwm2mPath {
    let parsed;
    try {
      parsed = parsePath(text);
    } catch (e) {
      throw new OperationError((e as Error).message);
    }
    if (parsed.version !== undefined && parsed.version !== this.objectVersion(parsed.path.objectId))
      throw new OperationError(
        `Specified resource id ${text} is not valid version! Must be version: ${this.objectVersion(parsed.path.objectId)}`,
      );
    return parsed.path;
  }

  /** ThingsBoard's `key` → path (profile `keyName`). */
  pathOfKey(key: string): Lwm2mPath {
    const path = pathOfKey(this.profile, key);
    if (!path)
      throw new OperationError(`Key ${key} is not in the device profile's keyName map: add it, or use "id" with a path such as /3/0/9`);
    return this.resolveTarget(path);
  }

  /** Whether the client registered the object (and instance) of a versioned profile path. */
  supports(versionedPath: string): boolean {
    let parsed;
    try {
      parsed = parsePath(versionedPath);
    } catch {
      return false;
    }
    const { path, version } = parsed;
    if (
      !this.state.objects.objectVersions.has(path.objectId) ||
      (version ?? this.objectVersion(path.objectId)) !== this.objectVersion(path.objectId)
    )
      return false;
    if (path.instanceId === undefined) return true;
    const hasInstances = [...this.state.objects.instances].some((instance) => instance.startsWith(`/${path.objectId}/`));
    return !hasInstances || this.state.objects.instances.has(`/${path.objectId}/${path.instanceId}`);
  }

  // ---------- registration lifecycle ----------

  /** After Register: subscribe, read, observe and write-attribute what the profile asks, then push shared attributes. */
  async start(): Promise<void> {
    this.session.setAttributeSubscription(true);
    this.session.setRpcSubscription(true);
    const { observe, attribute, telemetry, attributeLwm2m } = this.profile;
    const toRead = [...new Set([...attribute, ...telemetry])].filter((path) => !observe.has(path) && this.supports(path));
    const toObserve = [...observe].filter((path) => this.supports(path));
    // Composite strategies need SenML; a client without it gets one request per path.
    const composite = this.profile.observeStrategy !== 'SINGLE' && this.supportsComposite;
    const reads =
      composite && this.profile.initAttrTelAsObsStrategy && toRead.length
        ? [this.quietly('read-composite the profile paths', () => this.readComposite(toRead.map((path) => this.resolveTarget(path))))]
        : toRead.map((path) => this.quietly(`read ${path}`, () => this.read(this.resolveTarget(path))));
    const observations = composite
      ? this.compositeGroups(toObserve).map((group) =>
          this.quietly(`observe-composite ${group.join(', ')}`, () => this.observeComposite(group.map((path) => this.resolveTarget(path)))),
        )
      : toObserve.map((path) => this.quietly(`observe ${path}`, () => this.observe(this.resolveTarget(path))));
    await Promise.all([...reads, ...observations]);
    await Promise.all(
      [...attributeLwm2m]
        .filter(([path]) => this.supports(path))
        .map(([path, attributes]) =>
          this.quietly(`write attributes of ${path}`, () => this.writeAttributes(this.resolveTarget(path), attributes)),
        ),
    );
    await this.quietly('write shared attributes', () => this.pushSharedAttributes());
  }

  /** COMPOSITE_ALL: one group; COMPOSITE_BY_OBJECT: one group per object id. */
  private compositeGroups(paths: string[]): string[][] {
    if (!paths.length) return [];
    if (this.profile.observeStrategy === 'COMPOSITE_ALL') return [paths];
    const byObject = new Map<number, string[]>();
    for (const path of paths) {
      const objectId = parsePath(path).path.objectId;
      byObject.set(objectId, [...(byObject.get(objectId) ?? []), path]);
    }
    return [...byObject.values()];
  }

  /** Registration Update: the client may have new objects or a new address. */
  update(state: RegistrationState): void {
    this.state = state;
  }

  /** Ends observations and the core session (De-register, lifetime expiry, shutdown). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const { observation } of this.observations.values()) observation.cancel();
    this.observations.clear();
    this.session.close();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private async quietly(what: string, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (e) {
      this.services.log.warn(`LwM2M client ${this.endpoint}: could not ${what}: ${(e as Error).message}`, { endpoint: this.endpoint });
    }
  }

  // ---------- values from the client ----------

  /** Stores reported values and posts those the profile maps as telemetry / client attributes. */
  async onValues(values: readonly TimedResourceValue[]): Promise<void> {
    const touched = new Map<string, Lwm2mPath>();
    /** When the client timed a resource's value (SenML `t`, e.g. in a Send), its telemetry keeps that time. */
    const timeOf = new Map<string, number>();
    for (const value of values) {
      const resource = { ...value.path, resourceInstanceId: undefined };
      const resourceKey = formatPath(resource);
      // A single value replaces instance values once known under the same resource, and the reverse.
      if (isResource(value.path)) {
        for (const key of this.values.keys()) if (key.startsWith(resourceKey + '/')) this.values.delete(key);
      } else this.values.delete(resourceKey);
      this.values.set(formatPath(value.path), value);
      touched.set(resourceKey, resource);
      if (value.ts !== undefined) timeOf.set(resourceKey, value.ts);
    }
    const telemetry = new Map<number | undefined, string[]>();
    const attributes: string[] = [];
    for (const path of touched.values()) {
      const versioned = this.versionedPath(path);
      const key = this.profile.keyName.get(versioned);
      if (!key) continue;
      const json = this.resourceJson(path);
      if (json === undefined) continue;
      const member = `${JSON.stringify(key)}:${json}`;
      if (this.profile.attribute.has(versioned)) attributes.push(member);
      if (!this.profile.telemetry.has(versioned)) continue;
      const ts = timeOf.get(formatPath(path));
      telemetry.set(ts, [...(telemetry.get(ts) ?? []), member]);
    }
    if (attributes.length) await this.session.postAttributes(`{${attributes.join(',')}}`);
    if (telemetry.size) {
      const entries = [...telemetry].map(([ts, members]) =>
        ts === undefined ? `{${members.join(',')}}` : `{"ts":${ts},"values":{${members.join(',')}}}`,
      );
      await this.session.postTelemetry(entries.length === 1 ? entries[0] : `[${entries.join(',')}]`);
    }
    for (const value of values) await this.ota.onValue(value);
  }

  /** The stored value of a resource as telemetry JSON: a multi-instance resource as `{"0":v,"1":v}`. */
  private resourceJson(path: Lwm2mPath): string | undefined {
    const single = this.values.get(formatPath(path));
    if (single) return telemetryJson(single.value, single.type);
    const prefix = formatPath(path) + '/';
    const members = [...this.values]
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, value]) => `${JSON.stringify(key.slice(prefix.length))}:${telemetryJson(value.value, value.type)}`);
    return members.length ? `{${members.join(',')}}` : undefined;
  }

  /** The last value the client reported for a single resource. */
  knownValue(path: Lwm2mPath): Lwm2mValue | undefined {
    return this.values.get(formatPath(path))?.value;
  }

  // ---------- shared attributes → Write ----------

  /** A shared-attribute change as the core pushes it (`{"key":value}` or `{"deleted":[…]}`). */
  async onSharedAttributes(payload: string): Promise<void> {
    const parsed = JSON.parse(payload) as Record<string, unknown>;
    if ('deleted' in parsed) return; // ThingsBoard writes nothing for deletions
    await this.ota.onSharedAttributes(parsed);
    for (const [key, value] of Object.entries(parsed)) {
      if (key.startsWith('fw_') || key.startsWith('sw_')) continue; // reserved for OTA
      const versioned = pathOfKey(this.profile, key);
      if (!versioned || !this.supports(versioned)) continue;
      await this.quietly(`write shared attribute ${key}`, () => this.writeIfChanged(this.resolveTarget(versioned), value));
    }
  }

  private async pushSharedAttributes(): Promise<void> {
    const keys = [...this.profile.keyName.values()].filter((key) => !key.startsWith('fw_') && !key.startsWith('sw_'));
    keys.push(...OtaUpdates.TARGET_KEYS);
    const answer = JSON.parse(await this.session.getAttributes({ sharedKeys: keys })) as { shared?: Record<string, unknown> };
    if (answer.shared) await this.onSharedAttributes(JSON.stringify(answer.shared));
  }

  /** Write-Replace when the value differs from the last known one (compared as text, like ThingsBoard). */
  private async writeIfChanged(path: Lwm2mPath, value: unknown): Promise<void> {
    const known = this.knownValue(path);
    const model = this.resourceModel(path);
    if (!model) throw new OperationError(`Resource ${formatPath(path)} is not in the object model`);
    if (known !== undefined && String(jsonValue(known)) === String(value)) return;
    this.expectSuccess(await this.writeReplace(path, value), `write ${formatPath(path)}`);
  }

  // ---------- operations ----------

  /** Content format of a request on `path` (device-api.md §6.1, ThingsBoard's DefaultLwM2mDownlinkMsgHandler). */
  formatFor(path: Lwm2mPath): number {
    const model = this.resourceModel(path);
    const supports = (format: number) => supportsFormat(this.state.objects, this.state.version, format);
    if (model && (isResourceInstance(path) || (isResource(path) && !model.multiple))) {
      if (model.type === 'OPAQUE') return ContentFormat.OPAQUE;
      const preferred = [ContentFormat.CBOR, ContentFormat.SENML_CBOR, ContentFormat.SENML_JSON].find((format) =>
        this.state.objects.contentFormats.has(format),
      );
      return preferred ?? (this.state.version === '1.0' ? ContentFormat.TLV : ContentFormat.TEXT);
    }
    if (this.state.version === '1.0') return ContentFormat.TLV;
    return [ContentFormat.SENML_CBOR, ContentFormat.SENML_JSON, ContentFormat.TLV, ContentFormat.JSON].find(supports) ?? ContentFormat.TLV;
  }

  private send(request: DownlinkRequest): Promise<DeviceResponse> {
    this.session.reportActivity();
    return this.services.downlink.send(this.state.peer, request, this.services.requestTimeoutMs);
  }

  private decode(response: DeviceResponse, target: Lwm2mPath, requested: number): TimedResourceValue[] {
    if (!isSuccess(response.code) || response.payload.length === 0) return [];
    try {
      return decodeContent(response.contentFormat ?? requested, response.payload, target, this.typeOf);
    } catch (e) {
      if (e instanceof CodecError) this.services.log.warn(`LwM2M client ${this.endpoint}: ${e.message}`);
      throw e;
    }
  }

  private requireModel(path: Lwm2mPath): ObjectModel {
    const model = this.objectModel(path.objectId);
    if (!model)
      throw new OperationError(
        `Object model ${path.objectId} version ${this.objectVersion(path.objectId)} is not known: add it as an LwM2M model resource`,
      );
    return model;
  }

  async read(path: Lwm2mPath): Promise<OperationResult> {
    this.requireModel(path);
    const accept = this.formatFor(path);
    const response = await this.send({ method: 'GET', path: formatPath(path), accept });
    const values = this.decode(response, path, accept);
    if (values.length) await this.onValues(values);
    return { response, values };
  }

  /** Active observations as ObserveReadAll lists them. */
  observationNames(): string[] {
    return [...this.observations.values()].map(({ paths, composite }) =>
      composite ? `CompositeObservation:[${paths.map(formatPath).join(', ')}]` : `SingleObservation:${formatPath(paths[0])}`,
    );
  }

  async observe(path: Lwm2mPath): Promise<OperationResult> {
    this.requireModel(path);
    const key = formatPath(path);
    if (this.observations.has(key)) throw new OperationError('Observation is already registered!');
    const accept = this.formatFor(path);
    return this.startObservation(key, [path], false, { method: 'GET', path: key, accept }, (response) =>
      this.decode(response, path, accept),
    );
  }

  /** Observe-Composite (LwM2M 1.1): one observation of several paths, FETCH with the SenML names. */
  async observeComposite(paths: Lwm2mPath[]): Promise<OperationResult> {
    const format = this.requireComposite();
    const key = compositeKey(paths);
    if (this.observations.has(key)) throw new OperationError('Observation is already registered!');
    const request = this.compositeRequest('FETCH', format, encodeSenmlNames(paths, format === ContentFormat.SENML_JSON ? 'json' : 'cbor'));
    return this.startObservation(key, paths, true, request, (response) => this.decodeComposite(response, format));
  }

  private async startObservation(
    key: string,
    paths: Lwm2mPath[],
    composite: boolean,
    request: DownlinkRequest,
    decode: (response: DeviceResponse) => TimedResourceValue[],
  ): Promise<OperationResult> {
    this.session.reportActivity();
    const observation = await this.services.downlink.observe(this.state.peer, request, this.services.requestTimeoutMs, (notification) => {
      if (this.closed) return;
      this.session.reportActivity();
      let values: TimedResourceValue[];
      try {
        values = decode(notification);
      } catch {
        return; // logged by decode
      }
      this.notificationsTaken = this.notificationsTaken
        .then(() => this.onValues(values))
        .catch((e: Error) => this.services.log.warn(`LwM2M client ${this.endpoint}: notification of ${key} not kept: ${e.message}`));
    });
    if (isSuccess(observation.response.code) && !this.closed) this.observations.set(key, { observation, paths, composite });
    else observation.cancel();
    const values = decode(observation.response);
    if (values.length) await this.onValues(values);
    return { response: observation.response, values };
  }

  /** Cancels single observations of `path` and below (every observation without a path); the number cancelled. */
  cancelObservations(path?: Lwm2mPath): number {
    let count = 0;
    for (const [key, { observation, composite }] of this.observations) {
      if (path && (composite || (key !== formatPath(path) && !key.startsWith(formatPath(path) + '/')))) continue;
      observation.cancel();
      this.observations.delete(key);
      count++;
    }
    return count;
  }

  /** Cancels the composite observation of exactly these paths; the number cancelled (0 or 1). */
  cancelCompositeObservation(paths: Lwm2mPath[]): number {
    const entry = this.observations.get(compositeKey(paths));
    if (!entry) return 0;
    entry.observation.cancel();
    this.observations.delete(compositeKey(paths));
    return 1;
  }

  /** SenML JSON, else SenML CBOR, as ThingsBoard picks for composite operations. */
  private requireComposite(): number {
    const format = [ContentFormat.SENML_JSON, ContentFormat.SENML_CBOR].find((candidate) =>
      this.state.objects.contentFormats.has(candidate),
    );
    if (format === undefined) throw new OperationError('This device does not support Composite Operation');
    return format;
  }

  get supportsComposite(): boolean {
    return [ContentFormat.SENML_JSON, ContentFormat.SENML_CBOR].some((format) => this.state.objects.contentFormats.has(format));
  }

  private compositeRequest(method: 'FETCH' | 'iPATCH', format: number, payload: Uint8Array): DownlinkRequest {
    return { method, path: '/', contentFormat: format, accept: method === 'FETCH' ? format : undefined, payload };
  }

  private decodeComposite(response: DeviceResponse, format: number): TimedResourceValue[] {
    return this.decode(response, { objectId: 0 }, format);
  }

  /** Read-Composite (LwM2M 1.1): FETCH `/` with the SenML names of the paths. */
  async readComposite(paths: Lwm2mPath[]): Promise<OperationResult> {
    const format = this.requireComposite();
    for (const path of paths) this.requireModel(path);
    const payload = encodeSenmlNames(paths, format === ContentFormat.SENML_JSON ? 'json' : 'cbor');
    const response = await this.send(this.compositeRequest('FETCH', format, payload));
    const values = this.decodeComposite(response, format);
    if (values.length) await this.onValues(values);
    return { response, values };
  }

  /** Write-Composite (LwM2M 1.1): iPATCH `/` with SenML values of single resources or resource instances. */
  async writeComposite(nodes: ReadonlyArray<[Lwm2mPath, unknown]>): Promise<DeviceResponse> {
    const format = this.requireComposite();
    const values = nodes.flatMap(([path, value]) => {
      if (!isResource(path) && !isResourceInstance(path))
        throw new OperationError(
          `nodes: ${this.versionedPath(path)} is not validate value. The WriteComposite operation is only used for SingleResources or/and ResourceInstance.`,
        );
      this.requireModel(path);
      return this.resourceValues(path, value);
    });
    let payload: Uint8Array;
    try {
      payload = encodeContent(format, values, { objectId: 0 });
    } catch (e) {
      throw new OperationError((e as Error).message);
    }
    const response = await this.send(this.compositeRequest('iPATCH', format, payload));
    if (isSuccess(response.code)) await this.onValues(values);
    return response;
  }

  async discover(path: Lwm2mPath): Promise<DeviceResponse> {
    return this.send({ method: 'GET', path: formatPath(path), accept: ContentFormat.LINK });
  }

  /** The registration's object links, as DiscoverAll answers them without asking the client. */
  registeredLinks(): Link[] {
    return this.state.objects.links.filter((link) => link.attributes.rt !== 'oma.lwm2m');
  }

  registeredLinksText(): string[] {
    return this.registeredLinks().map((link) => formatLinks([link]));
  }

  async execute(path: Lwm2mPath, argument?: unknown): Promise<DeviceResponse> {
    this.requireModel(path);
    const model = this.resourceModel(path);
    if (!model) throw new OperationError(`Resource ${formatPath(path)} is not in the object model`);
    if (!isExecutable(model)) throw new OperationError(`Resource with ${this.versionedPath(path)} is not executable.`);
    const payload =
      argument === undefined || argument === null || model.multiple
        ? undefined
        : Buffer.from(typeof argument === 'object' ? JSON.stringify(argument) : String(argument));
    return this.send({ method: 'POST', path: formatPath(path), payload, contentFormat: payload ? ContentFormat.TEXT : undefined });
  }

  /** Values for a resource (single, or multi-instance from `{"0":v,…}`) from loose JSON. */
  private resourceValues(path: Lwm2mPath, value: unknown): ResourceValue[] {
    const model = this.resourceModel(path);
    if (!model || model.type === 'NONE')
      throw new OperationError(`Resource ${this.versionedPath(path)} is not configured in the device profile!`);
    const multi = model.multiple && !isResourceInstance(path);
    if (multi) {
      const entries = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
      if (typeof entries !== 'object' || entries === null || Array.isArray(entries))
        throw new OperationError(`Value of Multi-Instance Resource ${formatPath(path)} must be a JSON object like {"0":1,"1":2}`);
      return Object.entries(entries).map(([instance, item]) => {
        const instancePath = { ...path, resourceInstanceId: Number(instance) };
        return { path: instancePath, type: model.type, value: this.coerce(item, model.type, instancePath) };
      });
    }
    return [{ path, type: model.type, value: this.coerce(value, model.type, path) }];
  }

  private coerce(value: unknown, type: ResourceType, path: Lwm2mPath): Lwm2mValue {
    try {
      return coerceValue(value, type, path);
    } catch (e) {
      throw new OperationError(e instanceof ValueError ? e.message : String(e));
    }
  }

  private async write(method: 'PUT' | 'POST', path: Lwm2mPath, values: ResourceValue[]): Promise<DeviceResponse> {
    const format = this.formatFor(path);
    let payload: Uint8Array;
    try {
      payload = encodeContent(format, values, path);
    } catch (e) {
      throw new OperationError((e as Error).message);
    }
    const response = await this.send({ method, path: formatPath(path), contentFormat: format, payload });
    // Written values count as reported, except write-only ones (a firmware image is not kept in memory).
    if (isSuccess(response.code)) await this.onValues(values.filter((value) => this.isReadable(value.path)));
    return response;
  }

  /** Write-Replace of a resource or resource instance. */
  async writeReplace(path: Lwm2mPath, value: unknown): Promise<DeviceResponse> {
    if (!isResource(path) && !isResourceInstance(path))
      throw new OperationError(`Resource ${this.versionedPath(path)}. This operation can only be used for Resource or ResourceInstance!`);
    this.requireModel(path);
    return this.write('PUT', path, this.resourceValues(path, value));
  }

  /** Write-Update (partial) of an object instance (`{"14":"+02"}`) or a multi-instance resource (`{"0":1}`). */
  async writeUpdate(path: Lwm2mPath, value: unknown): Promise<DeviceResponse> {
    this.requireModel(path);
    if (isObjectInstance(path)) {
      const values = this.instanceValues(path, value);
      if (!values.length) throw new OperationError(`Resource ${this.versionedPath(path)}. No resources to update!`);
      return this.write('POST', path, values);
    }
    if (isResource(path) && this.resourceModel(path)?.multiple) return this.write('POST', path, this.resourceValues(path, value));
    throw new OperationError(
      `Resource ${this.versionedPath(path)}. This operation can only be used for ObjectInstance or Resource (multiple)`,
    );
  }

  /** `{"resourceId": value}` for the resources of one instance. */
  private instanceValues(instance: Lwm2mPath, value: unknown): ResourceValue[] {
    const resources = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
    if (typeof resources !== 'object' || resources === null || Array.isArray(resources))
      throw new OperationError(`Value for ${formatPath(instance)} must be a JSON object of resourceId → value, e.g. {"14":"+02"}`);
    return Object.entries(resources).flatMap(([resourceId, item]) =>
      this.resourceValues({ objectId: instance.objectId, instanceId: instance.instanceId, resourceId: Number(resourceId) }, item),
    );
  }

  /** Create an instance of a multi-instance object from `value` (resources) or `nodes` (instanceId → resources). */
  async create(path: Lwm2mPath, value: unknown, nodes: unknown): Promise<DeviceResponse> {
    const model = this.requireModel(path);
    if (!model.multiple) throw new OperationError(`Path ${this.versionedPath(path)}. Object must be Multiple !`);
    if (!isObject(path) && !isObjectInstance(path)) throw new OperationError(`Path ${this.versionedPath(path)}. Object must be Multiple !`);
    const format = this.formatFor({ objectId: path.objectId });
    let values: ResourceValue[];
    let wrapInstance: number | undefined;
    if (value !== undefined && value !== null) {
      const instanceId = path.instanceId ?? 0;
      values = this.instanceValues({ objectId: path.objectId, instanceId }, value);
      wrapInstance = path.instanceId;
    } else if (typeof nodes === 'object' && nodes !== null && Object.keys(nodes).length === 1) {
      const [[instanceId, resources]] = Object.entries(nodes);
      values = this.instanceValues({ objectId: path.objectId, instanceId: Number(instanceId) }, resources);
      wrapInstance = Number(instanceId);
    } else
      throw new OperationError(
        `Path ${this.versionedPath(path)}: give "value" (the resources of one instance) or "nodes" with one instance`,
      );
    const target = { objectId: path.objectId, instanceId: wrapInstance };
    let payload: Uint8Array;
    try {
      payload =
        format === ContentFormat.TLV
          ? encodeContent(format, values, { objectId: path.objectId }, wrapInstance)
          : encodeContent(format, values, target);
    } catch (e) {
      throw new OperationError((e as Error).message);
    }
    return this.send({ method: 'POST', path: `/${path.objectId}`, contentFormat: format, payload });
  }

  async delete(path: Lwm2mPath): Promise<DeviceResponse> {
    return this.send({ method: 'DELETE', path: formatPath(path) });
  }

  async writeAttributes(path: Lwm2mPath, attributes: ObjectAttributes): Promise<DeviceResponse> {
    if (typeof attributes !== 'object' || attributes === null) throw new OperationError('Attributes to write are not specified!');
    const query = WRITE_ATTRIBUTE_ORDER.filter((name) => attributes[name] !== undefined && attributes[name] !== null).map(
      (name) => `${name}=${attributes[name]}`,
    );
    return this.send({ method: 'PUT', path: formatPath(path), query });
  }
}

const compositeKey = (paths: readonly Lwm2mPath[]): string => `composite:${paths.map(formatPath).sort().join(',')}`;

/** Composite values as typed JSON by path: `{"/3/0/9": 87, "/3/0/6/1": 5}`. */
export function compositeValuesAsJson(values: readonly ResourceValue[]): Record<string, unknown> {
  return Object.fromEntries(values.map((value) => [formatPath(value.path), jsonValue(value.value)]));
}

/** Read/Observe values as typed JSON relative to the target: a value, or nested `{id: …}` objects. */
export function valuesAsJson(values: readonly ResourceValue[], target: Lwm2mPath): unknown {
  if (values.length === 1 && formatPath(values[0].path) === formatPath(target)) return jsonValue(values[0].value);
  const root: Record<string, unknown> = {};
  const depth = [target.objectId, target.instanceId, target.resourceId, target.resourceInstanceId].filter((id) => id !== undefined).length;
  for (const value of values) {
    const ids = [value.path.objectId, value.path.instanceId, value.path.resourceId, value.path.resourceInstanceId]
      .filter((id) => id !== undefined)
      .slice(depth);
    let node = root;
    ids.forEach((id, i) => {
      if (i === ids.length - 1) node[String(id)] = jsonValue(value.value);
      else node = (node[String(id)] ??= {}) as Record<string, unknown>;
    });
  }
  return root;
}
