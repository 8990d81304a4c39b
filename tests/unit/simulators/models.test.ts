import { describe, expect, it } from 'vitest';
import { isMetricId, METRICS, type MetricValues } from '../../../common/metrics.js';
import { eventPayloadSchema, type StatusPayload, statusPayloadSchema, timedValuesSchema } from '../../../common/payloads.js';
import type { Site } from '../../../common/sites.js';
import { loadSiteSeeds } from '../../../platform/seeds.js';
import { type CameraBehaviour, createBehaviour, type OutgoingMessage } from '../../../simulators/behaviours.js';
import type { ModelSite } from '../../../simulators/models/model-site.js';
import { salinityStationValues } from '../../../simulators/models/salinity-station.js';
import { tideLevel } from '../../../simulators/models/tide.js';
import { localHourOfDay, MS_PER_DAY, MS_PER_HOUR } from '../../../simulators/models/time.js';
import { SALINITY_PER_MICROSIEMENS } from '../../../simulators/models/water-chemistry.js';
import { waterQualityValues } from '../../../simulators/models/water-quality.js';
import { profileFor, type SalinityProfile, type WaterQualityProfile } from '../../../simulators/profiles.js';
import { deriveSeed, mulberry32 } from '../../../simulators/random.js';

const sites = await loadSiteSeeds('seeds');
const byKind = (kind: Site['kind']) => sites.filter((site) => site.kind === kind);

/** Local midnight (UTC+7) of 1 April 2026: the dry season, when salinity intrudes furthest. */
const DRY_SEASON = Date.UTC(2026, 3, 1) - 7 * MS_PER_HOUR;
/** Local midnight of 1 October 2026: the flood season. */
const FLOOD_SEASON = Date.UTC(2026, 9, 1) - 7 * MS_PER_HOUR;

function modelSite<P>(site: Site, seed = 1): ModelSite<P> {
  return { id: site.id, profile: profileFor(site) as P, seed: deriveSeed(seed, site.id, 'slow') };
}

/** `{t, value}` of one metric every `stepMs` for `days` days from `from`. */
function series(values: (t: number) => MetricValues, metric: keyof MetricValues, from: number, days: number, stepMs: number) {
  const out: { t: number; value: number }[] = [];
  for (let t = from; t < from + days * MS_PER_DAY; t += stepMs) {
    const value = values(t)[metric];
    if (value === undefined) throw new Error(`${metric} missing at ${t}`);
    out.push({ t, value });
  }
  return out;
}

/** Local hour of the minimum and maximum of each local day. */
function dailyExtremes(points: readonly { t: number; value: number }[], from: number, days: number) {
  return Array.from({ length: days }, (_, day) => {
    const start = from + day * MS_PER_DAY;
    const inDay = points.filter((p) => p.t >= start && p.t < start + MS_PER_DAY);
    const min = inDay.reduce((a, b) => (b.value < a.value ? b : a));
    const max = inDay.reduce((a, b) => (b.value > a.value ? b : a));
    return { minHour: localHourOfDay(min.t), maxHour: localHourOfDay(max.t), min: min.value, max: max.value };
  });
}

/** Full cycles of a series, counted with hysteresis around its mean (noise cannot add crossings). */
function cycles(values: readonly number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const band = (Math.max(...values) - Math.min(...values)) * 0.15;
  let state: 'low' | 'high' | undefined;
  let count = 0;
  for (const v of values) {
    if (v > mean + band) {
      if (state === 'low') count++;
      state = 'high';
    } else if (v < mean - band) {
      state = 'low';
    }
  }
  return count;
}

function expectCatalogValid(values: MetricValues, context: string): void {
  for (const [metric, value] of Object.entries(values)) {
    expect(isMetricId(metric), `${context}: ${metric} is a catalog metric`).toBe(true);
    if (!isMetricId(metric) || value === undefined) continue;
    const { min, max, decimals } = METRICS[metric];
    expect(Number.isFinite(value), `${context}: ${metric} finite`).toBe(true);
    expect(value, `${context}: ${metric} ≥ ${min}`).toBeGreaterThanOrEqual(min);
    expect(value, `${context}: ${metric} ≤ ${max}`).toBeLessThanOrEqual(max);
    expect(Number(value.toFixed(decimals)), `${context}: ${metric} has at most ${decimals} decimals`).toBe(value);
  }
}

