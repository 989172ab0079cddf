import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThan, Repository } from 'typeorm';
import { newId } from '../database/ids';
import { DeviceEvents } from '../devices/device-events';
import { SessionRegistry } from '../transport/session-registry';
import { RpcEntity, RpcStatus, StoredRpcRequest } from './rpc.entity';

/** How a non-persistent call ended, as the REST caller learns it. */
export type RpcOutcome =
  | { kind: 'DELIVERED' }
  | { kind: 'REPLY'; payload: string }
  /** Expired; `sent` tells whether any session received the request (504 either way; legacy 408 vs 409). */
  | { kind: 'EXPIRED'; sent: boolean };

export interface RpcCall {
  deviceId: string;
  tenantId: string;
  method: string;
  params: unknown;
  oneway: boolean;
  expiresAt: number;
  /** Persistent calls only. */
  persistent?: { retries: number; additionalInfo: unknown };
}

interface PendingRpc extends RpcCall {
  requestId: number;
  sent: boolean;
  delivered: boolean;
  /** Set for persistent calls: the stored row's id. */
  rpcId?: string;
  retriesLeft: number;
  timer: NodeJS.Timeout;
  /** Status writes of one call run one after another, so the last status written is the last one set. */
  statusWrites: Promise<void>;
  settle(outcome: RpcOutcome): void;
}

/** The reference caps persistent delivery retries (device-api.md §8.6). */
export const MAX_RPC_RETRIES = 5;
const RETRY_PAUSE_MS = 1000;

/**
 * Server-side RPC to devices: hands each call to every session of the device subscribed to RPC (held until
 * one subscribes, up to its expiry), completes it on the device's ack or reply, and tracks persistent calls
 * in the database so they survive restarts and can be queried.
 */
