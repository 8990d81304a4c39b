/**
 * Salinity monitoring station model (conductivity probe and level gauge at a sluice or river
 * reach, as on the Cái Lớn–Cái Bé): salinity on the tide and the season, the water level following
 * the tide, conductivity derived from salinity, and water temperature.
 */
import type { MetricValues } from '../../common/metrics.js';
import type { SalinityProfile } from '../profiles.js';
import { deriveSeed, gaussian, type Random, smoothNoise } from '../random.js';
import { toCatalogValues } from './catalog-values.js';
import { CALM, type Forcing } from './environment.js';
import type { ModelSite } from './model-site.js';
import { unit, within } from './model-site.js';
import { tidalSalinity } from './tidal-salinity.js';
import { tideLevel } from './tide.js';
import { diurnalWave, localHourOfDay, MS_PER_HOUR } from './time.js';
import { specificConductance } from './water-chemistry.js';

/**
 * One reading of a salinity station at epoch ms `tMs`, in catalog units and decimals. Rain
 * (`forcing`) dilutes the salt and raises the water a little; an intrusion adds salt that still
 * rides the tide.
 */
export function salinityStationValues(tMs: number, site: ModelSite<SalinityProfile>, rng: Random, forcing: Forcing = CALM): MetricValues {
  const { profile, seed } = site;
  const tide = tideLevel(tMs, { regime: profile.tide, lagHours: profile.tideLagHours });
  const intrusion = forcing.extraSalinityPpt * (0.7 + 0.3 * unit(tide));
  const salinity = (tidalSalinity(tMs, site) * (1 - 0.4 * forcing.freshening) + intrusion) * (1 + 0.005 * gaussian(rng));
  const waterLevel = profile.waterLevel.meanM + profile.waterLevel.amplitudeM * tide + 0.15 * forcing.runoff + 0.005 * gaussian(rng);
  const weather = smoothNoise(deriveSeed(seed, 'temperature'), tMs, 20 * MS_PER_HOUR);
  const temperature =
    within(profile.temperature, diurnalWave(localHourOfDay(tMs), 6, 15)) + 0.15 * weather - 1.2 * forcing.rain + 0.02 * gaussian(rng);
  return toCatalogValues({
    salinity,
    conductivity: specificConductance(salinity) * (1 + 0.003 * gaussian(rng)),
    water_level: waterLevel,
    temperature,
  });
}
