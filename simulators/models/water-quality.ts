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
 * - {@link Forcing}: rain cools the water and dims the sun; its runoff raises turbidity, COD and
 *   ammonium and lowers pH (acid sulfate soils) and DO; a day of rain dilutes salinity; a DO crash
 *   pulls DO down to its floor; an intrusion adds salt.
 */
import type { MetricValues } from '../../common/metrics.js';
import type { WaterQualityProfile } from '../profiles.js';
import { deriveSeed, gaussian, type Random, smoothNoise } from '../random.js';
import { toCatalogValues } from './catalog-values.js';
import { CALM, type Forcing } from './environment.js';
import { type ModelSite, unit, within } from './model-site.js';
import { tidalSalinity } from './tidal-salinity.js';
import { tideCurrent, tideLevel } from './tide.js';
import { diurnalWave, localHourOfDay, MS_PER_HOUR } from './time.js';
import { specificConductance } from './water-chemistry.js';

/** Local hours of the photosynthesis cycle's minimum (before dawn) and maximum (mid-afternoon). */
export const PHOTOSYNTHESIS_MIN_HOUR = 5.5;
export const PHOTOSYNTHESIS_MAX_HOUR = 14.5;

/** One reading of every water-quality metric at epoch ms `tMs`, in catalog units and decimals. */
export function waterQualityValues(tMs: number, site: ModelSite<WaterQualityProfile>, rng: Random, forcing: Forcing = CALM): MetricValues {
  const { profile, seed } = site;
  const hour = localHourOfDay(tMs);
  const slow = (label: string, periodHours: number) => smoothNoise(deriveSeed(seed, label), tMs, periodHours * MS_PER_HOUR);
  const { rain, runoff, freshening } = forcing;

  // 0.7 on an overcast spell, 1 on a clear day; rain clouds dim it further.
  const sunshine = (0.85 + 0.15 * slow('sunshine', 10)) * (1 - 0.5 * rain);
  const photosynthesis = diurnalWave(hour, PHOTOSYNTHESIS_MIN_HOUR, PHOTOSYNTHESIS_MAX_HOUR);
  const heating = diurnalWave(hour, 6, 15);

  const temperature =
    within(profile.temperature, heating * (0.85 + 0.15 * sunshine)) +
    0.15 * slow('temperature', 20) -
    1.2 * rain -
    0.4 * runoff +
    0.02 * gaussian(rng);
  const doSpan = profile.dissolvedOxygen.max - profile.dissolvedOxygen.min;
  const undisturbedDo = within(profile.dissolvedOxygen, photosynthesis * sunshine) - 0.15 * doSpan * runoff;
  const crashedDo = undisturbedDo + (Math.min(undisturbedDo, forcing.crashDoMgL) - undisturbedDo) * forcing.doCrash;
  const dissolvedOxygen = crashedDo + 0.06 * slow('do', 3) + 0.03 * gaussian(rng);
  const ph = within(profile.ph, diurnalWave(hour, 6, 15) * (0.8 + 0.2 * sunshine)) - 0.25 * runoff + 0.01 * gaussian(rng);

  const tide = tideLevel(tMs, { regime: profile.tide, lagHours: profile.tideLagHours });
  const intrusion = forcing.extraSalinityPpt * (0.7 + 0.3 * unit(tide));
  const salinity = (tidalSalinity(tMs, site) * (1 - 0.4 * freshening) + intrusion) * (1 + 0.005 * gaussian(rng));
  const conductivity = specificConductance(salinity) * (1 + 0.003 * gaussian(rng));

  const current = Math.abs(tideCurrent(tMs, { regime: profile.tide, lagHours: profile.tideLagHours }));
  const turbidity =
    within(profile.turbidity, 0.75 * current + 0.25 * unit(slow('turbidity', 8))) * (1 + 2.5 * runoff) * (1 + 0.03 * gaussian(rng));
  const tss = turbidity * profile.tssPerNtu * (1 + 0.04 * gaussian(rng));
  const cod = within(profile.cod, unit(slow('cod', 10))) * (1 + 0.5 * runoff) + 0.2 * gaussian(rng);
  const nh4 =
    within(profile.nh4, 0.55 * (1 - photosynthesis) + 0.45 * unit(slow('nh4', 9))) * (1 + 0.6 * runoff) * (1 + 0.03 * gaussian(rng));

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
