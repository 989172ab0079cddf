import { Inject, Injectable, Logger } from '@nestjs/common';
import IORedis from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import type { Notice } from './notices';

/** How often each node repeats the keys it watches, and how long others trust that list (a crashed node says no goodbye). */
const HEARTBEAT_MS = 10_000;
const NODE_EXPIRY_MS = 3.5 * HEARTBEAT_MS;

/** What nodes tell each other on the interest channel. */
interface InterestMessage {
  node: string;
  /** hello: "I am new, tell me your keys"; keys: the sender's full list; watch/unwatch: one change; bye: the sender stops. */
  op: 'hello' | 'keys' | 'watch' | 'unwatch' | 'bye';
  keys?: string[];
}

export interface RelayHandlers {
  /** Notices other nodes published for keys this node watches. */
  deliver(notices: Notice[]): void;
  /** Whether other nodes now want `key` changed (see `remoteWants`). */
  remoteInterestChanged(key: string): void;
  /** Every key this node's subscribers watch. */
  localKeys(): Iterable<string>;
}

/**
 * Cluster mode (REDIS_URL): live updates saved on one node reach subscribers connected to another, through
 * Redis pub/sub. Nodes tell each other which keys (entities, tenants' alarms) their subscribers watch, so a save
 * is forwarded only when some node wants it — one PUBLISH per interested node per batch — and unwatched saves
 * cost nothing on any node. Without REDIS_URL every method is a no-op.
 */
@Injectable()
export class ClusterRelay {
  private readonly logger = new Logger('WebSocketCluster');
  readonly nodeId = randomUUID();
  private readonly interestChannel: string;
  private readonly nodesByKey = new Map<string, Set<string>>();
  private readonly nodes = new Map<string, { keys: Set<string>; seenAt: number }>();
  private pub?: IORedis;
  private sub?: IORedis;
  private handlers?: RelayHandlers;
  private heartbeat?: NodeJS.Timeout;
  private lastError?: string;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.interestChannel = `${config.redisQueuePrefix}:ws:interest`;
  }

  get enabled(): boolean {
    return this.config.redisUrl !== undefined;
  }

  private nodeChannel(node: string): string {
    return `${this.config.redisQueuePrefix}:ws:node:${node}`;
  }

  async start(handlers: RelayHandlers): Promise<void> {
    if (!this.config.redisUrl) return;
    this.handlers = handlers;
    this.pub = new IORedis(this.config.redisUrl, { maxRetriesPerRequest: null });
    this.sub = new IORedis(this.config.redisUrl, { maxRetriesPerRequest: null });
    for (const connection of [this.pub, this.sub]) connection.on('error', this.onRedisError);
    this.sub.on('message', (channel: string, text: string) => this.onMessage(channel, text));
    // Also after a reconnect: whatever was said meanwhile is lost, so ask everyone again and repeat our own keys.
    this.sub.on('ready', () => {
      this.send({ node: this.nodeId, op: 'hello' });
      this.sendKeys();
    });
    await this.sub.subscribe(this.interestChannel, this.nodeChannel(this.nodeId));
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  async stop(): Promise<void> {
    if (!this.pub || !this.sub) return;
    clearInterval(this.heartbeat);
    this.send({ node: this.nodeId, op: 'bye' });
    await Promise.allSettled([this.pub.quit(), this.sub.quit()]);
  }

  /** Some other node has a subscriber for `key`. */
  remoteWants(key: string): boolean {
    return this.nodesByKey.has(key);
  }

  /** This node's subscribers started (or stopped) watching `key`. */
  announce(key: string, watching: boolean): void {
    if (this.pub) this.send({ node: this.nodeId, op: watching ? 'watch' : 'unwatch', keys: [key] });
  }

  /** Sends each notice to every other node that watches its key: one message per node. */
  forward(notices: readonly Notice[]): void {
    if (!this.pub) return;
    const byNode = new Map<string, Notice[]>();
    for (const notice of notices) {
      for (const node of this.nodesByKey.get(notice.key) ?? []) {
        let list = byNode.get(node);
        if (!list) byNode.set(node, (list = []));
        list.push(notice);
      }
    }
    for (const [node, list] of byNode) this.pub.publish(this.nodeChannel(node), JSON.stringify(list)).catch(this.onRedisError);
  }

  private onMessage(channel: string, text: string): void {
    try {
      if (channel === this.interestChannel) this.onInterest(JSON.parse(text) as InterestMessage);
      else this.handlers?.deliver(JSON.parse(text) as Notice[]);
    } catch (e) {
      this.logger.warn({ msg: `ignored a malformed message on ${channel}: ${(e as Error).message}` });
    }
  }

  private onInterest(message: InterestMessage): void {
    if (message.node === this.nodeId) return;
    switch (message.op) {
      case 'hello':
        return this.sendKeys();
      case 'bye':
        return this.setNodeKeys(message.node, []);
      case 'keys':
        return this.setNodeKeys(message.node, message.keys ?? []);
      case 'watch':
      case 'unwatch': {
        const keys = new Set(this.nodes.get(message.node)?.keys);
        for (const key of message.keys ?? []) {
          if (message.op === 'watch') keys.add(key);
          else keys.delete(key);
        }
        return this.setNodeKeys(message.node, [...keys]);
      }
    }
  }

  /** Replaces what `node` watches; tells the registry about keys that became (un)wanted remotely. */
  private setNodeKeys(node: string, keys: readonly string[]): void {
    const before = this.nodes.get(node)?.keys ?? new Set<string>();
    const after = new Set(keys);
    if (after.size) this.nodes.set(node, { keys: after, seenAt: Date.now() });
    else this.nodes.delete(node);
    for (const key of before) {
      if (after.has(key)) continue;
      const nodes = this.nodesByKey.get(key);
      nodes?.delete(node);
      if (nodes?.size === 0) {
        this.nodesByKey.delete(key);
        this.handlers?.remoteInterestChanged(key);
      }
    }
    for (const key of after) {
      if (before.has(key)) continue;
      let nodes = this.nodesByKey.get(key);
      if (!nodes) this.nodesByKey.set(key, (nodes = new Set()));
      nodes.add(node);
      if (nodes.size === 1) this.handlers?.remoteInterestChanged(key);
    }
  }

  private beat(): void {
    this.sendKeys();
    const expired = Date.now() - NODE_EXPIRY_MS;
    for (const [node, { seenAt }] of this.nodes) if (seenAt < expired) this.setNodeKeys(node, []);
  }

  private sendKeys(): void {
    this.send({ node: this.nodeId, op: 'keys', keys: [...(this.handlers?.localKeys() ?? [])] });
  }

  private send(message: InterestMessage): void {
    this.pub?.publish(this.interestChannel, JSON.stringify(message)).catch(this.onRedisError);
  }

  /** ioredis retries by itself; each different error is logged once. */
  private readonly onRedisError = (error: Error) => {
    if (error.message === this.lastError) return;
    this.lastError = error.message;
    this.logger.warn({ msg: `Redis (WebSocket updates between nodes): ${error.message}; retrying`, err: error });
  };
}
