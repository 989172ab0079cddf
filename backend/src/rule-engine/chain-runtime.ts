import type {
  NewRuleMsg,
  RuleEngineServices,
  RuleMsg,
  RuleMsgChanges,
  RuleNode,
  RuleNodeContext,
  RuleNodeInitContext,
  RuleNodeLogger,
  RuleNodeSelf,
} from '@edgewise/plugin-api';
import { randomUUID } from 'node:crypto';
import type { MsgTracker } from './msg-tracker';

/** Where a node's debug IN/OUT events go (the events feature stores them). */
export interface NodeDebugEvent {
  tenantId: string;
  ruleNodeId: string;
  ruleChainId: string;
  direction: 'IN' | 'OUT';
  msg: RuleMsg;
  relationType?: string;
  error?: string;
  /** OUT events: time since the node received the message. */
  elapsedMs?: number;
}

/** What a node runtime needs from the engine around it. */
export interface EngineHooks {
  readonly maxExecutionsPerMsg: number;
  debug(event: NodeDebugEvent): void;
  /** Durably queues a message (with where it starts). */
  enqueue(tenantId: string, msg: RuleMsg, start: { queueName?: string; resume?: { ruleNodeId: string; relation: string } }): Promise<void>;
  /** The chain of the tenant a "rule chain" node calls, as currently deployed. */
  chainOf(tenantId: string, ruleChainId: string): ChainRuntime | undefined;
  warn(message: string, fields: Record<string, unknown>): void;
}

export interface NodeDebugMode {
  failuresEnabled: boolean;
  allEnabledUntil: number;
}

/** Per-node counters since the chain was deployed. */
export interface NodeStats {
  received: number;
  failed: number;
}

/** A deployed chain: its nodes wired by relation label. */
export class ChainRuntime {
  readonly nodes: NodeRuntime[] = [];
  firstNode: NodeRuntime | null = null;
  /** Invocations running in this deployment; an old deployment is destroyed once it reaches 0. */
  inflight = 0;
  private retired = false;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly tenantId: string,
    readonly version: number,
  ) {}

  /** Called when a newer deployment replaced this one: destroy when in-flight messages are done. */
  retire(): void {
    this.retired = true;
    if (this.inflight === 0) this.destroy();
  }

  invocationEnded(): void {
    if (--this.inflight === 0 && this.retired) this.destroy();
  }

  destroy(): void {
    for (const node of this.nodes) {
      try {
        void Promise.resolve(node.instance?.destroy?.()).catch(() => undefined);
      } catch {
        // a node failing to clean up must not keep the others from cleaning up
      }
    }
  }
}

export class NodeRuntime {
  readonly routes = new Map<string, NodeRuntime[]>();
  instance!: RuleNode;
  readonly stats: NodeStats = { received: 0, failed: 0 };
  readonly self: RuleNodeSelf;
  readonly init: RuleNodeInitContext;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly chain: ChainRuntime,
    readonly engine: EngineHooks,
    readonly services: RuleEngineServices,
    readonly log: RuleNodeLogger,
    readonly debugMode: NodeDebugMode | null,
  ) {
    this.self = { id, name, ruleChainId: chain.id };
    const tenantId = chain.tenantId;
    this.init = {
      tenantId,
      self: this.self,
      services,
      log,
      newMsg: newRuleMsg,
      enqueueForTellNext: (msg, relation, options) =>
        engine.enqueue(tenantId, msg, { queueName: options?.queueName, resume: { ruleNodeId: id, relation } }),
    };
  }

  connect(relation: string, target: NodeRuntime): void {
    const targets = this.routes.get(relation);
    if (targets) targets.push(target);
    else this.routes.set(relation, [target]);
  }

  debugAll(): boolean {
    return this.debugMode !== null && this.debugMode.allEnabledUntil > Date.now();
  }
}

export function newRuleMsg(init: NewRuleMsg): RuleMsg {
  return {
    id: randomUUID(),
    ts: Date.now(),
    type: init.type,
    originator: init.originator,
    customerId: init.customerId ?? null,
    metadata: init.metadata ?? {},
    data: init.data,
    dataType: init.dataType ?? 'JSON',
    queueName: init.queueName ?? 'Main',
  };
}

/** A "rule chain" node waiting for the chain it called to return through an output node. */
interface CallFrame {
  caller: NodeRuntime;
  parent: CallFrame | null;
}

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Runs `msg` through `node` as part of the tracked message. Exceptions and rejections of `onMsg` send the
 * message down `Failure`; they never escape.
 */
export function invoke(node: NodeRuntime, msg: RuleMsg, tracker: MsgTracker, frame: CallFrame | null): void {
  if (tracker.done && !tracker.detached) {
    node.engine.warn('a node emitted a message after its processing had ended; dropped', { ruleNodeId: node.id, msgId: msg.id });
    return;
  }
  if (++tracker.executions > node.engine.maxExecutionsPerMsg) {
    tracker.fail(`the message went through more than ${node.engine.maxExecutionsPerMsg} rule nodes (a loop between rule chains?)`);
    return;
  }
  tracker.hold();
  node.chain.inflight++;
  node.stats.received++;
  const invocation = new Invocation(node, tracker, frame);
  if (node.debugMode && node.debugAll()) invocation.startedAt = Date.now();
  if (invocation.startedAt) node.engine.debug(debugEvent(node, 'IN', msg));
  let result: void | Promise<void>;
  try {
    result = node.instance.onMsg(msg, invocation);
  } catch (error) {
    invocation.crashed(msg, error);
    return;
  }
  if (result instanceof Promise) {
    result.then(
      () => invocation.settle(),
      (error: unknown) => invocation.crashed(msg, error),
    );
  } else {
    invocation.settle();
  }
}

