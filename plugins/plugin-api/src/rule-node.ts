/**
 * The rule-node seam. A node is a declarative description (what the editor shows and the core validates)
 * plus a factory for the object that handles messages — the shape of n8n's declarative nodes and
 * ThingsBoard's `@RuleNode`. A node touches the platform only through its context.
 *
 * Message lifecycle: the engine hands a message to `onMsg(msg, ctx)`; the node ends its handling with
 * `ctx.tellNext` / `tellSuccess` / `tellFailure` (forward along relations) or `ctx.ack` (stop here). A
 * node may call `tellNext` several times within one synchronous `onMsg` (fan-out, e.g. split array) or
 * once later (delay); a message not ended by any branch counts as timed out. An exception thrown by
 * `onMsg` (or a rejected promise) sends the message down `Failure`; it never stops the engine.
 */

import type { RuleMsg, EntityId, RuleMsgDataType } from './rule-msg';
import type { RuleEngineServices } from './rule-services';
import type { PluginLogger } from './transport';

/** Categories of the rule-node palette, as in ThingsBoard. */
export type RuleNodeCategory = 'filter' | 'enrichment' | 'transformation' | 'action' | 'external' | 'flow';

/** A JSON Schema (draft 2020-12 subset that Ajv understands). */
export type JsonSchema = Readonly<Record<string, unknown>>;

export interface RuleNodeDescriptor<C = Record<string, unknown>> {
  /** Stable id, e.g. `core/save-timeseries`; never reused for a different behaviour. */
  type: string;
  category: RuleNodeCategory;
  /** Display name in the palette, e.g. "save time series". */
  name: string;
  description: string;
  /** Relation labels the node can emit, e.g. `['Success', 'Failure']`. */
  relations: readonly string[];
  /** The editor lets users type their own labels (script switch, rule chain). */
  customRelations?: boolean;
  /** False for nodes without an input port (the chain-input node). Default true. */
  inEnabled?: boolean;
  /** False for nodes without outputs (output, acknowledge). Default true. */
  outEnabled?: boolean;
  /** JSON Schema of the configuration: the admin builds the form from it, the core validates with it. */
  configSchema: JsonSchema;
  /** Configuration of a node freshly dropped on the canvas; must satisfy `configSchema`. */
  defaultConfig: C;
  /** Version of the configuration shape (ThingsBoard's `configurationVersion`); default 0. */
  configVersion?: number;
  /** Brings a configuration saved with an older `configVersion` up to the current one. */
  upgrade?(fromVersion: number, oldConfig: Record<string, unknown>): Record<string, unknown>;
  /** ThingsBoard class name this node stands for, so ThingsBoard rule-chain exports import. */
  thingsboardClass?: string;
  /** Material icon name for the editor. */
  icon?: string;
  /**
   * Builds the node from a validated configuration. Throw (or reject) with a message naming the bad
   * setting when the configuration cannot work (e.g. a script that does not compile): the chain then
   * refuses to activate with that reason.
   */
  create(config: C, init: RuleNodeInitContext): RuleNode | Promise<RuleNode>;
}

export interface RuleNode {
  onMsg(msg: RuleMsg, ctx: RuleNodeContext): void | Promise<void>;
  /** Called when the chain is replaced or the engine stops: clear timers, close connections. */
  destroy?(): void | Promise<void>;
}

export interface RuleNodeSelf {
  id: string;
  name: string;
  ruleChainId: string;
}

/** Logs with the node's id and chain attached. */
export type RuleNodeLogger = PluginLogger;

export interface NewRuleMsg {
  type: string;
  originator: EntityId;
  customerId?: string | null;
  metadata?: Record<string, string>;
  data: string;
  dataType?: RuleMsgDataType;
  queueName?: string;
}

export type RuleMsgChanges = Partial<Pick<RuleMsg, 'type' | 'originator' | 'customerId' | 'metadata' | 'data' | 'dataType'>>;

/** What a node has while it is built and for as long as it lives (timers use this, not a message's context). */
export interface RuleNodeInitContext {
  readonly tenantId: string;
  readonly self: RuleNodeSelf;
  readonly services: RuleEngineServices;
  readonly log: RuleNodeLogger;
  /** A new message with a fresh id (originator, data … as given; queue `Main` unless said). */
  newMsg(init: NewRuleMsg): RuleMsg;
  /**
   * Durably queues a message that then continues from this node's outputs by `relation`, as if the node had
   * just emitted it — how timer-driven nodes (generator, delay, deduplication, message count) and
   * checkpoints (with `queueName`) hand messages on. Resolves once the queue holds it.
   */
  enqueueForTellNext(msg: RuleMsg, relation: string, options?: { queueName?: string }): Promise<void>;
}

/** What a node has while it handles one message. */
export interface RuleNodeContext extends RuleNodeInitContext {
  /** Forwards along every connection labelled with the relation(s); none connected → that branch ends. */
  tellNext(msg: RuleMsg, relation: string | readonly string[]): void;
  tellSuccess(msg: RuleMsg): void;
  /** Forwards along `Failure`; with no `Failure` connection the message counts as failed for its queue. */
  tellFailure(msg: RuleMsg, error: Error | string): void;
  /** Ends this branch here: the message counts as processed. */
  ack(msg: RuleMsg): void;
  /** A copy of `msg` with the same id and the given changes. */
  transformMsg(msg: RuleMsg, changes: RuleMsgChanges): RuleMsg;
  /** Queues a message as a new one for the tenant's root chain (or the one its originator's profile names). */
  enqueue(msg: RuleMsg, options?: { queueName?: string }): Promise<void>;
  /** Flow: continue in another chain of the tenant; its "output" nodes return here by their label. */
  callChain(msg: RuleMsg, ruleChainId: string): void;
  /** Flow: leave the current (called) chain by `label`; in a chain nobody called, the branch ends. */
  returnFromChain(msg: RuleMsg, label: string): void;
}
