/**
 * The write path of readings: every accepted reading is appended to the durable spool
 * (./reading-spool.ts) before ingest acknowledges its message, and a drainer writes spooled
 * batches to the telemetry store — DuckDB or InfluxDB alike — in order, committing the spool only
 * after the store confirmed. Nothing is kept only in memory, so neither a store outage of any
 * length (up to the spool's size) nor a killed ingest loses an accepted reading.
 *
 * Batching: a batch goes as soon as `maxBatch` readings wait, or `flushIntervalMs` after the first
 * one arrived; while a write is in flight the next batch grows. A failed write is retried with
 * exponential backoff, from the spool (so memory stays bounded however long the store is down).
 * Batches may be written again after a restart (the committed offset is saved after each write);
 * stores overwrite the same series and timestamp, so the replay is harmless.
 *
 * A batch the store refuses for its content (`isPermanent`: a validation error, HTTP 400) would
 * block the spool forever if retried as is: it is split in halves until the refused reading is
 * alone; that one is handed to `onRefused` (counted, logged) and the rest is written.
 */
import type { Reading } from '../../common/payloads.js';
import { LogThrottle } from '../../platform/log-throttle.js';
import type { Logger } from '../../platform/logger.js';
import { ReadingSpool, type ReadingSpoolOptions, type SpoolBatch, type SpoolRecovery } from './reading-spool.js';

export interface DurableReadingQueueOptions {
  /** Spool directory, size and fsync interval. */
  readonly spool: Omit<ReadingSpoolOptions, 'logger'>;
  /** Writes one batch to the store; resolving means the store has every reading of it. */
  readonly write: (batch: readonly Reading[]) => Promise<void>;
  /**
   * Called with the readings of each batch the store confirmed, in spool order — the one place
   * where stored readings are handed on (fan-out, metrics). Must not throw; errors are logged.
   */
  readonly onWritten: (batch: readonly Reading[]) => void;
  /** Called after each commit, when the spool may have room again. */
  readonly onCommitted?: () => void;
  /** Readings the store refused for their content; they are dropped. */
  readonly onRefused: (readings: readonly Reading[], error: unknown) => void;
  /** Each failed write attempt (metrics). */
  readonly onWriteFailed: (error: unknown) => void;
  /** True for errors that retrying the same batch cannot fix. */
  readonly isPermanent: (error: unknown) => boolean;
  readonly logger: Logger;
  /** Readings per store write. */
  readonly maxBatch: number;
  /** Longest a reading waits for its batch to fill, ms. */
  readonly flushIntervalMs: number;
  /** First retry delay after a failed write, ms; doubles per failure. */
  readonly retryInitialMs: number;
  /** Longest retry delay, ms. */
  readonly retryMaxMs: number;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

export class DurableReadingQueue {
  private readonly spool: ReadingSpool;
  private readonly log: Logger;
  private readonly throttle = new LogThrottle({ burst: 3, windowMs: 60_000 });
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<boolean> | undefined;
  private failures = 0;
  private closed = true;

  constructor(private readonly options: DurableReadingQueueOptions) {
    this.log = options.logger;
    this.spool = new ReadingSpool({ ...options.spool, logger: options.logger });
  }

  /** Accepted readings the store has not confirmed yet (in the spool). */
  get backlog(): number {
    return this.spool.pendingReadings;
  }

  /** Bytes of the spool holding the backlog. */
  get bytes(): number {
    return this.spool.pendingBytes;
  }

  /** Size at which the spool counts as full, bytes. */
  get maxBytes(): number {
    return this.spool.maxBytes;
  }

  /** True while the spool is at its size limit: take no more messages until this turns false. */
  get isFull(): boolean {
    return this.spool.isFull;
  }

  /** Consecutive failed writes; 0 when the last one succeeded. */
  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Opens the spool and starts writing what a previous run left in it. */
  async open(): Promise<SpoolRecovery> {
    const recovery = await this.spool.open();
    this.closed = false;
    this.failures = 0;
    if (recovery.readings > 0) {
      this.log.warn(
        { readings: recovery.readings, bytes: recovery.bytes },
        'spool holds readings accepted before the last stop that the store had not confirmed; writing them now',
      );
    }
    this.schedule(0);
    return recovery;
  }

  /**
   * Appends the readings of one accepted message to the spool, synchronously: when this returns
   * they survive a crash of this process. Throws AppError `unavailable` when the spool cannot be
   * written (or is closed); then nothing was accepted.
   */
  push(readings: readonly Reading[]): void {
    if (readings.length === 0) return;
    this.spool.append(readings);
    if (this.failures > 0) return;
    this.schedule(this.spool.pendingReadings >= this.options.maxBatch ? 0 : this.options.flushIntervalMs);
  }

