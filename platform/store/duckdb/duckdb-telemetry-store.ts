/**
 * Telemetry (readings and device events) in the embedded DuckDB database.
 *
 * Writes are idempotent — the same site, metric and timestamp replaces the earlier value — without
 * an index (see migrations.ts for why). The writer keeps the latest timestamp of every series in
 * memory; a batch strictly newer than all of them (live data) cannot overwrite anything, so it is
 * appended straight into `readings` with the DuckDB appender. Any other batch (backfill, replay,
 * repeats inside the batch) goes through a temp staging table: its duplicates are collapsed (last
 * one wins), matching stored rows in the batch's time range are deleted, and the rest inserted —
 * one transaction either way.
 */
import type { DuckDBAppender } from '@duckdb/node-api';
import { z } from 'zod';
import type { HistorySeries } from '../../../common/api.js';
import { isMetricId, METRICS } from '../../../common/metrics.js';
import { DEVICE_EVENT_SEVERITIES, type Reading } from '../../../common/payloads.js';
import { AppError } from '../../errors.js';
import type { HistoryRequest, SiteEvent, SiteLatest, SnapshotRequest, TelemetryStore } from '../types.js';
import type { DuckDbDatabase } from './duckdb-database.js';
import { LatestValuesCache } from './latest-values-cache.js';
import { type ReadingRows, toReadingRows } from './reading-rows.js';
import { enumColumn, numberColumn, optionalStringColumn, stringColumn } from './row-values.js';
import type { ConnectionSession } from './serial-connection.js';
import type { StoreMetrics } from './store-metrics.js';

/** Width of one history bucket, ms: the range split into at most `maxPoints` equal buckets. */
export function historyBucketMs(from: number, to: number, maxPoints: number): number {
  return Math.max(1, Math.ceil((to - from) / maxPoints));
}

/** Largest `limit` accepted by {@link DuckDbTelemetryStore.listEvents}. */
export const MAX_EVENT_LIST_LIMIT = 100_000;

const eventDataSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

const STAGING_TABLE = 'readings_staging';

/** {@link TelemetryStore} on the embedded database; see the module comment for the write paths. */
export class DuckDbTelemetryStore implements TelemetryStore {
  /** Latest value per series of committed data; undefined until loaded and after a failed write (then reloaded). */
  private latest: LatestValuesCache | undefined;

  constructor(
    private readonly db: DuckDbDatabase,
    private readonly metrics: StoreMetrics,
  ) {}

  /** Prepares the write connection (staging table) and loads the latest-values cache; runs at open. */
  async initialise(session: ConnectionSession): Promise<void> {
    await session.run(
      `CREATE TEMP TABLE IF NOT EXISTS ${STAGING_TABLE} (site_id VARCHAR NOT NULL, metric VARCHAR NOT NULL, ts BIGINT NOT NULL, value DOUBLE NOT NULL, seq INTEGER NOT NULL)`,
    );
    this.latest = await loadLatest(session);
  }

  async writeReadings(readings: readonly Reading[]): Promise<void> {
    const rows = toReadingRows(readings);
    if (rows.siteIds.length === 0) return;
    await this.db.write('write_readings', async (session) => {
      const latest = this.latest ?? (await loadLatest(session));
      this.latest = latest;
      try {
        await session.transaction(() => (latest.isStrictlyNewer(rows) ? appendRows(session, rows) : mergeRows(session, rows)));
      } catch (error) {
        // Rolled back, but reload rather than trust the cache after an unexpected failure.
        this.latest = undefined;
        throw error;
      }
      latest.apply(rows);
    });
    this.metrics.readingsWritten.inc(rows.siteIds.length);
  }

