/**
 * Micro-batching store writer with retry. Items (events, statuses, dead letters) are
 * collected and written in batches — one store call per batch, not per message — as soon as a
 * batch is full or `flushIntervalMs` after the first item arrived. While a write is in flight new
 * items accumulate for the next one, so batches grow with load on their own.
 *
 * A failed write never loses the batch silently and never throws into the caller: the batch goes
 * back to the front of the queue and is retried with exponential backoff, while the queue stays
 * bounded (`maxPending`). When the bound is exceeded the OLDEST items are handed to `onDropped`
 * and logged loudly; they are counted and lost. Ingest uses it for events, statuses and dead
 * letters; readings go through the durable spool instead (./spool/durable-reading-queue.ts).
 *
 * A write the store refuses for its content (`isPermanent`, e.g. a validation error) is not
 * retried as is, which would block the queue forever: the batch is split in halves until the
 * offending item is alone, and that item is dropped (cause `refused`) while the rest is written.
 */

import { LogThrottle } from '../platform/log-throttle.js';
import type { Logger } from '../platform/logger.js';

/** Why items left the queue without being written. */
export type DropCause = 'overflow' | 'shutdown' | 'refused';

export interface WriteQueueOptions<T> {
  /** What the queue holds, for logs and metric labels (`readings`, `events`, …). */
  readonly kind: string;
  /** Writes one batch; a rejection means nothing of the batch is known to be stored. */
  readonly write: (batch: readonly T[]) => Promise<void>;
  /** Called after a batch was written (fan-out, metrics). Must not throw; errors are logged. */
  readonly onWritten?: (batch: readonly T[]) => void;
  /** Items given up on (counted by the caller). Called with the oldest items on overflow and the rest at shutdown. */
  readonly onDropped?: (items: readonly T[], cause: DropCause) => void;
  /** Called for each failed write attempt (metrics). */
  readonly onWriteFailed?: (error: unknown) => void;
  /** True for errors that retrying the same batch cannot fix (the store refused its content). */
  readonly isPermanent?: (error: unknown) => boolean;
  readonly logger: Logger;
  /** Items per store call. */
  readonly maxBatch: number;
  /** Longest an item waits for a batch to fill, ms. */
  readonly flushIntervalMs: number;
  /** Items kept in memory while the store fails; older ones beyond this are dropped. */
  readonly maxPending: number;
  /** First retry delay after a failed write, ms; doubles per failure. */
  readonly retryInitialMs: number;
  /** Longest retry delay, ms. */
  readonly retryMaxMs: number;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** `promise`'s value, or `fallback` after `ms`; the timer is cleared either way. */
async function withTimeout<V>(promise: Promise<V>, ms: number, fallback: V): Promise<V> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<V>((resolve) => {
    timer = setTimeout(() => resolve(fallback), Math.max(0, ms));
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export class WriteQueue<T> {
  private pending: T[] = [];
  private inFlight: Promise<boolean> | undefined;
  private inFlightCount = 0;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  /** Batch size while isolating an item the store refuses; maxBatch otherwise. */
  private batchLimit: number;
  private closing = false;
  private readonly throttle = new LogThrottle({ burst: 3, windowMs: 60_000 });

  constructor(private readonly options: WriteQueueOptions<T>) {
    this.batchLimit = options.maxBatch;
  }

  /** Items not yet confirmed stored (queued plus in flight). */
  get backlog(): number {
    return this.pending.length + this.inFlightCount;
  }

  /** Consecutive failed writes; 0 when the last write succeeded. */
  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Queues items for writing. Never throws and never waits. */
  push(items: readonly T[]): void {
    if (items.length === 0) return;
    if (this.closing) {
      this.drop(items, 'shutdown');
      return;
    }
    for (const item of items) this.pending.push(item);
    this.enforceBound();
    if (this.pending.length >= this.options.maxBatch && !this.inFlight && this.failures === 0) {
      this.clearTimer();
      this.startWrite();
      return;
    }
    this.schedule(this.options.flushIntervalMs);
  }

  /** Accepts items again after {@link close} (a restarted service reuses its queues). */
  reopen(): void {
    this.closing = false;
    this.schedule(this.options.flushIntervalMs);
  }

  /**
   * Stops scheduling and writes what is left, retrying until `timeoutMs` has passed; whatever is
   * still unwritten then is handed to `onDropped` (cause `shutdown`) and logged.
   */
  async close(timeoutMs: number): Promise<void> {
    this.closing = true;
    this.clearTimer();
    const deadline = Date.now() + timeoutMs;
    if (this.inFlight) await withTimeout(this.inFlight, timeoutMs, false);
    while (this.pending.length > 0 && Date.now() < deadline && !this.inFlight) {
      const batch = this.pending.splice(0, this.batchLimit);
      const written = await withTimeout(this.writeBatch(batch), deadline - Date.now(), false);
      if (!written) await delay(Math.min(this.backoffMs(), deadline - Date.now()));
    }
    if (this.inFlightCount > 0) {
      this.options.logger.error({ kind: this.options.kind, items: this.inFlightCount }, 'store write still unconfirmed at shutdown');
    }
    if (this.pending.length > 0) {
      const left = this.pending;
      this.pending = [];
      this.drop(left, 'shutdown');
    }
  }

  private schedule(delayMs: number): void {
    if (this.closing || this.inFlight || this.timer || this.pending.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.startWrite();
    }, delayMs);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private startWrite(): void {
    if (this.closing || this.inFlight || this.pending.length === 0) return;
    const batch = this.pending.splice(0, this.batchLimit);
    const write = this.writeBatch(batch);
    this.inFlight = write;
    void write.then((written) => {
      this.inFlight = undefined;
      // After a success, what accumulated meanwhile goes at once; after a failure, back off.
      this.schedule(written ? 0 : this.backoffMs());
    });
  }

  /** Writes one batch; on failure puts it back in front. Resolves true when written. Never rejects. */
  private async writeBatch(batch: T[]): Promise<boolean> {
    this.inFlightCount = batch.length;
    try {
      await this.options.write(batch);
    } catch (error) {
      this.inFlightCount = 0;
      if (this.options.isPermanent?.(error)) return this.isolateRefused(batch, error);
      this.failures += 1;
      this.pending = batch.concat(this.pending);
      this.enforceBound();
      this.options.onWriteFailed?.(error);
      const decision = this.throttle.take('write-failed');
      if (decision.log) {
        this.options.logger.error(
          {
            kind: this.options.kind,
            err: error,
            batch: batch.length,
            backlog: this.pending.length,
            attempt: this.failures,
            retryInMs: this.backoffMs(),
            suppressed: decision.suppressed,
          },
          'store write failed; batch kept in memory and retried',
        );
      }
      return false;
    }
    this.inFlightCount = 0;
    if (this.failures > 0) {
      this.options.logger.warn(
        { kind: this.options.kind, afterFailures: this.failures, backlog: this.pending.length },
        'store writes recovered',
      );
    }
    this.failures = 0;
    this.batchLimit = this.options.maxBatch;
    try {
      this.options.onWritten?.(batch);
    } catch (error) {
      this.options.logger.error({ kind: this.options.kind, err: error }, 'after-write handler failed');
    }
    return true;
  }

  /**
   * The store refused the batch's content: halve the batch until the refused item is alone, then
   * drop it. Resolves true (no backoff: the store works, the data does not).
   */
  private isolateRefused(batch: T[], error: unknown): boolean {
    this.options.onWriteFailed?.(error);
    if (batch.length === 1) {
      this.options.logger.error({ kind: this.options.kind, err: error }, 'store refused an item; it is DROPPED');
      this.drop(batch, 'refused');
      return true;
    }
    this.batchLimit = Math.ceil(batch.length / 2);
    this.pending = batch.concat(this.pending);
    return true;
  }

  private backoffMs(): number {
    const exponent = Math.min(Math.max(this.failures - 1, 0), 20);
    return Math.min(this.options.retryMaxMs, this.options.retryInitialMs * 2 ** exponent);
  }

  private enforceBound(): void {
    const excess = this.pending.length - this.options.maxPending;
    if (excess > 0) this.drop(this.pending.splice(0, excess), 'overflow');
  }

  private drop(items: readonly T[], cause: DropCause): void {
    const decision = this.throttle.take(`drop-${cause}`);
    if (decision.log) {
      this.options.logger.error(
        { kind: this.options.kind, dropped: items.length, cause, maxPending: this.options.maxPending, suppressed: decision.suppressed },
        cause === 'overflow'
          ? 'store unavailable and in-memory backlog full: oldest items DROPPED'
          : cause === 'shutdown'
            ? 'items could not be stored before shutdown and are DROPPED'
            : 'items refused by the store are DROPPED',
      );
    }
    try {
      this.options.onDropped?.(items, cause);
    } catch (error) {
      this.options.logger.error({ kind: this.options.kind, err: error }, 'drop handler failed');
    }
  }
}
