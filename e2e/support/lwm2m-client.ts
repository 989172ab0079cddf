/**
 * A black-box LwM2M client for the e2e tests, on the shared CoAP stack (`@edgewise/coap-stack`) but with its own
 * TLV and SenML JSON codecs, written from the OMA specification (LwM2M 1.0 §6.4.3 TLV, LwM2M 1.1 §7.4.4 SenML
 * JSON), so that it checks the product's codecs rather than sharing them. It has the Security (0), Server (1),
 * Device (3) and Firmware Update (5) objects, a Temperature (3303) test object and a vendor object (33000), registers, answers
 * Read / Write / Write-Attributes / Execute / Observe / Discover, notifies changes, and updates its firmware the
 * way a client does when ThingsBoard writes the package to /5/0/0 (its default strategy).
 */
import { createHash } from 'node:crypto';
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

export const Format = { TEXT: 0, LINK: 40, OPAQUE: 42, TLV: 11542, SENML_JSON: 110 } as const;

type ValueType = 'string' | 'integer' | 'float' | 'boolean' | 'opaque' | 'time';
export type Value = string | number | boolean | Buffer;
interface ResourceDef {
  type: ValueType;
  operations: 'R' | 'W' | 'RW' | 'E';
  multiple?: boolean;
}
interface ObjectDef {
  version?: string;
  resources: Record<number, ResourceDef>;
}

const R = (type: ValueType, multiple = false): ResourceDef => ({ type, operations: 'R', multiple });
const RW = (type: ValueType): ResourceDef => ({ type, operations: 'RW' });
const EXEC: ResourceDef = { type: 'string', operations: 'E' };

/** The objects of the client (one instance each), with the resource types of their OMA models. */
const OBJECTS: Record<number, ObjectDef> = {
  0: { resources: { 0: RW('string'), 1: RW('boolean'), 2: RW('integer'), 10: RW('integer') } },
  1: { resources: { 0: R('integer'), 1: RW('integer'), 6: RW('boolean'), 7: RW('string'), 8: EXEC } },
  3: {
    version: '1.2',
    resources: {
      0: R('string'),
      1: R('string'),
      2: R('string'),
      3: R('string'),
      4: EXEC,
      6: R('integer', true),
      9: R('integer'),
      13: RW('time'),
      14: RW('string'),
    },
  },
  5: {
    version: '1.1',
    resources: {
      0: { type: 'opaque', operations: 'W' },
      1: RW('string'),
      2: EXEC,
      3: R('integer'),
      5: R('integer'),
      6: R('string'),
      7: R('string'),
      9: R('integer'),
    },
  },
  3303: { version: '1.1', resources: { 5700: R('float'), 5701: R('string') } },
  /** A vendor object no built-in model knows: its model is uploaded over REST. */
  33000: { resources: { 1: R('integer') } },
};

const INITIAL: [string, Value | Value[]][] = [
  ['/0/0/0', 'coap://127.0.0.1'],
  ['/0/0/1', false],
  ['/0/0/2', 3],
  ['/0/0/10', 123],
  ['/1/0/0', 123],
  ['/1/0/1', 300],
  ['/1/0/6', false],
  ['/1/0/7', 'U'],
  ['/3/0/0', 'Edgewise Test Labs'],
  ['/3/0/1', 'TL-1'],
  ['/3/0/2', 'SN-0001'],
  ['/3/0/3', '1.0'],
  ['/3/0/6', [1, 5]],
  ['/3/0/9', 87],
  ['/3/0/13', 1_700_000_000],
  ['/3/0/14', '+01'],
  ['/5/0/1', ''],
  ['/5/0/3', 0],
  ['/5/0/5', 0],
  ['/5/0/6', 'tracker'],
  ['/5/0/7', '1.0'],
  ['/5/0/9', 2],
  ['/3303/0/5700', 21.5],
  ['/3303/0/5701', 'Cel'],
  ['/33000/0/1', 42],
];

export interface Lwm2mClientOptions {
  endpoint: string;
  serverPort: number;
  /** `1.0`: TLV is its only structured format; `1.1` (default): it also lists SenML JSON (`ct=110`). */
  version?: '1.0' | '1.1';
  lifetimeS?: number;
}

interface Observed {
  path: number[];
  target: NotificationTarget;
  format: number;
  sequence: number;
}

class ClientError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const parse = (path: string): number[] => path.split('/').filter(Boolean).map(Number);
const text = (path: readonly number[]) => `/${path.join('/')}`;

