/**
 * OMA LwM2M TLV (content format 11542; LwM2M 1.0 clients may also send the old 1542). Written here because no
 * maintained npm package implements it: a TLV carries no types, so values are decoded with the object model.
 *
 * Each entry: a type byte (bits 7-6 kind: 00 object instance, 01 resource instance, 10 multiple resource,
 * 11 resource with value; bit 5 identifier of 16 bits; bits 4-3 length of 0/8/16/24 bits; bits 2-0 the length
 * itself when bits 4-3 are 0), the identifier, the length, then the value or nested entries.
 */
import type { ResourceType } from '../object-model';
import { formatPath, type Lwm2mPath } from '../paths';
import { type Lwm2mValue, type ResourceValue, ValueError } from '../values';
import { CodecError, type ResourceTypeOf } from './codec-types';

const enum Kind {
  ObjectInstance = 0,
  ResourceInstance = 1,
  MultipleResource = 2,
  ResourceValue = 3,
}

interface Entry {
  kind: Kind;
  id: number;
  value: Uint8Array;
}

function readEntries(data: Uint8Array): Entry[] {
  const entries: Entry[] = [];
  let i = 0;
  const need = (n: number) => {
    if (i + n > data.length) throw new CodecError(`TLV payload ends early at byte ${i} (needs ${n} more): the client sent a truncated TLV`);
  };
  while (i < data.length) {
    need(1);
    const typeByte = data[i++];
    const kind = (typeByte >> 6) as Kind;
    const idBytes = typeByte & 0x20 ? 2 : 1;
    need(idBytes);
    const id = idBytes === 2 ? (data[i] << 8) | data[i + 1] : data[i];
    i += idBytes;
    const lengthBytes = (typeByte >> 3) & 0x03;
    let length = typeByte & 0x07;
    if (lengthBytes) {
      need(lengthBytes);
      length = 0;
      for (let b = 0; b < lengthBytes; b++) length = (length << 8) | data[i++];
    }
    need(length);
    entries.push({ kind, id, value: data.subarray(i, i + length) });
    i += length;
  }
  return entries;
}

function readInteger(bytes: Uint8Array, signed: boolean, where: string): number | bigint {
  if (![1, 2, 4, 8].includes(bytes.length))
    throw new CodecError(`TLV integer for ${where} has ${bytes.length} bytes; 1, 2, 4 or 8 expected`);
  let big = 0n;
  for (const byte of bytes) big = (big << 8n) | BigInt(byte);
  if (signed && bytes[0] & 0x80) big -= 1n << BigInt(bytes.length * 8);
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

function decodeValue(bytes: Uint8Array, type: ResourceType, where: string): Lwm2mValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (type) {
    case 'INTEGER':
    case 'TIME':
      return readInteger(bytes, true, where);
    case 'UNSIGNED_INTEGER':
      return readInteger(bytes, false, where);
    case 'FLOAT':
      if (bytes.length === 4) return view.getFloat32(0);
      if (bytes.length === 8) return view.getFloat64(0);
      throw new CodecError(`TLV float for ${where} has ${bytes.length} bytes; 4 or 8 expected`);
    case 'BOOLEAN':
      if (bytes.length !== 1 || bytes[0] > 1) throw new CodecError(`TLV boolean for ${where} must be one byte 0 or 1`);
      return bytes[0] === 1;
    case 'OBJLNK':
      if (bytes.length !== 4) throw new CodecError(`TLV object link for ${where} must have 4 bytes`);
      return `${view.getUint16(0)}:${view.getUint16(2)}`;
    case 'OPAQUE':
    case 'NONE':
      return Uint8Array.from(bytes);
    default:
      return Buffer.from(bytes).toString('utf8');
  }
}

/**
 * Decodes a TLV payload answering a request on `target` (object, instance, resource or resource instance)
 * into resource values; resources the model does not know are skipped (`typeOf` answers undefined).
 */
