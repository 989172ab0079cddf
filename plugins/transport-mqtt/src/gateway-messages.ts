/**
 * The JSON messages of the gateway API (device-api.md §4.2–4.3) read into what the gateway session acts on.
 * Device payloads stay source text (see json-source.ts); the transport only checks what decides its answer.
 */
import type { AttributesRequest } from '@edgewise/plugin-api';
import { arrayElementSources, objectFromSources, objectMemberSources } from './json-source';

/** The payload is not JSON at all (MQTT 5 + QoS 1: PUBACK 0x99; otherwise the connection closes). */
export class InvalidGatewayJson extends Error {
  override readonly name = 'InvalidGatewayJson';
}

/** Valid JSON the gateway API cannot use: not an object, a required field missing or ill-typed, no usable entry (0x83 + close). */
export class MalformedGatewayMessage extends Error {
  override readonly name = 'MalformedGatewayMessage';
}

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The message as an object, with the source text of each member (the last one of a repeated key, as JSON.parse keeps). */
function readObject(text: string): { object: JsonObject; sources: Map<string, string> } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidGatewayJson(`Invalid JSON: ${(error as Error).message}`);
  }
  if (!isObject(value)) throw new MalformedGatewayMessage(`Can't parse value: ${text.slice(0, 100)}; a gateway message is a JSON object`);
  return { object: value, sources: new Map(objectMemberSources(text)) };
}

function requiredString(object: JsonObject, field: string, meaning: string): string {
  const value = object[field];
  if (typeof value !== 'string') throw new MalformedGatewayMessage(`"${field}" is required: ${meaning} as a string`);
  return value;
}

/** `device` of single-device messages: a string, and not empty (ThingsBoard's checkDeviceName). */
function deviceName(object: JsonObject): string {
  const name = requiredString(object, 'device', "the child device's name");
  if (!name) throw new MalformedGatewayMessage('Device name is empty! Name the child device in "device"');
  return name;
}

const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;

function requiredInt32(object: JsonObject, field: string): number {
  const value = object[field];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX)
    throw new MalformedGatewayMessage(`"${field}" is required: the request id as a 32-bit integer`);
  return value;
}

/** `v1/gateway/connect`: `{"device":"A","type":"T"}`, `type` optional (absent or null: the core's default). */
export function readConnect(text: string): { device: string; type: string | undefined } {
  const { object } = readObject(text);
  const type = object.type;
  if (type !== undefined && type !== null && typeof type !== 'string')
    throw new MalformedGatewayMessage('"type" must be the device profile name as a string, or left out');
  return { device: deviceName(object), type: type ?? undefined };
}

/** `v1/gateway/disconnect`: `{"device":"A"}`. */
export function readDisconnect(text: string): string {
  return deviceName(readObject(text).object);
}

/** One device's part of a telemetry, attributes or claim message: its payload text, or why it cannot be used. */
export type DeviceEntry = { device: string; payload: string } | { device: string; invalid: string };

export type EntryKind = 'telemetry' | 'attributes' | 'claim';

/**
 * `{"Device A": <payload>, …}`. Telemetry payloads must be arrays, attribute and claim payloads objects; other
 * entries are left out (`skipped`), and a message with nothing usable is malformed. Telemetry elements may carry
 * the gateway's `metadata` (connector, receivedTs, publishedTs), which is not telemetry and is taken out.
 */
export function readDeviceEntries(text: string, kind: EntryKind): { entries: DeviceEntry[]; skipped: string[] } {
  const { object, sources } = readObject(text);
  const entries: DeviceEntry[] = [];
  const skipped: string[] = [];
  for (const [device, source] of sources) {
    const value = object[device];
    if (kind === 'telemetry' ? !Array.isArray(value) : !isObject(value)) skipped.push(device);
    else if (kind === 'telemetry') entries.push(telemetryEntry(device, value as unknown[], source));
    else entries.push({ device, payload: source });
  }
  if (!entries.length)
    throw new MalformedGatewayMessage(
      `Devices ${kind} message is empty: map each device name to ${kind === 'telemetry' ? 'an array' : 'an object'}`,
    );
  return { entries, skipped };
}

