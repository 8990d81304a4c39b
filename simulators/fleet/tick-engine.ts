/**
 * The one scheduler of a fleet's reporting ticks, in simulated time. Each site reports on a fixed
 * grid (`start + (phase + n) × interval`, rounded to whole ms; phases spread the fleet); ticks run strictly in
 * (time, site order), whatever wall-clock chunks they are run in — so a run's sequence of actions
 * depends only on its seed and time window. A driver ({@link FleetDriver}) or a dry run calls
 * {@link TickEngine.advanceTo}; there is no timer per device.
 */
import type { SimAction, SiteRuntime } from '../site-runtime.js';
import { MinHeap } from './min-heap.js';

export interface TickEngineOptions {
  readonly runtimes: readonly SiteRuntime[];
  /** Simulated ms between two ticks of a runtime (> 0). */
  readonly intervalMs: (runtime: SiteRuntime, index: number) => number;
  /** Fraction of its interval (0 ≤ phase < 1) after `startMs` a runtime first ticks. */
  readonly phase: (runtime: SiteRuntime, index: number) => number;
  /** Simulated epoch ms of the grid's origin. */
  readonly startMs: number;
  /** Ticks at or after this simulated epoch ms are not run; default never. */
  readonly endMs?: number;
  /** Receives each tick's actions, in order. */
  readonly onActions: (runtime: SiteRuntime, actions: readonly SimAction[], tMs: number, index: number) => void;
  /** A tick threw (a model bug): reported here; the site keeps ticking. Default: rethrow. */
  readonly onError?: (runtime: SiteRuntime, error: unknown) => void;
}

interface Entry {
  readonly index: number;
  readonly runtime: SiteRuntime;
  readonly intervalMs: number;
  readonly firstMs: number;
  count: number;
  due: number;
}

export class TickEngine {
  private readonly heap = new MinHeap<Entry>((a, b) => a.due < b.due || (a.due === b.due && a.index < b.index));
  private readonly endMs: number;
  private ticks = 0;

  constructor(private readonly options: TickEngineOptions) {
    this.endMs = options.endMs ?? Number.POSITIVE_INFINITY;
    options.runtimes.forEach((runtime, index) => {
      const intervalMs = options.intervalMs(runtime, index);
      if (!(intervalMs > 0) || !Number.isFinite(intervalMs))
        throw new RangeError(`interval of ${runtime.site.id} must be positive, got ${intervalMs}`);
      const phase = Math.min(0.999_999, Math.max(0, options.phase(runtime, index)));
      // Whole milliseconds: timestamps are integer epoch ms on the wire.
      const firstMs = Math.round(options.startMs + phase * intervalMs);
      if (firstMs < this.endMs) this.heap.push({ index, runtime, intervalMs, firstMs, count: 0, due: firstMs });
    });
  }

  /** Ticks run so far. */
  get ticksRun(): number {
    return this.ticks;
  }

  /** Simulated epoch ms of the next tick, or undefined when every tick before `endMs` has run. */
  nextDueMs(): number | undefined {
    return this.heap.peek()?.due;
  }

  /** Whether every tick before `endMs` has run. */
  get finished(): boolean {
    return this.heap.size === 0;
  }

  /**
   * Runs every tick due at or before simulated epoch ms `simMs`, at most `maxTicks` of them (the
   * rest stay due, so a caller can yield to the event loop); returns how many ran.
   */
  advanceTo(simMs: number, maxTicks = Number.POSITIVE_INFINITY): number {
    let run = 0;
    for (;;) {
      const next = this.heap.peek();
      if (!next || next.due > simMs || run >= maxTicks) return run;
      this.heap.pop();
      const tMs = next.due;
      try {
        this.options.onActions(next.runtime, next.runtime.tick(tMs), tMs, next.index);
      } catch (error) {
        if (!this.options.onError) throw error;
        this.options.onError(next.runtime, error);
      }
      run++;
      this.ticks++;
      next.count++;
      next.due = Math.round(next.firstMs + next.count * next.intervalMs);
      if (next.due < this.endMs) this.heap.push(next);
    }
  }
}
