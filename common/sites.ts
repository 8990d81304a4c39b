/**
 * Sites: the physical places the IOC watches. The schema here validates seeds/ at startup and
 * describes sites in the REST API, so the browser and the servers agree on what a site is.
 */
import { z } from 'zod';

/** Kinds of site on the map. Each kind has its own marker, simulator and alert presets. */
export const SITE_KINDS = ['water-quality', 'salinity', 'camera'] as const;
export type SiteKind = (typeof SITE_KINDS)[number];

/**
 * Stable site id such as `KG-WQ-01`: upper-case letters, digits and dashes, 2–64 characters. It is
 * the device's MQTT username and a topic level, so it may never contain `/`, `+`, `#` or `:`.
 * Province names are attributes, never part of the id (provinces were merged in 2025).
 */
export const siteIdSchema = z
  .string()
  .regex(/^[A-Z0-9][A-Z0-9-]{1,63}$/, 'site id must be 2–64 characters of A–Z, 0–9 and "-", starting with a letter or digit');
export type SiteId = z.infer<typeof siteIdSchema>;

/** Province before and after the 1 July 2025 merger, so old reports and new maps both make sense. */
export const provinceSchema = z.object({
  /** Name before 1 July 2025, e.g. "Kiên Giang". */
  former: z.string().min(1),
  /** Name after the merger, e.g. "An Giang". */
  current: z.string().min(1),
});
export type Province = z.infer<typeof provinceSchema>;

/** A site as declared in seeds/sites.json and served by `GET /api/sites/{id}`. */
export const siteSchema = z
  .object({
    id: siteIdSchema,
    name: z.string().min(1).max(200),
    kind: z.enum(SITE_KINDS),
    /** WGS84 latitude, degrees. */
    lat: z.number().min(-90).max(90),
    /** WGS84 longitude, degrees. */
    lon: z.number().min(-180).max(180),
    province: provinceSchema,
    /** Expected seconds between two reports (telemetry, or heartbeat for cameras); drives staleness. */
    reportingIntervalSec: z.number().int().positive().max(86_400),
    /** Cameras only: where the latest JPEG snapshot is fetched over HTTP (never over MQTT); http(s) URLs only. */
    snapshotUrl: z.url({ protocol: /^https?$/, error: 'use an http:// or https:// URL' }).optional(),
  })
  .strict()
  .superRefine((site, ctx) => {
    if (site.kind === 'camera' && !site.snapshotUrl) {
      ctx.addIssue({ code: 'custom', path: ['snapshotUrl'], message: 'cameras need a snapshotUrl' });
    }
    if (site.kind !== 'camera' && site.snapshotUrl) {
      ctx.addIssue({ code: 'custom', path: ['snapshotUrl'], message: 'only cameras have a snapshotUrl' });
    }
  });
export type Site = z.infer<typeof siteSchema>;

/** The seeds/sites.json file: a list of sites with unique ids. */
export const siteListSchema = z.array(siteSchema).superRefine((sites, ctx) => {
  const seen = new Map<string, number>();
  sites.forEach((site, index) => {
    const first = seen.get(site.id);
    if (first !== undefined) {
      ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `duplicate site id ${site.id} (first at index ${first})` });
    } else {
      seen.set(site.id, index);
    }
  });
});

/** Connection status a device reports on its retained status topic (offline also via Last Will). */
export const DEVICE_STATUSES = ['online', 'offline', 'maintenance'] as const;
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];

/**
 * What the map shows: the device status, or `stale` when an online device has not reported for
 * {@link STALE_AFTER_INTERVALS} × its reporting interval, or `unknown` before it ever reported.
 */
export type SiteStatus = DeviceStatus | 'stale' | 'unknown';

/** How many missed reporting intervals make an online site stale. */
export const STALE_AFTER_INTERVALS = 3;

/**
 * Derives the status shown on the map from the last reported device status and the last time
 * anything was heard from the site. Pure, so the server and the browser compute the same answer.
 */
export function effectiveSiteStatus(
  reported: DeviceStatus | undefined,
  lastSeenMs: number | undefined,
  reportingIntervalSec: number,
  nowMs: number,
): SiteStatus {
  if (lastSeenMs === undefined) return reported ?? 'unknown';
  if (reported === 'offline' || reported === 'maintenance') return reported;
  const staleAfterMs = STALE_AFTER_INTERVALS * reportingIntervalSec * 1000;
  return nowMs - lastSeenMs > staleAfterMs ? 'stale' : 'online';
}
