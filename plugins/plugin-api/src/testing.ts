/**
 * `@edgewise/plugin-api/testing`: run a rule node in a unit test without the core. The services are small
 * in-memory stand-ins with the same contracts (tenant data in maps, RPC answered by a function you give),
 * so a node's test reads as "given these attributes, this message leaves by True". Integration with the
 * real services is tested in the core; scripts here run with `new Function` — NOT a sandbox, tests only.
 * A transport's tests start it on `FakeTransportCore` (`testing/transport-core.ts`), the core's side of the seam.
 */

import { randomUUID } from 'node:crypto';
import type { EntityId, RuleMsg } from './rule-msg';
import type { NewRuleMsg, RuleMsgChanges, RuleNode, RuleNodeContext, RuleNodeDescriptor, RuleNodeInitContext } from './rule-node';
import type {
  AlarmChange,
  AlarmView,
  DeviceProfileView,
  DeviceRpcRequest,
  DeviceRpcResult,
  EntityFields,
  KvRecord,
  KvType,
  RaiseAlarmRequest,
  Relation,
  RuleEngineServices,
} from './rule-services';

export * from './testing/transport-core';

export const TEST_TENANT_ID = '11111111-1111-4111-8111-111111111111';
export const TEST_DEVICE: EntityId = { entityType: 'DEVICE', id: '22222222-2222-4222-8222-222222222222' };

/** A POST_TELEMETRY_REQUEST from TEST_DEVICE unless overridden; `data` may be given as an object. */
export function testMsg(overrides: Partial<Omit<RuleMsg, 'data'>> & { data?: string | object } = {}): RuleMsg {
  const { data, ...rest } = overrides;
  return {
    id: randomUUID(),
    ts: 1_700_000_000_000,
    type: 'POST_TELEMETRY_REQUEST',
    originator: TEST_DEVICE,
    customerId: null,
    metadata: { deviceName: 'Test Device', deviceType: 'default', ts: '1700000000000' },
    dataType: 'JSON',
    queueName: 'Main',
    ...rest,
    data: data === undefined ? '{"temperature":25}' : typeof data === 'string' ? data : JSON.stringify(data),
  };
}

/** What a node did with a message. */
export type Emission =
  | { kind: 'next'; msg: RuleMsg; relation: string }
  | { kind: 'failure'; msg: RuleMsg; error: string }
  | { kind: 'ack'; msg: RuleMsg }
  | { kind: 'enqueued'; msg: RuleMsg; queueName?: string }
  | { kind: 'enqueuedForTellNext'; msg: RuleMsg; relation: string; queueName?: string }
  | { kind: 'callChain'; msg: RuleMsg; ruleChainId: string }
  | { kind: 'returnFromChain'; msg: RuleMsg; label: string };

const keyOf = (entity: EntityId) => `${entity.entityType}:${entity.id}`;

function typeOf(value: unknown): { type: KvType; value: KvRecord['value'] } {
  if (typeof value === 'boolean') return { type: 'BOOLEAN', value };
  if (typeof value === 'bigint') return { type: 'LONG', value };
  if (typeof value === 'number') return { type: Number.isInteger(value) ? 'LONG' : 'DOUBLE', value };
  if (typeof value === 'string') return { type: 'STRING', value };
  return { type: 'JSON', value: JSON.stringify(value) };
}

function toRecords(values: string | Readonly<Record<string, unknown>>, ts: number): KvRecord[] {
  const object = typeof values === 'string' ? (JSON.parse(values) as unknown) : values;
  if (!object || typeof object !== 'object' || Array.isArray(object)) throw new Error('Values must be a JSON object');
  return Object.entries(object)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([key, v]) => ({ key, ts, ...typeOf(v) }));
}

