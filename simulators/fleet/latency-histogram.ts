/**
 * A small fixed-memory latency histogram for run summaries: 0.1 ms resolution below 1 ms, then
 * buckets 5 % wide, so percentiles are accurate to about 5 % whatever the count. Values in ms.
 */
const LINEAR_BUCKETS = 10;
const GROWTH = Math.log(1.05);
const MAX_MS = 3_600_000;
const BUCKETS = LINEAR_BUCKETS + Math.ceil(Math.log(MAX_MS) / GROWTH) + 1;

function bucketOf(ms: number): number {
  if (!(ms > 0)) return 0;
  if (ms < 1) return Math.floor(ms * 10);
  return Math.min(BUCKETS - 1, LINEAR_BUCKETS + Math.floor(Math.log(Math.min(ms, MAX_MS)) / GROWTH));
}

/** The upper edge of a bucket, ms. */
function upperEdge(bucket: number): number {
  if (bucket < LINEAR_BUCKETS) return (bucket + 1) / 10;
  return Math.exp((bucket - LINEAR_BUCKETS + 1) * GROWTH);
}

export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  private total = 0;
  private maxMs = 0;

  /** Records one latency, ms. */
  record(ms: number): void {
    this.counts[bucketOf(ms)] = (this.counts[bucketOf(ms)] ?? 0) + 1;
    this.total++;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  get count(): number {
    return this.total;
  }

  get max(): number {
    return this.maxMs;
  }

  /** The latency below which `fraction` (0–1) of the values fall, ms (upper bucket edge, at most the max); 0 when empty. */
  percentile(fraction: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil(fraction * this.total));
    let seen = 0;
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      seen += this.counts[bucket] ?? 0;
      if (seen >= rank) return Math.min(upperEdge(bucket), this.maxMs);
    }
    return this.maxMs;
  }

  /** Adds another histogram's counts (to merge workers' figures). */
  merge(other: { readonly counts: readonly number[]; readonly max: number }): void {
    other.counts.forEach((count, bucket) => {
      if (bucket < BUCKETS && count > 0) {
        this.counts[bucket] = (this.counts[bucket] ?? 0) + count;
        this.total += count;
      }
    });
    this.maxMs = Math.max(this.maxMs, other.max);
  }

  /** The raw counts, for sending to another process. */
  toJSON(): { counts: number[]; max: number } {
    return { counts: Array.from(this.counts), max: this.maxMs };
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
    this.maxMs = 0;
  }
}
