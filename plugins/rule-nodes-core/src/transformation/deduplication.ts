import type { EntityId, RuleMsg, RuleNode, RuleNodeContext, RuleNodeDescriptor, RuleNodeInitContext } from '@edgewise/plugin-api';
import { jsonDataOf } from './msg-data';

export type DeduplicationStrategy = 'FIRST' | 'LAST' | 'ALL';

export interface DeduplicationConfig {
  /** Seconds a pack of messages from one originator lasts, counted from its first message's `ts`. */
  interval: number;
  strategy: DeduplicationStrategy;
  /** ALL: type of the merged message (ThingsBoard's editor proposes POST_TELEMETRY_REQUEST). */
  outMsgType: string | null;
  /** Messages kept per originator; beyond that, messages fail. */
  maxPendingMsgs: number;
  /** Further attempts when handing a result on fails. */
  maxRetries: number;
  /**
   * Queue the results continue on (unset: the engine's choice). ThingsBoard keeps this on the rule node
   * itself ("queueName" beside "configuration") since configuration version 1; here it is part of the
   * configuration.
   */
  queueName: string | null;
}

const DEFAULT_OUT_MSG_TYPE = 'POST_TELEMETRY_REQUEST';
const RETRY_DELAY_MS = 10_000;

/** A message's time for deduplication: its metadata `ts` when that is a number, else when it was created. */
function tsOf(msg: RuleMsg): number {
  const ts = msg.metadata.ts;
  return ts && /^-?\d+$/.test(ts) ? Number(ts) : msg.ts;
}

interface PendingMsgs {
  originator: EntityId;
  msgs: RuleMsg[];
  timer?: NodeJS.Timeout;
}

class Deduplicator implements RuleNode {
  private readonly pending = new Map<string, PendingMsgs>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly intervalMs: number;

  constructor(
    private readonly config: DeduplicationConfig,
    private readonly init: RuleNodeInitContext,
  ) {
    this.intervalMs = config.interval * 1000;
  }

  onMsg(msg: RuleMsg, ctx: RuleNodeContext): void {
    const key = `${msg.originator.entityType}:${msg.originator.id}`;
    let group = this.pending.get(key);
    if (!group) this.pending.set(key, (group = { originator: msg.originator, msgs: [] }));
    if (group.msgs.length >= this.config.maxPendingMsgs) {
      throw new Error(
        `Max limit of pending messages (${this.config.maxPendingMsgs}) reached for deduplication id: [${key}]; raise "maxPendingMsgs" or shorten "interval"`,
      );
    }
    group.msgs.push(msg);
    // The original is done with; what it leads to is a new message handed on later.
    ctx.ack(msg);
    this.schedule(key, group);
  }

  destroy(): void {
    for (const group of this.pending.values()) clearTimeout(group.timer);
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.pending.clear();
    this.retryTimers.clear();
  }

  private schedule(key: string, group: PendingMsgs): void {
    // One tick per originator at a time, one interval (+1 ms, so a pack that just started is then due) away.
    group.timer ??= setTimeout(() => this.tick(key), this.intervalMs + 1);
  }

  /** Hands on every pack whose interval is over; packs still open wait for the next tick. */
  private tick(key: string): void {
    const group = this.pending.get(key);
    if (!group) return;
    group.timer = undefined;
    const now = Date.now();
    for (let pack = this.takeDuePack(group, now); pack; pack = this.takeDuePack(group, now)) {
      this.handOn(this.resultOf(group.originator, pack), 0);
    }
    if (group.msgs.length) this.schedule(key, group);
    else this.pending.delete(key);
  }

  /** Removes and returns the messages of the earliest pack when its interval has ended by `now`. */
  private takeDuePack(group: PendingMsgs, now: number): RuleMsg[] | undefined {
    if (!group.msgs.length) return undefined;
    const start = Math.min(...group.msgs.map(tsOf));
    const end = start + this.intervalMs;
    if (end > now) return undefined;
    const inPack = (msg: RuleMsg) => tsOf(msg) >= start && tsOf(msg) < end;
    const pack = group.msgs.filter(inPack);
    group.msgs = group.msgs.filter((msg) => !inPack(msg));
    return pack;
  }