/** In-memory services; their state is public so tests can arrange and assert it. */
export class InMemoryServices implements RuleEngineServices {
  readonly attributeStore = new Map<string, Map<string, KvRecord>>();
  readonly timeseriesStore = new Map<string, KvRecord[]>();
  readonly entityStore = new Map<string, EntityFields>();
  readonly profileStore = new Map<string, DeviceProfileView>();
  readonly relationStore: Relation[] = [];
  readonly alarmStore: AlarmView[] = [];
  readonly rpcCalls: DeviceRpcRequest[] = [];
  readonly rpcReplies: { deviceId: string; sessionId: string; requestId: number; body: string }[] = [];
  /** How the fake device answers `rpc.sendToDevice`; default: echoes the params. */
  rpcResponder: (request: DeviceRpcRequest) => Promise<DeviceRpcResult> = async (r) => (r.oneway ? {} : { response: r.params });
  private now = () => Date.now();

  /** Arranges an entity (its name, type, customer …) for `entities.get` / `findByName`. */
  addEntity(fields: Partial<EntityFields> & { id: EntityId; name: string }): EntityFields {
    const entity: EntityFields = { createdTime: 0, tenantId: TEST_TENANT_ID, customerId: null, ...fields };
    this.entityStore.set(keyOf(fields.id), entity);
    return entity;
  }

  attributes: RuleEngineServices['attributes'] = {
    find: async (entity, scope, keys) => {
      const map = this.attributeStore.get(`${keyOf(entity)}:${scope}`);
      if (!map) return [];
      return keys ? keys.flatMap((k) => (map.has(k) ? [map.get(k)!] : [])) : [...map.values()];
    },
    save: async (entity, scope, values, options) => {
      const storeKey = `${keyOf(entity)}:${scope}`;
      const map = this.attributeStore.get(storeKey) ?? new Map<string, KvRecord>();
      for (const record of toRecords(values, options?.ts ?? this.now())) map.set(record.key, record);
      this.attributeStore.set(storeKey, map);
    },
    remove: async (entity, scope, keys) => {
      const map = this.attributeStore.get(`${keyOf(entity)}:${scope}`);
      for (const key of keys) map?.delete(key);
    },
  };

  timeseries: RuleEngineServices['timeseries'] = {
    save: async (entity, telemetry, defaultTs) => {
      const json = JSON.parse(telemetry) as unknown;
      const groups = Array.isArray(json) ? json : [json];
      const points = this.timeseriesStore.get(keyOf(entity)) ?? [];
      for (const group of groups as Record<string, unknown>[]) {
        const withTs = typeof group.ts === 'number' && group.values && typeof group.values === 'object';
        const ts = withTs ? (group.ts as number) : defaultTs;
        points.push(...toRecords((withTs ? group.values : group) as Record<string, unknown>, ts));
      }
      this.timeseriesStore.set(keyOf(entity), points);
    },
    latest: async (entity, keys) => {
      const points = this.timeseriesStore.get(keyOf(entity)) ?? [];
      return keys.flatMap((key) => {
        const ofKey = points.filter((p) => p.key === key);
        return ofKey.length ? [ofKey.reduce((a, b) => (b.ts >= a.ts ? b : a))] : [];
      });
    },
  };

  entities: RuleEngineServices['entities'] = {
    get: async (entity) => this.entityStore.get(keyOf(entity)) ?? null,
    findByName: async (entityType, name) =>
      [...this.entityStore.values()].find((e) => e.id.entityType === entityType && e.name === name) ?? null,
    deviceProfileOf: async (deviceId) => this.profileStore.get(deviceId) ?? null,
    assignToCustomer: async (entity, customerTitle, options) => {
      let customer = [...this.entityStore.values()].find((e) => e.id.entityType === 'CUSTOMER' && e.name === customerTitle);
      if (!customer) {
        if (!options?.createIfMissing) throw new Error(`Customer "${customerTitle}" not found`);
        customer = this.addEntity({ id: { entityType: 'CUSTOMER', id: randomUUID() }, name: customerTitle, title: customerTitle });
      }
      const target = this.entityStore.get(keyOf(entity));
      if (!target) throw new Error(`${entity.entityType} ${entity.id} not found`);
      target.customerId = customer.id.id;
      return target;
    },
    unassignFromCustomer: async (entity) => {
      const target = this.entityStore.get(keyOf(entity));
      if (target) target.customerId = null;
    },
  };

