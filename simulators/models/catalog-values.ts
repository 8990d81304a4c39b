/**
 * Bridge between the physics models and the metric catalog: every value a simulator publishes is
 * clamped into the metric's physical range and rounded to the catalog's decimals, so a simulated
 * device never sends something ingest would reject as `out_of_range`, nor 15 meaningless digits.
 */
import { METRICS, type MetricId, type MetricValues } from '../../common/metrics.js';

/** `value` clamped into the metric's catalog range and rounded to its catalog decimals. */
export function toCatalogValue(metric: MetricId, value: number): number {
  const { min, max, decimals } = METRICS[metric];
  const finite = Number.isFinite(value) ? value : min;
  const clamped = Math.min(max, Math.max(min, finite));
  const rounded = Number(clamped.toFixed(decimals));
  // Rounding cannot leave the range (catalog bounds are round numbers) but `-0` would look odd.
  return rounded === 0 ? 0 : rounded;
}

/** Applies {@link toCatalogValue} to every entry. */
export function toCatalogValues(values: Readonly<Partial<Record<MetricId, number>>>): MetricValues {
  const out: MetricValues = {};
  for (const [metric, value] of Object.entries(values) as [MetricId, number][]) {
    out[metric] = toCatalogValue(metric, value);
  }
  return out;
}

/** Rounds to `decimals` places (for non-catalog numbers in events and status payloads). */
export function roundTo(value: number, decimals: number): number {
  return Number(value.toFixed(decimals));
}
