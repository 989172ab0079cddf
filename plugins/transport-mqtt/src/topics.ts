/**
 * The device-API topic catalogue (device-api.md §1.3): which uplink topics exist, which topic filters a
 * device may subscribe to, and where downlinks go per topic family. Only JSON families are served: the
 * Protobuf `p` topics are unknown topics until Protobuf payloads are supported.
 */

/** `v1/devices/me/…`, short `v2/…` (device-profile payload type, JSON here) and short JSON `v2/…/j`. */
export type TopicFamily = 'v1' | 'v2' | 'v2j';

/** The kinds of downlink; each family has one topic (or topic prefix) per kind. */
export type DownlinkKind = 'attributeUpdates' | 'serverRpcRequests' | 'attributeResponses' | 'clientRpcResponses';

export const DOWNLINK_TOPICS: Readonly<Record<TopicFamily, Readonly<Record<DownlinkKind, string>>>> = {
  v1: {
    attributeUpdates: 'v1/devices/me/attributes',
    serverRpcRequests: 'v1/devices/me/rpc/request/',
    attributeResponses: 'v1/devices/me/attributes/response/',
    clientRpcResponses: 'v1/devices/me/rpc/response/',
  },
  v2: { attributeUpdates: 'v2/a', serverRpcRequests: 'v2/r/req/', attributeResponses: 'v2/a/res/', clientRpcResponses: 'v2/r/res/' },
  v2j: {
    attributeUpdates: 'v2/a/j',
    serverRpcRequests: 'v2/r/req/j/',
    attributeResponses: 'v2/a/res/j/',
    clientRpcResponses: 'v2/r/res/j/',
  },
};

export type UplinkKind = 'telemetry' | 'attributes' | 'attributeRequest' | 'serverRpcReply' | 'clientRpcRequest' | 'claim' | 'gateway';

/** Where a device publish goes. For request-id topics, the id is what follows `prefix`. */
export interface UplinkRoute {
  readonly kind: UplinkKind;
  readonly family: TopicFamily;
  readonly prefix: string;
}

const route = (kind: UplinkKind, family: TopicFamily, prefix = ''): UplinkRoute => ({ kind, family, prefix });

const EXACT_UPLINKS = new Map<string, UplinkRoute>([
  ['v1/devices/me/telemetry', route('telemetry', 'v1')],
  ['v2/t', route('telemetry', 'v2')],
  ['v2/t/j', route('telemetry', 'v2j')],
  ['v1/devices/me/attributes', route('attributes', 'v1')],
  ['v2/a', route('attributes', 'v2')],
  ['v2/a/j', route('attributes', 'v2j')],
  ['v1/devices/me/claim', route('claim', 'v1')],
]);

/** Longest prefix first, so `v2/a/req/j/5` is not read as request id `j/5` of `v2/a/req/`. */
const PREFIXED_UPLINKS: readonly UplinkRoute[] = [
  route('attributeRequest', 'v1', 'v1/devices/me/attributes/request/'),
  route('serverRpcReply', 'v1', 'v1/devices/me/rpc/response/'),
  route('clientRpcRequest', 'v1', 'v1/devices/me/rpc/request/'),
  route('attributeRequest', 'v2j', 'v2/a/req/j/'),
  route('serverRpcReply', 'v2j', 'v2/r/res/j/'),
  route('clientRpcRequest', 'v2j', 'v2/r/req/j/'),
  route('attributeRequest', 'v2', 'v2/a/req/'),
  route('serverRpcReply', 'v2', 'v2/r/res/'),
  route('clientRpcRequest', 'v2', 'v2/r/req/'),
  route('gateway', 'v1', 'v1/gateway/'),
];

/** The gateway API's topics (device-api.md §4.2); `attributes` and `rpc` go both ways. */
export const GATEWAY_TOPICS = {
  connect: 'v1/gateway/connect',
  disconnect: 'v1/gateway/disconnect',
  telemetry: 'v1/gateway/telemetry',
  attributes: 'v1/gateway/attributes',
  attributesRequest: 'v1/gateway/attributes/request',
  attributesResponse: 'v1/gateway/attributes/response',
  rpc: 'v1/gateway/rpc',
  claim: 'v1/gateway/claim',
} as const;

