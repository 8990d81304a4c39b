/**
 * A compact sliding window of samples for rate and swing rules, pure and JSON-serialisable (it is
 * persisted with the rule state, so a restart keeps a day of pH history). Samples are summarised in
 * {@link WINDOW_BUCKETS} equal time buckets (count, sums, min, max), so the state stays small at any
 * reporting rate; the window's edge is therefore precise to one bucket (1/24 of the window).
 */

/** Buckets per window. */
export const WINDOW_BUCKETS = 24;

export interface WindowBucket {
  /** Bucket start, epoch ms (a multiple of the bucket width). */
  readonly start: number;
  readonly count: number;
  /** Sum of sample times (epoch ms) and values, for the bucket's centroid. */
  readonly sumTs: number;
  readonly sumValue: number;
  readonly min: number;
  readonly max: number;
}

export interface SampleWindow {
  /** Window length, ms. */
  readonly windowMs: number;
  /** Buckets oldest first. */
  readonly buckets: readonly WindowBucket[];
}

export function emptyWindow(windowMs: number): SampleWindow {
  return { windowMs, buckets: [] };
}

function bucketWidth(windowMs: number): number {
  return Math.max(1, Math.ceil(windowMs / WINDOW_BUCKETS));
}

/**
 * Adds a sample (`ts` epoch ms, `value`) and drops buckets that fell out of the window behind the
 * newest sample. A sample older than the window is ignored; out-of-order samples inside it count.
 */
export function addSample(window: SampleWindow, ts: number, value: number): SampleWindow {
  const width = bucketWidth(window.windowMs);
  const start = Math.floor(ts / width) * width;
  const newestStart = Math.max(start, window.buckets[window.buckets.length - 1]?.start ?? start);
  const oldestKept = newestStart - width * WINDOW_BUCKETS;
  if (start <= oldestKept) return window;
  const buckets: WindowBucket[] = [];
  let placed = false;
  for (const bucket of window.buckets) {
    if (bucket.start <= oldestKept) continue;
    if (!placed && bucket.start === start) {
      buckets.push({
        start,
        count: bucket.count + 1,
        sumTs: bucket.sumTs + ts,
        sumValue: bucket.sumValue + value,
        min: Math.min(bucket.min, value),
        max: Math.max(bucket.max, value),
      });
      placed = true;
      continue;
    }
    if (!placed && bucket.start > start) {
      buckets.push({ start, count: 1, sumTs: ts, sumValue: value, min: value, max: value });
      placed = true;
    }
    buckets.push(bucket);
  }
  if (!placed) buckets.push({ start, count: 1, sumTs: ts, sumValue: value, min: value, max: value });
  return { windowMs: window.windowMs, buckets };
}

/** max − min of the samples in the window, or undefined when it is empty. */
export function swingOf(window: SampleWindow): number | undefined {
  if (window.buckets.length === 0) return undefined;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const bucket of window.buckets) {
    min = Math.min(min, bucket.min);
    max = Math.max(max, bucket.max);
  }
  return max - min;
}

const HOUR_MS = 3_600_000;

/**
 * Rate of change per hour, from the centroid (mean time, mean value) of the oldest bucket to that
 * of the newest — robust to single noisy samples. Undefined until the two centroids are at least
 * half a window apart (a rate over a few minutes would be noise).
 */
export function ratePerHour(window: SampleWindow): number | undefined {
  const first = window.buckets[0];
  const last = window.buckets[window.buckets.length - 1];
  if (!first || !last || first === last) return undefined;
  const t0 = first.sumTs / first.count;
  const t1 = last.sumTs / last.count;
  if (t1 - t0 < window.windowMs / 2) return undefined;
  return ((last.sumValue / last.count - first.sumValue / first.count) / (t1 - t0)) * HOUR_MS;
}