  /**
   * Stops taking readings and writes what is left for at most `timeoutMs`; whatever the store has
   * not confirmed by then stays in the spool for the next open (nothing is dropped). Idempotent.
   */
  async close(timeoutMs: number): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    const deadline = Date.now() + timeoutMs;
    let finished = (await this.settle(deadline)) !== undefined;
    while (finished && this.spool.hasUnread && Date.now() < deadline) {
      this.draining = this.drainOnce();
      const written = await this.settle(deadline);
      finished = written !== undefined;
      if (written === false) await delay(Math.min(this.backoffMs(), deadline - Date.now()));
    }
    if (this.spool.pendingReadings > 0) {
      this.log.warn(
        { readings: this.spool.pendingReadings, bytes: this.spool.pendingBytes },
        'readings not yet confirmed by the store stay in the spool; they are written after the next start',
      );
    }
    await this.spool.close();
  }

  /** Waits for the write in flight until `deadline`: its result, true when none, undefined on timeout. */
  private async settle(deadline: number): Promise<boolean | undefined> {
    const draining = this.draining;
    if (!draining) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), Math.max(0, deadline - Date.now()));
    });
    try {
      const result = await Promise.race([draining, timeout]);
      if (result !== undefined) this.draining = undefined;
      return result;
    } finally {
      clearTimeout(timer);
    }
  }

  private schedule(delayMs: number): void {
    if (this.closed || this.draining || this.timer || !this.spool.hasUnread) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.startDrain();
    }, delayMs);
  }

  private startDrain(): void {
    if (this.closed || this.draining) return;
    const run = this.drainOnce();
    this.draining = run;
    void run.then((written) => {
      if (this.draining === run) this.draining = undefined;
      // After a success, what accumulated meanwhile goes at once; after a failure, back off.
      this.schedule(written ? 0 : this.backoffMs());
    });
  }

  /** Reads one batch, writes it and commits it. Resolves true when written (or nothing was left). Never rejects. */
  private async drainOnce(): Promise<boolean> {
    let batch: SpoolBatch | undefined;
    let written: Reading[];
    try {
      batch = await this.spool.read(this.options.maxBatch);
      if (!batch) return true;
      written = await this.writeIsolating(batch.readings);
    } catch (error) {
      this.spool.rewind();
      this.failures += 1;
      this.options.onWriteFailed(error);
      const decision = this.throttle.take('write-failed');
      if (decision.log) {
        this.log.error(
          {
            err: error,
            batch: batch?.readings.length,
            backlog: this.spool.pendingReadings,
            spoolBytes: this.spool.pendingBytes,
            attempt: this.failures,
            retryInMs: this.backoffMs(),
            suppressed: decision.suppressed,
          },
          'store write failed; the readings stay in the spool and are retried',
        );
      }
      return false;
    }
    this.spool.commit(batch);
    if (this.failures > 0) {
      this.log.warn(
        { afterFailures: this.failures, backlog: this.spool.pendingReadings },
        'store writes recovered; writing the spooled backlog',
      );
    }
    this.failures = 0;
    if (written.length > 0) {
      try {
        this.options.onWritten(written);
      } catch (error) {
        this.log.error({ err: error }, 'after-write handler failed');
      }
    }
    try {
      this.options.onCommitted?.();
    } catch (error) {
      this.log.error({ err: error }, 'after-commit handler failed');
    }
    return true;
  }

  /** Writes the readings, isolating and dropping any the store refuses; resolves with those written. */
  private async writeIsolating(readings: Reading[]): Promise<Reading[]> {
    if (readings.length === 0) return readings;
    try {
      await this.options.write(readings);
      return readings;
    } catch (error) {
      if (!this.options.isPermanent(error)) throw error;
      if (readings.length === 1) {
        this.log.error({ err: error, reading: readings[0] }, 'the store refused a reading; it is DROPPED');
        this.options.onRefused(readings, error);
        return [];
      }
      const half = Math.ceil(readings.length / 2);
      const first = await this.writeIsolating(readings.slice(0, half));
      const second = await this.writeIsolating(readings.slice(half));
      return first.concat(second);
    }
  }

  private backoffMs(): number {
    const exponent = Math.min(Math.max(this.failures - 1, 0), 20);
    return Math.min(this.options.retryMaxMs, this.options.retryInitialMs * 2 ** exponent);
  }
}
