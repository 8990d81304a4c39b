/**
 * Builds the map's visual for a moment in the past from a replay frame (values and last contact
 * per site) and the alerts that were active then: the same colours as live, computed from the
 * past. Pure.
 */
import { type Alert, severityRank } from '../../../../common/alerts.js';
import type { ReplayFrame } from '../../../../common/api.js';
import { effectiveSiteStatus } from '../../../../common/sites.js';
import { computeVnWqi } from '../../../../common/wqi.js';
import { STATUS_COLOR } from '../model/colors.js';
import { type SiteRecord, siteLook, statusCode, type Visual } from '../model/site-model.js';

/** True when `alert` was active at `at` (raised at or before it, not yet cleared). */
export function activeAt(alert: Pick<Alert, 'raisedAt' | 'clearedAt'>, at: number): boolean {
  return alert.raisedAt <= at && (alert.clearedAt === null || alert.clearedAt > at);
}

/** Worst alert rank per site at `at`. */
export function worstAt(alerts: readonly Alert[], at: number): Map<string, number> {
  const worst = new Map<string, number>();
  for (const alert of alerts) {
    if (!activeAt(alert, at)) continue;
    const rank = severityRank(alert.severity);
    if (rank > (worst.get(alert.siteId) ?? 0)) worst.set(alert.siteId, rank);
  }
  return worst;
}

export function buildReplayVisual(sites: readonly SiteRecord[], frame: ReplayFrame, alerts: readonly Alert[]): Visual {
  const count = sites.length;
  const visual: Visual = {
    status: new Uint8Array(count),
    severity: new Uint8Array(count),
    fill: new Array<string>(count),
    label: new Float64Array(count),
  };
  const position = new Map<string, number>();
  for (const [k, id] of frame.siteIds.entries()) position.set(id, k);
  const worst = worstAt(alerts, frame.at);
  const metrics = Object.entries(frame.values);
  for (let i = 0; i < count; i++) {
    const site = sites[i];
    if (!site) continue;
    visual.severity[i] = worst.get(site.id) ?? 0;
    const k = position.get(site.id);
    if (k === undefined) {
      visual.status[i] = statusCode('unknown');
      visual.fill[i] = STATUS_COLOR.unknown;
      visual.label[i] = Number.NaN;
      continue;
    }
    const status = effectiveSiteStatus('online', frame.lastSeen[k], site.reportingIntervalSec, frame.at);
    const lastSeen = frame.lastSeen[k] ?? frame.at;
    const values: Record<string, { value: number; ts: number }> = {};
    for (const [metric, column] of metrics) {
      const value = column[k];
      if (value !== null && value !== undefined) values[metric] = { value, ts: lastSeen };
    }
    const wqi = site.kind === 'water-quality' ? (computeVnWqi(values)?.value ?? null) : null;
    const look = siteLook(site.kind, status, values.salinity?.value, wqi);
    visual.status[i] = statusCode(status);
    visual.fill[i] = look.fill;
    visual.label[i] = look.label;
  }
  return visual;
}

/** Active alerts per time bucket over [from, to): the density strip above the timeline. */
export function alertDensity(alerts: readonly Alert[], from: number, to: number, buckets: number): number[] {
  const width = (to - from) / buckets;
  const counts = new Array<number>(buckets).fill(0);
  for (const alert of alerts) {
    const start = Math.max(0, Math.floor((alert.raisedAt - from) / width));
    const end = Math.min(buckets - 1, Math.ceil(((alert.clearedAt ?? to) - from) / width) - 1);
    for (let b = start; b <= end; b++) counts[b] = (counts[b] ?? 0) + 1;
  }
  return counts;
}

/** Alerts active at `at`, per severity (the header's counts while replaying). */
export function countActiveAt(alerts: readonly Alert[], at: number): Record<Alert['severity'], number> {
  const counts: Record<Alert['severity'], number> = { critical: 0, major: 0, minor: 0, warning: 0 };
  for (const alert of alerts) if (activeAt(alert, at)) counts[alert.severity] += 1;
  return counts;
}
