/**
 * Environmental forcing beyond the daily cycle: rain (natural and scripted), a dissolved-oxygen
 * crash, and a salinity intrusion. Pure functions of time, like the rest of the physics, so a
 * reading depends only on the instant, the site and the seed — never on how often it is sampled.
 *
 * - Rain is regional (nearby sites share the same showers), far more frequent in the wet season
 *   (May–November) and biased to the afternoon, when convective storms build over the Delta.
 * - Runoff is rain over the last ~8 hours, weighted to the recent hours: it carries sediment
 *   (turbidity up), organic load (COD, ammonium up, DO down) and, from the Delta's acid sulfate
 *   soils, acidity (pH down).
 * - Freshening is rain over the last day: fresh water that dilutes salinity.
 */
import { deriveSeed, smoothNoise } from '../random.js';
import { diurnalWave, drySeasonFactor, localHourOfDay, MS_PER_HOUR } from './time.js';

/** Conditions at one instant at one site; every field is 0 when nothing is happening. */
export interface Forcing {
  /** Rain falling now, 0 (dry) – 1 (tropical downpour). */
  readonly rain: number;
  /** Recent rain reaching the water as runoff, 0–1. */
  readonly runoff: number;
  /** Rain over the last day diluting salinity, 0–1. */
  readonly freshening: number;
  /** Depth of a dissolved-oxygen crash, 0 (none) – 1 (DO held at {@link crashDoMgL}). */
  readonly doCrash: number;
  /** DO at full crash depth, mg/L. */
  readonly crashDoMgL: number;
  /** Extra salinity from an intrusion event, ‰ at high water. */
  readonly extraSalinityPpt: number;
}

/** No forcing: the physics models' default. */
export const CALM: Forcing = { rain: 0, runoff: 0, freshening: 0, doCrash: 0, crashDoMgL: 0, extraSalinityPpt: 0 };

/** A scripted shower: `intensity` 0–1 between `startMs` and `endMs` (epoch ms), with 15-minute edges. */
export interface ScriptedRain {
  readonly startMs: number;
  readonly endMs: number;
  readonly intensity: number;
}

/**
 * A scripted DO crash (algal die-off, overcast still night): DO falls to `minDoMgL` over `rampMs`
 * from `startMs`, stays there until `endMs`, and recovers over `rampMs` after it.
 */
export interface ScriptedDoCrash {
  readonly startMs: number;
  readonly endMs: number;
  readonly minDoMgL: number;
  readonly rampMs: number;
}

/** A scripted salinity intrusion: `extraPpt` more salt, rising over `rampMs` from `startMs`, receding after `endMs`. */
export interface ScriptedSalinityIntrusion {
  readonly startMs: number;
  readonly endMs: number;
  readonly extraPpt: number;
  readonly rampMs: number;
}

/** What drives one site's environment. */
export interface SiteEnvironment {
  /** Seed of the site's region's weather (shared by sites within about 25 km). */
  readonly weatherSeed: number;
  /** Whether natural rain falls (scenarios may turn it off for a clean demo). */
  readonly naturalRain: boolean;
  readonly rains: readonly ScriptedRain[];
  readonly doCrashes: readonly ScriptedDoCrash[];
  readonly intrusions: readonly ScriptedSalinityIntrusion[];
}

/** Size of a weather region, degrees (≈ 28 km): sites in one cell share their showers. */
export const WEATHER_CELL_DEGREES = 0.25;

/** The weather seed of the region around `lat`, `lon` for run seed `seed`. */
export function weatherSeedFor(seed: number, lat: number, lon: number): number {
  return deriveSeed(seed, 'weather', Math.floor(lat / WEATHER_CELL_DEGREES), Math.floor(lon / WEATHER_CELL_DEGREES));
}

/** An environment with natural weather only. */
export function naturalEnvironment(weatherSeed: number): SiteEnvironment {
  return { weatherSeed, naturalRain: true, rains: [], doCrashes: [], intrusions: [] };
}