export class Lwm2mTestClient {
  /** Resource values by path (`/3/0/9`); a multi-instance resource holds its instances in order. */
  readonly values = new Map<string, Value | Value[]>(INITIAL);
  /** What the server asked, as `METHOD /path` lines (with `?query` for Write-Attributes). */
  readonly requests: string[] = [];
  /** The content format each read, observe and write came in, as `/3/0/9 110`. */
  readonly formats: string[] = [];
  readonly executed: { path: string; argument: string }[] = [];
  /** The last firmware package written to /5/0/0, and its SHA-256. */
  firmware?: { bytes: Buffer; sha256: string };
  /** The package name and version the client runs after an update. */
  nextFirmware = { name: 'tracker', version: '1.1' };
  private readonly observations = new Map<string, Observed>();
  private location: string[] = [];

  private constructor(
    readonly options: Required<Lwm2mClientOptions>,
    private readonly udp: UdpEndpoint,
  ) {}

  static async start(options: Lwm2mClientOptions): Promise<Lwm2mTestClient> {
    // Requests are delivered from the next tick on, when `client` exists.
    const udp = await openUdpEndpoint('127.0.0.1', 0, (exchange) => client.serve(exchange), {
      ...DEFAULT_ENDPOINT_SETTINGS,
      name: 'e2e LwM2M client',
      maxPayloadBytes: 8 * 1024 * 1024,
    });
    const client = new Lwm2mTestClient({ version: '1.1', lifetimeS: 300, ...options }, udp);
    return client;
  }

  private get endpoint() {
    return this.udp.endpoint;
  }

  private get server() {
    return { address: '127.0.0.1', port: this.options.serverPort };
  }

  /** The registration's object links (the Security object is not listed, as LwM2M requires). */
  get links(): string {
    const root = this.options.version === '1.1' ? [`</>;rt="oma.lwm2m";ct=${Format.SENML_JSON}`] : [];
    const objects = Object.entries(OBJECTS)
      .filter(([id]) => id !== '0')
      .map(([id, object]) => `</${id}>${object.version ? `;ver=${object.version}` : ''},</${id}/0>`);
    return [...root, ...objects].join(',');
  }

  /** `POST /rd?ep=…&lt=…&lwm2m=…&b=U` with the object links; keeps the location for Update and De-register. */
  async register(): Promise<IncomingResponse> {
    const { endpoint, lifetimeS, version } = this.options;
    const response = await this.endpoint.request(
      this.server,
      {
        method: 'POST',
        path: ['rd'],
        query: [`ep=${endpoint}`, `lt=${lifetimeS}`, `lwm2m=${version}`, 'b=U'],
        contentFormat: Format.LINK,
        payload: this.links,
      },
      5_000,
    );
    if (response.code === '2.01') this.location = response.locationPath;
    return response;
  }

  update(): Promise<IncomingResponse> {
    return this.endpoint.request(this.server, { method: 'POST', path: this.location }, 5_000);
  }

  deregister(): Promise<IncomingResponse> {
    return this.endpoint.request(this.server, { method: 'DELETE', path: this.location }, 5_000);
  }

  /** Paths the server observes. */
  observedPaths(): string[] {
    return [...this.observations.values()].map((observed) => text(observed.path));
  }

  /** Changes a value and notifies the observations that cover it; resolves once they are acknowledged. */
  async set(path: string, value: Value | Value[]): Promise<void> {
    this.values.set(path, value);
    const changed = parse(path);
    for (const [key, observed] of this.observations)
      if (observed.path.every((id, i) => changed[i] === id)) {
        const delivery = await this.endpoint.notify(observed.target, {
          code: '2.05',
          contentFormat: observed.format,
          payload: this.encode(observed.path, observed.format),
          observe: ++observed.sequence,
        });
        if (delivery !== 'delivered') this.observations.delete(key); // refused (Reset) or unacknowledged: the server forgot it
      }
  }

  close(): Promise<void> {
    return this.udp.close();
  }

  // ---- the server's requests ----

