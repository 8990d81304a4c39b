/**
 * Readings per minute for the operations header: a ring of one-second buckets counting the readings
 * the web server receives from ingest's fan-out (each one was stored). O(1) per reading; nothing
 * to stop (no timers).
 */

/** Seconds kept in the ring. */
const WINDOW_SEC = 60;
/** Seconds averaged for the per-second rate. */
const RATE_WINDOW_SEC = 10;

export class ReadingRate {
  private readonly counts = new Float64Array(WINDOW_SEC);
  /** Epoch second each bucket belongs to. */
  private readonly seconds = new Float64Array(WINDOW_SEC).fill(-1);

  /** @param clock epoch ms */
  constructor(private readonly clock: () => number) {}

  /** Counts `count` readings received now. */
  record(count = 1): void {
    const second = Math.floor(this.clock() / 1000);
    const slot = second % WINDOW_SEC;
    if (this.seconds[slot] !== second) {
      this.seconds[slot] = second;
      this.counts[slot] = 0;
    }
    this.counts[slot] = (this.counts[slot] ?? 0) + count;
  }

  /** Readings over the last `windowSec` complete seconds (the current, partial second excluded). */
  private sumLast(windowSec: number): number {
    const now = Math.floor(this.clock() / 1000);
    let total = 0;
    for (let i = 0; i < WINDOW_SEC; i++) {
      const second = this.seconds[i] ?? -1;
      if (second < now && second >= now - windowSec) total += this.counts[i] ?? 0;
    }
    return total;
  }

  /** Readings received over the last full minute. */
  perMinute(): number {
    // 59 complete seconds plus the current one approximates "the last 60 s" without a partial dip.
    return this.sumLast(WINDOW_SEC - 1) + this.currentSecond();
  }

  /** Average readings per second over the last {@link RATE_WINDOW_SEC} complete seconds. */
  perSecond(): number {
    return this.sumLast(RATE_WINDOW_SEC) / RATE_WINDOW_SEC;
  }

  private currentSecond(): number {
    const second = Math.floor(this.clock() / 1000);
    const slot = second % WINDOW_SEC;
    return this.seconds[slot] === second ? (this.counts[slot] ?? 0) : 0;
  }
}
