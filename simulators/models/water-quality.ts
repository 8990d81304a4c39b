/**
 * Water-quality station model (multi-parameter sonde in a canal, estuary or pond): temperature,
 * pH, dissolved oxygen, salinity, conductivity, turbidity, TSS, COD and ammonium.
 *
 * - DO and pH follow photosynthesis: lowest before dawn (~05:30 local), highest mid-afternoon
 *   (~14:30); cloudy spells flatten the afternoon peak.
 * - Temperature lags the sun slightly (dawn minimum, ~15:00 maximum).
 * - Salinity follows the tide and the season ({@link tidalSalinity}); conductivity is derived from it.
 * - Turbidity rises with the tidal current and with rain; TSS is proportional to turbidity.
 * - Ammonium is highest at night, when algae take none up.
 */
import type { MetricValues } from '../../common/metrics.js';
import type { WaterQualityProfile } from '../profiles.js';
import { deriveSeed, gaussian, type Random, smoothNoise } from '../random.js';
import { toCatalogValues } from './catalog-values.js';
import { type ModelSite, unit, within } from './model-site.js';
import { tidalSalinity } from './tidal-salinity.js';
import { tideCurrent } from './tide.js';
import { diurnalWave, localHourOfDay, MS_PER_HOUR } from './time.js';
import { specificConductance } from './water-chemistry.js';

/** Local hours of the photosynthesis cycle's minimum (before dawn) and maximum (mid-afternoon). */
export const PHOTOSYNTHESIS_MIN_HOUR = 5.5;
export const PHOTOSYNTHESIS_MAX_HOUR = 14.5;

/** One reading of every water-quality metric at epoch ms `tMs`, in catalog units and decimals. */
export function waterQualityValues(tMs: number, site: ModelSite<WaterQualityProfile>, rng: Random): MetricValues {
  const { profile, seed } = site;
  const hour = localHourOfDay(tMs);
  const slow = (label: string, periodHours: number) => smoothNoise(deriveSeed(seed, label), tMs, periodHours * MS_PER_HOUR);

  // 0.7 on an overcast spell, 1 on a clear day.
  const sunshine = 0.85 + 0.15 * slow('sunshine', 10);
  const photosynthesis = diurnalWave(hour, PHOTOSYNTHESIS_MIN_HOUR, PHOTOSYNTHESIS_MAX_HOUR);
  const heating = diurnalWave(hour, 6, 15);

  const temperature =
    within(profile.temperature, heating * (0.85 + 0.15 * sunshine)) + 0.15 * slow('temperature', 20) + 0.02 * gaussian(rng);
  const dissolvedOxygen = within(profile.dissolvedOxygen, photosynthesis * sunshine) + 0.06 * slow('do', 3) + 0.03 * gaussian(rng);
  const ph = within(profile.ph, diurnalWave(hour, 6, 15) * (0.8 + 0.2 * sunshine)) + 0.01 * gaussian(rng);

  const salinity = tidalSalinity(tMs, site) * (1 + 0.005 * gaussian(rng));
  const conductivity = specificConductance(salinity) * (1 + 0.003 * gaussian(rng));

  const current = Math.abs(tideCurrent(tMs, { regime: profile.tide, lagHours: profile.tideLagHours }));
  const rain = Math.max(0, slow('rain', 6));
  const turbidity = within(profile.turbidity, 0.55 * current + 0.45 * rain) * (1 + 0.03 * gaussian(rng));
  const tss = turbidity * profile.tssPerNtu * (1 + 0.04 * gaussian(rng));
  const cod = within(profile.cod, unit(slow('cod', 10))) + 0.2 * gaussian(rng);
  const nh4 = within(profile.nh4, 0.55 * (1 - photosynthesis) + 0.45 * unit(slow('nh4', 9))) * (1 + 0.03 * gaussian(rng));

  return toCatalogValues({
    temperature,
    ph,
    do: dissolvedOxygen,
    salinity,
    conductivity,
    turbidity,
    tss,
    cod,
    nh4,
  });
}
