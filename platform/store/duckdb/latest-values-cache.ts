/**
 * The latest value and timestamp of every series (site × metric), kept in memory by the writer.
 * It answers `latestValues()` without scanning the readings table, and tells the writer when a
 * batch is strictly newer than everything stored — the common live case — so it can append
 * without looking for rows to overwrite. Exact as long as every write goes through the store:
 * the writer updates it only after a commit and drops it (to reload) when a write fails.
 */
import type { SiteLatest } from '../types.js';
import type { ReadingRows } from './reading-rows.js';
import { numberColumn, type Row, stringColumn } from './row-values.js';

interface LatestEntry {
  /** Epoch ms. */
  ts: number;
  value: number;
}

export class LatestValuesCache {
  private readonly sites = new Map<string, Map<string, LatestEntry>>();

  /** Builds the cache from rows with columns site_id, metric, ts, value. */
  static fromRows(rows: readonly Row[]): LatestValuesCache {
    const cache = new LatestValuesCache();
    for (const row of rows) {
      cache.series(stringColumn(row, 'site_id')).set(stringColumn(row, 'metric'), {
        ts: numberColumn(row, 'ts'),
        value: numberColumn(row, 'value'),
      });
    }
    return cache;
  }

  /**
   * True when every row is later than the stored latest of its series and the batch has no
   * internal repeats: then no stored row can share a series and timestamp with the batch.
   */
  isStrictlyNewer(rows: ReadingRows): boolean {
    if (!rows.increasingPerSite) return false;
    let site: Map<string, LatestEntry> | undefined;
    let siteId: string | undefined;
    for (let i = 0; i < rows.siteIds.length; i++) {
      const rowSite = rows.siteIds[i];
      if (rowSite !== siteId) {
        siteId = rowSite;
        site = rowSite === undefined ? undefined : this.sites.get(rowSite);
      }
      const latest = site?.get(rows.metrics[i] ?? '');
      if (latest !== undefined && (rows.timestamps[i] ?? Number.NEGATIVE_INFINITY) <= latest.ts) return false;
    }
    return true;
  }

  /** Records a committed batch; later rows win at equal timestamps, like the writer's de-duplication. */
  apply(rows: ReadingRows): void {
    for (let i = 0; i < rows.siteIds.length; i++) {
      const siteId = rows.siteIds[i];
      const metric = rows.metrics[i];
      const ts = rows.timestamps[i];
      const value = rows.values[i];
      if (siteId === undefined || metric === undefined || ts === undefined || value === undefined) continue;
      const series = this.series(siteId);
      const latest = series.get(metric);
      if (latest === undefined) {
        series.set(metric, { ts, value });
      } else if (ts >= latest.ts) {
        latest.ts = ts;
        latest.value = value;
      }
    }
  }

  /** Forgets series whose latest reading is older than `beforeMs` (all their rows were purged). */
  pruneBefore(beforeMs: number): void {
    for (const [siteId, series] of this.sites) {
      for (const [metric, latest] of series) {
        if (latest.ts < beforeMs) series.delete(metric);
      }
      if (series.size === 0) this.sites.delete(siteId);
    }
  }

  /** Every site with its latest values, sorted by site id. */
  snapshot(): SiteLatest[] {
    return [...this.sites.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([siteId, series]) => ({
        siteId,
        values: Object.fromEntries([...series].map(([metric, { ts, value }]) => [metric, { value, ts }])),
      }));
  }

  private series(siteId: string): Map<string, LatestEntry> {
    let series = this.sites.get(siteId);
    if (!series) {
      series = new Map();
      this.sites.set(siteId, series);
    }
    return series;
  }
}
