import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Reading } from '../../../../common/payloads.js';
import { AppError } from '../../../../platform/errors.js';
import type { SiteEvent } from '../../../../platform/store/types.js';
import { StoreFixture } from './store-fixture.js';

/** Deliberately not aligned to a minute: buckets must align to `from`, not to the epoch. */
const T = 1_700_000_000_123;
const MINUTE = 60_000;

describe('DuckDbTelemetryStore', () => {
  let fixture: StoreFixture;

  beforeEach(async () => {
    fixture = await StoreFixture.open();
  });

  afterEach(async () => {
    await fixture.cleanup();
  });

  const telemetry = () => fixture.stores.telemetry;
  const history = (siteId: string, metric: 'do' | 'ph' | 'salinity', from: number, to: number, maxPoints: number) =>
    telemetry().queryHistory({ siteId, metric, from, to, maxPoints });

  describe('queryHistory', () => {
    it('aggregates half-open buckets aligned to `from`, matching hand-computed values', async () => {
      await telemetry().writeReadings([
        { siteId: 'KG-WQ-01', ts: T - 1, values: { do: 100 } },
        { siteId: 'KG-WQ-01', ts: T, values: { do: 4, ph: 8 } },
        { siteId: 'KG-WQ-02', ts: T, values: { do: 50 } },
        { siteId: 'KG-WQ-01', ts: T + 30_000, values: { do: 6 } },
        { siteId: 'KG-WQ-01', ts: T + 120_000, values: { do: 5 } },
        { siteId: 'KG-WQ-01', ts: T + 470_000, values: { do: 3 } },
      ]);
      // A second batch, partly older than what is stored (the merge path).
      await telemetry().writeReadings([
        { siteId: 'KG-WQ-01', ts: T + 119_999, values: { do: 8 } },
        { siteId: 'KG-WQ-01', ts: T + 400_000, values: { do: 2 } },
        { siteId: 'KG-WQ-01', ts: T + 599_999, values: { do: 7 } },
        { siteId: 'KG-WQ-01', ts: T + 600_000, values: { do: 100 } },
      ]);

      const series = await history('KG-WQ-01', 'do', T, T + 600_000, 5);

      expect(series).toMatchObject({ siteId: 'KG-WQ-01', metric: 'do', unit: 'mg/L', from: T, to: T + 600_000, bucketMs: 120_000 });
      expect(series.points).toEqual([
        { ts: T, min: 4, avg: 6, max: 8, count: 3 },
        { ts: T + 120_000, min: 5, avg: 5, max: 5, count: 1 },
        { ts: T + 360_000, min: 2, avg: 2.5, max: 3, count: 2 },
        { ts: T + 480_000, min: 7, avg: 7, max: 7, count: 1 },
      ]);
    });

    it('returns at most maxPoints sorted, aligned buckets for a 7-day 1-minute series', async () => {
      const count = 7 * 24 * 60;
      const readings: Reading[] = Array.from({ length: count }, (_, i) => ({
        siteId: 'KG-SAL-01',
        ts: T + i * MINUTE,
        values: { salinity: i % 100 },
      }));
      await telemetry().writeReadings(readings);

      const from = T;
      const to = T + count * MINUTE;
      const series = await history('KG-SAL-01', 'salinity', from, to, 2000);

      expect(series.unit).toBe('‰');
      expect(series.bucketMs).toBe(Math.ceil((to - from) / 2000));
      expect(series.points.length).toBeLessThanOrEqual(2000);
      expect(series.points.length).toBeGreaterThan(1900);
      expect(series.points.reduce((sum, p) => sum + p.count, 0)).toBe(count);
      expect(series.points[0]?.ts).toBe(from);
      for (const [i, point] of series.points.entries()) {
        expect((point.ts - from) % series.bucketMs).toBe(0);
        if (i > 0) expect(point.ts).toBeGreaterThan(series.points[i - 1]?.ts ?? Number.POSITIVE_INFINITY);
        expect(point.min).toBeLessThanOrEqual(point.avg);
        expect(point.avg).toBeLessThanOrEqual(point.max);
      }

      const whole = await history('KG-SAL-01', 'salinity', from, to, 1);
      expect(whole.points).toEqual([
        { ts: from, min: 0, avg: expect.closeTo(readings.reduce((s, r) => s + (r.values.salinity ?? 0), 0) / count, 9), max: 99, count },
      ]);
    });

    it('never exceeds maxPoints when the range does not divide evenly', async () => {
      await telemetry().writeReadings(Array.from({ length: 10 }, (_, i) => ({ siteId: 'S-1', ts: T + i, values: { ph: i } })));
      const series = await history('S-1', 'ph', T, T + 10, 3);
      expect(series.bucketMs).toBe(4);
      expect(series.points.map((p) => [p.ts - T, p.count, p.min, p.max])).toEqual([
        [0, 4, 0, 3],
        [4, 4, 4, 7],
        [8, 2, 8, 9],
      ]);
    });

    it('returns no points for empty and inverted ranges or unknown series', async () => {
      await telemetry().writeReadings([{ siteId: 'S-1', ts: T, values: { ph: 7 } }]);
      expect((await history('S-1', 'ph', T, T, 100)).points).toEqual([]);
      expect((await history('S-1', 'ph', T + 10, T, 100)).points).toEqual([]);
      expect((await history('S-1', 'ph', T + 1, T + 1000, 100)).points).toEqual([]);
      expect((await history('S-2', 'ph', T, T + 1000, 100)).points).toEqual([]);
      expect((await history('S-1', 'do', T, T + 1000, 100)).points).toEqual([]);
    });

    it('refuses invalid requests with bad_request', async () => {
      await expect(history('S-1', 'ph', T, T + 10, 0)).rejects.toMatchObject({ code: 'bad_request' });
      await expect(history('S-1', 'ph', T + 0.5, T + 10, 10)).rejects.toMatchObject({ code: 'bad_request' });
      await expect(
        telemetry().queryHistory({ siteId: 'S-1', metric: 'nope' as 'ph', from: T, to: T + 1, maxPoints: 1 }),
      ).rejects.toBeInstanceOf(AppError);
    });
  });

  describe('writeReadings', () => {
    it('replaces the value of the same site, metric and timestamp (idempotent writes)', async () => {
      await telemetry().writeReadings([{ siteId: 'S-1', ts: T, values: { do: 5, ph: 7 } }]);
      await telemetry().writeReadings([{ siteId: 'S-1', ts: T, values: { do: 6 } }]);
      await telemetry().writeReadings([{ siteId: 'S-1', ts: T, values: { do: 6 } }]);

      const doSeries = await history('S-1', 'do', T, T + 1, 1);
      expect(doSeries.points).toEqual([{ ts: T, min: 6, avg: 6, max: 6, count: 1 }]);
      const phSeries = await history('S-1', 'ph', T, T + 1, 1);
      expect(phSeries.points).toEqual([{ ts: T, min: 7, avg: 7, max: 7, count: 1 }]);
    });

    it('replaces an older, non-latest reading and keeps the latest value', async () => {
      await telemetry().writeReadings([
        { siteId: 'S-1', ts: T, values: { do: 1 } },
        { siteId: 'S-1', ts: T + MINUTE, values: { do: 2 } },
        { siteId: 'S-1', ts: T + 2 * MINUTE, values: { do: 3 } },
      ]);
      await telemetry().writeReadings([{ siteId: 'S-1', ts: T + MINUTE, values: { do: 20 } }]);

      const series = await history('S-1', 'do', T, T + 3 * MINUTE, 3);
      expect(series.points.map((p) => [p.ts - T, p.avg, p.count])).toEqual([
        [0, 1, 1],
        [MINUTE, 20, 1],
        [2 * MINUTE, 3, 1],
      ]);
      expect(await telemetry().latestValues()).toEqual([{ siteId: 'S-1', values: { do: { value: 3, ts: T + 2 * MINUTE } } }]);
    });

    it('keeps the last of repeated series and timestamps inside one batch', async () => {
      await telemetry().writeReadings([
        { siteId: 'S-1', ts: T, values: { do: 1 } },
        { siteId: 'S-2', ts: T, values: { do: 9 } },
        { siteId: 'S-1', ts: T, values: { do: 2 } },
        { siteId: 'S-1', ts: T, values: { do: 3 } },
      ]);
      const series = await history('S-1', 'do', T, T + 1, 1);
      expect(series.points).toEqual([{ ts: T, min: 3, avg: 3, max: 3, count: 1 }]);
      const latest = await telemetry().latestValues();
      expect(latest.find((s) => s.siteId === 'S-1')?.values.do).toEqual({ value: 3, ts: T });
    });

    it('stores a backfill at the original timestamps next to live data', async () => {
      await telemetry().writeReadings([{ siteId: 'S-1', ts: T + 10 * MINUTE, values: { do: 10 } }]);
      await telemetry().writeReadings(Array.from({ length: 5 }, (_, i) => ({ siteId: 'S-1', ts: T + i * MINUTE, values: { do: i } })));
      const series = await history('S-1', 'do', T, T + 11 * MINUTE, 11);
      expect(series.points.map((p) => [p.ts - T, p.avg])).toEqual([
        [0, 0],
        [MINUTE, 1],
        [2 * MINUTE, 2],
        [3 * MINUTE, 3],
        [4 * MINUTE, 4],
        [10 * MINUTE, 10],
      ]);
    });

    it('refuses a batch with a non-finite value or a bad timestamp and stores none of it', async () => {
      await expect(
        telemetry().writeReadings([
          { siteId: 'S-1', ts: T, values: { do: 1 } },
          { siteId: 'S-1', ts: T + 1, values: { do: Number.NaN } },
        ]),
      ).rejects.toMatchObject({ code: 'bad_request', message: expect.stringContaining('reading 1') });
      await expect(telemetry().writeReadings([{ siteId: 'S-1', ts: 1.5, values: { do: 1 } }])).rejects.toMatchObject({
        code: 'bad_request',
      });
      expect(await telemetry().latestValues()).toEqual([]);
      expect((await history('S-1', 'do', 0, T + 10, 1)).points).toEqual([]);
    });

    it('accepts an empty batch', async () => {
      await telemetry().writeReadings([]);
      expect(await telemetry().latestValues()).toEqual([]);
    });

    it('counts written values and times writes in the metrics registry', async () => {
      await telemetry().writeReadings([{ siteId: 'S-1', ts: T, values: { do: 1, ph: 7 } }]);
      const text = await fixture.metrics.metrics();
      expect(text).toMatch(/^ioc_store_readings_written_total 2$/m);
      expect(text).toMatch(/^ioc_store_write_seconds_count\{operation="write_readings"\} 1$/m);
    });
  });

  describe('latestValues', () => {
    it('returns the latest value and timestamp per site and metric, sorted by site', async () => {
      await telemetry().writeReadings([
        { siteId: 'S-2', ts: T, values: { do: 5 } },
        { siteId: 'S-1', ts: T, values: { do: 1, ph: 7 } },
        { siteId: 'S-1', ts: T + MINUTE, values: { do: 2 } },
      ]);
      // An older backfill must not replace the latest value.
      await telemetry().writeReadings([{ siteId: 'S-1', ts: T - MINUTE, values: { do: 99, ph: 99 } }]);

      expect(await telemetry().latestValues()).toEqual([
        { siteId: 'S-1', values: { do: { value: 2, ts: T + MINUTE }, ph: { value: 7, ts: T } } },
        { siteId: 'S-2', values: { do: { value: 5, ts: T } } },
      ]);
    });

    it('is rebuilt from the table after a restart', async () => {
      await telemetry().writeReadings([
        { siteId: 'S-1', ts: T, values: { do: 1 } },
        { siteId: 'S-1', ts: T + MINUTE, values: { do: 2 } },
      ]);
      await fixture.reopen();
      expect(await telemetry().latestValues()).toEqual([{ siteId: 'S-1', values: { do: { value: 2, ts: T + MINUTE } } }]);
      // The rebuilt cache still detects overwrites of the latest timestamp.
      await telemetry().writeReadings([{ siteId: 'S-1', ts: T + MINUTE, values: { do: 3 } }]);
      expect((await history('S-1', 'do', T, T + 2 * MINUTE, 2)).points.map((p) => [p.avg, p.count])).toEqual([
        [1, 1],
        [3, 1],
      ]);
    });
  });

  describe('events', () => {
    const event = (siteId: string, ts: number, extra: Partial<SiteEvent> = {}): SiteEvent => ({
      siteId,
      ts,
      type: 'vehicle_count',
      severity: 'info',
      ...extra,
    });

    it('lists a site’s events newest first, with message and data round-tripped', async () => {
      await telemetry().writeEvents([
        event('KG-CAM-01', T, { message: 'first' }),
        event('KG-CAM-02', T + 5),
        event('KG-CAM-01', T + 2, { type: 'intrusion', severity: 'critical', data: { zone: 'gate', count: 3, armed: true } }),
        event('KG-CAM-01', T + 1),
      ]);

      const events = await telemetry().listEvents('KG-CAM-01', 10);
      expect(events).toEqual([
        { siteId: 'KG-CAM-01', ts: T + 2, type: 'intrusion', severity: 'critical', data: { zone: 'gate', count: 3, armed: true } },
        { siteId: 'KG-CAM-01', ts: T + 1, type: 'vehicle_count', severity: 'info' },
        { siteId: 'KG-CAM-01', ts: T, type: 'vehicle_count', severity: 'info', message: 'first' },
      ]);
      expect(events[1]).not.toHaveProperty('message');
      expect(await telemetry().listEvents('KG-CAM-01', 2)).toHaveLength(2);
      expect(await telemetry().listEvents('KG-CAM-01', 0)).toEqual([]);
      expect(await telemetry().listEvents('NOPE', 10)).toEqual([]);
    });

    it('refuses invalid events and limits', async () => {
      await expect(telemetry().writeEvents([event('S-1', T, { severity: 'loud' as 'info' })])).rejects.toMatchObject({
        code: 'bad_request',
      });
      await expect(telemetry().listEvents('S-1', -1)).rejects.toMatchObject({ code: 'bad_request' });
    });
  });

  describe('purgeBefore', () => {
    it('deletes readings and events older than the cutoff and forgets fully purged series', async () => {
      await telemetry().writeReadings([
        { siteId: 'OLD', ts: T - 10, values: { do: 1 } },
        { siteId: 'S-1', ts: T - 1, values: { do: 1 } },
        { siteId: 'S-1', ts: T, values: { do: 2 } },
      ]);
      await telemetry().writeEvents([
        { siteId: 'S-1', ts: T - 1, type: 'reboot', severity: 'info' },
        { siteId: 'S-1', ts: T, type: 'tamper', severity: 'warning' },
      ]);

      await telemetry().purgeBefore(T);

      expect((await history('S-1', 'do', 0, T + 1, 1)).points).toEqual([{ ts: 0, min: 2, avg: 2, max: 2, count: 1 }]);
      expect((await history('OLD', 'do', 0, T + 1, 1)).points).toEqual([]);
      expect((await telemetry().listEvents('S-1', 10)).map((e) => e.type)).toEqual(['tamper']);
      expect(await telemetry().latestValues()).toEqual([{ siteId: 'S-1', values: { do: { value: 2, ts: T } } }]);
    });
  });

  it('keeps readings and events across a stop and a new instance on the same file', async () => {
    await telemetry().writeReadings([{ siteId: 'S-1', ts: T, values: { do: 4.25 } }]);
    await telemetry().writeEvents([{ siteId: 'S-1', ts: T, type: 'reboot', severity: 'info', message: 'hello' }]);
    await fixture.reopen();
    expect((await history('S-1', 'do', T, T + 1, 1)).points).toEqual([{ ts: T, min: 4.25, avg: 4.25, max: 4.25, count: 1 }]);
    expect(await telemetry().listEvents('S-1', 1)).toEqual([{ siteId: 'S-1', ts: T, type: 'reboot', severity: 'info', message: 'hello' }]);
  });
});
