import { describe, expect, it } from 'vitest';
import { afterFailure, DEFAULT_RETRY_POLICY, retryDelayMs } from '../../../../alerting/notifications/retry-policy.js';

const exact = () => 0.5;

describe('retry schedule', () => {
  it('grows by the factor from the base and is capped', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => retryDelayMs(n, DEFAULT_RETRY_POLICY, exact));
    expect(delays).toEqual([10_000, 30_000, 90_000, 270_000, 810_000, 2_430_000, 3_600_000, 3_600_000]);
  });

  it('spreads each wait by the jitter', () => {
    expect(retryDelayMs(2, DEFAULT_RETRY_POLICY, () => 0)).toBe(24_000);
    expect(retryDelayMs(2, DEFAULT_RETRY_POLICY, () => 0.999_999)).toBe(36_000);
  });

  it('waits at least as long as the receiver asked, up to the cap', () => {
    expect(retryDelayMs(1, DEFAULT_RETRY_POLICY, exact, 120_000)).toBe(120_000);
    expect(retryDelayMs(3, DEFAULT_RETRY_POLICY, exact, 1_000)).toBe(90_000);
    expect(retryDelayMs(1, DEFAULT_RETRY_POLICY, exact, 86_400_000)).toBe(3_600_000);
  });

  it('gives up after the last attempt or at once on a permanent failure', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, maxAttempts: 3 };
    expect(afterFailure(1, false, 1_000, policy, exact)).toEqual({ status: 'pending', nextAttemptAt: 11_000 });
    expect(afterFailure(2, false, 1_000, policy, exact)).toEqual({ status: 'pending', nextAttemptAt: 31_000 });
    expect(afterFailure(3, false, 1_000, policy, exact)).toEqual({ status: 'dead' });
    expect(afterFailure(1, true, 1_000, policy, exact)).toEqual({ status: 'dead' });
  });
});
