/**
 * Does a subscription want to hear about an alert? Pure functions of the subscription, the site and
 * the time: the site is in its scope (a list, a province by current or former name, a rectangle),
 * the severity reaches its minimum, and — for external channels — it is not inside quiet hours,
 * which critical alerts ignore.
 */
import { type AlertSeverity, severityRank } from '../../common/alerts.js';
import type { QuietHours, SubscriptionScope } from '../../common/notifications.js';
import type { Site } from '../../common/sites.js';
import { clockMinutes, localMinutesOfDay } from './local-time.js';

/** Administrative prefixes people type or leave out: "Tỉnh Hậu Giang", "TP. Cần Thơ", "Thành phố Cần Thơ". */
const PROVINCE_PREFIX = /^(tinh|thanh pho|tp\.?)\s+/;

/**
 * A province name reduced for comparison: Unicode-normalised, diacritics and case dropped (đ → d),
 * spaces collapsed and "Tỉnh"/"Thành phố"/"TP." prefixes removed, so "Hậu Giang", "hau giang" and
 * "Tỉnh Hậu Giang" compare equal.
 */
export function normalizePlaceName(name: string): string {
  const folded = name.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase().replace(/\s+/g, ' ').trim();
  return folded.replace(PROVINCE_PREFIX, '').trim();
}

/** True when `province` names the site's province before or after the 2025 merger. */
export function siteInProvince(site: Pick<Site, 'province'>, province: string): boolean {
  const wanted = normalizePlaceName(province);
  return normalizePlaceName(site.province.current) === wanted || normalizePlaceName(site.province.former) === wanted;
}

/**
 * True when the scope covers the site. `site` is undefined when the site is no longer registered:
 * then only an explicit list can still name it.
 */
export function scopeCovers(scope: SubscriptionScope, siteId: string, site: Pick<Site, 'province' | 'lat' | 'lon'> | undefined): boolean {
  switch (scope.type) {
    case 'sites':
      return scope.siteIds.includes(siteId);
    case 'province':
      return site !== undefined && siteInProvince(site, scope.province);
    case 'rectangle':
      return site !== undefined && site.lat >= scope.south && site.lat <= scope.north && site.lon >= scope.west && site.lon <= scope.east;
  }
}

/** True when `severity` is at least `minimum`. */
export function severityAtLeast(severity: AlertSeverity, minimum: AlertSeverity): boolean {
  return severityRank(severity) >= severityRank(minimum);
}

/** True when `epochMs` falls in the quiet hours (local time; start included, end excluded; may span midnight). */
export function inQuietHours(quietHours: QuietHours | null, epochMs: number): boolean {
  if (!quietHours) return false;
  const now = localMinutesOfDay(epochMs);
  const start = clockMinutes(quietHours.start);
  const end = clockMinutes(quietHours.end);
  return start < end ? now >= start && now < end : now >= start || now < end;
}

/** Quiet hours hold back everything but critical alerts. */
export function silencedByQuietHours(quietHours: QuietHours | null, severity: AlertSeverity, epochMs: number): boolean {
  return severity !== 'critical' && inQuietHours(quietHours, epochMs);
}
