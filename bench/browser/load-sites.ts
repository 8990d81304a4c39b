/**
 * Synthetic sites for the browser benchmark: `count` sites spread over the Mekong Delta's land
 * (around the seeded stations and across the provinces), half water quality, 30 % salinity, 20 %
 * cameras, ids `LD-<kind>-<n>`. Deterministic for a given count.
 */
import type { Site, SiteKind } from '../../common/sites.js';

/** Province centres (2025 name, former name, lat, lon) the load sites cluster around. */
const AREAS: ReadonlyArray<readonly [string, string, number, number, number]> = [
  ['An Giang', 'Kiên Giang', 9.95, 105.2, 0.35],
  ['An Giang', 'An Giang', 10.45, 105.2, 0.3],
  ['Cần Thơ', 'Hậu Giang', 9.78, 105.6, 0.25],
  ['Cần Thơ', 'Cần Thơ', 10.05, 105.7, 0.2],
  ['Cần Thơ', 'Sóc Trăng', 9.6, 105.95, 0.3],
  ['Cà Mau', 'Cà Mau', 9.15, 105.1, 0.35],
  ['Cà Mau', 'Bạc Liêu', 9.3, 105.6, 0.25],
  ['Vĩnh Long', 'Bến Tre', 10.15, 106.4, 0.25],
  ['Vĩnh Long', 'Trà Vinh', 9.85, 106.3, 0.25],
  ['Đồng Tháp', 'Tiền Giang', 10.35, 106.25, 0.25],
  ['Đồng Tháp', 'Đồng Tháp', 10.55, 105.65, 0.25],
];

/** A small deterministic PRNG (mulberry32). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const KIND_CODE: Readonly<Record<SiteKind, string>> = { 'water-quality': 'WQ', salinity: 'SAL', camera: 'CAM' };

export function loadSites(count: number, snapshotUrl: string): Site[] {
  const next = random(20_250_701);
  const sites: Site[] = [];
  for (let n = 0; n < count; n++) {
    const area = AREAS[n % AREAS.length] ?? AREAS[0];
    if (!area) break;
    const [current, former, lat, lon, spread] = area;
    const roll = next();
    const kind: SiteKind = roll < 0.5 ? 'water-quality' : roll < 0.8 ? 'salinity' : 'camera';
    const angle = next() * 2 * Math.PI;
    const distance = spread * Math.sqrt(next());
    sites.push({
      id: `LD-${KIND_CODE[kind]}-${String(n).padStart(5, '0')}`,
      name: `${former} ${kind === 'camera' ? 'camera' : 'trạm'} ${n}`,
      kind,
      lat: Math.round((lat + distance * Math.sin(angle)) * 1e5) / 1e5,
      lon: Math.round((lon + distance * Math.cos(angle)) * 1e5) / 1e5,
      province: { current, former },
      reportingIntervalSec: 20,
      ...(kind === 'camera' ? { snapshotUrl } : {}),
    });
  }
  return sites;
}

/** A plausible reading of a load site (catalog units). */
export function loadReading(site: Pick<Site, 'kind'>, n: number, ts: number): Record<string, number> {
  const wave = Math.sin(ts / 600_000 + n);
  if (site.kind === 'salinity') return { salinity: Math.round(Math.max(0, 2.5 + 2.4 * wave + (n % 7) / 3) * 100) / 100 };
  if (site.kind === 'water-quality') {
    return { temperature: 29 + wave, ph: 7.4 + 0.3 * wave, do: Math.max(0.5, 4.5 + 2 * wave), cod: 15 + 8 * wave, nh4: 0.4 + 0.3 * wave };
  }
  return { vehicle_count: Math.round(50 + 40 * wave) };
}