function expectValidStatus(payload: StatusPayload, siteId: string): void {
  expect(statusPayloadSchema.safeParse(payload).success, `${siteId} status schema`).toBe(true);
  expectCatalogValid({ battery: payload.battery, rssi: payload.rssi }, `${siteId} status`);
}

describe('determinism', () => {
  const ticks = (site: Site, seed: number) => {
    const behaviour = createBehaviour(site, seed);
    return Array.from({ length: 50 }, (_, i) => behaviour.tick(DRY_SEASON + i * 5_000));
  };

  it.each(sites.map((site) => [site.id, site] as const))('%s produces the same messages for the same seed and clock', (_id, site) => {
    expect(ticks(site, 11)).toEqual(ticks(site, 11));
  });

  it('a different seed gives different noise', () => {
    const site = byKind('water-quality')[0];
    if (!site) throw new Error('no water-quality site seeded');
    expect(ticks(site, 11)).not.toEqual(ticks(site, 12));
  });
});

describe('water quality', () => {
  const days = 7;
  const step = 10 * 60_000;

  it.each(byKind('water-quality').map((site) => [site.id, site] as const))(
    '%s: DO bottoms out before dawn and peaks mid-afternoon, pH and temperature peak in the afternoon',
    (_id, site) => {
      const model = modelSite<WaterQualityProfile>(site);
      const rng = mulberry32(5);
      const values = (t: number) => waterQualityValues(t, model, rng);
      for (const day of dailyExtremes(series(values, 'do', DRY_SEASON, days, step), DRY_SEASON, days)) {
        expect(day.minHour).toBeGreaterThanOrEqual(3.5);
        expect(day.minHour).toBeLessThanOrEqual(7);
        expect(day.maxHour).toBeGreaterThanOrEqual(12.5);
        expect(day.maxHour).toBeLessThanOrEqual(16.5);
        expect(day.max - day.min).toBeGreaterThan(1);
      }
      for (const metric of ['ph', 'temperature'] as const) {
        for (const day of dailyExtremes(series(values, metric, DRY_SEASON, days, step), DRY_SEASON, days)) {
          expect(day.maxHour, `${metric} peak hour`).toBeGreaterThanOrEqual(12);
          expect(day.maxHour, `${metric} peak hour`).toBeLessThanOrEqual(17.5);
        }
      }
    },
  );

  it('stays in typical Mekong ranges: DO 2–8 mg/L, pH 7.2–8.4, 27–32 °C; conductivity matches salinity', () => {
    for (const site of byKind('water-quality')) {
      const model = modelSite<WaterQualityProfile>(site);
      const rng = mulberry32(8);
      for (let t = DRY_SEASON; t < DRY_SEASON + 10 * MS_PER_DAY; t += 7 * 60_000) {
        const v = waterQualityValues(t, model, rng);
        const context = `${site.id} at ${new Date(t).toISOString()}`;
        expect(v.do, context).toBeGreaterThanOrEqual(1.9);
        expect(v.do, context).toBeLessThanOrEqual(8.1);
        expect(v.ph, context).toBeGreaterThanOrEqual(7.15);
        expect(v.ph, context).toBeLessThanOrEqual(8.45);
        expect(v.temperature, context).toBeGreaterThanOrEqual(26.8);
        expect(v.temperature, context).toBeLessThanOrEqual(32.2);
        expect(v.turbidity, context).toBeGreaterThan(0);
        expect(v.nh4, context).toBeLessThanOrEqual(2.2);
        const salinity = v.salinity ?? Number.NaN;
        const fromConductivity = (v.conductivity ?? Number.NaN) * SALINITY_PER_MICROSIEMENS;
        expect(Math.abs(fromConductivity - salinity), context).toBeLessThanOrEqual(Math.max(0.01, salinity * 0.02));
      }
    }
  });

  it('coastal sites are brackish, inland canals fresh', () => {
    const salinityAt = (id: string) => {
      const site = sites.find((s) => s.id === id);
      if (!site) throw new Error(`${id} not seeded`);
      return waterQualityValues(DRY_SEASON + 12 * MS_PER_HOUR, modelSite(site), mulberry32(1)).salinity ?? Number.NaN;
    };
    expect(salinityAt('KG-WQ-04')).toBeGreaterThan(25);
    expect(salinityAt('KG-WQ-01')).toBeGreaterThan(5);
    expect(salinityAt('HG-WQ-02')).toBeLessThan(1);
  });
});

