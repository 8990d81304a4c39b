/**
 * Builds the REST view of a site (`SiteSummary`): the seed data, the status the map shows
 * (effectiveSiteStatus from common/, the same rule as the browser), and latest values with the
 * catalog's units, and VN_WQI for water-quality sites (common/wqi.ts).
 */
import type { LatestValue, SiteSummary } from '../../common/api.js';
import { METRICS } from '../../common/metrics.js';
import { effectiveSiteStatus, type Site } from '../../common/sites.js';
import { computeVnWqi, type WqiInput, type WqiResult } from '../../common/wqi.js';
import type { SiteState } from './live/site-state-cache.js';

/** VN_WQI (indicative) from a site's latest values, or null when they do not allow one. */
export function latestWqi(latest: SiteState['latest']): WqiResult | null {
  const inputs: Record<string, WqiInput> = {};
  for (const [metric, value] of latest) inputs[metric] = value;
  return computeVnWqi(inputs);
}

/** The site as `GET /api/sites` lists it, evaluated at `nowMs` (epoch ms). */
export function siteSummary(site: Site, state: SiteState, nowMs: number): SiteSummary {
  const latest: Record<string, LatestValue> = {};
  for (const [metric, { value, ts }] of state.latest) {
    latest[metric] = { value, unit: METRICS[metric].unit, ts };
  }
  return {
    id: site.id,
    name: site.name,
    kind: site.kind,
    lat: site.lat,
    lon: site.lon,
    province: { former: site.province.former, current: site.province.current },
    reportingIntervalSec: site.reportingIntervalSec,
    ...(site.snapshotUrl === undefined ? {} : { snapshotUrl: site.snapshotUrl }),
    status: effectiveSiteStatus(state.reportedStatus, state.lastSeen, site.reportingIntervalSec, nowMs),
    reportedStatus: state.reportedStatus ?? null,
    lastSeen: state.lastSeen ?? null,
    latest,
    wqi: site.kind === 'water-quality' ? latestWqi(state.latest) : null,
  };
}