  private serve(exchange: Exchange): void {
    const { request } = exchange;
    const path = request.path.map(Number);
    const accept = optionalUint(request.options, Option.ACCEPT);
    this.requests.push(`${request.method} ${text(path)}${request.query.length ? `?${request.query.join('&')}` : ''}`);
    try {
      if (request.path.some((segment) => !/^\d+$/.test(segment))) throw new ClientError('4.04', 'not an LwM2M path');
      if (request.method === 'GET') return this.read(exchange, path, accept);
      if (request.method === 'PUT' && request.payload.length === 0 && request.query.length) return void exchange.respond({ code: '2.04' });
      if (request.method === 'PUT' || (request.method === 'POST' && path.length === 2)) return this.write(exchange, path);
      if (request.method === 'POST' && path.length === 3) return this.execute(exchange, path);
      throw new ClientError('4.05', `${request.method} is not supported on ${text(path)}`);
    } catch (error) {
      const { code, message } = error instanceof ClientError ? error : new ClientError('5.00', String(error));
      void exchange.respond({ code, payload: message });
    }
  }

  private read(exchange: Exchange, path: number[], accept: number | undefined): void {
    if (accept === Format.LINK) return void exchange.respond({ code: '2.05', contentFormat: Format.LINK, payload: this.discover(path) });
    const format = accept ?? (this.options.version === '1.0' ? Format.TLV : Format.SENML_JSON);
    const payload = this.encode(path, format);
    this.formats.push(`${text(path)} ${format}`);
    if (exchange.request.observe === 0) {
      const { peer, token } = exchange.request;
      const key = `${text(path)}#${token.toString('hex')}`;
      const observed: Observed = {
        path,
        format,
        sequence: 0,
        target: { peer, token, confirmable: true, resource: resourceOf(exchange.request), onReset: () => this.observations.delete(key) },
      };
      this.observations.set(key, observed);
      return void exchange.respond({ code: '2.05', contentFormat: format, payload, observe: 0 });
    }
    void exchange.respond({ code: '2.05', contentFormat: format, payload });
  }

  private write(exchange: Exchange, path: number[]): void {
    const { payload, contentFormat } = exchange.request;
    this.formats.push(`${text(path)} ${contentFormat}`);
    const written = this.decode(path, contentFormat ?? Format.TLV, payload);
    for (const target of written.keys())
      if (!this.resourceDef(parse(target)).operations.includes('W')) throw new ClientError('4.05', `${target} is not writable`);
    for (const [target, value] of written) this.values.set(target, value);
    void exchange.respond({ code: '2.04' });
    if (written.has('/5/0/0')) void this.downloaded(written.get('/5/0/0') as Buffer);
  }

  private execute(exchange: Exchange, path: number[]): void {
    if (this.resourceDef(path).operations !== 'E') throw new ClientError('4.05', `${text(path)} is not executable`);
    this.executed.push({ path: text(path), argument: exchange.request.payload.toString() });
    void exchange.respond({ code: '2.04' });
    if (text(path) === '/5/0/2') void this.installFirmware();
  }

