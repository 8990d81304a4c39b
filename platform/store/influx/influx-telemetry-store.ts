/**
 * Telemetry on an InfluxDB-compatible server (STORE=influx): readings are written as line protocol
 * (schema: ./influx-schema.ts) and read with InfluxQL. Device events stay in the embedded
 * database in both modes (low rate, free text, listed newest-first) and are delegated to it.
 *
 * Latest values are loaded with one InfluxQL request (`last()` per metric, grouped by site) the
 * first time they are asked for, then kept current from this store's own writes — it is the only
 * writer — so the web's warm starts and MQTT reconnects do not scan the bucket again.
 *
 * Retention: InfluxDB expires readings by the bucket's retention period (docker-compose creates
 * the bucket with RETENTION_DAYS); `purgeBefore` purges events and the latest-values cache.
 */
import type { Point } from '@influxdata/influxdb-client';
import type { HistorySeries } from '../../../common/api.js';
import { isMetricId, METRIC_IDS, METRICS } from '../../../common/metrics.js';
import type { Reading } from '../../../common/payloads.js';
import { AppError } from '../../errors.js';
import { historyBucketMs } from '../duckdb/duckdb-telemetry-store.js';
import { toReadingRows } from '../duckdb/reading-rows.js';
import type { StoreMetrics } from '../duckdb/store-metrics.js';
import type { HistoryRequest, SiteEvent, SiteLatest, SnapshotRequest, TelemetryStore } from '../types.js';
import { type InfluxConnection, type InfluxQlSeries, quoteIdentifier, quoteString } from './influx-connection.js';
import { READINGS_MEASUREMENT, readingPoint, SITE_TAG, type SiteTags } from './influx-schema.js';

export interface InfluxTelemetryStoreOptions {
  readonly connection: InfluxConnection;
  /** Where device events live (the embedded store). */
  readonly events: Pick<TelemetryStore, 'writeEvents' | 'listEvents' | 'purgeBefore'>;
  /** Descriptive tags of a site; undefined for an id no longer registered. */
  readonly siteTags: (siteId: string) => SiteTags | undefined;
  readonly metrics: StoreMetrics;
}

type LatestBySite = Map<string, Map<string, { value: number; ts: number }>>;

const MEASUREMENT = quoteIdentifier(READINGS_MEASUREMENT);
const SITE = quoteIdentifier(SITE_TAG);

export class InfluxTelemetryStore implements TelemetryStore {
  private latest: LatestBySite | undefined;
  private loading: Promise<LatestBySite> | undefined;
  /** Batches written while the latest values were loading; applied on top of what the load found. */
  private writtenDuringLoad: (readonly Reading[])[] = [];

  constructor(private readonly options: InfluxTelemetryStoreOptions) {}

  /**
   * Idempotent (same series and timestamp overwrite). Rejects with AppError `bad_request` for an
   * invalid reading or data the server refuses, `unavailable` otherwise (see InfluxConnection.write).
   */
  async writeReadings(readings: readonly Reading[]): Promise<void> {
    // Validates like the embedded store: `bad_request` naming the first bad reading.
    toReadingRows(readings);
    const points: Point[] = [];
    for (const reading of readings) {
      const point = readingPoint(reading, this.options.siteTags(reading.siteId));
      if (point) points.push(point);
    }
    if (points.length === 0) return;
    await this.timed(this.options.metrics.writeSeconds, 'write_readings', () => this.options.connection.write(points));
    this.options.metrics.readingsWritten.inc(readings.reduce((sum, reading) => sum + Object.keys(reading.values).length, 0));
    if (this.latest) applyLatest(this.latest, readings);
    else if (this.loading) this.writtenDuringLoad.push(readings);
  }