  async queryHistory(request: HistoryRequest): Promise<HistorySeries> {
    const { siteId, metric, from, to, maxPoints } = request;
    if (!isMetricId(metric)) throw new AppError('bad_request', `unknown metric ${String(metric)}`);
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) throw new AppError('bad_request', 'from and to must be epoch ms');
    if (!Number.isSafeInteger(maxPoints) || maxPoints < 1) throw new AppError('bad_request', 'maxPoints must be a positive integer');
    const bucketMs = historyBucketMs(from, to, maxPoints);
    const series: HistorySeries = { siteId, metric, unit: METRICS[metric].unit, from, to, bucketMs, points: [] };
    if (to <= from) return series;
    const rows = await this.db.read('query_history', (session) =>
      session.query(
        `SELECT $1 + ((ts - $1) // $2) * $2 AS bucket, min(value) AS min, avg(value) AS avg, max(value) AS max, count(*) AS count
         FROM readings
         WHERE site_id = $3 AND metric = $4 AND ts >= $1 AND ts < $5
         GROUP BY bucket ORDER BY bucket`,
        [BigInt(from), BigInt(bucketMs), siteId, metric, BigInt(to)],
      ),
    );
    series.points = rows.map((row) => ({
      ts: numberColumn(row, 'bucket'),
      min: numberColumn(row, 'min'),
      avg: numberColumn(row, 'avg'),
      max: numberColumn(row, 'max'),
      count: numberColumn(row, 'count'),
    }));
    return series;
  }

  /** Served from the in-memory cache (committed writes only); rebuilt from the table when missing. */
  async latestValues(): Promise<SiteLatest[]> {
    if (this.latest && this.db.isOpen) return this.latest.snapshot();
    return this.db.readInWriteOrder('latest_values', async (session) => {
      this.latest ??= await loadLatest(session);
      return this.latest.snapshot();
    });
  }

  async snapshotAt(request: SnapshotRequest): Promise<SiteLatest[]> {
    const { at, lookbackMs, metrics } = request;
    if (!Number.isSafeInteger(at) || !Number.isSafeInteger(lookbackMs) || lookbackMs < 0) {
      throw new AppError('bad_request', 'at and lookbackMs must be epoch ms / non-negative ms');
    }
    const unknown = metrics.filter((metric) => !isMetricId(metric));
    if (unknown.length > 0) throw new AppError('bad_request', `unknown metric ${unknown.join(', ')}`);
    if (metrics.length === 0) return [];
    // Metric ids were checked against the catalog ([a-z0-9_] only), so they are safe as literals.
    const metricList = metrics.map((metric) => `'${metric}'`).join(', ');
    // The constant ts range lets DuckDB skip row groups by their min/max statistics (zone maps).
    const rows = await this.db.read('snapshot_at', (session) =>
      session.query(
        `SELECT site_id, metric, max(ts) AS ts, arg_max(value, ts) AS value
         FROM readings
         WHERE ts > $1 AND ts <= $2 AND metric IN (${metricList})
         GROUP BY site_id, metric`,
        [BigInt(at - lookbackMs), BigInt(at)],
      ),
    );
    return LatestValuesCache.fromRows(rows).snapshot();
  }

  async writeEvents(events: readonly SiteEvent[]): Promise<void> {
    events.forEach(validateEvent);
    if (events.length === 0) return;
    await this.db.write('write_events', (session) =>
      session.transaction(async () => {
        await withAppender(session, 'events', false, (appender) => {
          for (const event of events) {
            appender.appendVarchar(event.siteId);
            appender.appendBigInt(BigInt(event.ts));
            appender.appendVarchar(event.type);
            appender.appendVarchar(event.severity);
            if (event.message === undefined) appender.appendNull();
            else appender.appendVarchar(event.message);
            if (event.data === undefined) appender.appendNull();
            else appender.appendVarchar(JSON.stringify(event.data));
            appender.endRow();
          }
        });
      }),
    );
    this.metrics.eventsWritten.inc(events.length);
  }

  async listEvents(siteId: string, limit: number): Promise<SiteEvent[]> {
    if (!Number.isSafeInteger(limit) || limit < 0 || limit > MAX_EVENT_LIST_LIMIT) {
      throw new AppError('bad_request', `limit must be an integer from 0 to ${MAX_EVENT_LIST_LIMIT}`);
    }
    const rows = await this.db.read('list_events', (session) =>
      session.query('SELECT * FROM events WHERE site_id = $1 ORDER BY ts DESC, rowid DESC LIMIT $2', [siteId, limit]),
    );
    return rows.map((row) => {
      const message = optionalStringColumn(row, 'message');
      const data = optionalStringColumn(row, 'data');
      const event: SiteEvent = {
        siteId: stringColumn(row, 'site_id'),
        ts: numberColumn(row, 'ts'),
        type: stringColumn(row, 'type'),
        severity: enumColumn(row, 'severity', DEVICE_EVENT_SEVERITIES),
        ...(message === undefined ? {} : { message }),
        ...(data === undefined ? {} : { data: eventDataSchema.parse(JSON.parse(data)) }),
      };
      return event;
    });
  }

  async purgeBefore(beforeMs: number): Promise<void> {
    if (!Number.isSafeInteger(beforeMs)) throw new AppError('bad_request', 'beforeMs must be epoch ms');
    await this.db.write('purge', async (session) => {
      try {
        await session.transaction(async () => {
          await session.execute('DELETE FROM readings WHERE ts < $1', [BigInt(beforeMs)]);
          await session.execute('DELETE FROM events WHERE ts < $1', [BigInt(beforeMs)]);
        });
      } catch (error) {
        this.latest = undefined;
        throw error;
      }
      this.latest?.pruneBefore(beforeMs);
    });
  }
}

