/**
 * Readings flattened to one row per (site, metric, timestamp) in parallel arrays, the shape the
 * DuckDB appender wants, validated on the way so nothing unstorable reaches the database.
 */
import type { Reading } from '../../../common/payloads.js';
import { AppError } from '../../errors.js';

export interface ReadingRows {
  readonly siteIds: string[];
  readonly metrics: string[];
  /** Epoch ms. */
  readonly timestamps: number[];
  /** Catalog units. */
  readonly values: number[];
  readonly minTs: number;
  readonly maxTs: number;
  /**
   * False when the batch itself may hold the same series and timestamp twice (a site's readings
   * not in strictly increasing time order); then the writer must de-duplicate.
   */
  readonly increasingPerSite: boolean;
}

/** Largest accepted timestamp, epoch ms (year 275760, JS Date's limit). */
const MAX_TS = 8_640_000_000_000_000;

/** Flattens and validates readings; throws `bad_request` naming the first bad one. */
export function toReadingRows(readings: readonly Reading[]): ReadingRows {
  const siteIds: string[] = [];
  const metrics: string[] = [];
  const timestamps: number[] = [];
  const values: number[] = [];
  const lastTsBySite = new Map<string, number>();
  let increasingPerSite = true;
  let minTs = Number.POSITIVE_INFINITY;
  let maxTs = Number.NEGATIVE_INFINITY;
  readings.forEach((reading, index) => {
    const { siteId, ts } = reading;
    if (typeof siteId !== 'string' || siteId.length === 0) throw invalid(index, 'siteId must be a non-empty string');
    if (!Number.isSafeInteger(ts) || ts < 0 || ts > MAX_TS) throw invalid(index, `ts must be epoch ms, got ${String(ts)}`);
    const previous = lastTsBySite.get(siteId);
    if (previous !== undefined && ts <= previous) increasingPerSite = false;
    lastTsBySite.set(siteId, previous === undefined ? ts : Math.max(previous, ts));
    if (ts < minTs) minTs = ts;
    if (ts > maxTs) maxTs = ts;
    for (const [metric, value] of Object.entries(reading.values)) {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw invalid(index, `${siteId}/${metric} must be a finite number, got ${String(value)}`);
      }
      siteIds.push(siteId);
      metrics.push(metric);
      timestamps.push(ts);
      values.push(value);
    }
  });
  return { siteIds, metrics, timestamps, values, minTs, maxTs, increasingPerSite };
}

function invalid(index: number, problem: string): AppError {
  return new AppError('bad_request', `reading ${index}: ${problem}`);
}
