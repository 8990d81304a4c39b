/**
 * Deterministic telemetry for the web app's end-to-end tests: 24 hours of history at a fixed step
 * for every seeded site (so charts, CSV and the replay have data) and a current reading, with
 * salinity spanning the map's 1 ‰ / 4 ‰ colour steps and water quality spanning several VN_WQI
 * bands. Values in catalog units.
 */
import type { Site } from '../../../common/sites.js';

/** History step, ms. */
export const HISTORY_STEP_MS = 10 * 60 * 1000;
/** History length, ms. */
export const HISTORY_SPAN_MS = 24 * 3600 * 1000;

/** Salinity level per seeded salinity site, ‰ (below 1, between 1 and 4, above 4). */
const SALINITY_LEVEL: Readonly<Record<string, number>> = {
  'KG-SAL-01': 0.6,
  'KG-SAL-02': 2.4,
  'KG-SAL-03': 5.3,
  'HG-SAL-01': 0.9,
  'HG-SAL-02': 3.1,
  'HG-SAL-03': 1.6,
};

const hash = (text: string) => [...text].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);

/** Values of one site at `ts` (epoch ms): smooth daily cycles around per-site levels. */
export function demoValues(site: Pick<Site, 'id' | 'kind'>, ts: number): Record<string, number> {
  const seed = hash(site.id);
  const day = Math.sin(((ts / 3_600_000 + (seed % 24)) / 24) * 2 * Math.PI);
  const round = (value: number, decimals: number) => Math.round(value * 10 ** decimals) / 10 ** decimals;
  if (site.kind === 'salinity') {
    const level = SALINITY_LEVEL[site.id] ?? 1 + (seed % 50) / 10;
    return { salinity: round(Math.max(0, level * (1 + 0.25 * day)), 2), water_level: round(0.4 + 0.3 * day, 2), battery: 12.6 };
  }
  if (site.kind === 'water-quality') {
    const quality = (seed % 5) / 4; // 0 = clean … 1 = polluted
    return {
      temperature: round(29 + 1.5 * day, 1),
      ph: round(7.6 + 0.3 * day - quality * 0.4, 2),
      do: round(Math.max(0.5, 6.2 - quality * 3.6 + 1.2 * day), 2),
      cod: round(9 + quality * 30 + 2 * day, 1),
      nh4: round(0.15 + quality * 1.4, 2),
      po4: round(0.08 + quality * 0.3, 3),
      salinity: round(3 + (seed % 10), 2),
    };
  }
  return { vehicle_count: Math.round(40 + 30 * (1 + day)), battery: 12.4 };
}

/** History readings of one site over the last {@link HISTORY_SPAN_MS} up to `now`. */
export function demoHistory(site: Pick<Site, 'id' | 'kind'>, now: number): Array<{ ts: number; values: Record<string, number> }> {
  const readings: Array<{ ts: number; values: Record<string, number> }> = [];
  const start = Math.floor((now - HISTORY_SPAN_MS) / HISTORY_STEP_MS) * HISTORY_STEP_MS + HISTORY_STEP_MS;
  for (let ts = start; ts < now - 60_000; ts += HISTORY_STEP_MS) readings.push({ ts, values: demoValues(site, ts) });
  return readings;
}
