import type { RuleEngineServices, RuleMsg } from '@edgewise/plugin-api';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { EventsService } from '../events/events.service';
import { RuleNodeRegistry } from '../plugins/rule-node-registry';
import { QueueEvents } from '../queues/queue-events';
import { QueuesService } from '../queues/queues.service';
import { RuleChainEvents } from '../rule-chains/rule-chain-events';
import { RuleChainsService } from '../rule-chains/rule-chains.service';
import { TransportHost } from '../transport/transport-host.service';
import { ChainRuntime, EngineHooks, invoke, NodeDebugEvent, NodeRuntime } from './chain-runtime';
import { deployChain } from './deploy-chain';
import { EngineServices } from './engine-services';
import { MsgTracker } from './msg-tracker';
import { PackProcessor, QueueProcessingSettings, QueueStats } from './pack-processor';
import type { QueuedMsg } from './queued-msg';
import { RuleQueueService } from './queue/rule-queue.service';

/** A tenant's deployed chains. */
interface TenantRuntime {
  services: RuleEngineServices;
  chains: Map<string, ChainRuntime>;
  /** Chains that could not be deployed, with the reason (shown by the stats endpoint, failing their messages). */
  failures: Map<string, string>;
  rootChainId: string | null;
}

export interface ChainStatus {
  id: string;
  name: string;
  deployed: boolean;
  version: number | null;
  error: string | null;
  nodes: { id: string; name: string; received: number; failed: number }[];
}

/**
 * The running rule engine: consumes each queue pack by pack, runs every message through its tenant's
 * chains (root chain, or the device profile's chain), and redeploys a chain as soon as it is saved —
 * messages already inside the old deployment finish there.
 */
