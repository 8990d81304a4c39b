/**
 * Sends what the outbox holds. Every delivery is attempted on its own — concurrently with the
 * others, at most one at a time per address and a bounded number per channel — so a slow or failing
 * channel (or one dead webhook receiver) never blocks, delays or loses another. Each attempt's
 * outcome is written back: sent; pending with the next try after a backoff; or dead once attempts
 * are used up or the receiver refused for good. Deliveries interrupted by stop() stay pending and
 * are tried again after the restart (receivers de-duplicate with the delivery id).
 */
import type { NotificationChannelType } from '../../common/notifications.js';
import type { Logger } from '../../platform/logger.js';
import type { NotificationChannel } from './channels/channel.js';
import type { NotificationMetrics } from './notification-metrics.js';
import type { NotificationRepository, OutboxRow } from './notification-repository.js';
import { afterFailure, type RetryPolicy } from './retry-policy.js';

export interface OutboxWorkerOptions {
  readonly repository: NotificationRepository;
  readonly channels: ReadonlyMap<NotificationChannelType, NotificationChannel>;
  readonly metrics: NotificationMetrics;
  readonly logger: Logger;
  /** Epoch ms. */
  readonly clock: () => number;
  readonly retry: RetryPolicy;
  /** [0, 1), for retry jitter. */
  readonly random: () => number;
  /** Attempts in flight per channel (default 8). */
  readonly channelConcurrency?: number;
  /** Due deliveries read per pass (default 200). */
  readonly batchSize?: number;
}

const DEFAULT_CHANNEL_CONCURRENCY = 8;
const DEFAULT_BATCH_SIZE = 200;
/** Due rows read per address and pass: the one being sent plus the next. */
const DUE_PER_TARGET = 2;

export class OutboxWorker {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly busyTargets = new Set<string>();
  private readonly perChannel = new Map<NotificationChannelType, number>();
  /**
   * Ids finished during each pass in progress: a pass reads the outbox on the read connection, so
   * its rows may predate an attempt recorded meanwhile; those rows are skipped, not sent twice.
   */
  private readonly finishedDuringPass = new Set<Set<string>>();
  private readonly abort = new AbortController();
  private pumping: Promise<void> | undefined;
  private pumpAgain = false;
  private stopped = false;

  constructor(private readonly options: OutboxWorkerOptions) {}

  /** Deliveries being attempted right now. */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /**
   * Starts every due delivery that has a free slot; resolves once they are started (not finished).
   * Concurrent calls share one pass and trigger one more afterwards.
   */
  pump(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.pumping) {
      this.pumpAgain = true;
      return this.pumping;
    }
    const pass = (async () => {
      do {
        this.pumpAgain = false;
        await this.pumpOnce();
      } while (this.pumpAgain && !this.stopped);
    })().finally(() => {
      this.pumping = undefined;
    });
    this.pumping = pass;
    return pass;
  }

  /** Resolves when every attempt started so far (and those they trigger) has finished. */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0 || this.pumping) {
      await Promise.allSettled([...this.inFlight.values(), this.pumping]);
    }
  }

  /** Aborts attempts in flight (they stay pending) and waits for them to return. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort(new Error('notifier stopping'));
    await this.settle();
  }

  private async pumpOnce(): Promise<void> {
    const finished = new Set<string>();
    this.finishedDuringPass.add(finished);
    try {
      await this.startDue(finished);
    } finally {
      this.finishedDuringPass.delete(finished);
    }
  }

  private async startDue(finished: ReadonlySet<string>): Promise<void> {
    const { repository, clock } = this.options;
    let due: OutboxRow[];
    try {
      due = await repository.dueDeliveries(clock(), DUE_PER_TARGET, this.options.batchSize ?? DEFAULT_BATCH_SIZE);
    } catch (error) {
      this.options.metrics.errors.inc({ stage: 'outbox' });
      this.options.logger.error({ err: error }, 'could not read the notification outbox');
      return;
    }
    const limit = this.options.channelConcurrency ?? DEFAULT_CHANNEL_CONCURRENCY;
    for (const row of due) {
      if (this.stopped) return;
      const key = `${row.channel}\u0000${row.target}`;
      const running = this.perChannel.get(row.channel) ?? 0;
      if (finished.has(row.id) || this.inFlight.has(row.id) || this.busyTargets.has(key) || running >= limit) continue;
      this.busyTargets.add(key);
      this.perChannel.set(row.channel, running + 1);
      const task = this.attempt(row)
        .catch((error: unknown) => {
          this.options.metrics.errors.inc({ stage: 'outbox' });
          this.options.logger.error({ err: error, deliveryId: row.id }, 'recording a notification attempt failed');
        })
        .finally(() => {
          for (const pass of this.finishedDuringPass) pass.add(row.id);
          this.inFlight.delete(row.id);
          this.busyTargets.delete(key);
          this.perChannel.set(row.channel, (this.perChannel.get(row.channel) ?? 1) - 1);
          if (!this.stopped) void this.pump();
        });
      this.inFlight.set(row.id, task);
    }
  }

  private async attempt(row: OutboxRow): Promise<void> {
    const { repository, metrics, clock, logger } = this.options;
    const channel = this.options.channels.get(row.channel);
    const attempts = row.attempts + 1;
    const stopTimer = metrics.deliverySeconds.startTimer({ channel: row.channel });
    const outcome = channel
      ? await channel.deliver(
          { id: row.id, username: row.username, target: row.target, message: row.message, attempt: attempts },
          this.abort.signal,
        )
      : ({ status: 'rejected', error: `no ${row.channel} channel in this process` } as const);
    stopTimer();
    if (this.abort.signal.aborted) return;
    const now = clock();
    if (outcome.status === 'sent') {
      await repository.recordAttempt(row.id, {
        status: 'sent',
        attempts,
        nextAttemptAt: row.nextAttemptAt ?? now,
        lastAttemptAt: now,
        lastError: null,
        sentAt: now,
      });
      metrics.sent.inc({ channel: row.channel, outcome: 'sent' });
      return;
    }
    const retryAfterMs = outcome.status === 'retry' ? outcome.retryAfterMs : undefined;
    const next = afterFailure(attempts, outcome.status === 'rejected', now, this.options.retry, this.options.random, retryAfterMs);
    await repository.recordAttempt(row.id, {
      status: next.status,
      attempts,
      nextAttemptAt: next.status === 'pending' ? next.nextAttemptAt : now,
      lastAttemptAt: now,
      lastError: outcome.error,
      sentAt: null,
    });
    const fields = { deliveryId: row.id, channel: row.channel, username: row.username, attempts, error: outcome.error };
    if (next.status === 'dead') {
      metrics.sent.inc({ channel: row.channel, outcome: 'dead' });
      logger.warn(fields, 'notification delivery gave up; it stays in the outbox as dead');
    } else {
      metrics.sent.inc({ channel: row.channel, outcome: 'retry' });
      logger.info({ ...fields, retryInMs: next.nextAttemptAt - now }, 'notification delivery failed; will retry');
    }
  }
}
