import { HttpErrorResponse, HttpResponse } from '@angular/common/http';
import { describeError } from '../core/api-error';

/** What became of one RPC call, in words a person can act on. */
export interface RpcOutcome {
  ok: boolean;
  summary: string;
  /** The device's reply, pretty-printed (two-way calls that got one). */
  reply?: string;
}

/** Reads the response of `/api/rpc/oneway|twoway` (device-api.md §8.6). */
export function rpcOutcome(response: HttpResponse<string> | HttpErrorResponse, twoWay: boolean, timeoutSeconds: number): RpcOutcome {
  if (response instanceof HttpResponse) {
    if (!twoWay) return { ok: true, summary: 'Delivered to the device.' };
    const body = response.body ?? '';
    if (!body) return { ok: true, summary: 'The device answered with an empty reply.' };
    let reply = body;
    try {
      reply = JSON.stringify(JSON.parse(body), null, 2);
    } catch {
      // shown as sent
    }
    return { ok: true, summary: 'The device answered.', reply };
  }
  switch (response.status) {
    case 504:
      return {
        ok: false,
        summary: twoWay
          ? `No reply within ${timeoutSeconds} s. The device is offline, or does not answer RPC requests: over MQTT it subscribes to v1/devices/me/rpc/request/+ and replies on v1/devices/me/rpc/response/{id}.`
          : `The device did not take the request within ${timeoutSeconds} s. It is offline, or not subscribed to v1/devices/me/rpc/request/+ (MQTT).`,
      };
    case 406:
      return { ok: false, summary: 'The device answered, but its reply is not valid JSON. Fix the device to reply with JSON.' };
    default:
      return { ok: false, summary: describeError(response) };
  }
}