  relations: RuleEngineServices['relations'] = {
    find: async (query) => {
      const found: Relation[] = [];
      let frontier = [query.root];
      for (let level = 0; level < (query.maxLevel ?? 1) && frontier.length; level++) {
        const next: EntityId[] = [];
        for (const root of frontier) {
          for (const r of this.relationStore) {
            const near = query.direction === 'FROM' ? r.from : r.to;
            const far = query.direction === 'FROM' ? r.to : r.from;
            if (keyOf(near) !== keyOf(root) || (query.relationType && r.type !== query.relationType)) continue;
            if (query.entityTypes && !query.entityTypes.includes(far.entityType)) continue;
            found.push(r);
            next.push(far);
          }
        }
        frontier = next;
      }
      return found;
    },
    exists: async (from, to, type) =>
      this.relationStore.some((r) => keyOf(r.from) === keyOf(from) && keyOf(r.to) === keyOf(to) && r.type === type),
    save: async (relation) => {
      if (!(await this.relations.exists(relation.from, relation.to, relation.type))) this.relationStore.push(relation);
    },
    remove: async (from, to, type) => {
      const index = this.relationStore.findIndex((r) => keyOf(r.from) === keyOf(from) && keyOf(r.to) === keyOf(to) && r.type === type);
      if (index < 0) return false;
      this.relationStore.splice(index, 1);
      return true;
    },
  };

  alarms: RuleEngineServices['alarms'] = {
    findActive: async (originator, type) =>
      this.alarmStore.find((a) => keyOf(a.originator) === keyOf(originator) && a.type === type && !a.cleared) ?? null,
    raise: async (request: RaiseAlarmRequest): Promise<AlarmChange> => {
      const active = await this.alarms.findActive(request.originator, request.type);
      const now = this.now();
      if (active) {
        const previousSeverity = active.severity;
        Object.assign(active, { severity: request.severity, details: request.details ?? active.details, endTs: request.endTs ?? now });
        return { alarm: active, outcome: 'UPDATED', ...(previousSeverity !== request.severity ? { previousSeverity } : {}) };
      }
      const startTs = request.startTs ?? now;
      const alarm: AlarmView = {
        id: randomUUID(),
        createdTime: now,
        type: request.type,
        originator: request.originator,
        severity: request.severity,
        acknowledged: false,
        cleared: false,
        startTs,
        endTs: request.endTs ?? startTs,
        ackTs: 0,
        clearTs: 0,
        details: request.details ?? null,
        propagate: request.propagate ?? false,
        propagateToOwner: request.propagateToOwner ?? false,
        propagateToTenant: request.propagateToTenant ?? false,
        propagateRelationTypes: request.propagateRelationTypes ? [...request.propagateRelationTypes] : null,
        status: 'ACTIVE_UNACK',
      };
      this.alarmStore.push(alarm);
      return { alarm, outcome: 'CREATED' };
    },
    clear: async (originator, type, options) => {
      const active = await this.alarms.findActive(originator, type);
      if (!active) return null;
      Object.assign(active, {
        cleared: true,
        clearTs: options?.clearTs ?? this.now(),
        details: options?.details ?? active.details,
        status: active.acknowledged ? 'CLEARED_ACK' : 'CLEARED_UNACK',
      });
      return { alarm: active, outcome: 'CLEARED' };
    },
  };

  rpc: RuleEngineServices['rpc'] = {
    sendToDevice: async (request) => {
      this.rpcCalls.push(request);
      return this.rpcResponder(request);
    },
    replyToDevice: async (reply) => {
      this.rpcReplies.push(reply);
    },
  };

  scripts: RuleEngineServices['scripts'] = {
    compile: async (body, argNames) => {
      // test stand-in only, see the file comment
      const fn = new Function(...argNames, body) as (...args: unknown[]) => unknown;
      return {
        invoke: async (args) => fn(...args.map((a) => (a === undefined ? a : structuredClone(a)))),
        dispose: () => {},
      };
    },
  };
}

export interface TestNodeOptions {
  services?: InMemoryServices;
  tenantId?: string;
  nodeId?: string;
  ruleChainId?: string;
}

