/**
 * Counts failed logins per key (an account, or a client address) in a fixed window. Past the limit, logins
 * for that key are refused until the window ends, even with the right password,
 * so guessing cannot continue at full speed.
 */
export class LoginRateLimiter {
  private readonly failures = new Map<string, { count: number; windowEnds: number }>();

  constructor(
    private readonly maxAttempts: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until the caller may try again, or 0 when it may try now. */
  retryAfterSeconds(key: string): number {
    const now = this.now();
    const entry = this.failures.get(key);
    if (!entry) return 0;
    if (entry.windowEnds <= now) {
      this.failures.delete(key);
      return 0;
    }
    return entry.count >= this.maxAttempts ? Math.ceil((entry.windowEnds - now) / 1000) : 0;
  }

  recordFailure(key: string): void {
    const now = this.now();
    const entry = this.failures.get(key);
    if (!entry || entry.windowEnds <= now) this.failures.set(key, { count: 1, windowEnds: now + this.windowMs });
    else entry.count++;
    if (this.failures.size > 100_000) this.evictExpired(now);
  }

  recordSuccess(key: string): void {
    this.failures.delete(key);
  }

  private evictExpired(now: number) {
    for (const [key, entry] of this.failures) if (entry.windowEnds <= now) this.failures.delete(key);
  }
}
