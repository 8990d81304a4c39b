/**
 * The map's live model of every site: the REST snapshot (`GET /api/sites`) merged with socket.io
 * `reading` and `site-status` events, and the displayed status recomputed from the clock so a site
 * that falls silent turns stale without any message. Pure functions (no DOM), shared by the React
 * hook and unit tests.
 */
import type { LatestValue, SiteSummary } from '../../../../common/api.js';
import { isMetricId, METRICS } from '../../../../common/metrics.js';
import { effectiveSiteStatus, type SiteStatus } from '../../../../common/sites.js';
import type { LiveReading, LiveSiteStatus } from '../../../../common/socket-events.js';

/** Sites by id, in the order the server listed them. */
export type SiteIndex = ReadonlyMap<string, SiteSummary>;

/**
 * Takes a REST snapshot (the first load, or a reload after a reconnect) without losing live values
 * newer than it: per metric the newer value wins and `lastSeen` never moves back; the device status
 * comes from the snapshot. Sites no longer listed are dropped.
 */
export function mergeSnapshot(previous: SiteIndex, snapshot: readonly SiteSummary[]): SiteIndex {
  return new Map(
    snapshot.map((fresh): [string, SiteSummary] => {
      const known = previous.get(fresh.id);
      if (!known) return [fresh.id, fresh];
      const latest: Record<string, LatestValue> = { ...fresh.latest };
      for (const [metric, value] of Object.entries(known.latest)) {
        const other = latest[metric];
        if (!other || other.ts < value.ts) latest[metric] = value;
      }
      const lastSeen = known.lastSeen === null ? fresh.lastSeen : Math.max(known.lastSeen, fresh.lastSeen ?? 0);
      return [fresh.id, { ...fresh, latest, lastSeen }];
    }),
  );
}

/**
 * Merges a live reading into the site's latest values. A value older than the one shown (a
 * backfill after a gap) does not replace it. `lastSeen` moves forward only, and never past
 * `nowMs` (a device clock running ahead must not keep a site fresh). Returns the same object when
 * nothing changed, so React skips the re-render.
 */
export function applyReading(site: SiteSummary, reading: LiveReading, nowMs: number): SiteSummary {
  let latest: Record<string, LatestValue> | undefined;
  for (const [metric, value] of Object.entries(reading.values)) {
    const current = site.latest[metric];
    if (current && current.ts > reading.ts) continue;
    if (current && current.ts === reading.ts && current.value === value) continue;
    latest ??= { ...site.latest };
    latest[metric] = { value, ts: reading.ts, unit: isMetricId(metric) ? METRICS[metric].unit : (current?.unit ?? '') };
  }
  const lastSeen = Math.max(site.lastSeen ?? 0, Math.min(reading.ts, nowMs));
  if (!latest && lastSeen === site.lastSeen) return site;
  return { ...site, latest: latest ?? site.latest, lastSeen };
}

/** Applies a device status change (retained status message or Last Will). */
export function applyStatus(site: SiteSummary, status: LiveSiteStatus, nowMs: number): SiteSummary {
  const lastSeen = Math.max(site.lastSeen ?? 0, Math.min(status.lastSeen, nowMs));
  if (site.reportedStatus === status.status && lastSeen === site.lastSeen) return site;
  return { ...site, reportedStatus: status.status, lastSeen };
}

/** The status the map shows at `nowMs` (see {@link effectiveSiteStatus}). */
export function displayStatus(site: SiteSummary, nowMs: number): SiteStatus {
  return effectiveSiteStatus(site.reportedStatus ?? undefined, site.lastSeen ?? undefined, site.reportingIntervalSec, nowMs);
}

/** Applies a batch of live events to the index; returns the same index when nothing changed. */
export function applyLiveEvents(index: SiteIndex, events: readonly LiveEvent[], nowMs: number): SiteIndex {
  let next: Map<string, SiteSummary> | undefined;
  for (const event of events) {
    const site = (next ?? index).get(event.data.siteId);
    if (!site) continue;
    const updated = event.type === 'reading' ? applyReading(site, event.data, nowMs) : applyStatus(site, event.data, nowMs);
    if (updated === site) continue;
    next ??= new Map(index);
    next.set(site.id, updated);
  }
  return next ?? index;
}

/** A socket.io event queued for the next batch. */
export type LiveEvent =
  | { readonly type: 'reading'; readonly data: LiveReading }
  | { readonly type: 'site-status'; readonly data: LiveSiteStatus };

/** Sites per displayed status, for the header counters. */
export function countByStatus(statuses: Iterable<SiteStatus>): Record<SiteStatus, number> {
  const counts: Record<SiteStatus, number> = { online: 0, stale: 0, offline: 0, maintenance: 0, unknown: 0 };
  for (const status of statuses) counts[status] += 1;
  return counts;
}
