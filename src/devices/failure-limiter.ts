/**
 * Counts failed attempts per key (a device id, an address) with a token bucket: `limit` failures
 * refill over `windowMs`, so `limit` failures in a burst, or a steady rate above limit/window, empty
 * the bucket and block the key for `blockMs`. One small record per key, however many failures.
 *
 * Memory is bounded: at most `maxKeys` records, least recently failed evicted first. An attacker who
 * floods distinct keys can therefore push an older record out; with 160-bit secrets the limiter is
 * there against noise and load, not as the thing that makes guessing infeasible.
 *
 * In memory, per instance: several instances each allow `limit`, which is still nothing against a
 * 160-bit secret, and nothing to clean up in the database.
 */
export interface FailureLimits {
  limit: number;
  windowMs: number;
  blockMs: number;
  maxKeys: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
  blockedUntil: number;
}

export class FailureLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limits: FailureLimits,
    private readonly now: () => number = Date.now,
  ) {}

  isBlocked(key: string): boolean {
    const bucket = this.buckets.get(key);
    return bucket !== undefined && bucket.blockedUntil > this.now();
  }

  /** Records a failure; true when this one empties the bucket (the key is blocked from now on). */
  fail(key: string): boolean {
    const now = this.now();
    const bucket = this.refilled(key, now);
    bucket.tokens = Math.max(0, bucket.tokens - 1);
    // Less than one failure left: `limit` failures landed within about one window.
    if (bucket.tokens < 1) bucket.blockedUntil = now + this.limits.blockMs;
    // Re-inserting moves the key to the end: the map's order is least recently failed first.
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    while (this.buckets.size > this.limits.maxKeys) {
      const oldest = this.buckets.keys().next().value;
      if (oldest === undefined) break;
      this.buckets.delete(oldest);
    }
    return bucket.blockedUntil > now;
  }

  /** Forgets a key's failures (after a success for that device). */
  reset(key: string): void {
    this.buckets.delete(key);
  }

  get size(): number {
    return this.buckets.size;
  }

  private refilled(key: string, now: number): Bucket {
    const bucket = this.buckets.get(key);
    if (!bucket) return { tokens: this.limits.limit, updatedAt: now, blockedUntil: 0 };
    const rate = this.limits.limit / this.limits.windowMs;
    bucket.tokens = Math.min(this.limits.limit, bucket.tokens + (now - bucket.updatedAt) * rate);
    bucket.updatedAt = now;
    return bucket;
  }
}
