/**
 * Replays recorded readings (see ./csv-readings.ts) as one device, over its own MQTT connection
 * with a Last Will like any simulated device. Three ways to place them in time:
 *
 * - `original`: at their recorded timestamps, sent at once as backfill arrays (≤ 500 readings per
 *   message, a few messages in flight, a lost message resent — ingest stores readings
 *   idempotently). Refused up front when a reading is more than 5 minutes in the future.
 * - `now`: the same, shifted so the last reading is stamped now.
 * - `live`: played as a live device: the first reading now, the next ones after the recorded gaps
 *   (divided by `speed`), each stamped when it is sent.
 */
import { MAX_FUTURE_SKEW_MS } from '../../common/rejections.js';
import { AppError } from '../../platform/errors.js';
import type { Component } from '../../platform/lifecycle.js';
import type { Logger } from '../../platform/logger.js';
import type { DeviceCredentials } from '../demo-simulator.js';
import { ConnectionPacer } from '../fleet/connection-pacer.js';
import { DeviceLink } from '../fleet/device-link.js';
import { FleetStats, type FleetStatsSnapshot } from '../fleet/fleet-stats.js';
import type { CsvReading } from './csv-readings.js';

export const REPLAY_TIMESTAMPS = ['original', 'now', 'live'] as const;
export type ReplayTimestamps = (typeof REPLAY_TIMESTAMPS)[number];

/** Firmware string of a replaying device's status. */
export const REPLAY_FIRMWARE = 'mekong-ioc-replay/1';

export interface CsvReplayOptions {
  readonly readings: readonly CsvReading[];
  readonly siteId: string;
  readonly mqttUrl: string;
  readonly credentials: DeviceCredentials;
  readonly timestamps: ReplayTimestamps;
  /** `live`: recorded gaps are divided by this; default 1. */
  readonly speed?: number;
  /** Readings per backfill message; default 500. */
  readonly batchSize?: number;
  readonly logger: Logger;
  /** Called once when every reading has been acknowledged (or given up on). */
  readonly onFinished?: () => void;
  /** Wall clock, epoch ms; default `Date.now`. */
  readonly wallNow?: () => number;
}

/** Backfill messages in flight at once. */
const WINDOW = 4;
/** Times a lost backfill message is resent. */
const MAX_ATTEMPTS = 5;

interface Batch {
  readonly body: string;
  readonly count: number;
  attempts: number;
}

export class CsvReplay implements Component {
  readonly name = 'csv-replay';
  private readonly stats_ = new FleetStats();
  private link: DeviceLink | undefined;
  private pacer: ConnectionPacer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pending: Batch[] = [];
  private inflight = 0;
  private sentReadings = 0;
  private lostReadings = 0;
  private nextLive = 0;
  private liveStartedAt = 0;
  private done = false;
  private readonly wallNow: () => number;

  constructor(private readonly options: CsvReplayOptions) {
    this.wallNow = options.wallNow ?? Date.now;
    if (options.readings.length === 0) throw new AppError('bad_request', 'nothing to replay');
    const speed = options.speed ?? 1;
    if (!(speed > 0)) throw new AppError('bad_request', `speed must be positive, got ${speed}`);
  }

  get stats(): FleetStatsSnapshot & { readonly readingsAcked: number; readonly readingsLost: number; readonly total: number } {
    return {
      ...this.stats_.snapshot(),
      readingsAcked: this.sentReadings,
      readingsLost: this.lostReadings,
      total: this.options.readings.length,
    };
  }

  /** Whether every reading has been acknowledged or given up on. */
  get finished(): boolean {
    return this.done;
  }