describe('salinity stations', () => {
  const days = 10;
  const step = 15 * 60_000;

  it.each(byKind('salinity').map((site) => [site.id, site] as const))('%s: salinity rises on each high water', (_id, site) => {
    const model = modelSite<SalinityProfile>(site);
    const rng = mulberry32(3);
    const points = series((t) => salinityStationValues(t, model, rng), 'salinity', DRY_SEASON, days, step);
    const perDay = model.profile.tide === 'diurnal' ? 1 : 2;
    const counted = cycles(points.map((p) => p.value));
    expect(counted).toBeGreaterThanOrEqual(days * perDay - 2);
    expect(counted).toBeLessThanOrEqual(days * perDay + 1);
    if (model.profile.tide === 'diurnal') {
      // West Sea: the early-morning high water reaches the station after its lag; salinity peaks about an hour later.
      const expected = (5 + model.profile.tideLagHours + 1) % 24;
      for (const day of dailyExtremes(points, DRY_SEASON, days)) {
        const distance = Math.min(Math.abs(day.maxHour - expected), 24 - Math.abs(day.maxHour - expected));
        expect(distance).toBeLessThanOrEqual(3);
      }
    }
  });

  it('West Sea and East Sea regimes are both present among the seeded stations', () => {
    const regimes = new Set(byKind('salinity').map((site) => (profileFor(site) as SalinityProfile).tide));
    expect(regimes).toEqual(new Set(['diurnal', 'semidiurnal']));
  });

  it('Cái Lớn stations read 0.5–6 ‰ in the dry season and less in the flood season', () => {
    for (const id of ['KG-SAL-01', 'KG-SAL-02', 'KG-SAL-03']) {
      const site = sites.find((s) => s.id === id);
      if (!site) throw new Error(`${id} not seeded`);
      const model = modelSite<SalinityProfile>(site);
      const rng = mulberry32(4);
      const dry = series((t) => salinityStationValues(t, model, rng), 'salinity', DRY_SEASON, 7, step).map((p) => p.value);
      const wet = series((t) => salinityStationValues(t, model, rng), 'salinity', FLOOD_SEASON, 7, step).map((p) => p.value);
      expect(Math.min(...dry)).toBeGreaterThanOrEqual(0.45);
      expect(Math.max(...dry)).toBeLessThanOrEqual(6.5);
      expect(Math.max(...wet)).toBeLessThan(Math.max(...dry) / 2);
    }
  });

  it('water level follows the tide', () => {
    const site = sites.find((s) => s.id === 'KG-SAL-01');
    if (!site) throw new Error('KG-SAL-01 not seeded');
    const model = modelSite<SalinityProfile>(site);
    const rng = mulberry32(2);
    const pairs: [number, number][] = [];
    for (let t = DRY_SEASON; t < DRY_SEASON + 5 * MS_PER_DAY; t += step) {
      const level = salinityStationValues(t, model, rng).water_level ?? Number.NaN;
      pairs.push([tideLevel(t, { regime: model.profile.tide, lagHours: model.profile.tideLagHours }), level]);
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const mx = mean(pairs.map((p) => p[0]));
    const my = mean(pairs.map((p) => p[1]));
    const cov = mean(pairs.map(([x, y]) => (x - mx) * (y - my)));
    const sx = Math.sqrt(mean(pairs.map(([x]) => (x - mx) ** 2)));
    const sy = Math.sqrt(mean(pairs.map(([, y]) => (y - my) ** 2)));
    expect(cov / (sx * sy)).toBeGreaterThan(0.97);
  });
});

describe('cameras', () => {
  const cameras = byKind('camera');

  it('report a heartbeat every tick, analytics on the first and now and then after', () => {
    for (const site of cameras) {
      const behaviour = createBehaviour(site, 9);
      const ticks = Array.from({ length: 400 }, (_, i) => behaviour.tick(DRY_SEASON + i * 10_000));
      expect(ticks.every((messages) => messages.some((m) => m.channel === 'status' && m.payload.status === 'online'))).toBe(true);
      expect(ticks[0]?.some((m) => m.channel === 'events')).toBe(true);
      const withEvents = ticks.filter((messages) => messages.some((m) => m.channel === 'events')).length;
      expect(withEvents / ticks.length).toBeGreaterThan(0.2);
      expect(withEvents / ticks.length).toBeLessThan(0.45);
    }
  });

  it('the analytics event, the telemetry value and the remembered observation agree', () => {
    for (const site of cameras) {
      const behaviour = createBehaviour(site, 9) as CameraBehaviour;
      const messages = behaviour.tick(DRY_SEASON + 8 * MS_PER_HOUR);
      const event = messages.find((m): m is Extract<OutgoingMessage, { channel: 'events' }> => m.channel === 'events');
      const telemetry = messages.find((m): m is Extract<OutgoingMessage, { channel: 'telemetry' }> => m.channel === 'telemetry');
      const observation = behaviour.lastObservation;
      expect(observation).toBeDefined();
      if (!event || !telemetry || !observation) continue;
      expect(event.payload.type).toBe(observation.analytics.metric);
      expect(telemetry.payload.values[observation.analytics.metric]).toBe(observation.analytics.value);
      expect(Object.values(event.payload.data ?? {})).toContain(observation.analytics.value);
    }
  });

  it('are busier at rush hour than at night', () => {
    const site = cameras.find((s) => s.id === 'KG-CAM-01');
    if (!site) throw new Error('KG-CAM-01 not seeded');
    const average = (localHour: number) => {
      const behaviour = createBehaviour(site, 4);
      let sum = 0;
      for (let day = 0; day < 60; day++) {
        const vehicles = behaviour.tick(DRY_SEASON + day * MS_PER_DAY + localHour * MS_PER_HOUR).find((m) => m.channel === 'telemetry');
        sum += vehicles?.channel === 'telemetry' ? (vehicles.payload.values.vehicle_count ?? 0) : 0;
      }
      return sum;
    };
    expect(average(7)).toBeGreaterThan(3 * average(2));
  });
});

describe('every generated value is valid against the catalog', () => {
  it.each(sites.map((site) => [site.id, site] as const))('%s over a year', (_id, site) => {
    const behaviour = createBehaviour(site, 21);
    const start = Date.UTC(2026, 0, 1);
    for (let t = start; t < start + 365 * MS_PER_DAY; t += 9 * MS_PER_HOUR + 7 * 60_000) {
      expectValidStatus(behaviour.onlineStatus(t), site.id);
      for (const message of behaviour.tick(t)) {
        if (message.channel === 'telemetry') {
          expect(timedValuesSchema.safeParse(message.payload).success).toBe(true);
          expectCatalogValid(message.payload.values, `${site.id} telemetry`);
        }
        if (message.channel === 'status') expectValidStatus(message.payload, site.id);
        if (message.channel === 'events') expect(eventPayloadSchema.safeParse(message.payload).success).toBe(true);
      }
    }
  });

  it('sites without a hand-written profile get a valid derived one', () => {
    const extra: Site[] = ['water-quality', 'salinity', 'camera'].flatMap((kind, k) =>
      Array.from({ length: 20 }, (_, i) => ({
        id: `LOAD-${k}-${i}`,
        name: `load ${i}`,
        kind: kind as Site['kind'],
        lat: 9 + i * 0.05,
        lon: 104.5 + i * 0.08,
        province: { former: 'Kiên Giang', current: 'An Giang' },
        reportingIntervalSec: 5,
        ...(kind === 'camera' ? { snapshotUrl: `http://127.0.0.1:8083/snapshots/LOAD-${k}-${i}.svg` } : {}),
      })),
    );
    for (const site of extra) {
      expect(profileFor(site)).toEqual(profileFor(site));
      expect(profileFor(site).kind).toBe(site.kind);
      const behaviour = createBehaviour(site, 1);
      for (let t = DRY_SEASON; t < DRY_SEASON + 2 * MS_PER_DAY; t += 37 * 60_000) {
        for (const message of behaviour.tick(t)) {
          if (message.channel === 'telemetry') expectCatalogValid(message.payload.values, `${site.id} telemetry`);
        }
      }
    }
  });
});
