/**
 * Site profiles: the parameters that make each simulated site behave like its real place — a
 * brackish estuary, a freshwater canal in peat, a salinity station up the Cái Lớn, a busy street
 * camera. Seeded sites get hand-written profiles from published typical values (docs: domain notes
 * §4 and §6); any other site (load mode, a site added to seeds/) gets a plausible profile derived
 * from its kind, longitude and id, so every valid site can be simulated.
 */
import type { Site } from '../common/sites.js';
import type { TideRegime } from './models/tide.js';
import { deriveSeed, mulberry32 } from './random.js';

/** A closed interval of a quantity, in the unit its field documents. */
export interface Range {
  readonly min: number;
  readonly max: number;
}

/** How a device is powered and how well it hears its base station. */
export interface DeviceHealthProfile {
  /** `solar`: battery charges by day and sags at night; `mains`: float-charged, steady. */
  readonly power: 'solar' | 'mains';
  /** Typical received signal strength, dBm. */
  readonly rssiDbm: number;
}

/** What drives salinity and water level at a site. */
export interface TidalProfile {
  readonly tide: TideRegime;
  /** How many hours the tide (and the salt wedge) arrives after it does at the coast. */
  readonly tideLagHours: number;
  /** Salinity, ‰, from low to high water at the peak of the dry season (early April). */
  readonly salinityDry: Range;
  /** Salinity, ‰, from low to high water at the height of the flood season (October). */
  readonly salinityWet: Range;
}

export interface WaterQualityProfile extends TidalProfile {
  readonly kind: 'water-quality';
  readonly device: DeviceHealthProfile;
  /** Dissolved oxygen, mg/L: `min` before dawn, `max` mid-afternoon on a clear day. */
  readonly dissolvedOxygen: Range;
  /** pH: `min` before dawn, `max` in the afternoon (photosynthesis draws down CO₂). */
  readonly ph: Range;
  /** Water temperature, °C: `min` at dawn, `max` mid-afternoon. */
  readonly temperature: Range;
  /** Turbidity, NTU: slack water to strongest current or rain. */
  readonly turbidity: Range;
  /** Total suspended solids per unit of turbidity, (mg/L)/NTU. */
  readonly tssPerNtu: number;
  /** Chemical oxygen demand, mg/L. */
  readonly cod: Range;
  /** Ammonium N-NH₄, mg/L: highest at night when algae take none up. */
  readonly nh4: Range;
}

export interface SalinityProfile extends TidalProfile {
  readonly kind: 'salinity';
  readonly device: DeviceHealthProfile;
  /** Water temperature, °C: `min` at dawn, `max` mid-afternoon. */
  readonly temperature: Range;
  /** Water level, m above the national datum: mean and half the spring tidal range. */
  readonly waterLevel: { readonly meanM: number; readonly amplitudeM: number };
}

/** A peak of activity in front of a camera (rush hour, morning market). */
export interface ActivityPeak {
  /** Local hour of the peak (UTC+7). */
  readonly hour: number;
  /** Standard deviation of the peak, hours. */
  readonly widthHours: number;
  /** Height of the peak relative to the busiest moment, 0–1. */
  readonly weight: number;
}

export interface CameraProfile {
  readonly kind: 'camera';
  readonly device: DeviceHealthProfile;
  /** `vehicles`: `vehicle_count` events (vehicles in view); `crowd`: `crowd_level` events (%). */
  readonly analytics: 'vehicles' | 'crowd';
  /** At the busiest moment: vehicles in view (≤ 24, so a frame can show them all), or crowd level in %. */
  readonly peak: number;
  /** Activity at the quietest hour, as a fraction of the peak (0–1). */
  readonly baseline: number;
  readonly activityPeaks: readonly ActivityPeak[];
}

export type SiteProfile = WaterQualityProfile | SalinityProfile | CameraProfile;

const r = (min: number, max: number): Range => ({ min, max });

const solar = (rssiDbm: number): DeviceHealthProfile => ({ power: 'solar', rssiDbm });
const mains = (rssiDbm: number): DeviceHealthProfile => ({ power: 'mains', rssiDbm });

