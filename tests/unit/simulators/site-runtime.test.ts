/**
 * A device's brain: what it publishes, cuts and restores tick by tick under each connection-level
 * fault (offline, gap with backfill, battery brown-out, calibration), heartbeats, scripted camera
 * intrusions and scripted environment (DO crash, rain, salinity intrusion).
 */
import { describe, expect, it } from 'vitest';
import type { MetricValues } from '../../../common/metrics.js';
import { eventPayloadSchema, statusPayloadSchema } from '../../../common/payloads.js';
import type { Site } from '../../../common/sites.js';
import { loadSiteSeeds } from '../../../platform/seeds.js';
import { type FaultSpecInput, faultSpecSchema } from '../../../simulators/faults/fault-spec.js';
import { MS_PER_HOUR } from '../../../simulators/models/time.js';
import { SimulationPlan } from '../../../simulators/scenarios/simulation-plan.js';
import { BACKFILL_CHUNK, type SimAction, SiteRuntime } from '../../../simulators/site-runtime.js';

const sites = await loadSiteSeeds('seeds');
const siteById = (id: string): Site => {
  const site = sites.find((s) => s.id === id);
  if (!site) throw new Error(`${id} not seeded`);
  return site;
};
/** 2 March 2026 00:00 UTC+7, dry season. */
const START = Date.UTC(2026, 2, 1, 17);
const STEP = 5 * 60_000;

interface Tick {
  readonly tMs: number;
  readonly actions: readonly SimAction[];
}

function runtimeWith(siteId: string, setup: (plan: SimulationPlan) => void = () => undefined, heartbeatEveryMs?: number): SiteRuntime {
  const plan = new SimulationPlan(sites, false);
  setup(plan);
  return new SiteRuntime({ site: siteById(siteId), seed: 1, plan: plan.forSite(siteId), heartbeatEveryMs });
}

function fault(plan: SimulationPlan, siteId: string, input: FaultSpecInput, atHours: number, forHours?: number): void {
  plan.addFault(
    siteId,
    faultSpecSchema.parse(input),
    START + atHours * MS_PER_HOUR,
    forHours === undefined ? undefined : forHours * MS_PER_HOUR,
    START,
  );
}

function run(runtime: SiteRuntime, hours: number): Tick[] {
  const ticks: Tick[] = [];
  for (let tMs = START; tMs < START + hours * MS_PER_HOUR; tMs += STEP) ticks.push({ tMs, actions: runtime.tick(tMs) });
  return ticks;
}

const publishes = (ticks: readonly Tick[], channel: string) =>
  ticks.flatMap((tick) =>
    tick.actions.filter((a) => a.kind === 'publish' && a.channel === channel).map((a) => ({ tMs: tick.tMs, action: a })),
  );
const bodyOf = (action: SimAction): string =>
  action.kind === 'publish' ? action.body : action.kind === 'restore' ? action.onlineStatus : '';
const kinds = (ticks: readonly Tick[]) => ticks.flatMap((tick) => tick.actions.map((a) => ({ tMs: tick.tMs, kind: a.kind })));
const hoursOf = (tMs: number) => (tMs - START) / MS_PER_HOUR;

