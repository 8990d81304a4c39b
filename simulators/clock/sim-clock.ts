/**
 * Simulated time. Every simulator runs on a {@link SimClock}: the physics models and message
 * timestamps read `now()` (simulated epoch ms), and the one scheduler converts simulated due times
 * back to wall-clock time with `wallAt()`. Real time is the clock with speed 1; a scenario plays
 * a simulated day in minutes on an {@link AcceleratedClock}.
 */

export interface SimClock {
  /** Simulated time now, epoch ms. */
  now(): number;
  /** Wall-clock epoch ms at which simulated time reaches `simMs` (for timers). */
  wallAt(simMs: number): number;
  /** Simulated milliseconds per wall-clock millisecond (1 = real time). */
  readonly speed: number;
}

/** The wall clock itself: simulated time is real time. `wallNow` is injectable for tests. */
export function realTimeClock(wallNow: () => number = Date.now): SimClock {
  return { now: wallNow, wallAt: (simMs) => simMs, speed: 1 };
}

/**
 * A clock that follows `now` (any epoch-ms source, e.g. a test's fake time) at speed 1; timers
 * are placed relative to the wall clock. Keeps the DemoSimulator's historical `clock` option.
 */
export function followingClock(now: () => number, wallNow: () => number = Date.now): SimClock {
  return { now, wallAt: (simMs) => wallNow() + (simMs - now()), speed: 1 };
}

export interface AcceleratedClockOptions {
  /** Simulated time at the moment {@link AcceleratedClock.start} is called, epoch ms. */
  readonly startSimMs: number;
  /** Simulated ms per wall ms, > 0 (144 plays 24 h in 10 min). */
  readonly speed: number;
  /** Wall-clock source, epoch ms; default `Date.now`. */
  readonly wallNow?: () => number;
}

/**
 * Simulated time that runs `speed` times faster than the wall clock from `startSimMs`. It stands
 * still at `startSimMs` until {@link start} (so a fleet can connect first and every run of a
 * scenario publishes the same sequence), and can be paused for dry runs.
 */
export class AcceleratedClock implements SimClock {
  readonly speed: number;
  private readonly wallNow: () => number;
  private readonly startSimMs: number;
  private wallStart: number | undefined;

  constructor(options: AcceleratedClockOptions) {
    if (!Number.isFinite(options.speed) || options.speed <= 0)
      throw new RangeError(`speed must be a positive number, got ${options.speed}`);
    if (!Number.isFinite(options.startSimMs)) throw new RangeError(`startSimMs must be a finite epoch-ms time, got ${options.startSimMs}`);
    this.speed = options.speed;
    this.startSimMs = options.startSimMs;
    this.wallNow = options.wallNow ?? Date.now;
  }

  /** Whether simulated time is running. */
  get started(): boolean {
    return this.wallStart !== undefined;
  }

  /** Starts simulated time at `startSimMs` now; later calls do nothing. */
  start(): void {
    this.wallStart ??= this.wallNow();
  }

  now(): number {
    if (this.wallStart === undefined) return this.startSimMs;
    return this.startSimMs + (this.wallNow() - this.wallStart) * this.speed;
  }

  wallAt(simMs: number): number {
    const wallStart = this.wallStart ?? this.wallNow();
    return wallStart + (simMs - this.startSimMs) / this.speed;
  }
}
