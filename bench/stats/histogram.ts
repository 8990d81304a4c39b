/**
 * A latency histogram with bounded relative error: values (ms) fall into logarithmic buckets 1 %
 * wide, so a run of millions of messages costs a few kilobytes and any percentile is read back
 * within 1 % of the true sample. Exact min, max and mean are kept alongside.
 */

/** Smallest value told apart from zero, ms (1 µs). */
const MIN_VALUE_MS = 0.001;
/** Relative width of one bucket. */
const PRECISION = 0.01;
/** Largest value with its own bucket, ms (about 17 minutes); larger ones land in the last bucket. */
const MAX_VALUE_MS = 1_000_000;

const LOG_BASE = Math.log1p(PRECISION);
const BUCKETS = Math.ceil(Math.log(MAX_VALUE_MS / MIN_VALUE_MS) / LOG_BASE) + 2;

/** Percentiles and moments of recorded latencies, ms. */
export interface LatencySummary {
  readonly count: number;
  readonly min: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

export class LatencyHistogram {
  private readonly counts = new Uint32Array(BUCKETS);
  private total = 0;
  private sum = 0;
  private minSeen = Number.POSITIVE_INFINITY;
  private maxSeen = Number.NEGATIVE_INFINITY;

  /** Records one value, ms. Negative values (clock skew) count as 0; NaN is ignored. */
  record(valueMs: number): void {
    if (Number.isNaN(valueMs)) return;
    const value = Math.max(valueMs, 0);
    const index = value <= MIN_VALUE_MS ? 0 : Math.min(BUCKETS - 1, 1 + Math.floor(Math.log(value / MIN_VALUE_MS) / LOG_BASE));
    this.counts[index] = (this.counts[index] ?? 0) + 1;
    this.total++;
    this.sum += value;
    if (value < this.minSeen) this.minSeen = value;
    if (value > this.maxSeen) this.maxSeen = value;
  }

  /** Values recorded. */
  get count(): number {
    return this.total;
  }

  /** Adds every value of `other` to this histogram. */
  merge(other: LatencyHistogram): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i] = (this.counts[i] ?? 0) + (other.counts[i] ?? 0);
    this.total += other.total;
    this.sum += other.sum;
    this.minSeen = Math.min(this.minSeen, other.minSeen);
    this.maxSeen = Math.max(this.maxSeen, other.maxSeen);
  }

  /**
   * The value below which `p` percent of the recorded values lie (nearest-rank), within 1 %;
   * clamped to the exact min and max. NaN when nothing was recorded.
   */
  percentile(p: number): number {
    if (this.total === 0) return Number.NaN;
    if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i] ?? 0;
      if (seen >= rank) return Math.min(this.maxSeen, Math.max(this.minSeen, bucketMidpoint(i)));
    }
    return this.maxSeen;
  }

  summary(): LatencySummary {
    const empty = this.total === 0;
    return {
      count: this.total,
      min: empty ? Number.NaN : this.minSeen,
      mean: empty ? Number.NaN : this.sum / this.total,
      p50: this.percentile(50),
      p90: this.percentile(90),
      p99: this.percentile(99),
      max: empty ? Number.NaN : this.maxSeen,
    };
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
    this.sum = 0;
    this.minSeen = Number.POSITIVE_INFINITY;
    this.maxSeen = Number.NEGATIVE_INFINITY;
  }
}

/** Geometric middle of bucket `index` (bucket 0 holds everything up to MIN_VALUE_MS). */
function bucketMidpoint(index: number): number {
  if (index === 0) return MIN_VALUE_MS;
  const lower = MIN_VALUE_MS * Math.exp((index - 1) * LOG_BASE);
  return lower * Math.sqrt(1 + PRECISION);
}