async function loadLatest(session: ConnectionSession): Promise<LatestValuesCache> {
  const rows = await session.query(
    'SELECT site_id, metric, max(ts) AS ts, arg_max(value, ts) AS value FROM readings GROUP BY site_id, metric',
  );
  return LatestValuesCache.fromRows(rows);
}

/** Fast path: nothing stored can collide, so the rows go straight into `readings`. */
function appendRows(session: ConnectionSession, rows: ReadingRows): Promise<void> {
  return withAppender(session, 'readings', false, (appender) => {
    const { siteIds, metrics, timestamps, values } = rows;
    for (let i = 0; i < siteIds.length; i++) {
      appender.appendVarchar(siteIds[i] ?? '');
      appender.appendVarchar(metrics[i] ?? '');
      appender.appendBigInt(BigInt(timestamps[i] ?? 0));
      appender.appendDouble(values[i] ?? 0);
      appender.endRow();
    }
  });
}

/** Slow path: de-duplicate in staging, delete what the batch replaces, insert. Inside a transaction. */
async function mergeRows(session: ConnectionSession, rows: ReadingRows): Promise<void> {
  await withAppender(session, STAGING_TABLE, true, (appender) => {
    const { siteIds, metrics, timestamps, values } = rows;
    for (let i = 0; i < siteIds.length; i++) {
      appender.appendVarchar(siteIds[i] ?? '');
      appender.appendVarchar(metrics[i] ?? '');
      appender.appendBigInt(BigInt(timestamps[i] ?? 0));
      appender.appendDouble(values[i] ?? 0);
      appender.appendInteger(i);
      appender.endRow();
    }
  });
  // The constant ts range lets DuckDB skip row groups by their min/max statistics.
  await session.execute(
    `DELETE FROM readings WHERE ts BETWEEN $1 AND $2
       AND (site_id, metric, ts) IN (SELECT site_id, metric, ts FROM ${STAGING_TABLE})`,
    [BigInt(rows.minTs), BigInt(rows.maxTs)],
  );
  await session.execute(
    `INSERT INTO readings
     SELECT site_id, metric, ts, arg_max(value, seq) FROM ${STAGING_TABLE} GROUP BY site_id, metric, ts ORDER BY ts`,
  );
  await session.execute(`DELETE FROM ${STAGING_TABLE}`);
}

/** Appends through a DuckDB appender; on failure discards the unflushed rows instead of flushing them. */
async function withAppender(
  session: ConnectionSession,
  table: string,
  temporary: boolean,
  fill: (appender: DuckDBAppender) => void,
): Promise<void> {
  const appender = await session.appender(table, temporary);
  try {
    fill(appender);
  } catch (error) {
    appender.clear();
    appender.closeSync();
    throw error;
  }
  appender.closeSync();
}

function validateEvent(event: SiteEvent, index: number): void {
  const problem =
    typeof event.siteId !== 'string' || event.siteId.length === 0
      ? 'siteId must be a non-empty string'
      : !Number.isSafeInteger(event.ts) || event.ts < 0
        ? 'ts must be epoch ms'
        : typeof event.type !== 'string' || event.type.length === 0
          ? 'type must be a non-empty string'
          : !DEVICE_EVENT_SEVERITIES.includes(event.severity)
            ? `severity must be one of ${DEVICE_EVENT_SEVERITIES.join(', ')}`
            : event.message !== undefined && typeof event.message !== 'string'
              ? 'message must be a string'
              : event.data !== undefined && !eventDataSchema.safeParse(event.data).success
                ? 'data must map names to strings, finite numbers or booleans'
                : undefined;
  if (problem) throw new AppError('bad_request', `event ${index}: ${problem}`);
}
