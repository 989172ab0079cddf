import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { DeviceEntity } from '../devices/device.entity';
import { CoreMessages } from '../rule-engine/core-messages';
import type { RpcCall, RpcOutcome } from './device-rpc.service';

/**
 * REST server-side RPC as ThingsBoard routes it: the call enters the rule engine as an
 * RPC_CALL_FROM_SERVER_TO_DEVICE message (metadata `requestUUID`, `oneway`, `expirationTime` …) on the device
 * profile's chain and queue; the chain's "RPC call request" node delivers it, and its outcome comes back here
 * by the request UUID. A chain that never delivers it lets the call expire unsent.
 */
@Injectable()
export class ServerRpcRequests {
  private readonly pending = new Map<string, { settle: (outcome: RpcOutcome) => void; timer: NodeJS.Timeout }>();

  constructor(private readonly messages: CoreMessages) {}

  async call(device: DeviceEntity, call: RpcCall, requestUUID: string = randomUUID()): Promise<RpcOutcome> {
    const outcome = new Promise<RpcOutcome>((resolve) => {
      const timer = setTimeout(
        () => this.complete(requestUUID, { kind: 'EXPIRED', sent: false }),
        Math.max(0, call.expiresAt - Date.now()),
      );
      this.pending.set(requestUUID, {
        timer,
        settle: (result) => {
          clearTimeout(timer);
          resolve(result);
        },
      });
    });
    try {
      await this.messages.submit(
        device.tenantId,
        {
          type: 'RPC_CALL_FROM_SERVER_TO_DEVICE',
          originator: { entityType: 'DEVICE', id: device.id },
          customerId: device.customerId,
          metadata: {
            deviceName: device.name,
            deviceType: device.type,
            requestUUID,
            oneway: String(call.oneway),
            persistent: 'false',
            expirationTime: String(call.expiresAt),
            originServiceId: 'edgewise',
          },
          data: JSON.stringify({ method: call.method, params: call.params }),
        },
        await this.messages.deviceRoute(device.deviceProfileId),
      );
    } catch (e) {
      this.pending.delete(requestUUID);
      throw e;
    }
    return outcome;
  }

  /** The chain handed the call to the device: from now on the delivery's own expiry decides the outcome. */
  delivering(requestUUID: string): void {
    const request = this.pending.get(requestUUID);
    if (request) clearTimeout(request.timer);
  }

  /** The delivery's outcome for the REST caller waiting on `requestUUID` (no-op when nobody waits). */
  complete(requestUUID: string, outcome: RpcOutcome): void {
    const request = this.pending.get(requestUUID);
    this.pending.delete(requestUUID);
    request?.settle(outcome);
  }
}
