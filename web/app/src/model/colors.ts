/**
 * What colours mean on the map, in one place (the canvas layer, the legend, the drawer and the
 * alerts panel all read them from here):
 * - severity of the worst active alert: the ring round a marker, the fill of a cluster;
 * - salinity sites: their ‰ value in three steps at 1 ‰ and 4 ‰ (the bulletins' 1 ‰ and 4 ‰ lines);
 * - water-quality sites: their VN_WQI band colour (Decision 1460/QĐ-TCMT);
 * - device status: grey when offline, faded when stale.
 */
import { ALERT_SEVERITIES, type AlertSeverity } from '../../../../common/alerts.js';
import type { SiteStatus } from '../../../../common/sites.js';
import { WQI_BANDS as COMMON_WQI_BANDS } from '../../../../common/wqi.js';

export const SEVERITY_COLOR: Readonly<Record<AlertSeverity, string>> = {
  critical: '#e0262b',
  major: '#f57c00',
  minor: '#f2c200',
  warning: '#2fa8e0',
};

/** Text colour readable on each severity colour (WCAG AA). */
export const SEVERITY_TEXT: Readonly<Record<AlertSeverity, string>> = {
  critical: '#ffffff',
  major: '#1a1a1a',
  minor: '#1a1a1a',
  warning: '#0b1b2b',
};

/** Severity by rank (4 = critical … 1 = warning); rank 0 = no active alert. */
export const SEVERITY_BY_RANK: readonly (AlertSeverity | null)[] = [null, ...[...ALERT_SEVERITIES].reverse()];

export const STATUS_COLOR: Readonly<Record<SiteStatus, string>> = {
  online: '#1f9d55',
  stale: '#e3a008',
  offline: '#8d96a0',
  maintenance: '#5a7fa6',
  unknown: '#b7bec7',
};

/** Salinity steps, ‰: below the first bound, between, at or above the second. */
export const SALINITY_STEPS_PERMILLE = [1, 4] as const;
export const SALINITY_COLORS = ['#1c7ed6', '#f59f00', '#c92a2a'] as const;

/** Fill of a salinity site for a value in ‰. */
export function salinityColor(permille: number): string {
  if (permille < SALINITY_STEPS_PERMILLE[0]) return SALINITY_COLORS[0];
  if (permille < SALINITY_STEPS_PERMILLE[1]) return SALINITY_COLORS[1];
  return SALINITY_COLORS[2];
}

/** Text colour readable on each VN_WQI band colour, best band first. */
const WQI_TEXT = ['#ffffff', '#0b1b0b', '#1a1a1a', '#1a1a1a', '#ffffff', '#ffffff'] as const;

/** VN_WQI bands, best first (common/wqi.ts, Decision 1460/QĐ-TCMT), with a readable text colour. */
export const WQI_BANDS: ReadonlyArray<{ readonly min: number; readonly color: string; readonly text: string }> = COMMON_WQI_BANDS.map(
  (band, index) => ({
    min: band.min,
    color: band.color,
    text: WQI_TEXT[index] ?? '#ffffff',
  }),
);

/** Index into {@link WQI_BANDS} of a VN_WQI value (0 = very good … 5 = heavily polluted). */
export function wqiBand(wqi: number): number {
  const index = WQI_BANDS.findIndex((band) => Math.round(wqi) >= band.min);
  return index < 0 ? WQI_BANDS.length - 1 : index;
}

/** Fill of a water-quality site for its VN_WQI. */
export function wqiColor(wqi: number): string {
  return WQI_BANDS[wqiBand(wqi)]?.color ?? '#7e0023';
}

/** Fill of a site whose value is not known (no reading yet, or a camera). */
export const NEUTRAL_FILL = '#5b7896';
/** Fill of cameras that are online. */
export const CAMERA_FILL = '#3a5a7c';
/** Fill of a cluster with no active alert inside. */
export const CLUSTER_FILL = '#27425f';
