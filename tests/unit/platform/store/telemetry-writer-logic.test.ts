import { describe, expect, it } from 'vitest';
import { historyBucketMs } from '../../../../platform/store/duckdb/duckdb-telemetry-store.js';
import { LatestValuesCache } from '../../../../platform/store/duckdb/latest-values-cache.js';
import { toReadingRows } from '../../../../platform/store/duckdb/reading-rows.js';

describe('historyBucketMs', () => {
  it('splits the range into at most maxPoints buckets, at least 1 ms wide', () => {
    expect(historyBucketMs(0, 600_000, 5)).toBe(120_000);
    expect(historyBucketMs(0, 10, 3)).toBe(4);
    expect(historyBucketMs(0, 7 * 86_400_000, 2000)).toBe(302_400);
    expect(historyBucketMs(0, 5, 2000)).toBe(1);
    expect(historyBucketMs(10, 10, 100)).toBe(1);
    expect(historyBucketMs(10, 0, 100)).toBe(1);
    for (const [span, maxPoints] of [
      [999_999, 7],
      [1, 1],
      [86_400_001, 2000],
    ] as const) {
      expect(Math.ceil(span / historyBucketMs(0, span, maxPoints))).toBeLessThanOrEqual(maxPoints);
    }
  });
});

describe('toReadingRows', () => {
  it('flattens readings to one row per metric, with the time range', () => {
    const rows = toReadingRows([
      { siteId: 'A', ts: 20, values: { do: 1, ph: 7 } },
      { siteId: 'B', ts: 10, values: { do: 2 } },
    ]);
    expect(rows).toEqual({
      siteIds: ['A', 'A', 'B'],
      metrics: ['do', 'ph', 'do'],
      timestamps: [20, 20, 10],
      values: [1, 7, 2],
      minTs: 10,
      maxTs: 20,
      increasingPerSite: true,
    });
  });

  it('flags batches where a site repeats or goes back in time', () => {
    expect(
      toReadingRows([
        { siteId: 'A', ts: 20, values: { do: 1 } },
        { siteId: 'A', ts: 20, values: { ph: 1 } },
      ]).increasingPerSite,
    ).toBe(false);
    expect(
      toReadingRows([
        { siteId: 'A', ts: 20, values: { do: 1 } },
        { siteId: 'A', ts: 10, values: { do: 1 } },
      ]).increasingPerSite,
    ).toBe(false);
  });

  it('refuses non-finite values, bad timestamps and empty site ids with bad_request', () => {
    for (const reading of [
      { siteId: 'A', ts: 1, values: { do: Number.POSITIVE_INFINITY } },
      { siteId: 'A', ts: 1, values: { do: '1' as unknown as number } },
      { siteId: 'A', ts: -1, values: { do: 1 } },
      { siteId: 'A', ts: 1.5, values: { do: 1 } },
      { siteId: '', ts: 1, values: { do: 1 } },
    ]) {
      expect(() => toReadingRows([reading])).toThrow(expect.objectContaining({ code: 'bad_request' }));
    }
  });
});

describe('LatestValuesCache', () => {
  const rows = (...readings: { siteId: string; ts: number; values: Record<string, number> }[]) => toReadingRows(readings);

  it('knows when a batch is strictly newer than everything stored', () => {
    const cache = LatestValuesCache.fromRows([{ site_id: 'A', metric: 'do', ts: 100n, value: 5 }]);
    expect(cache.isStrictlyNewer(rows({ siteId: 'A', ts: 101, values: { do: 1 } }))).toBe(true);
    expect(cache.isStrictlyNewer(rows({ siteId: 'A', ts: 50, values: { ph: 1 } }))).toBe(true);
    expect(cache.isStrictlyNewer(rows({ siteId: 'B', ts: 1, values: { do: 1 } }))).toBe(true);
    expect(cache.isStrictlyNewer(rows({ siteId: 'A', ts: 100, values: { do: 1 } }))).toBe(false);
    expect(cache.isStrictlyNewer(rows({ siteId: 'B', ts: 1, values: { do: 1 } }, { siteId: 'A', ts: 99, values: { do: 1 } }))).toBe(false);
  });

  it('applies committed rows (later wins at equal timestamps), prunes and snapshots sorted by site', () => {
    const cache = new LatestValuesCache();
    cache.apply(rows({ siteId: 'B', ts: 10, values: { do: 1 } }, { siteId: 'A', ts: 10, values: { do: 2 } }));
    cache.apply(rows({ siteId: 'A', ts: 5, values: { do: 9 } }, { siteId: 'A', ts: 10, values: { do: 3 } }));
    expect(cache.snapshot()).toEqual([
      { siteId: 'A', values: { do: { value: 3, ts: 10 } } },
      { siteId: 'B', values: { do: { value: 1, ts: 10 } } },
    ]);
    cache.apply(rows({ siteId: 'B', ts: 20, values: { ph: 7 } }));
    cache.pruneBefore(11);
    expect(cache.snapshot()).toEqual([{ siteId: 'B', values: { ph: { value: 7, ts: 20 } } }]);
  });
});
