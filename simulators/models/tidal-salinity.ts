/**
 * Salinity from the tide and the season: the salt wedge moves up a river on each flood tide and
 * further in the dry season. Shared by salinity stations and brackish water-quality sites.
 */
import type { TidalProfile } from '../profiles.js';
import { deriveSeed, smoothNoise } from '../random.js';
import { type ModelSite, unit, within } from './model-site.js';
import { tideLevel } from './tide.js';
import { drySeasonFactor, MS_PER_HOUR } from './time.js';

/** Hours salinity peaks after the water level does (the salt wedge keeps moving in at high water). */
export const SALINITY_LAG_HOURS = 1;

/** The salinity range (‰, low to high water) of a site at epoch ms `tMs`, between its wet and dry season ranges. */
export function seasonalSalinityRange(tMs: number, profile: TidalProfile): { min: number; max: number } {
  const dry = drySeasonFactor(tMs);
  return {
    min: profile.salinityWet.min + (profile.salinityDry.min - profile.salinityWet.min) * dry,
    max: profile.salinityWet.max + (profile.salinityDry.max - profile.salinityWet.max) * dry,
  };
}

/**
 * Noise-free salinity, ‰, at epoch ms `tMs`: the seasonal range scanned by the (lagged) tide, with
 * a slow ±4 % drift for river discharge and wind. Callers add sensor noise.
 */
export function tidalSalinity(tMs: number, site: ModelSite<TidalProfile>): number {
  const { profile } = site;
  const range = seasonalSalinityRange(tMs, profile);
  const tide = tideLevel(tMs, { regime: profile.tide, lagHours: profile.tideLagHours + SALINITY_LAG_HOURS });
  const drift = 1 + 0.04 * smoothNoise(deriveSeed(site.seed, 'salinity-drift'), tMs, 30 * MS_PER_HOUR);
  return within(range, unit(tide)) * drift;
}
