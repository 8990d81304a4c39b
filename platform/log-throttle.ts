/**
 * Rate limit for log lines that a misbehaving device (or a failing store) could otherwise repeat
 * thousands of times a second. Per key, the first `burst` lines of each window are logged; the
 * rest are counted and reported with the first line of the next window.
 */

export interface LogThrottleOptions {
  /** Lines per key and window that are let through. */
  readonly burst?: number;
  /** Window length, ms. */
  readonly windowMs?: number;
  /** Epoch-ms clock. */
  readonly clock?: () => number;
}

interface KeyState {
  windowStart: number;
  logged: number;
  suppressed: number;
}

/** Result of {@link LogThrottle.take}: log when `log` is true, mentioning `suppressed` earlier lines. */
export interface ThrottleDecision {
  readonly log: boolean;
  /** Lines suppressed for this key since the last one logged. */
  readonly suppressed: number;
}

/** Keys kept before windows that ended quietly are pruned, so per-client keys cannot grow without bound. */
const PRUNE_ABOVE_KEYS = 10_000;

/** Per-key log rate limit: rejection reasons and store write kinds in ingest, client ids in the broker. */
export class LogThrottle {
  private readonly burst: number;
  private readonly windowMs: number;
  private readonly clock: () => number;
  private readonly keys = new Map<string, KeyState>();

  constructor(options: LogThrottleOptions = {}) {
    this.burst = options.burst ?? 5;
    this.windowMs = options.windowMs ?? 60_000;
    this.clock = options.clock ?? Date.now;
  }

  /** Whether to log one more line for `key`. */
  take(key: string): ThrottleDecision {
    const now = this.clock();
    let state = this.keys.get(key);
    if (!state || now - state.windowStart >= this.windowMs) {
      const suppressed = state?.suppressed ?? 0;
      if (!state && this.keys.size >= PRUNE_ABOVE_KEYS) this.prune(now);
      state = { windowStart: now, logged: 1, suppressed: 0 };
      this.keys.set(key, state);
      return { log: true, suppressed };
    }
    if (state.logged < this.burst) {
      state.logged += 1;
      return { log: true, suppressed: 0 };
    }
    state.suppressed += 1;
    return { log: false, suppressed: state.suppressed };
  }

  /** Drops keys whose window has ended with nothing suppressed (nothing left to report). */
  private prune(now: number): void {
    for (const [key, state] of this.keys) {
      if (now - state.windowStart >= this.windowMs && state.suppressed === 0) this.keys.delete(key);
    }
  }
}