describe('connection-level faults', () => {
  it('offline: the link is cut (Last Will) at the start, nothing is measured, and it is restored online at the end', () => {
    const ticks = run(
      runtimeWith('KG-WQ-01', (plan) => fault(plan, 'KG-WQ-01', { type: 'offline' }, 1, 2)),
      4,
    );
    const links = kinds(ticks).filter((k) => k.kind !== 'publish');
    expect(links.map((k) => [k.kind, hoursOf(k.tMs)])).toEqual([
      ['cut', 1],
      ['restore', 3],
    ]);
    const telemetry = publishes(ticks, 'telemetry');
    expect(telemetry.some(({ tMs }) => tMs >= START + MS_PER_HOUR && tMs < START + 3 * MS_PER_HOUR)).toBe(false);
    expect(telemetry).toHaveLength(4 * 12 - 2 * 12);
    const restore = ticks.flatMap((t) => t.actions).find((a) => a.kind === 'restore');
    expect(statusPayloadSchema.parse(JSON.parse(restore ? bodyOf(restore) : 'null')).status).toBe('online');
  });

  it('gap: readings taken meanwhile are sent as backfill arrays at their original timestamps, before the current one', () => {
    const runtime = runtimeWith('KG-SAL-01', (plan) => fault(plan, 'KG-SAL-01', { type: 'gap' }, 1, 2));
    const clean = run(runtimeWith('KG-SAL-01'), 4);
    const ticks = run(runtime, 4);
    const restoreTick = ticks.find((t) => t.actions.some((a) => a.kind === 'restore'));
    expect(restoreTick && hoursOf(restoreTick.tMs)).toBe(3);
    const [restore, backfill, current] = restoreTick?.actions ?? [];
    expect(restore?.kind).toBe('restore');
    const array = JSON.parse(backfill ? bodyOf(backfill) : '[]') as { ts: number; values: MetricValues }[];
    expect(Array.isArray(array)).toBe(true);
    expect(array.map((entry) => entry.ts)).toEqual(Array.from({ length: 24 }, (_, i) => START + MS_PER_HOUR + i * STEP));
    // The same measurements the clean device published at those times.
    const cleanByTs = new Map(publishes(clean, 'telemetry').map(({ tMs, action }) => [tMs, JSON.parse(bodyOf(action))]));
    for (const entry of array) expect(entry).toEqual(cleanByTs.get(entry.ts));
    expect(JSON.parse(current ? bodyOf(current) : '{}').ts).toBe(restoreTick?.tMs);
    expect(runtime.stats.backfilled).toBe(24);
  });

  it('gap without disconnect keeps the link; long gaps are split into chunks', () => {
    const runtime = runtimeWith('KG-SAL-01', (plan) => fault(plan, 'KG-SAL-01', { type: 'gap', disconnect: false }, 0, 50));
    const ticks: Tick[] = [];
    for (let tMs = START; tMs <= START + 50 * MS_PER_HOUR; tMs += 60_000) ticks.push({ tMs, actions: runtime.tick(tMs) });
    expect(kinds(ticks).some((k) => k.kind === 'cut' || k.kind === 'restore')).toBe(false);
    const last = ticks.at(-1)?.actions ?? [];
    const arrays = last.filter((a) => bodyOf(a).startsWith('['));
    expect(arrays.length).toBe(Math.ceil(3000 / BACKFILL_CHUNK));
    expect(arrays.reduce((n, a) => n + (JSON.parse(bodyOf(a)) as unknown[]).length, 0)).toBe(3000);
  });

  it('battery sag: a worn battery browns out before dawn (Last Will) and comes back in the morning, reporting its voltage', () => {
    const runtime = runtimeWith('KG-WQ-06', (plan) =>
      fault(plan, 'KG-WQ-06', { type: 'battery-sag', sagV: 1.6, cutoffV: 11, recoverV: 11.4 }, 0),
    );
    const ticks = run(runtime, 24);
    const links = kinds(ticks).filter((k) => k.kind !== 'publish');
    expect(links.map((k) => k.kind)).toEqual(['cut', 'restore']);
    const [cut, restore] = links.map((k) => hoursOf(k.tMs));
    expect(cut).toBeGreaterThan(0);
    expect(cut).toBeLessThan(6);
    expect(restore).toBeGreaterThan(6);
    expect(restore).toBeLessThan(10);
    const voltages = publishes(ticks, 'telemetry').map(
      ({ action }) => (JSON.parse(bodyOf(action)) as { values: MetricValues }).values.battery,
    );
    expect(voltages.every((v) => v !== undefined && v >= 11 && v < 14)).toBe(true);
  });

  it('calibration: status maintenance for the window, then online again', () => {
    const ticks = run(
      runtimeWith('KG-WQ-03', (plan) => fault(plan, 'KG-WQ-03', { type: 'calibration' }, 2, 1)),
      4,
    );
    const statuses = publishes(ticks, 'status').map(({ tMs, action }) => [
      hoursOf(tMs),
      statusPayloadSchema.parse(JSON.parse(bodyOf(action))).status,
    ]);
    expect(statuses).toEqual([
      [2, 'maintenance'],
      [3, 'online'],
    ]);
  });
});