export function decodeTlv(payload: Uint8Array, target: Lwm2mPath, typeOf: ResourceTypeOf): ResourceValue[] {
  const values: ResourceValue[] = [];
  const add = (path: Lwm2mPath, bytes: Uint8Array) => {
    const type = typeOf(path);
    if (type) values.push({ path, type, value: decodeValue(bytes, type, formatPath(path)) });
  };
  const resources = (entries: Entry[], instanceId: number) => {
    for (const entry of entries) {
      const path = { objectId: target.objectId, instanceId, resourceId: entry.id };
      if (entry.kind === Kind.ResourceValue) add(path, entry.value);
      else if (entry.kind === Kind.MultipleResource)
        for (const inner of readEntries(entry.value)) {
          if (inner.kind !== Kind.ResourceInstance)
            throw new CodecError(`TLV multiple resource ${formatPath(path)} holds a non-instance entry`);
          add({ ...path, resourceInstanceId: inner.id }, inner.value);
        }
      else if (entry.kind === Kind.ResourceInstance && target.resourceId !== undefined)
        add({ ...path, resourceId: target.resourceId, resourceInstanceId: entry.id }, entry.value);
      else throw new CodecError(`TLV entry of kind ${entry.kind} is not allowed inside object instance ${target.objectId}/${instanceId}`);
    }
  };
  const entries = readEntries(payload);
  if (target.instanceId === undefined) {
    for (const entry of entries) {
      if (entry.kind !== Kind.ObjectInstance) throw new CodecError(`TLV for object /${target.objectId} must hold object instances`);
      resources(readEntries(entry.value), entry.id);
    }
  } else if (entries.length === 1 && entries[0].kind === Kind.ObjectInstance) {
    resources(readEntries(entries[0].value), entries[0].id);
  } else {
    resources(entries, target.instanceId);
  }
  return values;
}

function encodeInteger(value: number | bigint): Uint8Array {
  const big = BigInt(value);
  for (const size of [1, 2, 4, 8]) {
    const limit = 1n << BigInt(size * 8 - 1);
    if (big >= -limit && big < limit) {
      const bytes = new Uint8Array(size);
      let rest = big < 0n ? big + (1n << BigInt(size * 8)) : big;
      for (let i = size - 1; i >= 0; i--) {
        bytes[i] = Number(rest & 0xffn);
        rest >>= 8n;
      }
      return bytes;
    }
  }
  throw new ValueError(`Integer ${value} does not fit 64 bits`);
}

function encodeValue(value: Lwm2mValue, type: ResourceType): Uint8Array {
  switch (type) {
    case 'INTEGER':
    case 'TIME':
    case 'UNSIGNED_INTEGER':
      return encodeInteger(value as number | bigint);
    case 'FLOAT': {
      const bytes = new Uint8Array(8);
      new DataView(bytes.buffer).setFloat64(0, Number(value));
      return bytes;
    }
    case 'BOOLEAN':
      return Uint8Array.of(value ? 1 : 0);
    case 'OBJLNK': {
      const [objectId, instanceId] = String(value).split(':').map(Number);
      const bytes = new Uint8Array(4);
      new DataView(bytes.buffer).setUint16(0, objectId);
      new DataView(bytes.buffer).setUint16(2, instanceId);
      return bytes;
    }
    case 'OPAQUE':
      return value as Uint8Array;
    default:
      return Buffer.from(String(value), 'utf8');
  }
}

function entry(kind: Kind, id: number, value: Uint8Array): Uint8Array {
  const idBytes = id > 0xff ? 2 : 1;
  const lengthBytes = value.length < 8 ? 0 : value.length <= 0xff ? 1 : value.length <= 0xffff ? 2 : 3;
  const header = new Uint8Array(1 + idBytes + lengthBytes);
  header[0] = (kind << 6) | (idBytes === 2 ? 0x20 : 0) | (lengthBytes << 3) | (lengthBytes ? 0 : value.length);
  if (idBytes === 2) header.set([id >> 8, id & 0xff], 1);
  else header[1] = id;
  for (let b = 0; b < lengthBytes; b++) header[1 + idBytes + b] = (value.length >> (8 * (lengthBytes - 1 - b))) & 0xff;
  return Buffer.concat([header, value]);
}

/**
 * Encodes values for a Write/Create on `target`: resources of one instance (object-instance target, or a
 * Create on the object, then wrapped in the instance when `wrapInstance` is given), or one resource.
 */
export function encodeTlv(values: readonly ResourceValue[], target: Lwm2mPath, wrapInstance?: number): Uint8Array {
  const byResource = new Map<number, ResourceValue[]>();
  for (const value of values) {
    const list = byResource.get(value.path.resourceId!) ?? [];
    list.push(value);
    byResource.set(value.path.resourceId!, list);
  }
  const parts: Uint8Array[] = [];
  for (const [resourceId, list] of byResource) {
    if (list.some((value) => value.path.resourceInstanceId !== undefined)) {
      const instances = list.map((value) =>
        entry(Kind.ResourceInstance, value.path.resourceInstanceId!, encodeValue(value.value, value.type)),
      );
      // A write on a single resource instance carries just that instance.
      if (target.resourceInstanceId !== undefined) parts.push(...instances);
      else parts.push(entry(Kind.MultipleResource, resourceId, Buffer.concat(instances)));
    } else parts.push(entry(Kind.ResourceValue, resourceId, encodeValue(list[0].value, list[0].type)));
  }
  const body = Buffer.concat(parts);
  return wrapInstance === undefined ? body : entry(Kind.ObjectInstance, wrapInstance, body);
}
