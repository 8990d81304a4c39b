/**
 * Checks of a single value against the metric catalog: is the key a known metric, is the value a
 * finite number, and is it physically possible. Each failed check names the metric and the value.
 */
import { isMetricId, METRIC_IDS, METRICS, type MetricId } from '../../common/metrics.js';
import type { DecodeRejection } from './decode-types.js';
import { describeJsonValue, formatQuantity, quote } from './detail-format.js';

export type MetricLookup = { readonly ok: true; readonly metric: MetricId } | { readonly ok: false; readonly rejection: DecodeRejection };

/** Resolves a payload key to a catalog metric id; ids are case-sensitive, near misses get a hint. */
export function resolveMetric(key: string, prefix = ''): MetricLookup {
  if (isMetricId(key)) return { ok: true, metric: key };
  const lower = key.toLowerCase();
  const suggestion = METRIC_IDS.find((id) => id === lower);
  const hint = suggestion ? ` (metric ids are case-sensitive: did you mean '${suggestion}'?)` : '';
  return { ok: false, rejection: { reason: 'unknown_metric', detail: `${prefix}unknown metric ${quote(key)}${hint}` } };
}

export type NumberCheck = { readonly ok: true; readonly value: number } | { readonly ok: false; readonly rejection: DecodeRejection };

/**
 * Accepts only a finite JSON number: strings (even "5"), booleans, null, objects, and numbers
 * that overflowed to Infinity in JSON.parse (`1e400`) are `wrong_type`.
 */
export function checkNumber(metric: MetricId, raw: unknown, prefix = ''): NumberCheck {
  if (typeof raw === 'number' && Number.isFinite(raw)) return { ok: true, value: raw };
  const what = describeJsonValue(raw);
  return { ok: false, rejection: { reason: 'wrong_type', detail: `${prefix}${metric} is ${what}, not a finite number` } };
}

/**
 * Refuses a value outside the metric's physical range (`out_of_range`). `original` describes the
 * value as sent when it was converted from another unit, e.g. `400 K`.
 */
export function checkRange(metric: MetricId, value: number, prefix = '', original?: string): DecodeRejection | undefined {
  const { min, max, unit } = METRICS[metric];
  if (value >= min && value <= max) return undefined;
  const shown = original ? `${original} (${formatQuantity(value, unit)})` : formatQuantity(value, unit);
  const range = `${min}–${max}${unit ? ` ${unit}` : ''}`;
  return { reason: 'out_of_range', detail: `${prefix}${metric} = ${shown} is outside ${range}` };
}
