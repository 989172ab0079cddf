/**
 * What a Register/Update request says about a client (OMA LwM2M Registration interface, device-api.md §6.1):
 * endpoint, lifetime, version, binding, and the objects and instances it has, from the CoRE link payload.
 */
import { ContentFormat } from './codecs/content';
import { LinkFormatError, parseLinks, type Link } from './link-format';
import { parsePath, PathError } from './paths';

/** Versions the reference accepts (TbLwM2mVersion has no 1.2). */
export const SUPPORTED_LWM2M_VERSIONS = ['1.0', '1.1'] as const;
export type Lwm2mVersion = (typeof SUPPORTED_LWM2M_VERSIONS)[number];

export const DEFAULT_LIFETIME_S = 86_400;

/** A request the Registration interface answers with 4.00 Bad Request. */
export class RegistrationError extends Error {
  override readonly name = 'RegistrationError';
}

export interface ObjectLinks {
  /** The links as sent (for DiscoverAll). */
  links: Link[];
  /** Object id → version the client states (`ver=`), absent when it states none. */
  objectVersions: Map<number, string | undefined>;
  /** Instances the client has, as `/3/0`. */
  instances: Set<string>;
  /** Content formats the client lists with `ct=` on its root link. */
  contentFormats: Set<number>;
}

export interface RegisterParams {
  endpoint: string;
  lifetimeS: number;
  version: Lwm2mVersion;
  binding: string;
  objects: ObjectLinks;
}

export interface UpdateParams {
  lifetimeS?: number;
  binding?: string;
  objects?: ObjectLinks;
}

const queryMap = (query: readonly string[]): Map<string, string> =>
  new Map(
    query.map((part) => {
      const eq = part.indexOf('=');
      return eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)];
    }),
  );

function lifetime(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new RegistrationError(`Lifetime lt=${text} must be a positive number of seconds`);
  return Number(text);
}

/** Reads the object links of a Register/Update payload. */
export function parseObjectLinks(payload: string): ObjectLinks {
  let links: Link[];
  try {
    links = parseLinks(payload);
  } catch (e) {
    throw new RegistrationError(`The registration payload is not CoRE link format: ${(e as LinkFormatError).message}`);
  }
  const objects: ObjectLinks = { links, objectVersions: new Map(), instances: new Set(), contentFormats: new Set() };
  // An alternate root path (`</lwm2m>;rt="oma.lwm2m"`) prefixes every object link.
  const root = links.find((link) => link.attributes.rt === 'oma.lwm2m');
  const prefix = root && root.uri !== '/' ? root.uri.replace(/\/$/, '') : '';
  for (const format of root?.attributes.ct?.split(/\s+/) ?? []) if (/^\d+$/.test(format)) objects.contentFormats.add(Number(format));
  for (const link of links) {
    if (link === root || (prefix && !link.uri.startsWith(prefix + '/'))) continue;
    let parsed;
    try {
      parsed = parsePath(link.uri.slice(prefix.length)).path;
    } catch (e) {
      throw new RegistrationError(`Object link <${link.uri}> is not an LwM2M object or instance: ${(e as PathError).message}`);
    }
    if (parsed.resourceId !== undefined) throw new RegistrationError(`Object link <${link.uri}> must name an object or an object instance`);
    const version = link.attributes.ver || undefined;
    if (!objects.objectVersions.has(parsed.objectId) || version) objects.objectVersions.set(parsed.objectId, version);
    if (parsed.instanceId !== undefined) objects.instances.add(`/${parsed.objectId}/${parsed.instanceId}`);
  }
  return objects;
}

/** Query `ep`, `lt`, `lwm2m`, `b` (and payload) of `POST /rd`; throws RegistrationError for what Leshan refuses. */
export function parseRegister(query: readonly string[], payload: string): RegisterParams {
  const params = queryMap(query);
  const endpoint = params.get('ep');
  if (!endpoint) throw new RegistrationError('Register needs the endpoint name: POST /rd?ep={endpoint}&lt={lifetime}&lwm2m=1.1&b=U');
  const version = params.get('lwm2m') ?? '1.0';
  if (!SUPPORTED_LWM2M_VERSIONS.includes(version as Lwm2mVersion))
    throw new RegistrationError(`LwM2M version ${version} is not supported: register with lwm2m=1.0 or lwm2m=1.1`);
  return {
    endpoint,
    lifetimeS: lifetime(params.get('lt')) ?? DEFAULT_LIFETIME_S,
    version: version as Lwm2mVersion,
    binding: params.get('b') || 'U',
    objects: parseObjectLinks(payload),
  };
}

/** Query (and optional payload) of `POST /rd/{id}`. */
export function parseUpdate(query: readonly string[], payload: string): UpdateParams {
  const params = queryMap(query);
  return {
    lifetimeS: lifetime(params.get('lt')),
    binding: params.get('b') || undefined,
    objects: payload.trim() ? parseObjectLinks(payload) : undefined,
  };
}

/** Whether the client lists a content format (TLV and text are always there in 1.0; 1.1 clients list theirs). */
export function supportsFormat(objects: ObjectLinks, version: Lwm2mVersion, format: number): boolean {
  if (objects.contentFormats.has(format)) return true;
  if (format === ContentFormat.TEXT || format === ContentFormat.OPAQUE || format === ContentFormat.LINK) return true;
  return version === '1.0' ? format === ContentFormat.TLV : false;
}
