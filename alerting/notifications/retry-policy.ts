/**
 * Retry schedule of outbox deliveries: exponential backoff with jitter and a bounded number of
 * attempts, after which a delivery is dead (kept for REST and metrics, retried only by an admin).
 * With the defaults the waits are about 10 s, 30 s, 1.5 min, 4.5 min, 13.5 min, 40 min, 1 h: eight
 * attempts span about 2.5 hours, long enough to ride out a mail server restart or a gateway outage.
 */

export interface RetryPolicy {
  /** Attempts before a delivery is dead (NOTIFY_MAX_ATTEMPTS). */
  readonly maxAttempts: number;
  /** Wait after the first failed attempt, ms. */
  readonly baseDelayMs: number;
  /** Growth of the wait per failed attempt. */
  readonly factor: number;
  /** Longest wait, ms. */
  readonly maxDelayMs: number;
  /** Random spread of each wait, as a fraction (0.2 = ±20 %), so retries of many deliveries do not arrive together. */
  readonly jitter: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 10_000,
  factor: 3,
  maxDelayMs: 3_600_000,
  jitter: 0.2,
};

/**
 * Wait before the next attempt after `failedAttempts` (≥ 1) failures, ms. `random` returns [0, 1);
 * 0.5 yields the exact schedule. A receiver's `Retry-After` (ms) lengthens the wait, never beyond `maxDelayMs`.
 */
export function retryDelayMs(failedAttempts: number, policy: RetryPolicy, random: () => number, retryAfterMs?: number): number {
  const exponent = Math.max(0, failedAttempts - 1);
  const nominal = Math.min(policy.maxDelayMs, policy.baseDelayMs * policy.factor ** exponent);
  const spread = 1 + policy.jitter * (2 * random() - 1);
  const delay = Math.min(policy.maxDelayMs, Math.round(nominal * spread));
  return retryAfterMs === undefined ? delay : Math.min(policy.maxDelayMs, Math.max(delay, retryAfterMs));
}

/** What happens to a delivery after a failed attempt. */
export type AfterFailure = { readonly status: 'pending'; readonly nextAttemptAt: number } | { readonly status: 'dead' };

/** Schedules the next attempt, or declares the delivery dead when the attempts are used up or the failure is permanent. */
export function afterFailure(
  attemptsMade: number,
  permanent: boolean,
  nowMs: number,
  policy: RetryPolicy,
  random: () => number,
  retryAfterMs?: number,
): AfterFailure {
  if (permanent || attemptsMade >= policy.maxAttempts) return { status: 'dead' };
  return { status: 'pending', nextAttemptAt: nowMs + retryDelayMs(attemptsMade, policy, random, retryAfterMs) };
}