  /** Firmware written to /5/0/0 (the CoAP layer put its Block1 blocks together): Downloading, then Downloaded. */
  private async downloaded(bytes: Buffer): Promise<void> {
    this.firmware = { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
    await this.set('/5/0/5', 0);
    await this.set('/5/0/3', 1);
    await this.set('/5/0/3', 2);
  }

  /** Update executed: Updating, then the new package runs (result 1 "success", state back to Idle). */
  private async installFirmware(): Promise<void> {
    if (this.values.get('/5/0/3') !== 2) return;
    await this.set('/5/0/3', 3);
    await this.set('/5/0/6', this.nextFirmware.name);
    await this.set('/5/0/7', this.nextFirmware.version);
    await this.set('/3/0/3', this.nextFirmware.version);
    await this.set('/5/0/5', 1);
    await this.set('/5/0/3', 0);
  }

  private discover(path: number[]): string {
    const [objectId, instanceId] = path;
    const object = this.objectDef(objectId);
    const instance = `/${objectId}/${instanceId ?? 0}`;
    const links = path.length === 1 ? [`</${objectId}>`, `<${instance}>`] : [`<${instance}>`];
    for (const id of Object.keys(object.resources)) links.push(`<${instance}/${id}>`);
    return links.join(',');
  }

  // ---- model ----

  private objectDef(objectId: number): ObjectDef {
    const object = OBJECTS[objectId];
    if (!object) throw new ClientError('4.04', `no object ${objectId}`);
    return object;
  }

  private resourceDef(path: number[]): ResourceDef {
    const [objectId, instanceId, resourceId] = path;
    const resource = this.objectDef(objectId).resources[resourceId];
    if (instanceId !== 0 || !resource) throw new ClientError('4.04', `no resource ${text(path)}`);
    return resource;
  }

  /** The resources at or below `path`, as [objectId, instanceId, resourceId] with their values. */
  private resourcesAt(path: number[]): { path: number[]; def: ResourceDef; value: Value | Value[] }[] {
    const [objectId, instanceId, resourceId] = path;
    const object = this.objectDef(objectId);
    if (instanceId !== undefined && instanceId !== 0) throw new ClientError('4.04', `no instance ${text(path)}`);
    const found = Object.entries(object.resources)
      .map(([id, def]) => ({ path: [objectId, 0, Number(id)], def, value: this.values.get(`/${objectId}/0/${id}`) }))
      .filter(
        (entry): entry is { path: number[]; def: ResourceDef; value: Value | Value[] } =>
          entry.value !== undefined && entry.def.operations.includes('R'),
      )
      .filter((entry) => resourceId === undefined || entry.path[2] === resourceId);
    if (!found.length)
      throw new ClientError(resourceId !== undefined && object.resources[resourceId] ? '4.05' : '4.04', `nothing to read at ${text(path)}`);
    return found;
  }

  // ---- content formats ----

  private encode(path: number[], format: number): Buffer {
    const resources = this.resourcesAt(path);
    if (format === Format.TLV) return encodeTlv(path, resources);
    if (format === Format.SENML_JSON) return encodeSenml(resources);
    if ((format === Format.TEXT || format === Format.OPAQUE) && path.length >= 3 && !Array.isArray(resources[0].value)) {
      const value = resources[0].value as Value;
      return Buffer.isBuffer(value) ? value : Buffer.from(String(value));
    }
    throw new ClientError('4.06', `content format ${format} is not offered for ${text(path)}`);
  }

  private decode(path: number[], format: number, payload: Buffer): Map<string, Value | Value[]> {
    const typeOf = (resourcePath: number[]) => this.resourceDef(resourcePath).type;
    if (format === Format.TLV) return decodeTlv(path, payload, typeOf);
    if (format === Format.SENML_JSON) return decodeSenml(payload, typeOf);
    if (format === Format.OPAQUE) return new Map([[text(path), payload]]);
    if (format === Format.TEXT) return new Map([[text(path), fromText(payload.toString(), typeOf(path))]]);
    throw new ClientError('4.15', `content format ${format} is not supported`);
  }
}

// ---- TLV (OMA LwM2M 1.0 §6.4.3) ----

const TLV_OBJECT_INSTANCE = 0b00;
const TLV_RESOURCE_INSTANCE = 0b01;
const TLV_MULTIPLE_RESOURCE = 0b10;
const TLV_RESOURCE = 0b11;

function tlvEntry(kind: number, id: number, value: Buffer): Buffer {
  const idBytes = id > 255 ? 2 : 1;
  const lengthBytes = value.length < 8 ? 0 : value.length < 0x100 ? 1 : value.length < 0x10000 ? 2 : 3;
  const header = Buffer.alloc(1 + idBytes + lengthBytes);
  header[0] = (kind << 6) | ((idBytes - 1) << 5) | (lengthBytes << 3) | (lengthBytes === 0 ? value.length : 0);
  header.writeUIntBE(id, 1, idBytes);
  if (lengthBytes) header.writeUIntBE(value.length, 1 + idBytes, lengthBytes);
  return Buffer.concat([header, value]);
}

function tlvValue(type: ValueType, value: Value): Buffer {
  switch (type) {
    case 'integer':
    case 'time': {
      const n = BigInt(value as number);
      const size = [1, 2, 4, 8].find((bytes) => n >= -(1n << BigInt(bytes * 8 - 1)) && n < 1n << BigInt(bytes * 8 - 1))!;
      const bytes = Buffer.alloc(size);
      if (size === 8) bytes.writeBigInt64BE(n);
      else bytes.writeIntBE(Number(n), 0, size);
      return bytes;
    }
    case 'float': {
      const bytes = Buffer.alloc(8);
      bytes.writeDoubleBE(value as number);
      return bytes;
    }
    case 'boolean':
      return Buffer.from([value ? 1 : 0]);
    case 'opaque':
      return value as Buffer;
    default:
      return Buffer.from(String(value));
  }
}

function encodeTlv(target: number[], resources: { path: number[]; def: ResourceDef; value: Value | Value[] }[]): Buffer {
  const entries = resources.map(({ path, def, value }) =>
    Array.isArray(value)
      ? tlvEntry(
          TLV_MULTIPLE_RESOURCE,
          path[2],
          Buffer.concat(value.map((item, i) => tlvEntry(TLV_RESOURCE_INSTANCE, i, tlvValue(def.type, item)))),
        )
      : tlvEntry(TLV_RESOURCE, path[2], tlvValue(def.type, value)),
  );
  // An object read wraps its instance's resources in an Object Instance entry.
  return target.length === 1 ? tlvEntry(TLV_OBJECT_INSTANCE, 0, Buffer.concat(entries)) : Buffer.concat(entries);
}

function readTlv(payload: Buffer): { kind: number; id: number; value: Buffer }[] {
  const entries: { kind: number; id: number; value: Buffer }[] = [];
  for (let i = 0; i < payload.length;) {
    const type = payload[i];
    const idBytes = type & 0b0010_0000 ? 2 : 1;
    const lengthBytes = (type >> 3) & 0b11;
    const id = payload.readUIntBE(i + 1, idBytes);
    const length = lengthBytes ? payload.readUIntBE(i + 1 + idBytes, lengthBytes) : type & 0b111;
    const start = i + 1 + idBytes + lengthBytes;
    entries.push({ kind: type >> 6, id, value: payload.subarray(start, start + length) });
    i = start + length;
  }
  return entries;
}

function fromTlv(type: ValueType, value: Buffer): Value {
  switch (type) {
    case 'integer':
    case 'time':
      return value.length === 8 ? Number(value.readBigInt64BE()) : value.readIntBE(0, value.length);
    case 'float':
      return value.length === 4 ? value.readFloatBE() : value.readDoubleBE();
    case 'boolean':
      return value[0] === 1;
    case 'opaque':
      return Buffer.from(value);
    default:
      return value.toString('utf8');
  }
}

function decodeTlv(target: number[], payload: Buffer, typeOf: (path: number[]) => ValueType): Map<string, Value | Value[]> {
  const values = new Map<string, Value | Value[]>();
  const [objectId] = target;
  const visit = (entries: ReturnType<typeof readTlv>, instanceId: number) => {
    for (const entry of entries) {
      if (entry.kind === TLV_OBJECT_INSTANCE) visit(readTlv(entry.value), entry.id);
      else {
        const path = [objectId, instanceId, entry.id];
        const type = typeOf(path);
        values.set(
          text(path),
          entry.kind === TLV_MULTIPLE_RESOURCE ? readTlv(entry.value).map((item) => fromTlv(type, item.value)) : fromTlv(type, entry.value),
        );
      }
    }
  };
  visit(readTlv(payload), target[1] ?? 0);
  return values;
}

// ---- SenML JSON (RFC 8428, OMA LwM2M 1.1 §7.4.4) ----

interface SenmlRecord {
  bn?: string;
  n?: string;
  v?: number;
  vs?: string;
  vb?: boolean;
  vd?: string;
}

function senmlRecord(name: string, type: ValueType, value: Value): SenmlRecord {
  if (type === 'integer' || type === 'float' || type === 'time') return { n: name, v: value as number };
  if (type === 'boolean') return { n: name, vb: value as boolean };
  if (type === 'opaque') return { n: name, vd: (value as Buffer).toString('base64url') };
  return { n: name, vs: String(value) };
}

function encodeSenml(resources: { path: number[]; def: ResourceDef; value: Value | Value[] }[]): Buffer {
  const records = resources.flatMap(({ path, def, value }) =>
    Array.isArray(value)
      ? value.map((item, i) => senmlRecord(`${text(path)}/${i}`, def.type, item))
      : [senmlRecord(text(path), def.type, value)],
  );
  return Buffer.from(JSON.stringify(records));
}

function decodeSenml(payload: Buffer, typeOf: (path: number[]) => ValueType): Map<string, Value | Value[]> {
  const values = new Map<string, Value | Value[]>();
  let base = '';
  for (const record of JSON.parse(payload.toString()) as SenmlRecord[]) {
    if (record.bn !== undefined) base = record.bn;
    const path = parse(base + (record.n ?? ''));
    const value: Value = record.vs ?? record.vb ?? (record.vd !== undefined ? Buffer.from(record.vd, 'base64url') : (record.v as number));
    const resource = text(path.slice(0, 3));
    if (path.length === 4) {
      const instances = (values.get(resource) as Value[] | undefined) ?? [];
      instances[path[3]] = value;
      values.set(resource, instances);
    } else values.set(resource, typeOf(path) === 'opaque' && !Buffer.isBuffer(value) ? Buffer.from(String(value)) : value);
  }
  return values;
}

function fromText(value: string, type: ValueType): Value {
  if (type === 'integer' || type === 'time' || type === 'float') return Number(value);
  if (type === 'boolean') return value === '1' || value === 'true';
  return value;
}
