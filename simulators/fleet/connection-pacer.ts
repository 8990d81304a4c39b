/**
 * Paces a fleet's connection attempts: at most `ratePerSec` attempts start per second (a token
 * bucket), at most `maxConcurrent` are in progress at once (a window, like TCP's: when the broker
 * authenticates slower than the rate, attempts wait here instead of timing out in its accept
 * queue), and a failed device waits its backoff before queueing again. Thousands of devices ramp
 * up in waves instead of one SYN flood, and after a broker restart they come back at the pace the
 * broker's authentication can absorb — no reconnect storm. One timer for the whole fleet.
 */

export interface ConnectionPacerOptions {
  /** Attempts started per second; `Infinity` = no pacing. */
  readonly ratePerSec: number;
  /** Attempts that may start at once after an idle spell; default max(1, rate / 10). */
  readonly burst?: number;
  /** Attempts in progress at once (started, not yet released); default unlimited. */
  readonly maxConcurrent?: number;
  /** Wall clock, epoch ms; default `Date.now`. */
  readonly wallNow?: () => number;
}

/** An attempt: `release` must be called once when it has connected or failed. */
export type PacedAttempt = (release: () => void) => void;

interface Waiting {
  readonly notBefore: number;
  readonly run: PacedAttempt;
  cancelled: boolean;
}

/** How often the pacer releases attempts while any are waiting, ms. */
const TICK_MS = 10;

export class ConnectionPacer {
  private readonly ratePerSec: number;
  private readonly burst: number;
  private readonly maxConcurrent: number;
  private active = 0;
  private readonly wallNow: () => number;
  private readonly ready: Waiting[] = [];
  private readyHead = 0;
  private delayed: Waiting[] = [];
  private tokens: number;
  private lastRefill: number;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(options: ConnectionPacerOptions) {
    if (!(options.ratePerSec > 0)) throw new RangeError(`connection rate must be positive, got ${options.ratePerSec}`);
    this.ratePerSec = options.ratePerSec;
    this.burst = options.burst ?? Math.max(1, Number.isFinite(options.ratePerSec) ? Math.ceil(options.ratePerSec / 10) : 1);
    this.maxConcurrent = options.maxConcurrent ?? Number.POSITIVE_INFINITY;
    if (!(this.maxConcurrent >= 1)) throw new RangeError(`maxConcurrent must be at least 1, got ${options.maxConcurrent}`);
    this.wallNow = options.wallNow ?? Date.now;
    this.tokens = this.burst;
    this.lastRefill = this.wallNow();
  }

  /** Attempts waiting for a slot or their backoff. */
  get waiting(): number {
    return this.ready.length - this.readyHead + this.delayed.length;
  }

  /** Attempts started and not yet released. */
  get inProgress(): number {
    return this.active;
  }

  /**
   * Runs `run` when a slot is free and not before wall-clock `notBeforeMs`; `run` gets a `release`
   * to call once the attempt has connected or failed. Returns a function that cancels the request
   * if it has not run yet.
   */
  request(run: PacedAttempt, notBeforeMs = 0): () => void {
    const waiting: Waiting = { notBefore: notBeforeMs, run, cancelled: false };
    if (this.stopped) return () => undefined;
    if (notBeforeMs > this.wallNow()) this.delayed.push(waiting);
    else this.ready.push(waiting);
    this.schedule(0);
    return () => {
      waiting.cancelled = true;
    };
  }

  /** Drops every waiting attempt and the timer. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.ready.length = 0;
    this.readyHead = 0;
    this.delayed = [];
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => this.release(), delayMs);
  }

  private release(): void {
    this.timer = undefined;
    if (this.stopped) return;
    const now = this.wallNow();
    if (this.delayed.length > 0) {
      const still: Waiting[] = [];
      for (const waiting of this.delayed) {
        if (waiting.cancelled) continue;
        if (waiting.notBefore <= now) this.ready.push(waiting);
        else still.push(waiting);
      }
      this.delayed = still;
    }
    if (Number.isFinite(this.ratePerSec)) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.lastRefill) * this.ratePerSec) / 1000);
    } else {
      this.tokens = Number.POSITIVE_INFINITY;
    }
    this.lastRefill = now;
    while (this.readyHead < this.ready.length && this.tokens >= 1 && this.active < this.maxConcurrent) {
      const waiting = this.ready[this.readyHead++] as Waiting;
      if (waiting.cancelled) continue;
      this.tokens -= 1;
      this.active++;
      let released = false;
      waiting.run(() => {
        if (released) return;
        released = true;
        this.active--;
        if (this.readyHead < this.ready.length) this.schedule(0);
      });
      if (this.stopped) return;
    }
    if (this.readyHead >= this.ready.length) {
      this.ready.length = 0;
      this.readyHead = 0;
    } else if (this.readyHead > 4096) {
      this.ready.splice(0, this.readyHead);
      this.readyHead = 0;
    }
    if (this.readyHead < this.ready.length) {
      // Full window: the next release reschedules; else wait for tokens.
      if (this.active < this.maxConcurrent) this.schedule(TICK_MS);
    } else if (this.delayed.length > 0) {
      let soonest = Number.POSITIVE_INFINITY;
      for (const waiting of this.delayed) soonest = Math.min(soonest, waiting.notBefore);
      this.schedule(Math.max(TICK_MS, soonest - now));
    }
  }
}
