/**
 * Decoding and encoding LwM2M payloads by content format: TLV, SenML JSON/CBOR, OMA JSON, CBOR, text and
 * opaque. Decoders return the resource values a payload holds for the request's target path.
 */
import type { ResourceType } from '../object-model';
import { formatPath, isResource, isResourceInstance, type Lwm2mPath } from '../paths';
import { type Lwm2mValue, type ResourceValue, ValueError } from '../values';
import { CodecError, ContentFormat, type ResourceTypeOf } from './codec-types';
import {
  decodeCborValue,
  decodeOmaJson,
  decodeSenmlCbor,
  decodeSenmlJson,
  encodeCborValue,
  encodeOmaJson,
  encodeSenmlCbor,
  encodeSenmlJson,
  type TimedResourceValue,
} from './senml';
import { decodeTlv, encodeTlv } from './tlv';

export { CodecError, ContentFormat, type ResourceTypeOf } from './codec-types';
export { encodeSenmlNames, type TimedResourceValue } from './senml';

const singleTarget = (target: Lwm2mPath, format: number): void => {
  if (!isResource(target) && !isResourceInstance(target))
    throw new CodecError(`Content format ${format} carries a single value, but the payload answers ${formatPath(target)}`);
};

function decodeText(text: string, type: ResourceType, where: string): Lwm2mValue {
  const fail = (): never => {
    throw new CodecError(`Text "${text}" for ${where} is not a valid ${type}`);
  };
  switch (type) {
    case 'INTEGER':
    case 'UNSIGNED_INTEGER':
    case 'TIME':
      return /^[-+]?\d+$/.test(text.trim()) ? Number(text.trim()) : fail();
    case 'FLOAT':
      return text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : fail();
    case 'BOOLEAN':
      return text === '1' ? true : text === '0' ? false : fail();
    case 'OPAQUE':
      return Uint8Array.from(Buffer.from(text, 'base64'));
    case 'OBJLNK':
      return /^\d+:\d+$/.test(text) ? text : fail();
    default:
      return text;
  }
}

function encodeText(value: Lwm2mValue, type: ResourceType): string {
  if (type === 'BOOLEAN') return value ? '1' : '0';
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return String(value);
}

/** The values a payload answering a request on `target` holds; throws CodecError for a payload that does not decode. */
export function decodeContent(format: number, payload: Uint8Array, target: Lwm2mPath, typeOf: ResourceTypeOf): TimedResourceValue[] {
  const single = (decode: (type: ResourceType) => Lwm2mValue): TimedResourceValue[] => {
    singleTarget(target, format);
    const type = typeOf(target);
    return type ? [{ path: target, type, value: decode(type) }] : [];
  };
  switch (format) {
    case ContentFormat.TLV:
    case ContentFormat.OLD_TLV:
      return decodeTlv(payload, target, typeOf);
    case ContentFormat.SENML_JSON:
      return decodeSenmlJson(payload, typeOf);
    case ContentFormat.SENML_CBOR:
      return decodeSenmlCbor(payload, typeOf);
    case ContentFormat.JSON:
    case ContentFormat.OLD_JSON:
      return decodeOmaJson(payload, target, typeOf);
    case ContentFormat.CBOR:
      singleTarget(target, format);
      return typeOf(target) ? [decodeCborValue(payload, typeOf(target)!, target)] : [];
    case ContentFormat.TEXT:
      return single((type) => decodeText(Buffer.from(payload).toString('utf8'), type, formatPath(target)));
    case ContentFormat.OPAQUE:
      return single(() => Uint8Array.from(payload));
    default:
      throw new CodecError(`Content format ${format} is not one LwM2M uses (TLV, SenML JSON/CBOR, LwM2M JSON, CBOR, text, opaque)`);
  }
}

/** Encodes values for a Write or Create on `target`; `wrapInstance` wraps a Create's resources in that instance (TLV). */
export function encodeContent(format: number, values: readonly ResourceValue[], target: Lwm2mPath, wrapInstance?: number): Uint8Array {
  const single = (): ResourceValue => {
    singleTarget(target, format);
    if (values.length !== 1) throw new ValueError(`Content format ${format} carries exactly one value; ${values.length} were given`);
    return values[0];
  };
  switch (format) {
    case ContentFormat.TLV:
    case ContentFormat.OLD_TLV:
      return encodeTlv(values, target, wrapInstance);
    case ContentFormat.SENML_JSON:
      return encodeSenmlJson(values);
    case ContentFormat.SENML_CBOR:
      return encodeSenmlCbor(values);
    case ContentFormat.JSON:
    case ContentFormat.OLD_JSON:
      return encodeOmaJson(values, target);
    case ContentFormat.CBOR:
      return encodeCborValue(single());
    case ContentFormat.TEXT: {
      const value = single();
      return Buffer.from(encodeText(value.value, value.type), 'utf8');
    }
    case ContentFormat.OPAQUE: {
      const value = single();
      return value.value instanceof Uint8Array ? value.value : Buffer.from(String(value.value), 'utf8');
    }
    default:
      throw new CodecError(`Cannot encode content format ${format}`);
  }
}
