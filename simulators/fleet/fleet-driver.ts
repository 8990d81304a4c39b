/**
 * Runs a {@link TickEngine} against a {@link SimClock} with one timer for the whole fleet: it
 * sleeps until the next tick is due in wall-clock time, runs every due tick, and yields to the
 * event loop between chunks so thousands of due ticks (a stalled loop, a fast clock) never block
 * I/O for long.
 */
import type { SimClock } from '../clock/sim-clock.js';
import type { TickEngine } from './tick-engine.js';

export interface FleetDriverOptions {
  readonly engine: TickEngine;
  readonly clock: SimClock;
  /** Ticks run before yielding to the event loop; default 1000. */
  readonly maxTicksPerTurn?: number;
  /** Called once when the engine has run its last tick (runs with an end only). */
  readonly onFinished?: () => void;
  /** Wall clock, epoch ms; default `Date.now`. */
  readonly wallNow?: () => number;
}

/** Longest single sleep, ms: the driver re-reads the clock at least this often. */
const MAX_SLEEP_MS = 60_000;

export class FleetDriver {
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private running = false;
  private readonly wallNow: () => number;

  constructor(private readonly options: FleetDriverOptions) {
    this.wallNow = options.wallNow ?? Date.now;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.turn();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  private turn(): void {
    this.timer = undefined;
    this.immediate = undefined;
    if (!this.running) return;
    const { engine, clock } = this.options;
    const limit = this.options.maxTicksPerTurn ?? 1000;
    const ran = engine.advanceTo(clock.now(), limit);
    if (!this.running) return;
    if (engine.finished) {
      this.running = false;
      this.options.onFinished?.();
      return;
    }
    if (ran >= limit) {
      this.immediate = setImmediate(() => this.turn());
      return;
    }
    const next = engine.nextDueMs();
    if (next === undefined) return;
    const delay = Math.min(MAX_SLEEP_MS, Math.max(0, Math.ceil(clock.wallAt(next) - this.wallNow())));
    this.timer = setTimeout(() => this.turn(), delay);
  }
}