@Injectable()
export class RuleEngine implements OnApplicationBootstrap, BeforeApplicationShutdown, EngineHooks {
  private readonly logger = new Logger('RuleEngine');
  private readonly tenants = new Map<string, Promise<TenantRuntime>>();
  private readonly processors = new Map<string, PackProcessor>();
  readonly maxExecutionsPerMsg: number;
  private readonly packsInFlight: number;
  private readonly rpcTimeoutMs: number;
  private stopping = false;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly queues: RuleQueueService,
    private readonly queueSettings: QueuesService,
    private readonly queueEvents: QueueEvents,
    private readonly ruleChains: RuleChainsService,
    private readonly chainEvents: RuleChainEvents,
    private readonly registry: RuleNodeRegistry,
    private readonly engineServices: EngineServices,
    private readonly events: EventsService,
    private readonly transports: TransportHost,
  ) {
    this.maxExecutionsPerMsg = config.ruleEngineMaxExecutionsPerMsg;
    this.packsInFlight = config.ruleEnginePacksInFlight;
    this.rpcTimeoutMs = config.clientRpcTimeoutMs;
    chainEvents.onChanged((tenantId, chainId) => {
      // As in ThingsBoard, saving a chain gives the tenant a fresh debug-event allowance.
      events.resetDebugRateLimit(tenantId);
      return this.serialised(tenantId, () => this.redeploy(tenantId, chainId));
    });
    chainEvents.onDeleted((tenantId, chainId) => this.serialised(tenantId, () => this.undeploy(tenantId, chainId)));
  }

  async onApplicationBootstrap(): Promise<void> {
    this.applyQueueSettings(await this.queueSettings.findAll());
    this.queueEvents.on('changed', () => void this.queueSettings.findAll().then((all) => this.applyQueueSettings(all)));
  }

  /** Transports stop first (no new messages), then the pack in progress finishes and the queue closes. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.transports.beforeApplicationShutdown();
    await this.queues.backend.close();
    for (const tenant of this.tenants.values()) for (const chain of (await tenant).chains.values()) chain.destroy();
  }

  /** Durably queues a message of a tenant; resolves once it is kept. */
  submit(item: QueuedMsg): Promise<void> {
    return this.queues.submit(item);
  }

  // --- EngineHooks (what running nodes need) ---

  enqueue(tenantId: string, msg: RuleMsg, start: { queueName?: string; resume?: { ruleNodeId: string; relation: string } }) {
    const queued = start.queueName ? { ...msg, queueName: start.queueName } : msg;
    return this.submit({ tenantId, msg: queued, ...(start.resume ? { resume: start.resume } : {}) });
  }

  chainOf(tenantId: string, ruleChainId: string): ChainRuntime | undefined {
    return this.loaded.get(tenantId)?.chains.get(ruleChainId);
  }

  debug(event: NodeDebugEvent): void {
    this.events.recordRuleNodeDebug(event);
  }

  warn(message: string, fields: Record<string, unknown>): void {
    this.logger.warn({ msg: message, ...fields });
  }

  // --- stats ---

  async queueStats(): Promise<({ name: string; lag: number } & QueueStats)[]> {
    return Promise.all(
      [...this.processors].map(async ([name, processor]) => ({ name, lag: await this.queues.backend.lag(name), ...processor.stats })),
    );
  }

  async chainStatus(tenantId: string): Promise<ChainStatus[]> {
    const tenant = await this.tenant(tenantId);
    const stored = await this.ruleChains.loadTenant(tenantId);
    return stored.map(({ chain }) => {
      const running = tenant.chains.get(chain.id);
      return {
        id: chain.id,
        name: chain.name,
        deployed: !!running,
        version: running?.version ?? null,
        error: tenant.failures.get(chain.id) ?? null,
        nodes: (running?.nodes ?? []).map((n) => ({ id: n.id, name: n.name, ...n.stats })),
      };
    });
  }

  // --- processing ---

  /** Tenants whose chains are deployed, for synchronous lookups on the message path. */
  private readonly loaded = new Map<string, TenantRuntime>();

  private applyQueueSettings(settings: QueueProcessingSettings[]): void {
    this.queues.setKnownQueues(settings.map((s) => s.name));
    for (const queue of settings) {
      const existing = this.processors.get(queue.name);
      if (existing) {
        existing.update(queue);
        continue;
      }
      const processor = new PackProcessor(
        queue,
        (item, onDone) => this.start(item, onDone),
        (items, why) => this.logger.warn({ msg: `queue ${queue.name}: gave up on ${items.length} message(s) (${why})`, queue: queue.name }),
      );
      this.processors.set(queue.name, processor);
      this.queues.backend.consume(queue.name, (pack) => this.processPack(processor, pack), {
        maxInFlight: () => (processor.allowsParallelPacks() ? this.packsInFlight : 1),
      });
    }
  }

  private async processPack(processor: PackProcessor, pack: QueuedMsg[]): Promise<void> {
    let previous: string | null = null;
    for (const item of pack) {
      if (item.tenantId !== previous && !this.loaded.has(item.tenantId)) await this.tenant(item.tenantId);
      previous = item.tenantId;
    }
    await processor.process(pack);
  }

  /** Starts one message at its chain's first node (or resumes it after a node); never throws. */
  private start(item: QueuedMsg, onDone: (tracker: MsgTracker) => void): void {
    const tracker = new MsgTracker(item, onDone);
    const tenant = this.loaded.get(item.tenantId);
    if (!tenant) {
      tracker.fail(`tenant ${item.tenantId} has no rule engine state`);
    } else if (item.resume) {
      const node = this.findNode(tenant, item.resume.ruleNodeId);
      if (node) {
        const targets = node.routes.get(item.resume.relation);
        if (targets) for (const target of targets) invoke(target, item.msg, tracker, null);
      } else {
        tracker.fail(`rule node ${item.resume.ruleNodeId} no longer exists; its queued message is dropped`);
      }
    } else {
      const chainId = (item.ruleChainId && tenant.chains.has(item.ruleChainId) ? item.ruleChainId : null) ?? tenant.rootChainId;
      const chain = chainId ? tenant.chains.get(chainId) : undefined;
      if (chain?.firstNode) invoke(chain.firstNode, item.msg, tracker, null);
      else if (!chain)
        tracker.fail(chainId ? (tenant.failures.get(chainId) ?? 'the rule chain is not deployed') : 'the tenant has no root rule chain');
    }
    tracker.release();
  }

  private findNode(tenant: TenantRuntime, ruleNodeId: string): NodeRuntime | undefined {
    for (const chain of tenant.chains.values()) {
      const node = chain.nodes.find((n) => n.id === ruleNodeId);
      if (node) return node;
    }
    return undefined;
  }

  // --- deployment ---

  private readonly deployments = new Map<string, Promise<void>>();

  /** One deployment change at a time per tenant, in the order the changes were committed. */
  private serialised(tenantId: string, change: () => Promise<void>): Promise<void> {
    const next = (this.deployments.get(tenantId) ?? Promise.resolve()).then(change, change);
    this.deployments.set(tenantId, next);
    return next;
  }

  private tenant(tenantId: string): Promise<TenantRuntime> {
    let runtime = this.tenants.get(tenantId);
    if (!runtime) {
      runtime = this.deployTenant(tenantId);
      this.tenants.set(tenantId, runtime);
      runtime.catch(() => this.tenants.delete(tenantId));
    }
    return runtime;
  }

  private async deployTenant(tenantId: string): Promise<TenantRuntime> {
    const services: RuleEngineServices = this.engineServices.forTenant(tenantId, this.rpcTimeoutMs);
    const tenant: TenantRuntime = { services, chains: new Map(), failures: new Map(), rootChainId: null };
    for (const { chain, nodes } of await this.ruleChains.loadTenant(tenantId)) {
      if (chain.root) tenant.rootChainId = chain.id;
      const result = await deployChain(chain, nodes, this.registry, this, services);
      if (result.ok) tenant.chains.set(chain.id, result.chain);
      else this.deployFailed(tenantId, tenant, chain.id, result.reason);
    }
    this.loaded.set(tenantId, tenant);
    return tenant;
  }

  private async redeploy(tenantId: string, chainId: string): Promise<void> {
    if (this.stopping || !this.tenants.has(tenantId)) return; // deployed on first use with the current state anyway
    const tenant = await this.tenant(tenantId);
    const stored = await this.ruleChains.loadOne(chainId);
    if (!stored) return;
    if (stored.chain.root) tenant.rootChainId = chainId;
    const result = await deployChain(stored.chain, stored.nodes, this.registry, this, tenant.services);
    if (!result.ok) {
      this.deployFailed(tenantId, tenant, chainId, result.reason);
      return;
    }
    const previous = tenant.chains.get(chainId);
    tenant.chains.set(chainId, result.chain);
    tenant.failures.delete(chainId);
    previous?.retire();
    this.events.recordLifecycle({ tenantId, entity: { entityType: 'RULE_CHAIN', id: chainId }, event: previous ? 'UPDATED' : 'STARTED' });
    this.logger.log({
      msg: `rule chain "${stored.chain.name}" deployed (version ${stored.chain.version})`,
      tenantId,
      ruleChainId: chainId,
    });
  }

  private async undeploy(tenantId: string, chainId: string): Promise<void> {
    const tenant = this.loaded.get(tenantId);
    if (!tenant) return;
    tenant.chains.get(chainId)?.retire();
    tenant.chains.delete(chainId);
    tenant.failures.delete(chainId);
  }

  private deployFailed(tenantId: string, tenant: TenantRuntime, chainId: string, reason: string): void {
    tenant.failures.set(chainId, reason);
    const keeps = tenant.chains.has(chainId) ? '; the previous version keeps running' : '';
    this.logger.warn({ msg: `rule chain not deployed: ${reason}${keeps}`, ruleChainId: chainId });
    this.events.recordLifecycle({ tenantId, entity: { entityType: 'RULE_CHAIN', id: chainId }, event: 'STARTED', error: reason + keeps });
  }
}
