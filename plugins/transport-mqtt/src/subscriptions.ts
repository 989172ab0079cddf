import type { DownlinkKind, SubscriptionRoute, TopicFamily } from './topics';

export interface ActiveSubscription {
  readonly family: TopicFamily;
  readonly qos: number;
}

interface Granted extends ActiveSubscription {
  readonly kind?: DownlinkKind;
}

/** A session's granted subscriptions, in the order they were (re)made: the most recent one of a kind sets its family (§1.3). */
export class SessionSubscriptions {
  private readonly byFilter = new Map<string, Granted>();

  add(filter: string, route: SubscriptionRoute, qos: number): void {
    this.byFilter.delete(filter); // a repeated SUBSCRIBE makes the filter the most recent again
    this.byFilter.set(filter, { kind: route.kind, family: route.family, qos });
  }

  /** Returns whether the filter was subscribed. */
  remove(filter: string): boolean {
    return this.byFilter.delete(filter);
  }

  /** The most recent subscription of that kind; its family and QoS carry the downlinks. */
  latest(kind: DownlinkKind): ActiveSubscription | undefined {
    let found: Granted | undefined;
    for (const granted of this.byFilter.values()) if (granted.kind === kind) found = granted;
    return found;
  }

  /** QoS granted to a subscription of exactly `filter` (the gateway topics), or undefined when there is none. */
  grantedQos(filter: string): number | undefined {
    return this.byFilter.get(filter)?.qos;
  }

  /** QoS of a reply on `family`: the granted QoS of the matching subscription, else 1 (§1.13). */
  replyQos(kind: DownlinkKind, family: TopicFamily): number {
    for (const granted of this.byFilter.values()) if (granted.kind === kind && granted.family === family) return granted.qos;
    return 1;
  }
}
