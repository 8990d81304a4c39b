import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../../bench/stats/histogram.js';
import { median, percentileOf, slopePerSecond } from '../../../bench/stats/series.js';

describe('LatencyHistogram', () => {
  it('reads percentiles back within 1 % of the exact nearest-rank values', () => {
    const histogram = new LatencyHistogram();
    const values = Array.from({ length: 10_000 }, (_, i) => 0.05 + i * 0.37);
    for (const value of values) histogram.record(value);
    for (const p of [1, 50, 90, 99, 99.9]) {
      const exact = percentileOf(values, p);
      expect(Math.abs(histogram.percentile(p) - exact) / exact).toBeLessThan(0.01);
    }
  });

  it('keeps the exact min, max and mean and clamps percentiles to them', () => {
    const histogram = new LatencyHistogram();
    for (const value of [2, 4, 9]) histogram.record(value);
    expect(histogram.summary()).toMatchObject({ count: 3, min: 2, max: 9, mean: 5 });
    expect(histogram.percentile(0)).toBe(2);
    expect(histogram.percentile(100)).toBe(9);
  });

  it('counts negative values (clock skew) as zero and ignores NaN', () => {
    const histogram = new LatencyHistogram();
    histogram.record(-3);
    histogram.record(Number.NaN);
    expect(histogram.count).toBe(1);
    expect(histogram.summary().max).toBe(0);
  });

  it('reports NaN for an empty histogram and refuses percentiles outside 0..100', () => {
    const histogram = new LatencyHistogram();
    expect(histogram.summary().p99).toBeNaN();
    histogram.record(1);
    expect(() => histogram.percentile(101)).toThrow(RangeError);
  });

  it('merges and resets', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    a.record(1);
    b.record(100);
    a.merge(b);
    expect(a.summary()).toMatchObject({ count: 2, min: 1, max: 100 });
    a.reset();
    expect(a.count).toBe(0);
  });

  it('puts values beyond its range in the last bucket and still reports the exact max', () => {
    const histogram = new LatencyHistogram();
    histogram.record(5e7);
    expect(histogram.percentile(50)).toBe(5e7);
  });
});

describe('series statistics', () => {
  it('computes the median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('computes nearest-rank percentiles', () => {
    expect(percentileOf([5, 1, 4, 2, 3], 60)).toBe(3);
    expect(percentileOf([5, 1, 4, 2, 3], 100)).toBe(5);
  });

  it('fits the slope of a time series', () => {
    expect(slopePerSecond([0, 1, 2, 3].map((t) => ({ t, value: 10 + 2.5 * t })))).toBeCloseTo(2.5);
    expect(slopePerSecond([{ t: 1, value: 4 }])).toBe(0);
    expect(slopePerSecond([1, 1].map((t) => ({ t, value: t })))).toBe(0);
  });
});