function telemetryEntry(device: string, elements: unknown[], source: string): DeviceEntry {
  if (!elements.some((element) => isObject(element) && 'metadata' in element)) return { device, payload: source };
  const sources = arrayElementSources(source);
  const kept: string[] = [];
  for (const [index, element] of elements.entries()) {
    if (!isObject(element) || !('metadata' in element)) {
      kept.push(sources[index]);
      continue;
    }
    if (!isGatewayMetadata(element.metadata))
      return { device, invalid: 'telemetry "metadata" needs "connector" (string), "receivedTs" and "publishedTs" (numbers)' };
    kept.push(objectFromSources(objectMemberSources(sources[index]).filter(([key]) => key !== 'metadata')));
  }
  return { device, payload: `[${kept.join(',')}]` };
}

function isGatewayMetadata(value: unknown): boolean {
  return (
    isObject(value) && typeof value.connector === 'string' && typeof value.receivedTs === 'number' && typeof value.publishedTs === 'number'
  );
}

/** `v1/gateway/attributes/request`: what to ask the core, and which key names were asked for. */
export interface GatewayAttributesRequest {
  id: number;
  device: string;
  request: AttributesRequest;
  /** Distinct key names asked for; exactly one makes the answer `value` rather than `values`. */
  keys: string[];
}

/**
 * `{"id":1,"device":"A","client":true,"key":"fw"}` or `…"keys":["a","b"]}`: all of `id`, `device`, `client` and
 * `key`/`keys` are required, `key` wins over `keys`. An empty `keys` asks for every client and shared attribute
 * (the reference device actor's quirk, device-api.md §4.3).
 */
export function readAttributesRequest(text: string): GatewayAttributesRequest {
  const { object } = readObject(text);
  const id = requiredInt32(object, 'id');
  const device = deviceName(object);
  const client = object.client;
  if (typeof client !== 'boolean') throw new MalformedGatewayMessage('"client" must be true (client scope) or false (shared scope)');
  let names: string[];
  if ('key' in object) names = [requiredString(object, 'key', 'the attribute name')];
  else if (Array.isArray(object.keys) && object.keys.every((key) => typeof key === 'string')) names = object.keys as string[];
  else throw new MalformedGatewayMessage('name the attributes in "key" (a string) or "keys" (an array of strings)');
  const keys = [...new Set(names)];
  const request: AttributesRequest = keys.length === 0 ? {} : client ? { clientKeys: keys } : { sharedKeys: keys };
  return { id, device, request, keys };
}

/**
 * The answer on `v1/gateway/attributes/response`: `{"id":1,"device":"A","value":…}` when one key was asked for,
 * else `{"id":2,"device":"A","values":{…}}`; keys not found are left out, and with nothing found only `id` and
 * `device` remain. `coreAnswer` is the core's `{"client":{…},"shared":{…}}`; values keep their source text.
 */
export function gatewayAttributesResponse(asked: GatewayAttributesRequest, coreAnswer: string): string {
  const found = new Map<string, string>();
  for (const [, scope] of objectMemberSources(coreAnswer)) for (const [key, source] of objectMemberSources(scope)) found.set(key, source);
  const head = `{"id":${asked.id},"device":${JSON.stringify(asked.device)}`;
  if (asked.keys.length === 1) {
    const value = found.get(asked.keys[0]);
    return value === undefined ? `${head}}` : `${head},"value":${value}}`;
  }
  return found.size ? `${head},"values":${objectFromSources(found)}}` : `${head}}`;
}

/** `v1/gateway/rpc` from the gateway: `{"device":"A","id":5,"data":…}`; `data` (any JSON) becomes the reply text. */
export function readRpcReply(text: string): { device: string; id: number; data: string } {
  const { object, sources } = readObject(text);
  const data = sources.get('data');
  if (data === undefined) throw new MalformedGatewayMessage('"data" (the reply) is required');
  return { device: deviceName(object), id: requiredInt32(object, 'id'), data };
}
