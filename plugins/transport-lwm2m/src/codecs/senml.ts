/**
 * SenML (RFC 8428) as LwM2M 1.1 uses it, in JSON (110) and CBOR (112, through cbor-x), plus the OMA LwM2M JSON
 * of LwM2M 1.0 (11543). Records name full paths (`bn` + `n`); values are `v` (number), `vs` (string), `vb`
 * (boolean), `vd` (opaque, Base64url in JSON, bytes in CBOR) and `vlo` (object link `"3:0"`). The record layer is
 * written here (no maintained npm package maps SenML to LwM2M paths); CBOR itself is cbor-x's.
 */
import { Decoder, Encoder } from 'cbor-x';
import type { ResourceType } from '../object-model';
import { formatPath, parsePath, PathError, type Lwm2mPath } from '../paths';
import type { Lwm2mValue, ResourceValue } from '../values';
import { CodecError, type ResourceTypeOf } from './codec-types';

/** A record after base values were applied. */
interface Record_ {
  name: string;
  /** Seconds; absent when the record carries no time. */
  time?: number;
  value?: number;
  string?: string;
  boolean?: boolean;
  data?: Uint8Array;
  link?: string;
}

/** RFC 8428 CBOR labels, and LwM2M's text label for object links. */
const CBOR_LABEL = { bn: -2, bt: -3, n: 0, v: 2, vs: 3, vb: 4, vd: 8, t: 6 } as const;
const cborEncoder = new Encoder({ useRecords: false, mapsAsObjects: false, tagUint8Array: false });
const cborDecoder = new Decoder({ mapsAsObjects: false, useRecords: false });

