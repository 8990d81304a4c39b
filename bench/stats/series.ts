/** Small statistics over samples: median, nearest-rank percentile and the least-squares slope of a time series. */

/** Middle value (mean of the two middle ones for an even count); NaN for no values. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? Number.NaN) + upper) / 2;
}

/** Nearest-rank percentile `p` (0..100) of exact values; NaN for no values. */
export function percentileOf(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}

/** A sample of a quantity over time. */
export interface TimedSample {
  /** Seconds (any origin). */
  readonly t: number;
  readonly value: number;
}

/** Least-squares slope of `value` over `t`, units per second; 0 with fewer than two distinct times. */
export function slopePerSecond(samples: readonly TimedSample[]): number {
  const n = samples.length;
  if (n < 2) return 0;
  let sumT = 0;
  let sumV = 0;
  for (const sample of samples) {
    sumT += sample.t;
    sumV += sample.value;
  }
  const meanT = sumT / n;
  const meanV = sumV / n;
  let covariance = 0;
  let variance = 0;
  for (const sample of samples) {
    covariance += (sample.t - meanT) * (sample.value - meanV);
    variance += (sample.t - meanT) ** 2;
  }
  return variance === 0 ? 0 : covariance / variance;
}
