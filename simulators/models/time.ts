/**
 * Time helpers of the physics models. The Mekong Delta keeps Indochina Time, UTC+7 all year (no
 * daylight saving), so diurnal cycles are computed in that local time whatever the host's zone.
 */

/** Hours between UTC and local time in Vietnam (Indochina Time). */
export const LOCAL_UTC_OFFSET_HOURS = 7;

export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 24 * MS_PER_HOUR;

/** Local (UTC+7) hour of day in [0, 24), with fractions: 14.5 is 14:30. */
export function localHourOfDay(tMs: number): number {
  const hours = tMs / MS_PER_HOUR + LOCAL_UTC_OFFSET_HOURS;
  return ((hours % 24) + 24) % 24;
}

/** Local (UTC+7) day of year, 0-based with fractions (0 = 1 January 00:00). */
export function localDayOfYear(tMs: number): number {
  const local = new Date(tMs + LOCAL_UTC_OFFSET_HOURS * MS_PER_HOUR);
  const yearStart = Date.UTC(local.getUTCFullYear(), 0, 1);
  return (local.getTime() - yearStart) / MS_PER_DAY;
}

/**
 * A daily cycle in [0, 1]: 0 at `minHour`, 1 at `maxHour` (local hours), joined by half-cosines,
 * so rise and fall may take different times — e.g. dissolved oxygen bottoms out before dawn (~5:30)
 * and peaks mid-afternoon (~14:30): a 9-hour rise and a 15-hour fall.
 */
export function diurnalWave(localHour: number, minHour: number, maxHour: number): number {
  const rise = (((maxHour - minHour) % 24) + 24) % 24;
  const sinceMin = (((localHour - minHour) % 24) + 24) % 24;
  if (rise === 0) return 0;
  if (sinceMin <= rise) return (1 - Math.cos((Math.PI * sinceMin) / rise)) / 2;
  const fall = 24 - rise;
  return (1 + Math.cos((Math.PI * (sinceMin - rise)) / fall)) / 2;
}

/** Local day of year (0-based) when the dry season peaks: salinity intrusion is worst in early April. */
export const DRY_SEASON_PEAK_DAY = 98;

/**
 * How deep into the dry season `tMs` is, in [0, 1]: 1 at the peak of the dry season (early
 * April, when salinity intrudes furthest up the Cái Lớn), 0 at the height of the flood season
 * (early October).
 */
export function drySeasonFactor(tMs: number): number {
  const day = localDayOfYear(tMs);
  return (1 + Math.cos((2 * Math.PI * (day - DRY_SEASON_PEAK_DAY)) / 365.25)) / 2;
}