  private resultOf(originator: EntityId, pack: RuleMsg[]): RuleMsg {
    const queueName = this.config.queueName ?? undefined;
    if (this.config.strategy === 'ALL') {
      const merged = pack.map((msg) => ({ msg: jsonDataOf(msg) ?? msg.data, metadata: msg.metadata }));
      return this.init.newMsg({
        type: this.config.outMsgType || DEFAULT_OUT_MSG_TYPE,
        originator,
        metadata: { ts: String(Date.now()) },
        data: JSON.stringify(merged),
        queueName,
      });
    }
    const pick =
      this.config.strategy === 'FIRST' ? (a: RuleMsg, b: RuleMsg) => tsOf(b) < tsOf(a) : (a: RuleMsg, b: RuleMsg) => tsOf(b) > tsOf(a);
    const chosen = pack.reduce((best, msg) => (pick(best, msg) ? msg : best));
    const { type, customerId, metadata, data, dataType } = chosen;
    return this.init.newMsg({
      type,
      originator: chosen.originator,
      customerId,
      metadata: { ...metadata },
      data,
      dataType,
      queueName: queueName ?? chosen.queueName,
    });
  }

  private handOn(msg: RuleMsg, attempt: number): void {
    const options = this.config.queueName ? { queueName: this.config.queueName } : undefined;
    this.init.enqueueForTellNext(msg, 'Success', options).catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      if (attempt >= this.config.maxRetries) {
        this.init.log.warn('Deduplication result dropped: queueing it failed and no retries are left', { msgId: msg.id, reason });
        return;
      }
      const timer = setTimeout(() => {
        this.retryTimers.delete(timer);
        this.handOn(msg, attempt + 1);
      }, RETRY_DELAY_MS);
      this.retryTimers.add(timer);
    });
  }
}

/** "deduplication": one message per originator and interval (first, last, or all merged into one). */
export const deduplicationNode: RuleNodeDescriptor<DeduplicationConfig> = {
  type: 'core/deduplication',
  category: 'transformation',
  name: 'deduplication',
  description:
    'Collects the messages each originator sends within an interval and then hands on one: the first, the last, or all of them merged into a JSON array of {msg, metadata}.',
  relations: ['Success', 'Failure'],
  configSchema: {
    type: 'object',
    properties: {
      interval: { type: 'integer', minimum: 1, title: 'Interval (seconds)' },
      strategy: { type: 'string', enum: ['FIRST', 'LAST', 'ALL'], title: 'Strategy' },
      outMsgType: { type: ['string', 'null'], title: 'Type of the merged message (strategy ALL)' },
      maxPendingMsgs: { type: 'integer', minimum: 1, maximum: 1000, title: 'Max pending messages per originator' },
      maxRetries: { type: 'integer', minimum: 0, maximum: 100, title: 'Max retries to hand on a result' },
      queueName: { type: ['string', 'null'], title: 'Queue for the results' },
    },
    required: ['interval', 'strategy', 'maxPendingMsgs', 'maxRetries'],
  },
  defaultConfig: { interval: 60, strategy: 'FIRST', outMsgType: null, maxPendingMsgs: 100, maxRetries: 3, queueName: null },
  configVersion: 1,
  // ThingsBoard's version 1 moved "queueName" out of the configuration; this node still reads it there.
  upgrade: (_fromVersion, oldConfig) => oldConfig,
  thingsboardClass: 'org.thingsboard.rule.engine.deduplication.TbMsgDeduplicationNode',
  icon: 'content_copy',
  create(config, init) {
    if (!Number.isInteger(config.interval) || config.interval < 1)
      throw new Error('Set "interval" to a whole number of seconds, at least 1');
    if (!['FIRST', 'LAST', 'ALL'].includes(config.strategy)) throw new Error('Set "strategy" to FIRST, LAST or ALL');
    if (!(config.maxPendingMsgs >= 1)) throw new Error('Set "maxPendingMsgs" to at least 1');
    if (!(config.maxRetries >= 0)) throw new Error('Set "maxRetries" to 0 or more');
    return new Deduplicator(config, init);
  },
};
