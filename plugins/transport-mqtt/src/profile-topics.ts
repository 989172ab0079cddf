/**
 * Device-profile MQTT settings (device-api.md §1.3, §1.14): an MQTT-typed profile may replace the v1
 * telemetry and attribute topics with its own topic filters (`+` and `#` allowed), and may ask for a PUBACK
 * instead of a closed connection when a payload fails validation on MQTT 3.x.
 */
import type { UplinkRoute } from './topics';
import { DOWNLINK_TOPICS } from './topics';

const V1_TELEMETRY = 'v1/devices/me/telemetry';
const V1_ATTRIBUTES = DOWNLINK_TOPICS.v1.attributeUpdates;

/** True when `topic` matches the MQTT topic filter `filter`. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}

export class ProfileTopics {
  private constructor(
    private readonly telemetry: string,
    private readonly attributes: string,
    private readonly attributesSubscribe: string,
    readonly sendAckOnValidationException: boolean,
  ) {}

  /** The profile's settings when it is MQTT-typed; undefined means the standard topics only. */
  static of(transportConfiguration: Readonly<Record<string, unknown>> | undefined): ProfileTopics | undefined {
    if (transportConfiguration?.type !== 'MQTT') return undefined;
    const filter = (name: string, fallback: string) => {
      const value = transportConfiguration[name];
      return typeof value === 'string' && value.trim() !== '' ? value : fallback; // blank → the v1 default (rest-api.md §1.3)
    };
    return new ProfileTopics(
      filter('deviceTelemetryTopic', V1_TELEMETRY),
      filter('deviceAttributesTopic', V1_ATTRIBUTES),
      filter('deviceAttributesSubscribeTopic', V1_ATTRIBUTES),
      transportConfiguration.sendAckOnValidationException === true,
    );
  }

  /**
   * The profile's own routing of a publish: its telemetry and attribute filters come first; the v1
   * telemetry/attribute topics they replace are unknown unless a filter matches them (the short v2 topics stay).
   */
  route(topic: string, standard: (topic: string) => UplinkRoute | undefined): UplinkRoute | undefined {
    if (topicMatches(this.telemetry, topic)) return { kind: 'telemetry', family: 'v1', prefix: '' };
    if (topicMatches(this.attributes, topic)) return { kind: 'attributes', family: 'v1', prefix: '' };
    if (topic === V1_TELEMETRY || topic === V1_ATTRIBUTES) return undefined;
    return standard(topic);
  }

  /**
   * A subscription matching the profile's attribute-subscribe filter counts as a v1 attribute subscription;
   * updates then go out on `v1/devices/me/attributes` with the granted QoS only if the filter also matches
   * that topic, else with QoS 1 (§1.3). Undefined: not such a subscription.
   */
  attributeSubscriptionQos(filter: string, grantedQos: number): number | undefined {
    if (!topicMatches(this.attributesSubscribe, filter)) return undefined;
    return topicMatches(filter, V1_ATTRIBUTES) ? grantedQos : 1;
  }
}
