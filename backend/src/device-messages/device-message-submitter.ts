import { DeviceIdentity, PayloadError, RuleMsg } from '@edgewise/plugin-api';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { NULL_UUID } from '../database/ids';
import { DeviceProfileCache } from '../device-profiles/device-profile-cache';
import { RuleQueueService } from '../rule-engine/queue/rule-queue.service';
import { readJson } from '../telemetry/json-reader';
import type { TsKvEntry } from '../telemetry/kv-entry';
import { kvObjectJson } from '../telemetry/kv-json';
import { isJsonObject, KvParseError, KvTypingOptions, toKvEntries } from '../telemetry/kv-typing';
import { parseTelemetry } from '../telemetry/telemetry-payload';

/** Devices' null values are skipped, not refused (device-api.md §0.1). */
const DEVICE_TYPING: KvTypingOptions = { nulls: 'drop' };

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

/** ThingsBoard's rule messages carry one timestamp each: a multi-ts payload becomes one message per ts. */
function telemetryGroups(payload: string, receivedTs: number): { data: string; ts: number }[] {
  const json = parseDeviceJson(payload);
  if (isJsonObject(json) && !('ts' in json && 'values' in json)) {
    // The common case: a flat object. Its text goes on unchanged once it is known to be valid telemetry.
    return checked(() => toKvEntries(json, DEVICE_TYPING)).length ? [{ data: payload, ts: receivedTs }] : [];
  }
  const byTs = new Map<number, TsKvEntry[]>();
  for (const point of checked(() => parseTelemetry(json, receivedTs, DEVICE_TYPING))) {
    const group = byTs.get(point.ts);
    if (group) group.push(point);
    else byTs.set(point.ts, [point]);
  }
  return [...byTs].map(([ts, points]) => ({ data: kvObjectJson(points), ts }));
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
    private readonly queue: RuleQueueService,
    private readonly profiles: DeviceProfileCache,
  ) {}

  async submit(device: DeviceIdentity, type: DeviceMsgType, payload: string, metadata?: Record<string, string>): Promise<void> {
    const receivedTs = Date.now();
    let groups: { data: string; ts: number }[];
    switch (type) {
      case 'POST_TELEMETRY_REQUEST':
        groups = telemetryGroups(payload, receivedTs);
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
    const profile = await this.profiles.get(device.deviceProfileId);
    const queueName = profile?.defaultQueueName || 'Main';
    const ruleChainId = profile?.defaultRuleChainId ?? undefined;
    const submit = ({ data, ts }: { data: string; ts: number }) =>
      this.queue.submit({ tenantId: device.tenantId, msg: deviceMsg(device, type, data, ts, queueName, metadata), ruleChainId });
    if (groups.length === 1) return submit(groups[0]);
    await Promise.all(groups.map(submit));
  }
}

function deviceMsg(
  device: DeviceIdentity,
  type: DeviceMsgType,
  data: string,
  ts: number,
  queueName: string,
  extra: Record<string, string> | undefined,
): RuleMsg {
  return {
    id: randomUUID(),
    ts: Date.now(),
    type,
    originator: { entityType: 'DEVICE', id: device.deviceId },
    customerId: device.customerId === NULL_UUID ? null : device.customerId,
    metadata: { deviceName: device.deviceName, deviceType: device.deviceType, ts: String(ts), ...extra },
    data,
    dataType: 'JSON',
    queueName,
  };
}
