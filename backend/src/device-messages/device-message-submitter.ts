import { PayloadError } from '@edgewise/plugin-api';
import { Injectable } from '@nestjs/common';
import { AttributesService } from '../telemetry/attributes.service';
import { readJson } from '../telemetry/json-reader';
import { isJsonObject, KvParseError, KvTypingOptions, toKvEntries } from '../telemetry/kv-typing';
import { parseTelemetry } from '../telemetry/telemetry-payload';
import { TimeseriesService } from '../telemetry/timeseries.service';
import type { RuleMsg } from './rule-msg';

/** Devices' null values are skipped, not refused (device-api.md §0.1). */
const DEVICE_TYPING: KvTypingOptions = { nulls: 'drop' };

/** Parses device JSON, turning syntax and shape errors into the seam's PayloadError. */
function parseDeviceJson<T>(payload: string, read: (json: unknown) => T): T {
  let json: unknown;
  try {
    json = readJson(payload);
  } catch (e) {
    throw new PayloadError(`Invalid JSON: ${(e as Error).message}`);
  }
  try {
    return read(json);
  } catch (e) {
    if (e instanceof KvParseError) throw new PayloadError(e.message);
    throw e;
  }
}

/**
 * The single point where device messages enter processing: `submit` resolves once the message is kept,
 * which is when a transport may acknowledge the device. Until the rule engine exists the messages are
 * stored directly (telemetry → timeseries, client attributes → CLIENT_SCOPE); the rule engine's durable
 * queue takes this place without any transport noticing.
 */
@Injectable()
export class DeviceMessageSubmitter {
  constructor(
    private readonly timeseries: TimeseriesService,
    private readonly attributes: AttributesService,
  ) {}

  /** Rejects with PayloadError when `msg.data` is not what its type requires; nothing is kept then. */
  async submit(msg: RuleMsg): Promise<void> {
    switch (msg.type) {
      case 'POST_TELEMETRY_REQUEST': {
        const points = parseDeviceJson(msg.data, (json) => parseTelemetry(json, msg.ts, DEVICE_TYPING));
        if (points.length) await this.timeseries.save(msg.originator.id, points);
        return;
      }
      case 'POST_ATTRIBUTES_REQUEST': {
        const entries = parseDeviceJson(msg.data, (json) => {
          if (!isJsonObject(json)) throw new KvParseError('Attributes must be a JSON object');
          return toKvEntries(json, DEVICE_TYPING);
        });
        if (entries.length) await this.attributes.save(msg.originator.id, 'CLIENT_SCOPE', entries, msg.ts);
      }
    }
  }
}
