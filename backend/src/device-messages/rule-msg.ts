import type { DeviceIdentity } from '@edgewise/plugin-api';
import { randomUUID } from 'node:crypto';

/** ThingsBoard's message types, as far as device uplinks produce them today (the rule engine adds the rest). */
export type RuleMsgType = 'POST_TELEMETRY_REQUEST' | 'POST_ATTRIBUTES_REQUEST';

/**
 * A rule message (device-api.md §10): what every device uplink becomes. `data` is the payload text exactly as
 * the device sent it, so number lexemes (`42.0` vs `42`) survive until whatever stores the values.
 */
export interface RuleMsg {
  id: string;
  /** When the core received it; telemetry without its own ts is stored at this time. */
  ts: number;
  type: RuleMsgType;
  originator: { entityType: 'DEVICE'; id: string };
  customerId: string;
  tenantId: string;
  metadata: Record<string, string>;
  data: string;
}

export function deviceMsg(device: DeviceIdentity, type: RuleMsgType, data: string, ts = Date.now()): RuleMsg {
  return {
    id: randomUUID(),
    ts,
    type,
    originator: { entityType: 'DEVICE', id: device.deviceId },
    customerId: device.customerId,
    tenantId: device.tenantId,
    metadata: { deviceName: device.deviceName, deviceType: device.deviceType, ts: String(ts) },
    data,
  };
}