function debugEvent(node: NodeRuntime, direction: 'IN' | 'OUT', msg: RuleMsg, relationType?: string, error?: string): NodeDebugEvent {
  return { tenantId: node.chain.tenantId, ruleNodeId: node.id, ruleChainId: node.chain.id, direction, msg, relationType, error };
}

/**
 * One node handling one message: the context the node gets. It releases its unit of the tracker when the
 * node has told something (tellNext / tellFailure / ack / flow) and `onMsg` has returned — so several
 * synchronous tells fan out, and a node that tells later (delay) holds the message until it does.
 */
class Invocation implements RuleNodeContext {
  private toldAnything = false;
  private settled = false;
  private released = false;
  startedAt = 0;

  constructor(
    private readonly node: NodeRuntime,
    private readonly tracker: MsgTracker,
    private readonly frame: CallFrame | null,
  ) {}

  get tenantId() {
    return this.node.chain.tenantId;
  }
  get self() {
    return this.node.self;
  }
  get services() {
    return this.node.services;
  }
  get log() {
    return this.node.log;
  }

  newMsg(init: NewRuleMsg): RuleMsg {
    return newRuleMsg(init);
  }

  enqueueForTellNext(msg: RuleMsg, relation: string, options?: { queueName?: string }): Promise<void> {
    return this.node.init.enqueueForTellNext(msg, relation, options);
  }

  enqueue(msg: RuleMsg, options?: { queueName?: string }): Promise<void> {
    return this.node.engine.enqueue(this.tenantId, msg, { queueName: options?.queueName });
  }

  transformMsg(msg: RuleMsg, changes: RuleMsgChanges): RuleMsg {
    return { ...msg, ...changes };
  }

  tellNext(msg: RuleMsg, relation: string | readonly string[]): void {
    if (typeof relation === 'string') this.route(this.node, msg, relation, this.frame);
    else for (const label of relation) this.route(this.node, msg, label, this.frame);
    this.told();
  }

  tellSuccess(msg: RuleMsg): void {
    this.route(this.node, msg, 'Success', this.frame);
    this.told();
  }

  tellFailure(msg: RuleMsg, error: Error | string): void {
    const reason = errorText(error);
    this.node.stats.failed++;
    const debug = this.node.debugMode !== null && (this.node.debugMode.failuresEnabled || this.node.debugAll());
    if (debug) this.node.engine.debug({ ...debugEvent(this.node, 'OUT', msg, 'Failure', reason), elapsedMs: this.elapsed() });
    const targets = this.node.routes.get('Failure');
    if (targets) for (const target of targets) invoke(target, msg, this.tracker, this.frame);
    else this.tracker.fail(`${this.node.name}: ${reason}`);
    this.told();
  }

  /** ThingsBoard's ack: the queue is done with the message; anything this node still emits runs on detached. */
  ack(msg: RuleMsg): void {
    if (this.startedAt) this.node.engine.debug({ ...debugEvent(this.node, 'OUT', msg, 'ACK'), elapsedMs: this.elapsed() });
    this.tracker.acknowledge();
    this.told();
  }

  callChain(msg: RuleMsg, ruleChainId: string): void {
    const chain = this.node.engine.chainOf(this.tenantId, ruleChainId);
    if (!chain) {
      this.tellFailure(msg, `rule chain ${ruleChainId} does not exist or is not deployed`);
      return;
    }
    if (this.startedAt) this.node.engine.debug({ ...debugEvent(this.node, 'OUT', msg, `To ${chain.name}`), elapsedMs: this.elapsed() });
    if (chain.firstNode) invoke(chain.firstNode, msg, this.tracker, { caller: this.node, parent: this.frame });
    this.told();
  }

  returnFromChain(msg: RuleMsg, label: string): void {
    if (this.startedAt) this.node.engine.debug({ ...debugEvent(this.node, 'OUT', msg, label), elapsedMs: this.elapsed() });
    if (this.frame) this.route(this.frame.caller, msg, label, this.frame.parent);
    this.told();
  }

  /** `onMsg` threw or rejected: Failure, unless the node had already passed the message on. */
  crashed(msg: RuleMsg, error: unknown): void {
    if (this.toldAnything) {
      this.node.engine.warn(`rule node "${this.node.name}" failed after passing the message on: ${errorText(error)}`, {
        ruleNodeId: this.node.id,
      });
    } else {
      this.tellFailure(msg, error instanceof Error ? error : String(error));
    }
    this.settle();
  }

  settle(): void {
    this.settled = true;
    if (this.toldAnything) this.release();
  }

  private told(): void {
    this.toldAnything = true;
    if (this.settled) this.release();
  }

  private release(): void {
    if (this.released) return;
    this.released = true;
    this.node.chain.invocationEnded();
    this.tracker.release();
  }

  private route(from: NodeRuntime, msg: RuleMsg, relation: string, frame: CallFrame | null): void {
    if (this.startedAt && from === this.node) {
      this.node.engine.debug({ ...debugEvent(from, 'OUT', msg, relation), elapsedMs: this.elapsed() });
    }
    const targets = from.routes.get(relation);
    if (targets) for (const target of targets) invoke(target, msg, this.tracker, frame);
  }

  private elapsed(): number {
    return Date.now() - this.startedAt;
  }
}
