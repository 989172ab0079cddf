export type DebugAdmission = 'allowed' | 'limitReached' | 'refused';

interface Bucket {
  tokens: number;
  refilledAt: number;
  /** The "Reached debug mode rate limit!" notice was recorded since the last reset. */
  noticeRecorded: boolean;
}

/**
 * Per-tenant limit on rule-node debug events (ThingsBoard: 50 000 per hour by default): a token bucket of
 * `limit` tokens refilled evenly over `windowMs`. The first refusal after a reset is told apart so the
 * caller can record one notice on the rule chain; later refusals are silent.
 */
export class DebugRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  /** @param limit events per window; 0 turns the limit off */
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  admit(tenantId: string): DebugAdmission {
    if (this.limit === 0) return 'allowed';
    const now = this.now();
    let bucket = this.buckets.get(tenantId);
    if (!bucket) this.buckets.set(tenantId, (bucket = { tokens: this.limit, refilledAt: now, noticeRecorded: false }));
    bucket.tokens = Math.min(this.limit, bucket.tokens + ((now - bucket.refilledAt) * this.limit) / this.windowMs);
    bucket.refilledAt = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 'allowed';
    }
    if (bucket.noticeRecorded) return 'refused';
    bucket.noticeRecorded = true;
    return 'limitReached';
  }

  /** A full bucket again (ThingsBoard resets the tenant's limiter when rule-chain metadata is saved). */
  reset(tenantId: string): void {
    this.buckets.delete(tenantId);
  }
}