/** Morning and evening rush hours of a Mekong town. */
const TOWN_TRAFFIC: readonly ActivityPeak[] = [
  { hour: 7, widthHours: 1.2, weight: 1 },
  { hour: 11.5, widthHours: 1.5, weight: 0.55 },
  { hour: 17.3, widthHours: 1.4, weight: 0.95 },
];

/** Hand-written profiles of the seeded demo sites (seeds/sites.json). */
export const SEEDED_PROFILES: Readonly<Record<string, SiteProfile>> = {
  'KG-WQ-01': {
    kind: 'water-quality',
    device: solar(-78),
    tide: 'diurnal',
    tideLagHours: 0.3,
    salinityDry: r(8, 22),
    salinityWet: r(2, 10),
    dissolvedOxygen: r(3.6, 7),
    ph: r(7.4, 8.2),
    temperature: r(27.5, 31.5),
    turbidity: r(30, 90),
    tssPerNtu: 1.4,
    cod: r(12, 30),
    nh4: r(0.1, 0.6),
  },
  'KG-WQ-02': {
    kind: 'water-quality',
    device: solar(-84),
    tide: 'diurnal',
    tideLagHours: 0.8,
    salinityDry: r(24, 32),
    salinityWet: r(14, 26),
    dissolvedOxygen: r(4.5, 7.8),
    ph: r(7.8, 8.4),
    temperature: r(28, 31.7),
    turbidity: r(8, 30),
    tssPerNtu: 1.2,
    cod: r(8, 18),
    nh4: r(0.06, 0.3),
  },
  'KG-WQ-03': {
    kind: 'water-quality',
    device: solar(-81),
    tide: 'diurnal',
    tideLagHours: 0.2,
    salinityDry: r(10, 28),
    salinityWet: r(2, 14),
    dissolvedOxygen: r(4, 7.2),
    ph: r(7.5, 8.3),
    temperature: r(27.5, 31),
    turbidity: r(10, 45),
    tssPerNtu: 1.3,
    cod: r(8, 22),
    nh4: r(0.08, 0.5),
  },
  'KG-WQ-04': {
    kind: 'water-quality',
    device: solar(-88),
    tide: 'diurnal',
    tideLagHours: 0,
    salinityDry: r(31, 33.5),
    salinityWet: r(28, 32.5),
    dissolvedOxygen: r(5, 7.8),
    ph: r(8, 8.4),
    temperature: r(28, 30.5),
    turbidity: r(2, 12),
    tssPerNtu: 1.1,
    cod: r(4, 10),
    nh4: r(0.06, 0.4),
  },
  'KG-WQ-05': {
    kind: 'water-quality',
    device: solar(-92),
    tide: 'diurnal',
    tideLagHours: 1.5,
    salinityDry: r(6, 16),
    salinityWet: r(0.5, 3),
    dissolvedOxygen: r(2.8, 7.5),
    ph: r(7.3, 8.4),
    temperature: r(27.5, 31.7),
    turbidity: r(25, 80),
    tssPerNtu: 1.5,
    cod: r(15, 40),
    nh4: r(0.2, 1.2),
  },
  'KG-WQ-06': {
    kind: 'water-quality',
    device: solar(-101),
    tide: 'diurnal',
    tideLagHours: 4,
    salinityDry: r(0.2, 0.8),
    salinityWet: r(0.05, 0.3),
    dissolvedOxygen: r(2, 4.8),
    ph: r(7.2, 7.6),
    temperature: r(27.3, 31),
    turbidity: r(15, 50),
    tssPerNtu: 1.2,
    cod: r(25, 44),
    nh4: r(0.3, 2),
  },
  'HG-WQ-01': {
    kind: 'water-quality',
    device: mains(-74),
    tide: 'diurnal',
    tideLagHours: 4.5,
    salinityDry: r(0.3, 1.6),
    salinityWet: r(0.05, 0.3),
    dissolvedOxygen: r(2.5, 5.5),
    ph: r(7.2, 7.9),
    temperature: r(27.5, 31.5),
    turbidity: r(40, 140),
    tssPerNtu: 1.6,
    cod: r(14, 36),
    nh4: r(0.2, 1.4),
  },
  'HG-WQ-02': {
    kind: 'water-quality',
    device: mains(-70),
    tide: 'semidiurnal',
    tideLagHours: 5,
    salinityDry: r(0.1, 0.6),
    salinityWet: r(0.05, 0.2),
    dissolvedOxygen: r(3, 6),
    ph: r(7.2, 7.9),
    temperature: r(27.3, 31),
    turbidity: r(60, 180),
    tssPerNtu: 1.7,
    cod: r(10, 30),
    nh4: r(0.1, 1),
  },
  'HG-WQ-03': {
    kind: 'water-quality',
    device: solar(-86),
    tide: 'semidiurnal',
    tideLagHours: 5.5,
    salinityDry: r(0.1, 0.5),
    salinityWet: r(0.05, 0.2),
    dissolvedOxygen: r(2.8, 5.8),
    ph: r(7.2, 7.8),
    temperature: r(27.3, 31.5),
    turbidity: r(50, 160),
    tssPerNtu: 1.6,
    cod: r(12, 34),
    nh4: r(0.15, 1.2),
  },
  'KG-SAL-01': {
    kind: 'salinity',
    device: solar(-83),
    tide: 'diurnal',
    tideLagHours: 1,
    salinityDry: r(1.5, 6),
    salinityWet: r(0.2, 1.2),
    temperature: r(27.5, 31.5),
    waterLevel: { meanM: 0.1, amplitudeM: 0.5 },
  },
  'KG-SAL-02': {
    kind: 'salinity',
    device: solar(-87),
    tide: 'diurnal',
    tideLagHours: 1.2,
    salinityDry: r(1, 5),
    salinityWet: r(0.15, 0.9),
    temperature: r(27.5, 31.5),
    waterLevel: { meanM: 0.1, amplitudeM: 0.45 },
  },
  'KG-SAL-03': {
    kind: 'salinity',
    device: solar(-90),
    tide: 'diurnal',
    tideLagHours: 2.5,
    salinityDry: r(0.5, 3),
    salinityWet: r(0.05, 0.5),
    temperature: r(27.5, 31.5),
    waterLevel: { meanM: 0.15, amplitudeM: 0.35 },
  },
  'HG-SAL-01': {
    kind: 'salinity',
    device: solar(-85),
    tide: 'diurnal',
    tideLagHours: 3.5,
    salinityDry: r(0.5, 2.5),
    salinityWet: r(0.05, 0.4),
    temperature: r(27.5, 31.5),
    waterLevel: { meanM: 0.2, amplitudeM: 0.3 },
  },
  'HG-SAL-02': {
    kind: 'salinity',
    device: solar(-88),
    tide: 'diurnal',
    tideLagHours: 3.8,
    salinityDry: r(0.5, 2.2),
    salinityWet: r(0.05, 0.35),
    temperature: r(27.5, 31.5),
    waterLevel: { meanM: 0.2, amplitudeM: 0.3 },
  },
  'HG-SAL-03': {
    kind: 'salinity',
    device: solar(-91),
    tide: 'semidiurnal',
    tideLagHours: 5,
    salinityDry: r(0.3, 1.5),
    salinityWet: r(0.02, 0.3),
    temperature: r(27.5, 31.5),
    waterLevel: { meanM: 0.25, amplitudeM: 0.4 },
  },
  'KG-CAM-01': { kind: 'camera', device: mains(-65), analytics: 'vehicles', peak: 24, baseline: 0.08, activityPeaks: TOWN_TRAFFIC },
  'KG-CAM-02': { kind: 'camera', device: mains(-72), analytics: 'vehicles', peak: 18, baseline: 0.06, activityPeaks: TOWN_TRAFFIC },
  'KG-CAM-03': {
    kind: 'camera',
    device: solar(-86),
    analytics: 'vehicles',
    peak: 8,
    baseline: 0.05,
    activityPeaks: [
      { hour: 6.5, widthHours: 1.5, weight: 1 },
      { hour: 16.5, widthHours: 2, weight: 0.8 },
    ],
  },
  'KG-CAM-04': {
    kind: 'camera',
    device: mains(-75),
    analytics: 'crowd',
    peak: 95,
    baseline: 0.05,
    activityPeaks: [
      { hour: 5, widthHours: 1.3, weight: 1 },
      { hour: 15.5, widthHours: 1.5, weight: 0.45 },
    ],
  },
  'KG-CAM-05': {
    kind: 'camera',
    device: solar(-103),
    analytics: 'crowd',
    peak: 40,
    baseline: 0,
    activityPeaks: [{ hour: 10, widthHours: 2.5, weight: 1 }],
  },
  'HG-CAM-01': { kind: 'camera', device: mains(-68), analytics: 'vehicles', peak: 22, baseline: 0.07, activityPeaks: TOWN_TRAFFIC },
  'HG-CAM-02': {
    kind: 'camera',
    device: mains(-79),
    analytics: 'crowd',
    peak: 100,
    baseline: 0.03,
    activityPeaks: [
      { hour: 6, widthHours: 1.2, weight: 1 },
      { hour: 8.5, widthHours: 1.5, weight: 0.5 },
    ],
  },
};

