import { DeviceIdentity, PayloadError } from '@edgewise/plugin-api';
import { Injectable } from '@nestjs/common';
import { CoreMessages } from '../rule-engine/core-messages';
import { readJson } from '../telemetry/json-reader';
import type { TsKvEntry } from '../telemetry/kv-entry';
import { kvObjectJson } from '../telemetry/kv-json';
import { isJsonObject, KvParseError, toKvEntries } from '../telemetry/kv-typing';
import { DEVICE_TYPING, ParsedTelemetry } from '../telemetry/parsed-telemetry';
import { parseTelemetry } from '../telemetry/telemetry-payload';

export type DeviceMsgType = 'POST_TELEMETRY_REQUEST' | 'POST_ATTRIBUTES_REQUEST' | 'TO_SERVER_RPC_REQUEST';

/** Parses device JSON, turning syntax and shape errors into the seam's PayloadError. */
function parseDeviceJson(payload: string): unknown {
  try {
    return readJson(payload);
  } catch (e) {
    throw new PayloadError(`Invalid JSON: ${(e as Error).message}`);
  }
}

function checked<T>(read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof KvParseError) throw new PayloadError(e.message);
    throw e;
  }
}

/**
 * ThingsBoard's rule messages carry one timestamp each: a multi-ts payload becomes one message per ts.
 * The typed points are remembered for "save timeseries" (see ParsedTelemetry).
 */
function telemetryGroups(payload: string, receivedTs: number, parsed: ParsedTelemetry): { data: string; ts: number }[] {
  const json = parseDeviceJson(payload);
  const points = checked(() => parseTelemetry(json, receivedTs, DEVICE_TYPING));
  if (!points.length) return [];
  if (isJsonObject(json) && !('ts' in json && 'values' in json)) {
    // The common case: a flat object. Its text goes on unchanged once it is known to be valid telemetry.
    parsed.remember(payload, receivedTs, points);
    return [{ data: payload, ts: receivedTs }];
  }
  const byTs = new Map<number, TsKvEntry[]>();
  for (const point of points) {
    const group = byTs.get(point.ts);
    if (group) group.push(point);
    else byTs.set(point.ts, [point]);
  }
  return [...byTs].map(([ts, group]) => {
    const data = kvObjectJson(group);
    parsed.remember(data, ts, group);
    return { data, ts };
  });
}

/**
 * The single point where device uplinks enter the rule engine: checks and normalises the payload the way
 * ThingsBoard's transport layer does, routes by the device profile (its rule chain and queue), and resolves
 * once the queue holds the message — when a transport may acknowledge the device. Bad payloads are refused
 * with PayloadError before anything is queued.
 */
@Injectable()
export class DeviceMessageSubmitter {
  constructor(
    private readonly messages: CoreMessages,
    private readonly parsed: ParsedTelemetry,
  ) {}

  async submit(device: DeviceIdentity, type: DeviceMsgType, payload: string, metadata?: Record<string, string>): Promise<void> {
    const receivedTs = Date.now();
    let groups: { data: string; ts: number }[];
    switch (type) {
      case 'POST_TELEMETRY_REQUEST':
        groups = telemetryGroups(payload, receivedTs, this.parsed);
        break;
      case 'POST_ATTRIBUTES_REQUEST': {
        const json = parseDeviceJson(payload);
        if (!isJsonObject(json)) throw new PayloadError('Attributes must be a JSON object');
        groups = checked(() => toKvEntries(json, DEVICE_TYPING)).length ? [{ data: payload, ts: receivedTs }] : [];
        break;
      }
      case 'TO_SERVER_RPC_REQUEST':
        if (!isJsonObject(parseDeviceJson(payload))) throw new PayloadError('An RPC request must be a JSON object');
        groups = [{ data: payload, ts: receivedTs }];
    }
    if (!groups.length) return;
    const route = await this.messages.deviceRoute(device.deviceProfileId);
    const submit = ({ data, ts }: { data: string; ts: number }) =>
      this.messages.submit(
        device.tenantId,
        {
          type,
          originator: { entityType: 'DEVICE', id: device.deviceId },
          customerId: device.customerId,
          metadata: { deviceName: device.deviceName, deviceType: device.deviceType, ts: String(ts), ...metadata },
          data,
        },
        route,
      );
    if (groups.length === 1) return submit(groups[0]);
    await Promise.all(groups.map(submit));
  }
}
