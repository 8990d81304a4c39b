/**
 * Load-mode building blocks without a network: synthetic sites (valid ids, scattered 1–15 km
 * around seeded sites of the same kind and province, stable for a seed), sharding arithmetic,
 * open-file limits, the connection pacer, the latency histogram and the load summary.
 */
import { describe, expect, it } from 'vitest';
import { siteSchema } from '../../../common/sites.js';
import { loadSiteSeeds } from '../../../platform/seeds.js';
import { formatLoadSummary } from '../../../simulators/cli/load-summary.js';
import { formatProgress } from '../../../simulators/cli/progress-line.js';
import { ConnectionPacer } from '../../../simulators/fleet/connection-pacer.js';
import { LatencyHistogram } from '../../../simulators/fleet/latency-histogram.js';
import { EMPTY_LOAD_STATS } from '../../../simulators/load/load-fleet.js';
import { defaultRate, waitForRampUp } from '../../../simulators/load/load-run.js';
import { splitEvenly } from '../../../simulators/load/load-shards.js';
import {
  distanceKm,
  generateLoadSites,
  isLoadSiteId,
  LOAD_SITE_MAX_KM,
  LOAD_SITE_MIN_KM,
  LOAD_SITE_PREFIX,
} from '../../../simulators/load/load-sites.js';
import { openFileLimit, processesFor, RESERVED_DESCRIPTORS } from '../../../simulators/load/os-limits.js';
import { waitFor } from '../../support/wait.js';

const seeds = await loadSiteSeeds('seeds');
const generate = (count: number, seed = 1, kinds?: ('water-quality' | 'salinity' | 'camera')[]) =>
  generateLoadSites({ count, anchors: seeds, seed, reportingIntervalSec: 30, snapshotBaseUrl: 'http://127.0.0.1:8083/', kinds });

describe('load sites', () => {
  const sites = generate(2000);

  it('are valid, unique, prefixed sites', () => {
    expect(new Set(sites.map((s) => s.id)).size).toBe(2000);
    for (const site of sites) {
      expect(siteSchema.safeParse(site).success, site.id).toBe(true);
      expect(isLoadSiteId(site.id)).toBe(true);
      expect(site.id.startsWith(LOAD_SITE_PREFIX)).toBe(true);
      expect(site.reportingIntervalSec).toBe(30);
    }
    expect(seeds.some((s) => isLoadSiteId(s.id))).toBe(false);
  });

  it('cluster 1–15 km around a seeded site of the same kind, in its province, spread over every seeded site', () => {
    const anchors = new Set<string>();
    for (const site of sites) {
      const anchor = seeds.find((s) => site.id.startsWith(`${LOAD_SITE_PREFIX}${s.id}-`));
      if (!anchor) throw new Error(`no anchor for ${site.id}`);
      anchors.add(anchor.id);
      expect(site.kind).toBe(anchor.kind);
      expect(site.province).toEqual(anchor.province);
      const km = distanceKm(site, anchor);
      expect(km).toBeGreaterThanOrEqual(LOAD_SITE_MIN_KM - 0.01);
      expect(km).toBeLessThanOrEqual(LOAD_SITE_MAX_KM + 0.01);
    }
    expect(anchors.size).toBe(seeds.length);
  });

  it('cameras get a snapshot URL on the load run’s snapshot server', () => {
    const camera = sites.find((s) => s.kind === 'camera');
    expect(camera?.snapshotUrl).toBe(`http://127.0.0.1:8083/snapshots/${camera?.id}.svg`);
    expect(sites.filter((s) => s.kind !== 'camera').every((s) => s.snapshotUrl === undefined)).toBe(true);
  });

  it('are stable for a seed (ids never depend on it), and can be limited to some kinds', () => {
    expect(generate(50)).toEqual(generate(50));
    const other = generate(50, 2);
    expect(other.map((s) => s.id)).toEqual(generate(50).map((s) => s.id));
    expect(other.map((s) => s.lat)).not.toEqual(generate(50).map((s) => s.lat));
    expect(generate(100, 1, ['salinity']).every((s) => s.kind === 'salinity')).toBe(true);
  });

  it('refuses a bad count', () => {
    expect(() => generate(-1)).toThrow(/whole number/);
    expect(generate(0)).toEqual([]);
  });
});

describe('sharding and limits', () => {
  it('splits devices evenly over processes', () => {
    const parts = splitEvenly(
      Array.from({ length: 20_001 }, (_, i) => i),
      3,
    );
    expect(parts.map((p) => p.length)).toEqual([6667, 6667, 6667]);
    expect(parts.flat()).toEqual(Array.from({ length: 20_001 }, (_, i) => i));
    expect(splitEvenly([1, 2], 5)).toEqual([[1], [2]]);
  });

  it('needs one process per open-file budget', () => {
    expect(processesFor(20_000, 20_000)).toBe(2);
    expect(processesFor(20_000 - RESERVED_DESCRIPTORS, 20_000)).toBe(1);
    expect(processesFor(50, 1024)).toBe(1);
    expect(processesFor(50_000, undefined)).toBe(1);
    const limit = openFileLimit();
    if (process.platform === 'linux') expect(limit).toBeGreaterThan(0);
  });

  it('the ramp-up ends when every device is connected, or when connections stop coming', async () => {
    let connected = 0;
    const growing = waitForRampUp(() => ({ connected: Math.min(10, ++connected), devices: 10 }), new AbortController().signal, 1_000, 1);
    expect(await growing).toEqual({ stalled: false });
    const stuck = await waitForRampUp(() => ({ connected: 7, devices: 10 }), new AbortController().signal, 30, 5);
    expect(stuck).toEqual({ stalled: true });
    const controller = new AbortController();
    controller.abort();
    expect(await waitForRampUp(() => ({ connected: 0, devices: 10 }), controller.signal)).toEqual({ stalled: false });
  });

  it('a default rate of one report per device per minute', () => {
    expect(defaultRate(20_000)).toBeCloseTo(333.3, 1);
    expect(defaultRate(10)).toBe(1);
  });
});

