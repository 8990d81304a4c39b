/**
 * Periodic retention purge: deletes readings and events older than the retention period, a minute
 * after start (or `intervalMs`, when shorter) and then every `intervalMs` (hourly by default). Runs never overlap, and
 * stop() waits for a running purge so the store is not closed underneath it.
 */
import type { Logger } from '../platform/logger.js';
import type { TelemetryStore } from '../platform/store/types.js';

/** One day, ms. */
export const DAY_MS = 86_400_000;

/** Longest wait before the first purge after start, ms. */
const FIRST_PURGE_DELAY_MS = 60_000;

export interface RetentionPurgerOptions {
  readonly telemetry: Pick<TelemetryStore, 'purgeBefore'>;
  /** Data older than this many days is deleted. */
  readonly retentionDays: number;
  /** Time between purges, ms. */
  readonly intervalMs: number;
  readonly logger: Logger;
  /** Epoch-ms clock. */
  readonly clock: () => number;
}

export class RetentionPurger {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(private readonly options: RetentionPurgerOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    // Not at once: startup (and a reconnect storm's backfill) comes first.
    this.schedule(Math.min(this.options.intervalMs, FIRST_PURGE_DELAY_MS));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Deletes everything older than now − retention. Resolves when done; never rejects. */
  purgeNow(): Promise<void> {
    if (this.running) return this.running;
    const before = this.options.clock() - this.options.retentionDays * DAY_MS;
    const started = Date.now();
    this.running = this.options.telemetry
      .purgeBefore(before)
      .then(
        () => this.options.logger.debug({ before, tookMs: Date.now() - started }, 'retention purge done'),
        (error: unknown) => this.options.logger.error({ err: error, before }, 'retention purge failed; retried at the next interval'),
      )
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.purgeNow().then(() => this.schedule(this.options.intervalMs));
    }, delayMs);
    this.timer.unref();
  }
}