/** A node under test, with everything it emitted in order. */
export class TestNodeHarness {
  readonly emissions: Emission[] = [];
  readonly logs: { level: string; message: string }[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];
  readonly init: RuleNodeInitContext;
  node!: RuleNode;

  constructor(
    readonly services: InMemoryServices,
    tenantId: string,
    self: { id: string; name: string; ruleChainId: string },
  ) {
    const log = (level: string) => (message: string) => void this.logs.push({ level, message });
    this.init = {
      tenantId,
      self,
      services,
      log: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
      newMsg: (init: NewRuleMsg) => ({
        id: randomUUID(),
        ts: Date.now(),
        customerId: null,
        metadata: {},
        dataType: 'JSON',
        queueName: 'Main',
        ...init,
      }),
      enqueueForTellNext: async (msg, relation, options) =>
        this.emit({ kind: 'enqueuedForTellNext', msg, relation, queueName: options?.queueName }),
    };
  }

  private emit(emission: Emission): void {
    this.emissions.push(emission);
    this.waiters = this.waiters.filter((w) => (this.emissions.length >= w.count ? (w.resolve(), false) : true));
  }

  /** A message context as the engine gives `onMsg`. */
  context(): RuleNodeContext {
    return {
      ...this.init,
      tellNext: (msg, relation) => {
        for (const r of typeof relation === 'string' ? [relation] : relation) this.emit({ kind: 'next', msg, relation: r });
      },
      tellSuccess: (msg) => this.emit({ kind: 'next', msg, relation: 'Success' }),
      tellFailure: (msg, error) => this.emit({ kind: 'failure', msg, error: typeof error === 'string' ? error : error.message }),
      ack: (msg) => this.emit({ kind: 'ack', msg }),
      transformMsg: (msg, changes: RuleMsgChanges) => ({ ...msg, ...changes }),
      enqueue: async (msg, options) => this.emit({ kind: 'enqueued', msg, queueName: options?.queueName }),
      callChain: (msg, ruleChainId) => this.emit({ kind: 'callChain', msg, ruleChainId }),
      returnFromChain: (msg, label) => this.emit({ kind: 'returnFromChain', msg, label }),
    };
  }

  /**
   * Hands a message to the node and returns what it emitted for it (including a Failure when onMsg threw,
   * as the engine does). Timer-driven output arrives later: use `waitForEmissions`.
   */
  async send(msg: RuleMsg): Promise<Emission[]> {
    const before = this.emissions.length;
    const ctx = this.context();
    try {
      await this.node.onMsg(msg, ctx);
    } catch (e) {
      ctx.tellFailure(msg, e instanceof Error ? e : String(e));
    }
    return this.emissions.slice(before);
  }

  /** Resolves when `count` emissions in total have happened; rejects after `timeoutMs`. */
  waitForEmissions(count: number, timeoutMs = 2000): Promise<Emission[]> {
    if (this.emissions.length >= count) return Promise.resolve(this.emissions.slice());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`expected ${count} emissions, got ${this.emissions.length}`)), timeoutMs);
      this.waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve(this.emissions.slice());
        },
      });
    });
  }

  async destroy(): Promise<void> {
    await this.node.destroy?.();
  }
}

/** Builds a node from its descriptor; `config` is merged over the descriptor's default configuration. */
export async function createTestNode<C>(
  descriptor: RuleNodeDescriptor<C>,
  config: Partial<C> = {},
  options: TestNodeOptions = {},
): Promise<TestNodeHarness> {
  const harness = new TestNodeHarness(options.services ?? new InMemoryServices(), options.tenantId ?? TEST_TENANT_ID, {
    id: options.nodeId ?? randomUUID(),
    name: descriptor.name,
    ruleChainId: options.ruleChainId ?? randomUUID(),
  });
  harness.node = await descriptor.create({ ...descriptor.defaultConfig, ...config } as C, harness.init);
  return harness;
}

/** The relations a list of emissions left by, e.g. `['True']`. */
export const relationsOf = (emissions: readonly Emission[]): string[] =>
  emissions.map((e) => (e.kind === 'next' ? e.relation : e.kind === 'failure' ? 'Failure' : e.kind));
