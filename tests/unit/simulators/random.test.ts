import { describe, expect, it } from 'vitest';
import { deriveSeed, gaussian, hashString, mulberry32, poisson, smoothNoise } from '../../../simulators/random.js';

const take = (rng: () => number, n: number) => Array.from({ length: n }, () => rng());

describe('mulberry32', () => {
  it('repeats the same sequence for the same seed and differs for another seed', () => {
    expect(take(mulberry32(42), 20)).toEqual(take(mulberry32(42), 20));
    expect(take(mulberry32(42), 20)).not.toEqual(take(mulberry32(43), 20));
  });

  it('draws uniformly from [0, 1)', () => {
    const values = take(mulberry32(7), 20_000);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean).toBeCloseTo(0.5, 1);
    const buckets = new Array(10).fill(0);
    for (const v of values) buckets[Math.floor(v * 10)]++;
    for (const count of buckets) expect(count).toBeGreaterThan(1_700);
  });
});

describe('seed derivation', () => {
  it('is stable and separates labels', () => {
    expect(hashString('KG-WQ-01')).toBe(hashString('KG-WQ-01'));
    expect(deriveSeed(1, 'KG-WQ-01', 'samples')).toBe(deriveSeed(1, 'KG-WQ-01', 'samples'));
    const seeds = new Set([
      deriveSeed(1, 'KG-WQ-01', 'samples'),
      deriveSeed(1, 'KG-WQ-02', 'samples'),
      deriveSeed(1, 'KG-WQ-01', 'slow'),
      deriveSeed(2, 'KG-WQ-01', 'samples'),
    ]);
    expect(seeds.size).toBe(4);
  });
});

describe('gaussian and poisson', () => {
  it('have the requested moments', () => {
    const rng = mulberry32(3);
    const normals = Array.from({ length: 20_000 }, () => gaussian(rng));
    const mean = normals.reduce((a, b) => a + b, 0) / normals.length;
    const variance = normals.reduce((a, b) => a + (b - mean) ** 2, 0) / normals.length;
    expect(mean).toBeCloseTo(0, 1);
    expect(variance).toBeCloseTo(1, 1);
    const counts = Array.from({ length: 5_000 }, () => poisson(rng, 6));
    expect(counts.every((c) => Number.isInteger(c) && c >= 0)).toBe(true);
    expect(counts.reduce((a, b) => a + b, 0) / counts.length).toBeCloseTo(6, 0);
    expect(poisson(rng, 0)).toBe(0);
  });
});

describe('smoothNoise', () => {
  it('is a pure, bounded and continuous function of time', () => {
    const period = 3_600_000;
    let previous = smoothNoise(9, 0, period);
    for (let t = 0; t < 48 * period; t += 60_000) {
      const value = smoothNoise(9, t, period);
      expect(value).toBe(smoothNoise(9, t, period));
      expect(Math.abs(value)).toBeLessThanOrEqual(1);
      // A minute is 1/60 of a knot period: the value moves at most π/2·2/60 ≈ 0.053.
      expect(Math.abs(value - previous)).toBeLessThan(0.06);
      previous = value;
    }
    expect(smoothNoise(9, 5.5 * period, period)).not.toBe(smoothNoise(10, 5.5 * period, period));
  });
});