const fromBase64Url = (text: string) => Uint8Array.from(Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64'));
const toBase64Url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** Applies `bn`/`bt` (which persist until changed) to raw records. */
function resolveRecords(raw: Array<(label: keyof typeof CBOR_LABEL | 'vlo') => unknown>): Record_[] {
  let baseName = '';
  let baseTime = 0;
  let hasBaseTime = false;
  return raw.map((get) => {
    const bn = get('bn');
    if (typeof bn === 'string') baseName = bn;
    const bt = get('bt');
    if (typeof bt === 'number') {
      baseTime = bt;
      hasBaseTime = true;
    }
    const n = get('n');
    const t = get('t');
    const record: Record_ = { name: baseName + (typeof n === 'string' ? n : '') };
    if (typeof t === 'number' || hasBaseTime) record.time = baseTime + (typeof t === 'number' ? t : 0);
    const v = get('v');
    const vs = get('vs');
    const vb = get('vb');
    const vd = get('vd');
    const vlo = get('vlo');
    if (typeof v === 'number' || typeof v === 'bigint') record.value = Number(v);
    if (typeof vs === 'string') record.string = vs;
    if (typeof vb === 'boolean') record.boolean = vb;
    if (vd instanceof Uint8Array)
      record.data = Uint8Array.from(vd); // cbor-x gives a Buffer
    else if (typeof vd === 'string') record.data = fromBase64Url(vd);
    if (typeof vlo === 'string') record.link = vlo;
    return record;
  });
}

function typedValue(record: Record_, type: ResourceType, where: string): Lwm2mValue {
  const fail = (): never => {
    throw new CodecError(`SenML record ${where} holds no value of the resource's type ${type}`);
  };
  switch (type) {
    case 'INTEGER':
    case 'UNSIGNED_INTEGER':
    case 'TIME':
      return record.value !== undefined && Number.isInteger(record.value) ? record.value : fail();
    case 'FLOAT':
      return record.value ?? fail();
    case 'BOOLEAN':
      return record.boolean ?? fail();
    case 'OPAQUE':
      return record.data ?? fail();
    case 'OBJLNK':
      return record.link ?? fail();
    default:
      return record.string ?? fail();
  }
}

/** Timestamped values, as a Send or a notification with times carries them. */
export interface TimedResourceValue extends ResourceValue {
  /** Milliseconds; absent when the record had no time. */
  ts?: number;
}

function toValues(records: Record_[], typeOf: ResourceTypeOf): TimedResourceValue[] {
  const values: TimedResourceValue[] = [];
  for (const record of records) {
    let path: Lwm2mPath;
    try {
      path = parsePath(record.name).path;
    } catch (e) {
      throw new CodecError(`SenML record name "${record.name}" is not an LwM2M path: ${(e as PathError).message}`);
    }
    if (path.resourceId === undefined) continue; // an object or instance record without value (e.g. a Read-Composite name)
    const type = typeOf(path);
    if (!type) continue;
    const value: TimedResourceValue = { path, type, value: typedValue(record, type, record.name) };
    if (record.time !== undefined) value.ts = Math.round(record.time * 1000);
    values.push(value);
  }
  return values;
}

export function decodeSenmlJson(payload: Uint8Array, typeOf: ResourceTypeOf): TimedResourceValue[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch (e) {
    throw new CodecError(`SenML JSON payload is not JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new CodecError('SenML JSON payload must be an array of records');
  return toValues(
    resolveRecords(
      parsed.map((record) => {
        if (typeof record !== 'object' || record === null) throw new CodecError('SenML JSON records must be objects');
        return (label) => (record as Record<string, unknown>)[label];
      }),
    ),
    typeOf,
  );
}

export function decodeSenmlCbor(payload: Uint8Array, typeOf: ResourceTypeOf): TimedResourceValue[] {
  let parsed: unknown;
  try {
    parsed = cborDecoder.decode(payload);
  } catch (e) {
    throw new CodecError(`SenML CBOR payload is not CBOR: ${(e as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new CodecError('SenML CBOR payload must be an array of records');
  return toValues(
    resolveRecords(
      parsed.map((record) => {
        if (!(record instanceof Map)) throw new CodecError('SenML CBOR records must be maps');
        return (label) => record.get(label === 'vlo' ? 'vlo' : CBOR_LABEL[label]);
      }),
    ),
    typeOf,
  );
}

/** `[{n, v|vs|vb|vd|vlo}]` with full names, ready for JSON or CBOR. */
function records(values: readonly ResourceValue[]): Array<[string, Lwm2mValue, ResourceType]> {
  return values.map((value) => [formatPath(value.path), value.value, value.type]);
}

function valueLabel(type: ResourceType): 'v' | 'vs' | 'vb' | 'vd' | 'vlo' {
  switch (type) {
    case 'INTEGER':
    case 'UNSIGNED_INTEGER':
    case 'TIME':
    case 'FLOAT':
      return 'v';
    case 'BOOLEAN':
      return 'vb';
    case 'OPAQUE':
      return 'vd';
    case 'OBJLNK':
      return 'vlo';
    default:
      return 'vs';
  }
}

export function encodeSenmlJson(values: readonly ResourceValue[]): Uint8Array {
  const list = records(values).map(([name, value, type]) => {
    const label = valueLabel(type);
    const encoded = label === 'vd' ? toBase64Url(value as Uint8Array) : label === 'v' ? Number(value) : value;
    return { n: name, [label]: encoded };
  });
  return Buffer.from(JSON.stringify(list), 'utf8');
}

export function encodeSenmlCbor(values: readonly ResourceValue[]): Uint8Array {
  const list = records(values).map(([name, value, type]) => {
    const label = valueLabel(type);
    const encoded = label === 'v' ? Number(value) : value;
    return new Map<number | string, unknown>([
      [CBOR_LABEL.n, name],
      [label === 'vlo' ? 'vlo' : CBOR_LABEL[label], encoded],
    ]);
  });
  return cborEncoder.encode(list);
}

/** Names only (`[{"n":"/3/0/9"}]`), the body of Read-/Observe-Composite requests. */
export function encodeSenmlNames(paths: readonly Lwm2mPath[], format: 'json' | 'cbor'): Uint8Array {
  if (format === 'json') return Buffer.from(JSON.stringify(paths.map((path) => ({ n: formatPath(path) }))), 'utf8');
  return cborEncoder.encode(paths.map((path) => new Map([[CBOR_LABEL.n, formatPath(path)]])));
}

/** A CBOR (60) single value. */
export function decodeCborValue(payload: Uint8Array, type: ResourceType, path: Lwm2mPath): ResourceValue {
  let decoded: unknown;
  try {
    decoded = cborDecoder.decode(payload);
  } catch (e) {
    throw new CodecError(`CBOR payload is not CBOR: ${(e as Error).message}`);
  }
  const record: Record_ = { name: formatPath(path) };
  if (typeof decoded === 'number' || typeof decoded === 'bigint') record.value = Number(decoded);
  else if (typeof decoded === 'boolean') record.boolean = decoded;
  else if (decoded instanceof Uint8Array) record.data = Uint8Array.from(decoded);
  else if (typeof decoded === 'string') [record.string, record.link] = [decoded, decoded];
  else if (decoded instanceof Date) record.value = Math.floor(decoded.getTime() / 1000);
  return { path, type, value: typedValue(record, type, record.name) };
}

export function encodeCborValue(value: ResourceValue): Uint8Array {
  const label = valueLabel(value.type);
  return cborEncoder.encode(label === 'v' ? Number(value.value) : value.value);
}

/** OMA LwM2M JSON (11543): `{"bn":"/3/0/","e":[{"n":"9","v":87},{"n":"0","sv":"…"}]}`. */
export function decodeOmaJson(payload: Uint8Array, target: Lwm2mPath, typeOf: ResourceTypeOf): TimedResourceValue[] {
  let parsed: { bn?: unknown; bt?: unknown; e?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch (e) {
    throw new CodecError(`LwM2M JSON payload is not JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(parsed?.e)) throw new CodecError('LwM2M JSON payload must have an "e" array');
  const baseName = typeof parsed.bn === 'string' ? parsed.bn : formatPath(target) + '/';
  const entries = parsed.e as Array<Record<string, unknown>>;
  const records = entries.map((entry): Record_ => {
    const name = String(entry.n ?? '');
    const record: Record_ = { name: name.startsWith('/') ? name : baseName.replace(/\/?$/, '/') + name };
    if (typeof entry.v === 'number') record.value = entry.v;
    if (typeof entry.sv === 'string') [record.string, record.data] = [entry.sv, Uint8Array.from(Buffer.from(entry.sv, 'base64'))];
    if (typeof entry.bv === 'boolean') record.boolean = entry.bv;
    if (typeof entry.ov === 'string') record.link = entry.ov;
    const time = (typeof parsed.bt === 'number' ? parsed.bt : 0) + (typeof entry.t === 'number' ? entry.t : 0);
    if (typeof entry.t === 'number' || typeof parsed.bt === 'number') record.time = time;
    return record;
  });
  return toValues(records, typeOf);
}

/** Names are relative to the object instance: `{"bn":"/3/0/","e":[{"n":"14","sv":"+02"},{"n":"6/0","v":1}]}`. */
export function encodeOmaJson(values: readonly ResourceValue[], target: Lwm2mPath): Uint8Array {
  const instanceId = target.instanceId ?? values[0]?.path.instanceId ?? 0;
  const baseName = `/${target.objectId}/${instanceId}/`;
  const e = values.map((value) => {
    const name = formatPath(value.path).slice(baseName.length);
    switch (valueLabel(value.type)) {
      case 'v':
        return { n: name, v: Number(value.value) };
      case 'vb':
        return { n: name, bv: value.value };
      case 'vlo':
        return { n: name, ov: value.value };
      case 'vd':
        return { n: name, sv: Buffer.from(value.value as Uint8Array).toString('base64') };
      default:
        return { n: name, sv: value.value };
    }
  });
  return Buffer.from(JSON.stringify({ bn: baseName, e }), 'utf8');
}