  /** Checks the timestamps, connects and starts replaying; throws `bad_request` for readings in the future. */
  async start(): Promise<void> {
    if (this.link) return;
    const { readings, timestamps, siteId, credentials, mqttUrl, logger } = this.options;
    const now = this.wallNow();
    if (timestamps !== 'live') {
      const shift = timestamps === 'now' ? now - (readings.at(-1)?.ts ?? now) : 0;
      const future = readings.filter((reading) => reading.ts + shift - now > MAX_FUTURE_SKEW_MS);
      if (future.length > 0) {
        throw new AppError(
          'bad_request',
          `${future.length} readings are more than ${MAX_FUTURE_SKEW_MS / 60_000} min in the future (first ${new Date(future[0]?.ts ?? 0).toISOString()}); ingest would refuse them — use --timestamps now or live`,
        );
      }
      this.pending = this.batches(shift);
    }
    this.stats_.devices = 1;
    this.pacer = new ConnectionPacer({ ratePerSec: Number.POSITIVE_INFINITY });
    this.link = new DeviceLink({
      siteId,
      mqttUrl,
      ...credentials,
      keepaliveSec: 30,
      connectTimeoutMs: 10_000,
      pacer: this.pacer,
      stats: this.stats_,
      logger,
      maxQueued: 1000,
      onlineStatus: () => JSON.stringify({ status: 'online', firmware: REPLAY_FIRMWARE }),
      onConnectionChange: (connected) => {
        if (connected) this.pump();
      },
    });
    this.link.open();
    if (timestamps === 'live') {
      this.liveStartedAt = now;
      this.scheduleLive();
    }
    logger.info({ siteId, readings: readings.length, timestamps, mqttUrl }, 'replaying recorded readings');
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = [];
    this.pacer?.stop();
    await this.link?.stop();
    this.link = undefined;
    this.pacer = undefined;
  }

  private batches(shiftMs: number): Batch[] {
    const size = Math.max(1, this.options.batchSize ?? 500);
    const { readings } = this.options;
    const batches: Batch[] = [];
    for (let i = 0; i < readings.length; i += size) {
      const chunk = readings.slice(i, i + size).map((reading) => ({ ts: reading.ts + shiftMs, values: reading.values }));
      batches.push({ body: JSON.stringify(chunk), count: chunk.length, attempts: 0 });
    }
    return batches;
  }

  /** Sends backfill messages while fewer than {@link WINDOW} are unacknowledged. */
  private pump(): void {
    const link = this.link;
    if (!link?.connected) return;
    while (link.connected && this.inflight < WINDOW && this.pending.length > 0) {
      const batch = this.pending.shift() as Batch;
      batch.attempts++;
      this.inflight++;
      link.publish('telemetry', batch.body, false, (error) => {
        this.inflight--;
        if (!error) this.sentReadings += batch.count;
        else if (batch.attempts < MAX_ATTEMPTS) this.pending.unshift(batch);
        else this.lostReadings += batch.count;
        this.afterBatch();
      });
    }
  }

  private afterBatch(): void {
    if (this.pending.length === 0 && this.inflight === 0) {
      this.finish();
      return;
    }
    this.pump();
  }

  private scheduleLive(): void {
    const { readings } = this.options;
    const reading = readings[this.nextLive];
    if (!reading) return;
    const first = readings[0]?.ts ?? reading.ts;
    const dueAt = this.liveStartedAt + (reading.ts - first) / (this.options.speed ?? 1);
    this.timer = setTimeout(() => this.sendLive(), Math.max(0, dueAt - this.wallNow()));
  }

  private sendLive(): void {
    const reading = this.options.readings[this.nextLive++];
    const link = this.link;
    if (!reading || !link) return;
    this.inflight++;
    link.publish('telemetry', JSON.stringify({ ts: Math.round(this.wallNow()), values: reading.values }), false, (error) => {
      this.inflight--;
      if (error) this.lostReadings++;
      else this.sentReadings++;
      if (this.nextLive >= this.options.readings.length && this.inflight === 0) this.finish();
    });
    this.scheduleLive();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.options.logger.info({ acked: this.sentReadings, lost: this.lostReadings }, 'replay finished');
    this.options.onFinished?.();
  }
}
