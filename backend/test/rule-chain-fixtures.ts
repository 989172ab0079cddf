import { ApiClient, HttpResult } from './harness';
import { okBody } from './tenant-fixtures';

/** The package ThingsBoard's rule-node class names start with; our nodes answer to the same names. */
export const TB = 'org.thingsboard.rule.engine';

/** A node's `debugSettings` as the rule-chain editor sends them (rest-api.md §2.4). */
export interface DebugSettings {
  failuresEnabled: boolean;
  allEnabled: boolean;
  allEnabledUntil?: number;
}

/** One DEBUG_RULE_NODE event as `GET /api/events/...` lists it. */
export interface DebugEvent {
  createdTime: number;
  type: string;
  entityId: { entityType: string; id: string };
  body: Record<string, string | undefined>;
}

/** One chain's entry in `GET /api/ruleEngine/chains/status`. */
export interface ChainStatus {
  id: string;
  deployed: boolean;
  error: string | null;
  nodes: { id: string; name: string; received: number; failed: number }[];
}

/**
 * A node as the rule-chain editor sends it; `type` is the class name after `org.thingsboard.rule.engine.`.
 * Without `debugSettings` the node is sent without that field.
 */
export const node = (type: string, name: string, configuration: Record<string, unknown> = {}, debugSettings?: DebugSettings | null) => ({
  type: `${TB}.${type}`,
  name,
  configuration,
  ...(debugSettings !== undefined ? { debugSettings } : {}),
});

/** Polls until `done` holds (the engine processes after the device was acknowledged); returns the last value read. */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, withinMs = 10_000): Promise<T> {
  const until = Date.now() + withinMs;
  let value = await read();
  while (!done(value) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}

/**
 * The rule chains of the caller's tenant and one device whose messages run through them: builds chains
 * through the REST API, swaps the root chain for a test, and sends telemetry as the device over HTTP.
 */
export class RuleChainFixtures {
  private constructor(
    private readonly api: ApiClient,
    private readonly accessToken: string,
    readonly deviceId: string,
    readonly tenantId: string,
    /** The root chain the tenant was given; every `asRoot` hands the root back to it. */
    readonly defaultRootId: string,
  ) {}

  /**
   * Creates the device (authenticated by `accessToken`) and finds the tenant's current root chain.
   * @param api a client logged in as a tenant administrator
   */
  static async of(api: ApiClient, device: { name: string; accessToken: string }): Promise<RuleChainFixtures> {
    const created = okBody(await api.post(`/api/device?accessToken=${device.accessToken}`, { name: device.name }), 'create device');
    const chains = okBody(await api.get('/api/ruleChains?pageSize=10&page=0'), 'rule chains');
    const defaultRootId = chains.data.find((c: { root: boolean }) => c.root).id.id;
    const fixtures = new RuleChainFixtures(api, device.accessToken, created.id.id, created.tenantId.id, defaultRootId);
    await fixtures.wakeDevice();
    return fixtures;
  }

  /**
   * A device's first message makes it active, which sends an ACTIVITY_EVENT through the root chain. Tests
   * that count what reaches their own chain let that pass through the default root first.
   */
  private async wakeDevice(): Promise<void> {
    await this.postTelemetry({ awake: true });
    const active = await eventually(
      async () => okBody(await this.api.get(`/api/plugins/telemetry/DEVICE/${this.deviceId}/values/attributes/SERVER_SCOPE`), 'state'),
      (attributes: { key: string; value: unknown }[]) => attributes.some((a) => a.key === 'active' && a.value === true),
    );
    if (!active.some((a: { key: string; value: unknown }) => a.key === 'active' && a.value === true))
      throw new Error('the device never became active');
    await eventually(
      async () => okBody(await this.api.get('/api/ruleEngine/queues/stats'), 'queue stats') as { lag: number }[],
      (queues) => queues.every((q) => q.lag === 0),
    );
  }

  /**
   * Saves a new chain with the given graph (`connections` refer to nodes by index).
   * @returns its id and the saved metadata (nodes with their ids, debug settings as the server normalised them)
   */
  async createChain(name: string, nodes: object[], connections: object[], firstNodeIndex: number | null = 0) {
    const chain = okBody(await this.api.post('/api/ruleChain', { name }), 'create chain');
    const metadata = okBody(
      await this.api.post('/api/ruleChain/metadata', { ruleChainId: chain.id, firstNodeIndex, nodes, connections }),
      'save metadata',
    );
    return { chainId: chain.id.id as string, metadata };
  }

  /** Runs `body` with the chain as the tenant's root chain, then gives the root back to the default chain. */
  async asRoot<T>(chainId: string, body: () => Promise<T>): Promise<T> {
    const chain = okBody(await this.api.post(`/api/ruleChain/${chainId}/root`), 'make root');
    if (chain.root !== true) throw new Error(`make root: the answer does not mark chain ${chainId} as root: ${JSON.stringify(chain)}`);
    try {
      return await body();
    } finally {
      okBody(await this.api.post(`/api/ruleChain/${this.defaultRootId}/root`), 'restore the default root chain');
    }
  }

  /** POSTs `body` as JSON to the HTTP device API as the device, e.g. to `telemetry` or `rpc`. */
  asDevice(resource: string, body: unknown): Promise<HttpResult> {
    return new ApiClient(this.api.baseUrl).post(`/api/v1/${this.accessToken}/${resource}`, body);
  }

  /** Sends telemetry as the device; fails the calling test unless the device API accepts it. */
  async postTelemetry(body: unknown): Promise<void> {
    okBody(await this.asDevice('telemetry', body), 'post device telemetry');
  }

  /** Every stored value of the device's time series `key`, oldest first. */
  async storedValues(key: string): Promise<string[]> {
    const history = okBody(
      await this.api.get(
        `/api/plugins/telemetry/DEVICE/${this.deviceId}/values/timeseries?keys=${key}&startTs=0&endTs=${Date.now() + 1000}&limit=1000&orderBy=ASC`,
      ),
      `history of ${key}`,
    );
    return (history[key] ?? []).map((p: { value: string }) => p.value);
  }

  /** The debug events a rule node has recorded so far (the event writer may not have written the newest yet). */
  async debugEvents(nodeId: string): Promise<DebugEvent[]> {
    return okBody(
      await this.api.get(`/api/events/RULE_NODE/${nodeId}/DEBUG_RULE_NODE?tenantId=${this.tenantId}&pageSize=100&page=0`),
      'debug events',
    ).data;
  }

  /** Whether the engine deployed the chain, why not, and each node's message counters. */
  async chainStatus(chainId: string): Promise<ChainStatus> {
    return okBody(await this.api.get('/api/ruleEngine/chains/status'), 'chain status').find((c: { id: string }) => c.id === chainId);
  }
}