@Injectable()
export class DeviceRpcService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('DeviceRpc');
  private readonly pending = new Map<string, Map<number, PendingRpc>>();
  /** Per device, like ThingsBoard's device actor: ids are unique among a device's in-flight calls. */
  private readonly nextRequestId = new Map<string, number>();
  private readonly onSubscribed = (deviceId: string) => void this.deliverWaiting(deviceId);
  private readonly onReply = (deviceId: string, requestId: number, payload: string) => this.reply(deviceId, requestId, payload);
  private readonly onDeviceDeleted = (deviceId: string) => this.dropDevice(deviceId);

  constructor(
    @InjectRepository(RpcEntity) private readonly rpcs: Repository<RpcEntity>,
    private readonly sessions: SessionRegistry,
    private readonly deviceEvents: DeviceEvents,
  ) {
    sessions.on('rpcSubscribed', this.onSubscribed);
    sessions.on('rpcReply', this.onReply);
    deviceEvents.on('deleted', this.onDeviceDeleted);
  }

  /** A lightweight call: resolves when it is delivered (one-way), answered (two-way) or expired. */
  call(call: RpcCall): Promise<RpcOutcome> {
    return new Promise((settle) => this.start(call, settle));
  }

  /** A persistent call: stored as QUEUED, then delivered in the background; returns its id at once. */
  async callPersistent(call: RpcCall): Promise<string> {
    const rpcId = newId();
    const retries = Math.min(call.persistent?.retries ?? 0, MAX_RPC_RETRIES);
    await this.rpcs.insert({
      id: rpcId,
      createdTime: Date.now(),
      tenantId: call.tenantId,
      deviceId: call.deviceId,
      expirationTime: call.expiresAt,
      requestJson: JSON.stringify({ method: call.method, params: call.params, oneway: call.oneway, retries } satisfies StoredRpcRequest),
      responseJson: null,
      status: 'QUEUED',
      additionalInfoJson: JSON.stringify(call.persistent?.additionalInfo ?? null),
    });
    this.start(call, () => {}, rpcId);
    return rpcId;
  }

  /** Cancels a persistent call's delivery (its row is deleted by the caller). */
  cancel(rpcId: string): void {
    for (const byId of this.pending.values()) {
      for (const rpc of byId.values()) if (rpc.rpcId === rpcId) this.finish(rpc);
    }
  }

  onModuleDestroy(): void {
    this.sessions.off('rpcSubscribed', this.onSubscribed);
    this.sessions.off('rpcReply', this.onReply);
    this.deviceEvents.off('deleted', this.onDeviceDeleted);
    for (const byId of this.pending.values()) for (const rpc of byId.values()) clearTimeout(rpc.timer);
    this.pending.clear();
  }

  private start(call: RpcCall, settle: (outcome: RpcOutcome) => void, rpcId?: string): void {
    const requestId = this.nextRequestId.get(call.deviceId) ?? 0;
    this.nextRequestId.set(call.deviceId, requestId + 1);
    const rpc: PendingRpc = {
      ...call,
      requestId,
      rpcId,
      sent: false,
      delivered: false,
      retriesLeft: Math.min(call.persistent?.retries ?? 0, MAX_RPC_RETRIES),
      settle,
      timer: setTimeout(() => this.expire(rpc), Math.max(0, call.expiresAt - Date.now())),
      statusWrites: Promise.resolve(),
    };
    let byId = this.pending.get(call.deviceId);
    if (!byId) this.pending.set(call.deviceId, (byId = new Map()));
    byId.set(requestId, rpc);
    this.deliver(rpc);
  }

  /** Pushes the call to every RPC-subscribed session of the device (ThingsBoard's default BURST strategy). */
  private deliver(rpc: PendingRpc): void {
    for (const session of this.sessions.sessionsOf(rpc.deviceId)) {
      if (!session.rpcSubscription) continue;
      rpc.sent = true;
      this.setStatus(rpc, 'SENT');
      session.listener.onServerRpc({ id: rpc.requestId, method: rpc.method, params: rpc.params, oneway: rpc.oneway }).then(
        () => this.delivered(rpc),
        (e: Error) => this.deliveryFailed(rpc, e),
      );
    }
  }

  private async deliverWaiting(deviceId: string): Promise<void> {
    await this.restorePersistent(deviceId);
    for (const rpc of this.pending.get(deviceId)?.values() ?? []) if (!rpc.delivered) this.deliver(rpc);
  }

  /** Persistent calls stored before a restart are picked up again when their device subscribes. */
  private async restorePersistent(deviceId: string): Promise<void> {
    const known = new Set([...(this.pending.get(deviceId)?.values() ?? [])].map((rpc) => rpc.rpcId));
    const waiting = await this.rpcs.findBy({ deviceId, status: In<RpcStatus>(['QUEUED', 'SENT', 'TIMEOUT']) });
    for (const row of waiting) {
      if (known.has(row.id)) continue;
      if (row.expirationTime <= Date.now()) {
        await this.rpcs.update({ id: row.id }, { status: 'EXPIRED' });
        continue;
      }
      const { method, params, oneway, retries } = JSON.parse(row.requestJson) as StoredRpcRequest;
      const call = {
        deviceId,
        tenantId: row.tenantId,
        method,
        params,
        oneway,
        expiresAt: row.expirationTime,
        persistent: { retries, additionalInfo: undefined },
      };
      const requestId = this.nextRequestId.get(deviceId) ?? 0;
      this.nextRequestId.set(deviceId, requestId + 1);
      const rpc: PendingRpc = {
        ...call,
        requestId,
        rpcId: row.id,
        sent: false,
        delivered: false,
        retriesLeft: retries,
        settle: () => {},
        timer: setTimeout(() => this.expire(rpc), row.expirationTime - Date.now()),
        statusWrites: Promise.resolve(),
      };
      let byId = this.pending.get(deviceId);
      if (!byId) this.pending.set(deviceId, (byId = new Map()));
      byId.set(requestId, rpc);
    }
  }

  private delivered(rpc: PendingRpc): void {
    if (rpc.delivered || !this.isPending(rpc)) return;
    rpc.delivered = true;
    this.setStatus(rpc, 'DELIVERED');
    if (rpc.oneway) {
      rpc.settle({ kind: 'DELIVERED' });
      this.finish(rpc);
    }
  }

  private deliveryFailed(rpc: PendingRpc, e: Error): void {
    if (rpc.delivered || !this.isPending(rpc)) return;
    this.logger.debug(`RPC ${rpc.requestId} to ${rpc.deviceId} not acknowledged: ${e.message}`);
    if (!rpc.rpcId) return; // a lightweight call simply waits for its expiry, as in ThingsBoard
    if (rpc.retriesLeft > 0) {
      rpc.retriesLeft--;
      this.setStatus(rpc, 'TIMEOUT');
      setTimeout(() => this.isPending(rpc) && !rpc.delivered && this.deliver(rpc), RETRY_PAUSE_MS).unref();
      return;
    }
    const retries = Math.min(rpc.persistent?.retries ?? 0, MAX_RPC_RETRIES);
    this.setStatus(
      rpc,
      'FAILED',
      JSON.stringify({ error: `There was a Timeout and all retry attempts have been exhausted. Retry attempts set: ${retries}` }),
    );
    this.finish(rpc);
  }

  private reply(deviceId: string, requestId: number, payload: string): void {
    const rpc = this.pending.get(deviceId)?.get(requestId);
    if (!rpc || rpc.oneway) return; // unknown or expired ids are dropped silently (device-api.md §2.8)
    rpc.delivered = true;
    this.setStatus(rpc, 'SUCCESSFUL', payload);
    rpc.settle({ kind: 'REPLY', payload });
    this.finish(rpc);
  }

  private expire(rpc: PendingRpc): void {
    if (!this.isPending(rpc)) return;
    this.setStatus(rpc, 'EXPIRED');
    rpc.settle({ kind: 'EXPIRED', sent: rpc.sent });
    this.finish(rpc);
  }

  private dropDevice(deviceId: string): void {
    for (const rpc of [...(this.pending.get(deviceId)?.values() ?? [])]) this.expire(rpc);
    this.nextRequestId.delete(deviceId);
  }

  private isPending(rpc: PendingRpc): boolean {
    return this.pending.get(rpc.deviceId)?.get(rpc.requestId) === rpc;
  }

  private finish(rpc: PendingRpc): void {
    clearTimeout(rpc.timer);
    const byId = this.pending.get(rpc.deviceId);
    byId?.delete(rpc.requestId);
    if (byId?.size === 0) this.pending.delete(rpc.deviceId);
  }

  /** Persistent calls record every status change (and the device's reply text); failures are logged, never thrown at the device path. */
  private setStatus(rpc: PendingRpc, status: RpcStatus, responseJson?: string): void {
    if (!rpc.rpcId) return;
    const changes = responseJson === undefined ? { status } : { status, responseJson };
    const id = rpc.rpcId;
    rpc.statusWrites = rpc.statusWrites.then(() =>
      this.rpcs.update({ id }, changes).then(
        () => undefined,
        (e: Error) => this.logger.error(`RPC ${id} status ${status} not saved: ${e.message}`),
      ),
    );
  }

  /** Marks stored calls whose time ran out while nobody was holding them (e.g. across a restart). */
  async onApplicationBootstrap(): Promise<void> {
    await this.rpcs.update(
      { status: In<RpcStatus>(['QUEUED', 'SENT', 'TIMEOUT']), expirationTime: LessThan(Date.now()) },
      { status: 'EXPIRED' },
    );
  }
}
