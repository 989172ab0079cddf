import { describe, expect, it } from 'vitest';
import type { Notice, NoticeListener } from './notices';
import type { SubscriptionRegistry } from './subscription-registry';
import { TelemetrySubscription, TelemetrySubscriptionOptions } from './telemetry-subscriptions';
import type { WsSession } from './ws-session';

/** A subscription on a session that records what it would send, and a registry that records who listens. */
function subscription(options: Partial<TelemetrySubscriptionOptions> = {}) {
  const sent: any[] = [];
  const listening = new Set<NoticeListener>();
  const session = { send: (text: string) => sent.push(JSON.parse(text)) } as unknown as WsSession;
  const registry = {
    add: (_key: string, l: NoticeListener) => listening.add(l),
    remove: (_key: string, l: NoticeListener) => listening.delete(l),
  };
  const subject = new TelemetrySubscription(
    session,
    1,
    'e1',
    { kind: 'timeseries', latestOnly: false, ...options },
    registry as unknown as SubscriptionRegistry,
  );
  subject.listen();
  return { subject, sent, listening };
}

const points = (...entries: [string, number, string][]): Notice => ({ kind: 'timeseries', key: 'e1', entries });

describe('TelemetrySubscription', () => {
  it('holds changes that arrive while the current state is read, then sends only what the state did not have', () => {
    const { subject, sent } = subscription();
    subject.onNotices([points(['t', 5, '5'], ['t', 6, '6'])]);
    expect(sent).toEqual([]);
    subject.start(new Map([['t', [[5, '5']]]]));
    expect(sent.map((m) => m.data)).toEqual([{ t: [[5, '5']] }, { t: [[6, '6']] }]);
    expect(sent[1].latestValues).toEqual({ t: 6 });
  });

  it('keeps to its keys; a LATEST_TELEMETRY subscription drops older points but not deletions', () => {
    const { subject, sent } = subscription({ keys: ['t'], latestOnly: true });
    subject.start(new Map([['t', [[10, '1']]]]));
    subject.onNotices([points(['t', 9, 'old'], ['other', 11, 'x'])]);
    subject.onNotices([points(['t', 0, ''])]);
    subject.onNotices([points(['t', 12, 'new'])]);
    expect(sent.slice(1).map((m) => m.data)).toEqual([{ t: [[0, '']] }, { t: [[12, 'new']] }]);
  });

  it('filters attributes by scope', () => {
    const { subject, sent } = subscription({ kind: 'attributes', scope: 'SHARED_SCOPE' });
    subject.start(new Map());
    subject.onNotices([
      { kind: 'attributes', key: 'e1', scope: 'CLIENT_SCOPE', entries: [['fw', 1, '1.0']] },
      { kind: 'timeseries', key: 'e1', entries: [['t', 1, '1']] },
      { kind: 'attributes', key: 'e1', scope: 'SHARED_SCOPE', entries: [['target', 2, '22']] },
    ]);
    expect(sent.slice(1).map((m) => m.data)).toEqual([{ target: [[2, '22']] }]);
  });

  it('sends nothing once cancelled, not even the state it was reading', () => {
    const { subject, sent, listening } = subscription();
    subject.cancel();
    subject.start(new Map([['t', [[1, '1']]]]));
    expect(sent).toEqual([]);
    expect(listening.size).toBe(0);
  });
});
