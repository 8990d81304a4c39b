/**
 * Deterministic randomness for the simulators. Every random choice comes from a seeded generator,
 * so a run with the same seed and clock produces the same values, and a failing test can be
 * replayed. Two kinds are offered: a stream ({@link mulberry32}) for per-sample noise, and
 * {@link smoothNoise}, a pure function of time for slow variations (weather, rain, fouling) that
 * does not depend on how often it is sampled.
 */

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/**
 * mulberry32: a tiny 32-bit generator (public domain, Tommy Ettinger). Period 2^32, fast, and
 * statistically good enough for simulated sensor noise; not for secrets.
 */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** 32-bit FNV-1a hash of a string, mixed with `seed`: stable ids → stable seeds. */
export function hashString(text: string, seed = 0): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return finalMix(hash);
}

/** Derives an independent 32-bit seed from a base seed and labels, e.g. `(seed, siteId, 'noise')`. */
export function deriveSeed(seed: number, ...labels: readonly (string | number)[]): number {
  let hash = finalMix(seed >>> 0);
  for (const label of labels) hash = hashString(String(label), hash);
  return hash;
}

/** murmur3's 32-bit finaliser: spreads every input bit over the output. */
function finalMix(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** A standard normal sample (mean 0, standard deviation 1) by the Box–Muller transform. */
export function gaussian(rng: Random): number {
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A Poisson sample with mean `lambda` (Knuth's method; fine for the small means simulated here). */
export function poisson(rng: Random, lambda: number): number {
  if (!(lambda > 0)) return 0;
  if (lambda > 60) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * gaussian(rng)));
  const limit = Math.exp(-lambda);
  let count = 0;
  let product = rng();
  while (product > limit) {
    count++;
    product *= rng();
  }
  return count;
}

/** Uniform value in [-1, 1) at knot `index` of the noise curve `seed`. */
function knot(seed: number, index: number): number {
  return mulberry32(deriveSeed(seed, index))() * 2 - 1;
}

/**
 * Smooth value noise in [-1, 1]: random knots every `periodMs`, joined by cosine interpolation.
 * A pure function of `(seed, tMs)`, so the same instant always gives the same value.
 */
export function smoothNoise(seed: number, tMs: number, periodMs: number): number {
  const position = tMs / periodMs;
  const index = Math.floor(position);
  const fraction = position - index;
  const weight = (1 - Math.cos(Math.PI * fraction)) / 2;
  return knot(seed, index) * (1 - weight) + knot(seed, index + 1) * weight;
}