/**
 * West of this longitude (degrees E) a site's tide comes from the West Sea (diurnal); east of it,
 * from the East Sea through the Hậu river (semidiurnal). A rough split through the Delta's centre.
 */
export const WEST_SEA_LONGITUDE_LIMIT = 105.5;

/** A profile derived from a site's kind, longitude and id, for sites without a hand-written one. */
export function derivedProfile(site: Pick<Site, 'id' | 'kind' | 'lon'>): SiteProfile {
  const rng = mulberry32(deriveSeed(0, site.id, 'profile'));
  const jitter = (value: number, spread: number) => value * (1 + spread * (rng() * 2 - 1));
  const device: DeviceHealthProfile = { power: rng() < 0.7 ? 'solar' : 'mains', rssiDbm: Math.round(-70 - rng() * 35) };
  if (site.kind === 'camera') {
    const vehicles = rng() < 0.6;
    return {
      kind: 'camera',
      device,
      analytics: vehicles ? 'vehicles' : 'crowd',
      peak: vehicles ? Math.round(jitter(15, 0.5)) : Math.round(jitter(60, 0.4)),
      baseline: 0.05,
      activityPeaks: TOWN_TRAFFIC,
    };
  }
  const tide: TideRegime = site.lon < WEST_SEA_LONGITUDE_LIMIT ? 'diurnal' : 'semidiurnal';
  const tidal = {
    tide,
    tideLagHours: jitter(3, 0.6),
    salinityDry: r(jitter(0.4, 0.5), jitter(2.5, 0.5)),
    salinityWet: r(jitter(0.05, 0.5), jitter(0.3, 0.5)),
  };
  const temperature = r(jitter(27.5, 0.01), jitter(31.5, 0.01));
  if (site.kind === 'salinity') {
    return { kind: 'salinity', device, ...tidal, temperature, waterLevel: { meanM: jitter(0.2, 0.3), amplitudeM: jitter(0.4, 0.3) } };
  }
  const doMin = jitter(3, 0.25);
  return {
    kind: 'water-quality',
    device,
    ...tidal,
    dissolvedOxygen: r(doMin, doMin + jitter(2.8, 0.3)),
    ph: r(7.2, jitter(7.9, 0.04)),
    temperature,
    turbidity: r(jitter(40, 0.4), jitter(130, 0.3)),
    tssPerNtu: jitter(1.5, 0.15),
    cod: r(jitter(12, 0.3), jitter(32, 0.3)),
    nh4: r(jitter(0.15, 0.5), jitter(1, 0.5)),
  };
}

/** The profile of a site: its hand-written one when it has one of the same kind, else a derived one. */
export function profileFor(site: Pick<Site, 'id' | 'kind' | 'lon'>): SiteProfile {
  const seeded = SEEDED_PROFILES[site.id];
  return seeded && seeded.kind === site.kind ? seeded : derivedProfile(site);
}
