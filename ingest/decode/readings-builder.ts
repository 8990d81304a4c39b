/**
 * Collects accepted values of one message into {@link Reading}s: values with the same timestamp
 * are merged into one reading (a later value for the same metric and time replaces an earlier
 * one, as the store does), readings come out oldest first.
 */
import type { MetricId, MetricValues } from '../../common/metrics.js';
import type { Reading } from '../../common/payloads.js';

export class ReadingsBuilder {
  private readonly byTs = new Map<number, MetricValues>();

  constructor(private readonly siteId: string) {}

  /** Adds one value (catalog unit) measured at `ts` (epoch ms). */
  add(ts: number, metric: MetricId, value: number): void {
    let values = this.byTs.get(ts);
    if (!values) {
      values = {};
      this.byTs.set(ts, values);
    }
    values[metric] = value;
  }

  /** The readings collected so far, oldest first. */
  build(): Reading[] {
    return [...this.byTs.entries()].sort(([a], [b]) => a - b).map(([ts, values]) => ({ siteId: this.siteId, ts, values: { ...values } }));
  }
}
