/**
 * Server-side RPC to an LwM2M client (device-api.md §6.3): the method names LwM2M operations, `params` name the
 * target by `id` (path) or `key` (profile key name). The reply is ThingsBoard's `{"result":…,"value":…}` /
 * `{"result":…,"error":…}`; Read and Observe carry the value as typed JSON (a deliberate difference, see the top of
 * device-api.md).
 */
import { compositeValuesAsJson, type Lwm2mClient, OperationError, valuesAsJson } from './client';
import { CodecError } from './codecs/content';
import { codeName, type DeviceResponse, isSuccess } from './downlink';
import type { Lwm2mPath } from './paths';
import type { ObjectAttributes } from './profile';

export interface RpcReply {
  result: string;
  value?: unknown;
  error?: string;
}

const TARGETED = [
  'Read',
  'Discover',
  'Observe',
  'ObserveCancel',
  'Execute',
  'WriteReplace',
  'WriteUpdate',
  'WriteAttributes',
  'Delete',
  'Create',
];
const COMPOSITE = ['ReadComposite', 'ObserveComposite', 'ObserveCompositeCancel', 'WriteComposite'];
const WHOLE = ['DiscoverAll', 'ObserveReadAll', 'ObserveCancelAll'];

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** ThingsBoard's reply to a device answer: `value` only on success and when not empty, `error` when the device gave one. */
function fromResponse(response: DeviceResponse, value?: unknown): RpcReply {
  const reply: RpcReply = { result: codeName(response.code) };
  if (isSuccess(response.code)) {
    if (value !== undefined && value !== '') reply.value = value;
  } else if (response.payload.length) reply.error = Buffer.from(response.payload).toString('utf8');
  return reply;
}

const params = (raw: unknown): Record<string, unknown> => {
  const parsed =
    typeof raw === 'string'
      ? (() => {
          try {
            return JSON.parse(raw) as unknown;
          } catch {
            return {};
          }
        })()
      : raw;
  return isRecord(parsed) ? parsed : {};
};

function target(client: Lwm2mClient, p: Record<string, unknown>): Lwm2mPath {
  if (typeof p.key === 'string' && p.key) return client.pathOfKey(p.key);
  if (typeof p.id === 'string' && p.id) return client.resolveTarget(p.id);
  throw new OperationError("Can't find 'key' or 'id' in the requestParams parameters!");
}

async function targeted(client: Lwm2mClient, method: string, p: Record<string, unknown>): Promise<RpcReply> {
  const path = target(client, p);
  switch (method) {
    case 'Read':
    case 'Observe': {
      const { response, values } = method === 'Read' ? await client.read(path) : await client.observe(path);
      return fromResponse(response, values.length ? valuesAsJson(values, path) : undefined);
    }
    case 'Discover': {
      const response = await client.discover(path);
      return fromResponse(response, Buffer.from(response.payload).toString('utf8'));
    }
    case 'ObserveCancel': {
      const count = client.cancelObservations(path);
      if (!count) return { result: 'BAD_REQUEST', error: `There are no observations of ${client.versionedPath(path)} to cancel` };
      return { result: 'CONTENT', value: String(count) };
    }
    case 'Execute':
      return fromResponse(await client.execute(path, p.value));
    case 'WriteReplace':
      return fromResponse(await client.writeReplace(path, p.value));
    case 'WriteUpdate':
      return fromResponse(await client.writeUpdate(path, p.value));
    case 'WriteAttributes':
      return fromResponse(await client.writeAttributes(path, (p.attributes ?? undefined) as ObjectAttributes));
    case 'Delete':
      return fromResponse(await client.delete(path));
    default: {
      const response = await client.create(path, p.value, p.nodes);
      return fromResponse(response, response.locationPath ? `location=${response.locationPath}` : undefined);
    }
  }
}

/** `ids` (paths) or `keys` (key names), `keys` first as in ThingsBoard. */
function targets(client: Lwm2mClient, p: Record<string, unknown>): Lwm2mPath[] {
  const list = (value: unknown) =>
    Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string' && item !== '') : [];
  const keys = list(p.keys);
  if (keys.length) return keys.map((key) => client.pathOfKey(key));
  const ids = list(p.ids);
  if (ids.length) return ids.map((id) => client.resolveTarget(id));
  throw new OperationError("Can't find 'key' or 'id' in the requestParams parameters!");
}

async function composite(client: Lwm2mClient, method: string, p: Record<string, unknown>): Promise<RpcReply> {
  if (method === 'WriteComposite') {
    if (!isRecord(p.nodes) || !Object.keys(p.nodes).length)
      throw new OperationError('WriteComposite needs "nodes": {"/3/0/14": "+04", "/1/0/2": 100} (paths or key names)');
    const nodes = Object.entries(p.nodes).map(([idOrKey, value]): [Lwm2mPath, unknown] => [
      idOrKey.startsWith('/') ? client.resolveTarget(idOrKey) : client.pathOfKey(idOrKey),
      value,
    ]);
    return fromResponse(await client.writeComposite(nodes));
  }
  const paths = targets(client, p);
  if (method === 'ObserveCompositeCancel') {
    const count = client.cancelCompositeObservation(paths);
    if (!count) return { result: 'BAD_REQUEST', error: 'There is no composite observation of exactly these paths to cancel' };
    return { result: 'CONTENT', value: String(count) };
  }
  const { response, values } = method === 'ReadComposite' ? await client.readComposite(paths) : await client.observeComposite(paths);
  return fromResponse(response, values.length ? compositeValuesAsJson(values) : undefined);
}

/**
 * Runs one RPC on a registered client and resolves with the reply. A client that does not answer in time
 * rejects (the RPC then ends as a timeout, with no reply body, as in ThingsBoard).
 */
export async function runRpc(client: Lwm2mClient, method: string, rawParams: unknown): Promise<RpcReply> {
  const p = params(rawParams);
  try {
    if (TARGETED.includes(method)) return await targeted(client, method, p);
    if (WHOLE.includes(method)) {
      if (method === 'DiscoverAll') return { result: 'CONTENT', value: JSON.stringify(client.registeredLinksText()) };
      if (method === 'ObserveReadAll') return { result: 'CONTENT', value: JSON.stringify(client.observationNames()) };
      return { result: 'CONTENT', value: String(client.cancelObservations()) };
    }
    if (COMPOSITE.includes(method)) {
      if (!client.supportsComposite) return { result: 'INTERNAL_SERVER_ERROR', error: 'This device does not support Composite Operation' };
      return await composite(client, method, p);
    }
    return { result: 'METHOD_NOT_ALLOWED', error: `Unsupported operation type: ${method}` };
  } catch (e) {
    if (e instanceof OperationError || e instanceof CodecError) return { result: 'BAD_REQUEST', error: e.message };
    throw e;
  }
}