/** Half-cosine step from 0 (x ≤ 0) to 1 (x ≥ 1). */
export function smoothStep(x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  return (1 - Math.cos(Math.PI * x)) / 2;
}

/** 0 outside [start, end + ramp], rising over `ramp` from `start`, falling over `ramp` from `end`. */
export function windowWeight(tMs: number, startMs: number, endMs: number, rampMs: number): number {
  if (rampMs <= 0) return tMs >= startMs && tMs < endMs ? 1 : 0;
  return smoothStep((tMs - startMs) / rampMs) * (1 - smoothStep((tMs - endMs) / rampMs));
}

/**
 * Natural rain, 0–1, at epoch ms `tMs` in the region of `weatherSeed`: showers a few hours long,
 * most afternoons in the wet season, rare in the dry season.
 */
export function naturalRain(tMs: number, weatherSeed: number): number {
  const wet = 1 - drySeasonFactor(tMs);
  const threshold = 0.8 - 0.45 * wet;
  const cloud = smoothNoise(weatherSeed, tMs, 3 * MS_PER_HOUR);
  if (cloud <= threshold) return 0;
  const afternoon = 0.55 + 0.45 * diurnalWave(localHourOfDay(tMs), 8, 16);
  return Math.min(1, ((cloud - threshold) / (1 - threshold)) * afternoon * 1.6);
}

/** Rain falling at `tMs`, natural plus scripted, 0–1. */
export function rainAt(tMs: number, environment: SiteEnvironment): number {
  let rain = environment.naturalRain ? naturalRain(tMs, environment.weatherSeed) : 0;
  for (const shower of environment.rains) rain += shower.intensity * windowWeight(tMs, shower.startMs, shower.endMs, 15 * 60_000);
  return Math.min(1, rain);
}

/** Exponentially decaying weights, normalised to sum 1. */
function decayingWeights(count: number, decay: number): number[] {
  const raw = Array.from({ length: count }, (_, k) => Math.exp(-k / decay));
  const sum = raw.reduce((a, b) => a + b, 0);
  return raw.map((w) => w / sum);
}

/** Runoff: rain sampled hourly over the last 8 h. Freshening: every 3 h over the last day. */
const RUNOFF = { stepMs: MS_PER_HOUR, weights: decayingWeights(8, 2.5) } as const;
const FRESHENING = { stepMs: 3 * MS_PER_HOUR, weights: decayingWeights(8, 3) } as const;

function recentRain(tMs: number, environment: SiteEnvironment, kernel: { stepMs: number; weights: readonly number[] }): number {
  let total = 0;
  kernel.weights.forEach((weight, k) => {
    total += weight * rainAt(tMs - k * kernel.stepMs, environment);
  });
  // Sustained heavy rain saturates the effect; a short shower counts for less.
  return Math.min(1, total * 1.5);
}

/** Everything forcing the site at epoch ms `tMs`. */
export function forcingAt(tMs: number, environment: SiteEnvironment): Forcing {
  let doCrash = 0;
  let crashDoMgL = 0;
  for (const crash of environment.doCrashes) {
    const weight = windowWeight(tMs, crash.startMs, crash.endMs, crash.rampMs);
    if (weight > doCrash) {
      doCrash = weight;
      crashDoMgL = crash.minDoMgL;
    }
  }
  let extraSalinityPpt = 0;
  for (const intrusion of environment.intrusions) {
    extraSalinityPpt += intrusion.extraPpt * windowWeight(tMs, intrusion.startMs, intrusion.endMs, intrusion.rampMs);
  }
  return {
    rain: rainAt(tMs, environment),
    runoff: recentRain(tMs, environment, RUNOFF),
    freshening: recentRain(tMs, environment, FRESHENING),
    doCrash,
    crashDoMgL,
    extraSalinityPpt,
  };
}