describe('connection pacer', () => {
  it('releases at most a burst at once, keeps order, skips cancelled requests and runs delayed ones', async () => {
    const pacer = new ConnectionPacer({ ratePerSec: 200, burst: 5 });
    const ran: number[] = [];
    const cancels = Array.from({ length: 30 }, (_, i) => pacer.request(() => ran.push(i)));
    cancels[3]?.();
    const delayedAt = Date.now() + 100;
    let delayedRanAt = 0;
    pacer.request(() => {
      delayedRanAt = Date.now();
    }, delayedAt);
    expect(ran).toEqual([]);
    await waitFor(() => ran.length >= 5, { message: 'first burst' });
    expect(ran.length).toBeLessThan(29);
    await waitFor(() => ran.length === 29 && delayedRanAt > 0, { message: 'every request' });
    expect(ran).toEqual(Array.from({ length: 30 }, (_, i) => i).filter((i) => i !== 3));
    expect(delayedRanAt).toBeGreaterThanOrEqual(delayedAt);
    expect(pacer.waiting).toBe(0);
    pacer.stop();
  });

  it('keeps at most maxConcurrent attempts in progress until they are released', async () => {
    const pacer = new ConnectionPacer({ ratePerSec: Number.POSITIVE_INFINITY, maxConcurrent: 3 });
    const releases: (() => void)[] = [];
    for (let i = 0; i < 7; i++) pacer.request((release) => releases.push(release));
    await waitFor(() => releases.length === 3, { message: 'the first window' });
    expect(pacer.inProgress).toBe(3);
    releases[0]?.();
    releases[0]?.();
    await waitFor(() => releases.length === 4, { message: 'one more after one release' });
    expect(pacer.inProgress).toBe(3);
    for (const release of releases.slice(1)) release();
    await waitFor(() => releases.length === 7, { message: 'the rest' });
    pacer.stop();
  });

  it('drops everything on stop', async () => {
    const pacer = new ConnectionPacer({ ratePerSec: 1, burst: 1 });
    const ran: number[] = [];
    for (let i = 0; i < 3; i++) pacer.request(() => ran.push(i));
    await waitFor(() => ran.length === 1);
    pacer.stop();
    expect(pacer.waiting).toBe(0);
    pacer.request(() => ran.push(99));
    expect(ran).toEqual([0]);
  });
});

describe('latency histogram and summaries', () => {
  it('percentiles are within 5 % and merge across processes', () => {
    const histogram = new LatencyHistogram();
    for (let i = 1; i <= 1000; i++) histogram.record(i / 10);
    expect(histogram.percentile(0.5)).toBeGreaterThan(50 * 0.95);
    expect(histogram.percentile(0.5)).toBeLessThan(50 * 1.05);
    expect(histogram.percentile(0.99)).toBeGreaterThan(99 * 0.95);
    expect(histogram.percentile(0.99)).toBeLessThanOrEqual(100);
    const other = new LatencyHistogram();
    other.record(500);
    other.merge(histogram.toJSON());
    expect(other.count).toBe(1001);
    expect(other.max).toBe(500);
    expect(new LatencyHistogram().percentile(0.5)).toBe(0);
  });

  it('the progress line and the summary show rates, errors and connections', () => {
    const before = { sent: 100, acked: 90, errors: 0, connected: 10, devices: 20 };
    const after = { sent: 2100, acked: 2090, errors: 3, connected: 20, devices: 20 };
    expect(formatProgress(before, after, 1000, 'load')).toBe(
      'load: 2,000 sent/s · 2,000 acked/s · 3 errors · 20/20 connected · 2,090 acked',
    );
    const summary = formatLoadSummary({
      devices: 20_000,
      shards: 2,
      targetRatePerSec: 2000,
      registerMs: 12_300,
      rampUpMs: 41_000,
      connectedAfterRampUp: 20_000,
      connectedAtEnd: 19_999,
      steadyMs: 600_000,
      sentPerSec: 2410,
      ackedPerSec: 2409,
      reportsPerSec: 1998,
      totals: { ...EMPTY_LOAD_STATS, sent: 1_446_000, ackLatencyMs: { p50: 1.2, p99: 8.4, max: 120 } },
      removed: 20_000,
      interrupted: false,
    });
    expect(summary).toContain('20,000 (2 processes)');
    expect(summary).toContain('41.0 s — 20,000/20,000 connected');
    expect(summary).toContain('p50 1.2 ms · p99 8.4 ms · max 120 ms');
    expect(summary).toContain('load sites removed  20,000');
  });
});
