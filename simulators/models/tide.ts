/**
 * Tide model: a normalised water level in [-1, 1] from a few harmonic constituents. The Mekong
 * Delta faces two seas with different regimes:
 * - West Sea (Gulf of Thailand: Rạch Giá, Hà Tiên, Phú Quốc, the Cái Lớn–Cái Bé rivers) — mainly
 *   diurnal: about one high water a day, in the early morning, about 0.5 m;
 * - East Sea (the Hậu and Tiền mouths, reaching Hậu Giang through the canals) — semidiurnal: two
 *   high waters a day, drifting about 50 minutes later each day, about 1–1.5 m at the coast.
 * Amplitudes are modulated by a spring–neap cycle. Site-specific lag and amplitude live in the
 * site profile, not here.
 */
import { LOCAL_UTC_OFFSET_HOURS, localHourOfDay, MS_PER_DAY, MS_PER_HOUR } from './time.js';

/** `diurnal`: one high water a day (West Sea); `semidiurnal`: two (East Sea). */
export type TideRegime = 'diurnal' | 'semidiurnal';

/** Periods of the constituents used, hours. */
const M2_HOURS = 12.4206;
const S2_HOURS = 12;
const K1_HOURS = 23.9345;
/** Tropic month: the diurnal tide's spring–neap cycle, days (the semidiurnal one comes from M2–S2). */
const TROPIC_DAYS = 13.66;

/** Default local hour of the daily high water on the West Sea coast (early morning). */
export const WEST_SEA_HIGH_WATER_HOUR = 5;

const TWO_PI = 2 * Math.PI;

export interface TideOptions {
  readonly regime: TideRegime;
  /**
   * Hours the tide arrives after it does at the coast (propagation up a river); positive values
   * delay every high water.
   */
  readonly lagHours?: number;
}

/**
 * Normalised tide level in [-1, 1] at epoch ms `tMs`: +1 is the highest spring high water, -1 the
 * lowest low water. Pure: the same instant always gives the same level.
 */
export function tideLevel(tMs: number, options: TideOptions): number {
  const t = tMs - (options.lagHours ?? 0) * MS_PER_HOUR;
  const hours = t / MS_PER_HOUR;
  const days = t / MS_PER_DAY;
  if (options.regime === 'diurnal') {
    // Solar-day main wave peaking at the coast's early-morning high water, a small M2 ripple
    // (ratio kept under 1/4, so no second daily peak appears) and a tropic-month modulation.
    const envelope = 1 + 0.25 * Math.cos((TWO_PI * days) / TROPIC_DAYS);
    const main = Math.cos((TWO_PI * (localHourOfDay(t) - WEST_SEA_HIGH_WATER_HOUR)) / 24);
    const ripple = 0.15 * Math.cos((TWO_PI * hours) / M2_HOURS + 1.1);
    return (envelope * main + ripple) / 1.4;
  }
  // M2 and S2 beat into spring and neap tides; K1 adds the diurnal inequality (kept small enough
  // that both daily high waters remain).
  const m2 = Math.cos((TWO_PI * hours) / M2_HOURS);
  const s2 = 0.4 * Math.cos((TWO_PI * (hours + LOCAL_UTC_OFFSET_HOURS)) / S2_HOURS + 0.6);
  const k1 = 0.15 * Math.cos((TWO_PI * hours) / K1_HOURS + 2.0);
  return (m2 + s2 + k1) / 1.55;
}

/**
 * Rate of change of {@link tideLevel}, normalised to about [-1, 1] (the strongest flood or ebb
 * current). Drives resuspension of sediment: turbidity rises with the current, not the level.
 */
export function tideCurrent(tMs: number, options: TideOptions): number {
  const stepMs = 5 * 60_000;
  const slope = (tideLevel(tMs + stepMs, options) - tideLevel(tMs - stepMs, options)) / (2 * stepMs);
  // A pure cosine of period P and amplitude 1 has a peak slope of 2π/P.
  const periodMs = (options.regime === 'diurnal' ? 24 : M2_HOURS) * MS_PER_HOUR;
  return Math.max(-1, Math.min(1, (slope * periodMs) / TWO_PI));
}