describe('heartbeats, intrusions and environment', () => {
  it('with a heartbeat period, a station publishes its status at most once per period', () => {
    const ticks = run(runtimeWith('KG-WQ-01', undefined, 15 * 60_000), 3);
    const statusHours = publishes(ticks, 'status').map(({ tMs }) => hoursOf(tMs));
    expect(statusHours).toEqual(Array.from({ length: 12 }, (_, i) => i / 4));
    expect(publishes(run(runtimeWith('KG-WQ-01'), 3), 'status')).toEqual([]);
  });

  it('a scripted camera intrusion is reported once, at the first tick at or after it', () => {
    const runtime = runtimeWith('KG-CAM-05', (plan) =>
      plan.addEvent(
        { type: 'intrusion', site: 'KG-CAM-05', at: 2 * MS_PER_HOUR + 60_000, zone: 'fire zone', objects: 2, severity: 'critical' },
        START,
        [],
      ),
    );
    const ticks = run(runtime, 4);
    const intrusions = publishes(ticks, 'events')
      .map(({ tMs, action }) => ({ tMs, event: eventPayloadSchema.parse(JSON.parse(bodyOf(action))) }))
      .filter(({ event }) => event.type === 'intrusion');
    expect(intrusions).toHaveLength(1);
    expect(hoursOf(intrusions[0]?.tMs ?? 0)).toBeCloseTo(2 + 5 / 60, 5);
    expect(intrusions[0]?.event).toMatchObject({ severity: 'critical', data: { zone: 'fire zone', objects: 2 } });
    expect(runtime.camera?.lastIntrusion?.zone).toBe('fire zone');
  });

  it('a DO crash pulls DO to its floor inside the window only; rain muddies and freshens; an intrusion adds salt', () => {
    const series = (runtime: SiteRuntime, metric: keyof MetricValues) =>
      publishes(run(runtime, 24), 'telemetry').map(({ tMs, action }) => ({
        h: hoursOf(tMs),
        v: (JSON.parse(bodyOf(action)) as { values: MetricValues }).values[metric] ?? Number.NaN,
      }));
    const crashed = series(
      runtimeWith('KG-WQ-04', (plan) =>
        plan.addEvent(
          { type: 'do-crash', site: 'KG-WQ-04', at: 4 * MS_PER_HOUR, for: 6 * MS_PER_HOUR, minDo: 1.5, ramp: 2 * MS_PER_HOUR },
          START,
          [],
        ),
      ),
      'do',
    );
    const calm = series(runtimeWith('KG-WQ-04'), 'do');
    const inside = crashed.filter(({ h }) => h >= 6 && h < 10);
    expect(Math.max(...inside.map(({ v }) => v))).toBeLessThan(1.8);
    const outside = crashed.filter(({ h }) => h < 4 || h >= 12);
    expect(outside.map(({ v }) => v)).toEqual(calm.filter(({ h }) => h < 4 || h >= 12).map(({ v }) => v));

    const rain = (runtime: SiteRuntime) => series(runtime, 'turbidity');
    const wet = rain(
      runtimeWith('HG-WQ-02', (plan) =>
        plan.addEvent({ type: 'rain', at: 10 * MS_PER_HOUR, for: 3 * MS_PER_HOUR, intensity: 1 }, START, ['HG-WQ-02']),
      ),
    );
    const dry = rain(runtimeWith('HG-WQ-02'));
    const mean = (xs: { h: number; v: number }[], from: number, to: number) => {
      const window = xs.filter(({ h }) => h >= from && h < to);
      return window.reduce((a, { v }) => a + v, 0) / window.length;
    };
    expect(mean(wet, 11, 15)).toBeGreaterThan(1.8 * mean(dry, 11, 15));
    expect(mean(wet, 0, 10)).toBeCloseTo(mean(dry, 0, 10), 5);

    const salty = series(
      runtimeWith('KG-SAL-03', (plan) =>
        plan.addEvent(
          { type: 'salinity-intrusion', site: 'KG-SAL-03', at: 2 * MS_PER_HOUR, extraPpt: 3, ramp: 4 * MS_PER_HOUR },
          START,
          [],
        ),
      ),
      'salinity',
    );
    const fresh = series(runtimeWith('KG-SAL-03'), 'salinity');
    expect(mean(salty, 8, 24) - mean(fresh, 8, 24)).toBeGreaterThan(2);
    expect(mean(salty, 0, 2)).toBeCloseTo(mean(fresh, 0, 2), 5);
  });
});
