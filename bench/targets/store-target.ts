/**
 * The embedded store under test, in a child process: seeds 7 days of 1-minute readings for a number
 * of sites through `DuckDbDataStores.writeReadings` in ingest-sized batches (timing the inserts),
 * then times the history query a chart makes: one site, one metric, 7 days, downsampled to at most
 * MAX_HISTORY_POINTS buckets.
 *
 * Usage: store-target.ts <work directory> (the benchmark creates and removes it)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MAX_HISTORY_POINTS } from '../../common/api.js';
import type { Reading } from '../../common/payloads.js';
import { silentLogger } from '../../platform/logger.js';
import { createMetricsRegistry } from '../../platform/observability.js';
import { DuckDbDataStores } from '../../platform/store/duckdb/duckdb-data-stores.js';
import { benchSiteId } from '../load/bench-sites.js';
import { serveRpc } from '../proc/rpc.js';
import { median, percentileOf } from '../stats/series.js';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
/** Metrics per reading, as a water-quality station sends them. */
const METRICS_PER_READING = 4;

export interface StoreBenchArgs {
  /** Sites seeded with 7 days of 1-minute readings. */
  readonly sites: number;
  readonly days: number;
  /** Readings per writeReadings call while seeding. */
  readonly batchReadings: number;
  /** Further batch sizes timed after seeding (readings per call), each for `extraRows` rows. */
  readonly extraBatchSizes: readonly number[];
  readonly extraRows: number;
  /** History queries timed (different sites); the first is reported as cold. */
  readonly queries: number;
}

export interface InsertTiming {
  readonly batchReadings: number;
  readonly batchRows: number;
  readonly rows: number;
  readonly seconds: number;
  readonly rowsPerSec: number;
}

export interface StoreBenchResult {
  readonly seed: InsertTiming;
  readonly extra: readonly InsertTiming[];
  readonly totalRows: number;
  readonly fileMb: number;
  readonly query: {
    readonly sites: number;
    readonly points: number;
    readonly rawPointsPerQuery: number;
    readonly coldMs: number;
    readonly medianMs: number;
    readonly p95Ms: number;
    readonly maxMs: number;
  };
}

let stores: DuckDbDataStores | undefined;
let dir: string | undefined;

function reading(siteIndex: number, ts: number): Reading {
  const phase = (ts / MINUTE_MS + siteIndex * 7) % 1440;
  const diurnal = Math.sin((2 * Math.PI * phase) / 1440);
  return {
    siteId: benchSiteId(siteIndex),
    ts,
    values: {
      do: Math.round((5.5 + 2 * diurnal) * 100) / 100,
      ph: Math.round((7.6 + 0.3 * diurnal) * 100) / 100,
      temperature: Math.round((29 + 2 * diurnal) * 10) / 10,
      salinity: Math.round((12 + (siteIndex % 10)) * 10) / 10,
    },
  };
}

/** Writes a reading of every site for each of `minutes` minutes from `fromTs`, `batchReadings` per call; returns the timing and the next minute. */
async function writeFrom(
  store: DuckDbDataStores,
  sites: number,
  fromTs: number,
  minutes: number,
  batchReadings: number,
): Promise<{ timing: InsertTiming; nextTs: number }> {
  let batch: Reading[] = [];
  let rows = 0;
  let seconds = 0;
  const flush = async () => {
    const startedAt = performance.now();
    await store.telemetry.writeReadings(batch);
    seconds += (performance.now() - startedAt) / 1000;
    rows += batch.length * METRICS_PER_READING;
    batch = [];
  };
  for (let minute = 0; minute < minutes; minute++) {
    const ts = fromTs + minute * MINUTE_MS;
    for (let site = 1; site <= sites; site++) {
      batch.push(reading(site, ts));
      if (batch.length === batchReadings) await flush();
    }
  }
  if (batch.length > 0) await flush();
  return {
    timing: { batchReadings, batchRows: batchReadings * METRICS_PER_READING, rows, seconds, rowsPerSec: rows / seconds },
    nextTs: fromTs + minutes * MINUTE_MS,
  };
}

async function run(args: StoreBenchArgs): Promise<StoreBenchResult> {
  const store = stores;
  if (!store || !dir) throw new Error('store not open');
  const now = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS;
  const from = now - args.days * DAY_MS;
  const seeded = await writeFrom(store, args.sites, from, args.days * 1440, args.batchReadings);
  // Later batches continue after the seeded week, so the week the query reads stays as seeded.
  let nextTs = seeded.nextTs;
  const extra: InsertTiming[] = [];
  for (const batchReadings of args.extraBatchSizes) {
    const minutes = Math.max(1, Math.ceil(args.extraRows / METRICS_PER_READING / args.sites));
    const result = await writeFrom(store, args.sites, nextTs, minutes, batchReadings);
    extra.push(result.timing);
    nextTs = result.nextTs;
  }

  const times: number[] = [];
  let points = 0;
  for (let i = 0; i < args.queries; i++) {
    const site = 1 + ((i * 37) % args.sites);
    const startedAt = performance.now();
    const series = await store.telemetry.queryHistory({
      siteId: benchSiteId(site),
      metric: 'do',
      from,
      to: now,
      maxPoints: MAX_HISTORY_POINTS,
    });
    times.push(performance.now() - startedAt);
    points = series.points.length;
  }
  const [cold = Number.NaN, ...warm] = times;
  const file = store.file;
  return {
    seed: seeded.timing,
    extra,
    totalRows: seeded.timing.rows + extra.reduce((sum, e) => sum + e.rows, 0),
    fileMb: fs.existsSync(file) ? fs.statSync(file).size / 1024 ** 2 : Number.NaN,
    query: {
      sites: args.sites,
      points,
      rawPointsPerQuery: args.days * 1440,
      coldMs: cold,
      medianMs: median(warm),
      p95Ms: percentileOf(warm, 95),
      maxMs: Math.max(...warm),
    },
  };
}

serveRpc({
  start: async () => {
    dir = fs.mkdtempSync(path.join(process.argv[2] ?? os.tmpdir(), 'store-'));
    stores = new DuckDbDataStores({
      file: path.join(dir, 'bench.duckdb'),
      logger: silentLogger(),
      metrics: createMetricsRegistry('store'),
    });
    await stores.start();
    return { pid: process.pid };
  },
  handlers: { run: (args) => run(args as StoreBenchArgs) },
  shutdown: async () => {
    await stores?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  },
});
