/**
 * Camera analytics model: how busy the scene in front of a camera is, from the profile's daily
 * activity peaks (rush hours, a morning floating market), and the `vehicle_count` (vehicles in
 * view) or `crowd_level` (% of the scene's capacity) a camera's analytics would report.
 */
import type { ActivityPeak, CameraProfile } from '../profiles.js';
import { gaussian, poisson, type Random } from '../random.js';
import { toCatalogValue } from './catalog-values.js';
import type { ModelSite } from './model-site.js';
import { localHourOfDay } from './time.js';

/** The analytics a camera reports: vehicles in view, or crowd level in %. */
export type CameraAnalytics =
  | { readonly metric: 'vehicle_count'; readonly value: number }
  | { readonly metric: 'crowd_level'; readonly value: number };

/** Crowd level (%) from which a `crowd_level` event is flagged as a warning. */
export const CROWD_WARNING_LEVEL = 85;

/** Circular distance between two local hours, hours (23:00 and 01:00 are 2 h apart). */
function hourDistance(a: number, b: number): number {
  const d = Math.abs(a - b) % 24;
  return Math.min(d, 24 - d);
}

/** Activity in [0, 1] at a local hour: the baseline plus Gaussian bumps at each peak. */
export function activityLevel(localHour: number, baseline: number, peaks: readonly ActivityPeak[]): number {
  let bumps = 0;
  for (const peak of peaks) {
    const d = hourDistance(localHour, peak.hour);
    bumps = Math.max(bumps, peak.weight * Math.exp(-(d * d) / (2 * peak.widthHours * peak.widthHours)));
  }
  return baseline + (1 - baseline) * Math.min(1, bumps);
}

/** What the camera's analytics see at epoch ms `tMs`. */
export function cameraAnalytics(tMs: number, site: ModelSite<CameraProfile>, rng: Random): CameraAnalytics {
  const { profile } = site;
  const activity = activityLevel(localHourOfDay(tMs), profile.baseline, profile.activityPeaks);
  if (profile.analytics === 'vehicles') {
    const count = Math.min(Math.round(profile.peak * 1.5), poisson(rng, profile.peak * activity));
    return { metric: 'vehicle_count', value: toCatalogValue('vehicle_count', count) };
  }
  const level = profile.peak * activity + 4 * gaussian(rng);
  return { metric: 'crowd_level', value: toCatalogValue('crowd_level', level) };
}