  async queryHistory(request: HistoryRequest): Promise<HistorySeries> {
    const { siteId, metric, from, to, maxPoints } = request;
    if (!isMetricId(metric)) throw new AppError('bad_request', `unknown metric ${String(metric)}`);
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) throw new AppError('bad_request', 'from and to must be epoch ms');
    if (!Number.isSafeInteger(maxPoints) || maxPoints < 1) throw new AppError('bad_request', 'maxPoints must be a positive integer');
    const bucketMs = historyBucketMs(from, to, maxPoints);
    const series: HistorySeries = { siteId, metric, unit: METRICS[metric].unit, from, to, bucketMs, points: [] };
    if (to <= from) return series;
    // Buckets start at `from` (like the embedded store): InfluxQL aligns them to epoch + offset.
    const offsetMs = ((from % bucketMs) + bucketMs) % bucketMs;
    const field = quoteIdentifier(metric);
    const statement =
      `SELECT min(${field}), mean(${field}), max(${field}), count(${field}) FROM ${MEASUREMENT} ` +
      `WHERE ${SITE} = ${quoteString(siteId)} AND time >= ${from}ms AND time < ${to}ms ` +
      `GROUP BY time(${bucketMs}ms, ${offsetMs}ms) fill(none)`;
    const [result = []] = await this.timed(this.options.metrics.querySeconds, 'query_history', () =>
      this.options.connection.query([statement]),
    );
    series.points = rowsOf(result).map((row) => ({
      ts: numberAt(row, 0),
      min: numberAt(row, 1),
      avg: numberAt(row, 2),
      max: numberAt(row, 3),
      count: numberAt(row, 4),
    }));
    return series;
  }

  async latestValues(): Promise<SiteLatest[]> {
    const latest = this.latest ?? (await this.loadLatest());
    return [...latest].map(([siteId, values]) => ({ siteId, values: Object.fromEntries(values) }));
  }

  /** One InfluxQL request: `last()` of each metric per site within the lookback window. */
  async snapshotAt(request: SnapshotRequest): Promise<SiteLatest[]> {
    const { at, lookbackMs, metrics } = request;
    if (!Number.isSafeInteger(at) || !Number.isSafeInteger(lookbackMs) || lookbackMs < 0) {
      throw new AppError('bad_request', 'at and lookbackMs must be epoch ms / non-negative ms');
    }
    const unknown = metrics.filter((metric) => !isMetricId(metric));
    if (unknown.length > 0) throw new AppError('bad_request', `unknown metric ${unknown.join(', ')}`);
    if (metrics.length === 0) return [];
    const statements = metrics.map(
      (metric) =>
        `SELECT last(${quoteIdentifier(metric)}) FROM ${MEASUREMENT} WHERE time > ${at - lookbackMs}ms AND time <= ${at}ms GROUP BY ${SITE}`,
    );
    const results = await this.timed(this.options.metrics.querySeconds, 'snapshot_at', () => this.options.connection.query(statements));
    const bySite: LatestBySite = new Map();
    results.forEach((result, index) => {
      const metric = metrics[index] as string;
      for (const series of result) {
        const siteId = series.tags?.[SITE_TAG];
        const [row] = series.values ?? [];
        if (siteId === undefined || !row) continue;
        const site = bySite.get(siteId) ?? new Map();
        site.set(metric, { ts: numberAt(row, 0), value: numberAt(row, 1) });
        bySite.set(siteId, site);
      }
    });
    return [...bySite]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([siteId, values]) => ({ siteId, values: Object.fromEntries(values) }));
  }

  writeEvents(events: readonly SiteEvent[]): Promise<void> {
    return this.options.events.writeEvents(events);
  }

  listEvents(siteId: string, limit: number): Promise<SiteEvent[]> {
    return this.options.events.listEvents(siteId, limit);
  }

  async purgeBefore(beforeMs: number): Promise<void> {
    await this.options.events.purgeBefore(beforeMs);
    for (const values of this.latest?.values() ?? []) {
      for (const [metric, entry] of values) if (entry.ts < beforeMs) values.delete(metric);
    }
    for (const [siteId, values] of this.latest ?? []) if (values.size === 0) this.latest?.delete(siteId);
  }

  /** One request: the last value of each metric per site. Concurrent callers share it. */
  private loadLatest(): Promise<LatestBySite> {
    this.loading ??= (async () => {
      try {
        const statements = METRIC_IDS.map((metric) => `SELECT last(${quoteIdentifier(metric)}) FROM ${MEASUREMENT} GROUP BY ${SITE}`);
        const results = await this.timed(this.options.metrics.querySeconds, 'latest_values', () =>
          this.options.connection.query(statements),
        );
        const latest: LatestBySite = new Map();
        results.forEach((result, index) => {
          const metric = METRIC_IDS[index] as string;
          for (const series of result) {
            const siteId = series.tags?.[SITE_TAG];
            const [row] = series.values ?? [];
            if (siteId === undefined || !row) continue;
            const site = latest.get(siteId) ?? new Map();
            site.set(metric, { ts: numberAt(row, 0), value: numberAt(row, 1) });
            latest.set(siteId, site);
          }
        });
        for (const batch of this.writtenDuringLoad) applyLatest(latest, batch);
        this.latest = latest;
        return latest;
      } finally {
        this.writtenDuringLoad = [];
        this.loading = undefined;
      }
    })();
    return this.loading;
  }

  private async timed<T>(histogram: StoreMetrics['writeSeconds'], operation: string, task: () => Promise<T>): Promise<T> {
    const stop = histogram.startTimer({ operation });
    try {
      return await task();
    } catch (error) {
      this.options.metrics.errors.inc({ operation });
      throw error;
    } finally {
      stop();
    }
  }
}

/** Later timestamps win; at equal timestamps the later write wins, like the server. */
function applyLatest(latest: LatestBySite, readings: readonly Reading[]): void {
  for (const reading of readings) {
    const site = latest.get(reading.siteId) ?? new Map();
    for (const [metric, value] of Object.entries(reading.values)) {
      const current = site.get(metric);
      if (!current || reading.ts >= current.ts) site.set(metric, { value, ts: reading.ts });
    }
    latest.set(reading.siteId, site);
  }
}

function rowsOf(series: readonly InfluxQlSeries[]): unknown[][] {
  return series.flatMap((s) => s.values ?? []);
}

function numberAt(row: readonly unknown[], index: number): number {
  const value = row[index];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new AppError('unavailable', `InfluxDB returned a non-numeric value in column ${index}: ${JSON.stringify(value)}`);
  }
  return value;
}
