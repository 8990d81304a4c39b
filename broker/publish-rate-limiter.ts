/**
 * Per-device publish rate limit: one token bucket per site (not per connection, so a device cannot
 * multiply its allowance by opening more connections). Each PUBLISH takes one token; tokens refill
 * continuously at `ratePerSec` up to `burst`, so a device that reports every few seconds is never
 * limited, one that flushes its offline queue after a reconnect may send `burst` messages at once,
 * and a runaway device is held to `ratePerSec`. The excess is dropped and counted by the caller.
 *
 * Cost per message: one Map lookup and a few arithmetic operations, no allocation after a site's
 * first message. Memory: one small object per site that ever published (sites are registered, so bounded).
 */

export interface PublishRateLimiterOptions {
  /** Sustained messages per second per site. */
  readonly ratePerSec: number;
  /** Bucket size: messages a site may send at once after being quiet. */
  readonly burst: number;
  /** Clock, ms (monotonic is best; injectable for tests). */
  readonly now?: () => number;
}

interface Bucket {
  tokens: number;
  /** Clock value of the last refill, ms. */
  refilledAt: number;
}

export class PublishRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  private readonly burst: number;
  private readonly now: () => number;

  constructor(options: PublishRateLimiterOptions) {
    if (!(Number.isFinite(options.ratePerSec) && options.ratePerSec > 0)) {
      throw new RangeError(`ratePerSec must be a positive number, got ${options.ratePerSec}`);
    }
    if (!Number.isInteger(options.burst) || options.burst < 1)
      throw new RangeError(`burst must be a positive integer, got ${options.burst}`);
    this.perMs = options.ratePerSec / 1000;
    this.burst = options.burst;
    this.now = options.now ?? (() => performance.now());
  }

  /** Takes one token for `key`; false when its bucket is empty (the message is over the limit). */
  take(key: string): boolean {
    const now = this.now();
    const bucket = this.buckets.get(key);
    if (bucket === undefined) {
      this.buckets.set(key, { tokens: this.burst - 1, refilledAt: now });
      return true;
    }
    const elapsed = now - bucket.refilledAt;
    if (elapsed > 0) {
      bucket.tokens = Math.min(this.burst, bucket.tokens + elapsed * this.perMs);
      bucket.refilledAt = now;
    }
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Sites with a bucket (for tests and diagnostics). */
  get size(): number {
    return this.buckets.size;
  }

  clear(): void {
    this.buckets.clear();
  }
}
