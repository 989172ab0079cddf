import type { ResourceType } from '../object-model';
import type { Lwm2mPath } from '../paths';

/** A payload that does not decode in the content format it claims. */
export class CodecError extends Error {
  override readonly name = 'CodecError';
}

/** The model type of a resource (or resource instance) path; undefined when the model does not know it. */
export type ResourceTypeOf = (path: Lwm2mPath) => ResourceType | undefined;

/** LwM2M content formats (CoAP Content-Format numbers). */
export const ContentFormat = {
  TEXT: 0,
  LINK: 40,
  OPAQUE: 42,
  CBOR: 60,
  SENML_JSON: 110,
  SENML_CBOR: 112,
  TLV: 11542,
  JSON: 11543,
  /** Pre-registration numbers some LwM2M 1.0 clients still send. */
  OLD_TLV: 1542,
  OLD_JSON: 1543,
} as const;
