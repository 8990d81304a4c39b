/**
 * Synthetic sites for load mode: `count` sites scattered around the seeded ones, so thousands of
 * devices look like a province's real network on the map — each takes the kind and province of
 * the seeded site it clusters around and lies 1–15 km from it. Ids are stable for a given anchor
 * and index (`LD-KG-WQ-01-00042`), so a run finds what an interrupted run left behind, and they
 * all start with {@link LOAD_SITE_PREFIX} so they are never confused with real sites.
 */
import { type Site, type SiteKind, siteSchema } from '../../common/sites.js';
import { AppError } from '../../platform/errors.js';
import { deriveSeed, mulberry32 } from '../random.js';

/** Every load site id starts with this; `--cleanup` removes registered sites with it. */
export const LOAD_SITE_PREFIX = 'LD-';

/** Closest and farthest a load site lies from its anchor, km. */
export const LOAD_SITE_MIN_KM = 1;
export const LOAD_SITE_MAX_KM = 15;

const KM_PER_DEGREE_LAT = 111.32;

export interface LoadSiteOptions {
  /** How many sites. */
  readonly count: number;
  /** Seeded sites to cluster around (round-robin over those of the wanted kinds). */
  readonly anchors: readonly Site[];
  /** Seed of the positions. */
  readonly seed: number;
  /** The sites' reporting interval, s (drives when the map shows them stale). */
  readonly reportingIntervalSec: number;
  /** Base of camera snapshot URLs, e.g. `http://127.0.0.1:8083` (the load run's snapshot server). */
  readonly snapshotBaseUrl: string;
  /** Only anchors of these kinds; default every kind. */
  readonly kinds?: readonly SiteKind[];
}

/** Whether `siteId` is a load site id. */
export function isLoadSiteId(siteId: string): boolean {
  return siteId.startsWith(LOAD_SITE_PREFIX);
}

/** The load sites; throws `bad_request` when no anchor has a wanted kind. */
export function generateLoadSites(options: LoadSiteOptions): Site[] {
  const { count, seed, reportingIntervalSec } = options;
  if (!Number.isSafeInteger(count) || count < 0) throw new AppError('bad_request', `device count must be a whole number ≥ 0, got ${count}`);
  const anchors = options.anchors.filter(
    (site) => !isLoadSiteId(site.id) && (options.kinds === undefined || options.kinds.includes(site.kind)),
  );
  if (anchors.length === 0)
    throw new AppError('bad_request', `no seeded site of kind ${options.kinds?.join(', ') ?? 'any'} to place load sites around`);
  const base = options.snapshotBaseUrl.replace(/\/$/, '');
  const width = Math.max(5, String(Math.ceil(count / anchors.length)).length);
  const sites: Site[] = [];
  for (let i = 0; i < count; i++) {
    const anchor = anchors[i % anchors.length] as Site;
    const n = Math.floor(i / anchors.length) + 1;
    const id = `${LOAD_SITE_PREFIX}${anchor.id}-${String(n).padStart(width, '0')}`;
    const rng = mulberry32(deriveSeed(seed, id, 'position'));
    // Uniform over the ring between the two radii.
    const radiusKm = Math.sqrt(LOAD_SITE_MIN_KM ** 2 + rng() * (LOAD_SITE_MAX_KM ** 2 - LOAD_SITE_MIN_KM ** 2));
    const bearing = 2 * Math.PI * rng();
    const lat = anchor.lat + (radiusKm * Math.cos(bearing)) / KM_PER_DEGREE_LAT;
    const lon = anchor.lon + (radiusKm * Math.sin(bearing)) / (KM_PER_DEGREE_LAT * Math.cos((anchor.lat * Math.PI) / 180));
    const site: Site = {
      id,
      name: `${anchor.name} · load ${n}`,
      kind: anchor.kind,
      lat: Number(lat.toFixed(5)),
      lon: Number(lon.toFixed(5)),
      province: { ...anchor.province },
      reportingIntervalSec,
      ...(anchor.kind === 'camera' ? { snapshotUrl: `${base}/snapshots/${id}.svg` } : {}),
    };
    sites.push(siteSchema.parse(site));
  }
  return sites;
}

/** Great-circle distance between two points, km (for tests and checks). */
export function distanceKm(a: Pick<Site, 'lat' | 'lon'>, b: Pick<Site, 'lat' | 'lon'>): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}