const PROTOBUF_PREFIXES = ['v2/a/req/p/', 'v2/r/res/p/', 'v2/r/req/p/'];

/** The route of a device publish, or undefined for an unknown topic. */
export function routeUplink(topic: string): UplinkRoute | undefined {
  const exact = EXACT_UPLINKS.get(topic);
  if (exact !== undefined) return exact;
  for (const prefix of PROTOBUF_PREFIXES) if (topic.startsWith(prefix)) return undefined;
  for (const candidate of PREFIXED_UPLINKS) if (topic.startsWith(candidate.prefix)) return candidate;
  return undefined;
}

/** A topic filter the device may subscribe to; `kind` is absent for filters that are accepted but never published to. */
export interface SubscriptionRoute {
  readonly kind?: DownlinkKind;
  readonly family: TopicFamily;
}

const SUBSCRIPTION_ROUTES = new Map<string, SubscriptionRoute>();
for (const family of Object.keys(DOWNLINK_TOPICS) as TopicFamily[]) {
  const topics = DOWNLINK_TOPICS[family];
  SUBSCRIPTION_ROUTES.set(topics.attributeUpdates, { kind: 'attributeUpdates', family });
  SUBSCRIPTION_ROUTES.set(`${topics.serverRpcRequests}+`, { kind: 'serverRpcRequests', family });
  SUBSCRIPTION_ROUTES.set(`${topics.attributeResponses}+`, { kind: 'attributeResponses', family });
  SUBSCRIPTION_ROUTES.set(`${topics.clientRpcResponses}+`, { kind: 'clientRpcResponses', family });
}
/** OTA chunk downloads (§1.12.3): the filters a device subscribes to for chunks and errors. */
export const OTA_TOPICS = {
  firmwareResponses: 'v2/fw/response/+/chunk/+',
  softwareResponses: 'v2/sw/response/+/chunk/+',
  /** Errors of both types are published here. */
  error: 'v2/fw/error',
  /** Accepted, never published to (as in the reference). */
  softwareError: 'v2/sw/error',
} as const;

/** Where chunk `chunk` of OTA request `requestId` goes. */
export const otaResponseTopic = (type: 'FIRMWARE' | 'SOFTWARE', requestId: string, chunk: number): string =>
  `v2/${type === 'FIRMWARE' ? 'fw' : 'sw'}/response/${requestId}/chunk/${chunk}`;

// Accepted as the reference server does. The gateway and OTA parts publish on them with the granted QoS of exactly
// that filter.
for (const filter of [
  OTA_TOPICS.firmwareResponses,
  OTA_TOPICS.error,
  OTA_TOPICS.softwareResponses,
  OTA_TOPICS.softwareError,
  GATEWAY_TOPICS.attributes,
  GATEWAY_TOPICS.rpc,
  GATEWAY_TOPICS.attributesResponse,
]) {
  SUBSCRIPTION_ROUTES.set(filter, { family: 'v1' });
}

/** The route of a device SUBSCRIBE filter, or undefined when the filter is refused (only exact catalogue filters pass). */
export function routeSubscription(filter: string): SubscriptionRoute | undefined {
  return SUBSCRIPTION_ROUTES.get(filter);
}

/** The only topic a provision-only session may publish to (§1.11.1). */
export const PROVISION_REQUEST_TOPIC = '/provision/request';

/** The only filter a provision-only session may subscribe to. */
export const PROVISION_RESPONSE_TOPIC = '/provision/response';

const INT32 = /^[-+]?\d{1,10}$/;

/** The request id after `prefix`, when it is a 32-bit integer (as Java's Integer.parseInt accepts it). */
export function requestIdOf(topic: string, prefix: string): number | undefined {
  const text = topic.slice(prefix.length);
  if (!INT32.test(text)) return undefined;
  const id = Number(text);
  return id >= -2147483648 && id <= 2147483647 ? id : undefined;
}
