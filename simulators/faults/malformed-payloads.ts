/**
 * Telemetry payloads that ingest must refuse, one per rejection reason, each a mistake real
 * firmware makes: a message cut short, an ISO timestamp, a metric id in the wrong case, numbers
 * sent as strings, a broken pH probe, SenML with `ppt` (parts per *trillion*), a clock in
 * microseconds, a clock in seconds. Each produces exactly the one rejection reason it is named
 * after, so tests and operators can check the dead-letter log against what was sent.
 */
import type { MetricValues } from '../../common/metrics.js';
import type { MalformedKind } from './fault-spec.js';

/** The body of a malformed telemetry message of kind `kind`, built from a real reading (`tMs` epoch ms). */
export function malformedTelemetry(kind: MalformedKind, tMs: number, values: MetricValues, siteId: string): string {
  const some = firstValue(values);
  switch (kind) {
    case 'malformed_json': {
      // A radio frame cut short: valid JSON up to a point.
      const full = JSON.stringify({ ts: tMs, values });
      return full.slice(0, Math.max(8, Math.floor(full.length / 2)));
    }
    case 'invalid_payload':
      // An ISO-8601 timestamp: only epoch milliseconds are accepted.
      return JSON.stringify({ ts: new Date(tMs).toISOString(), values });
    case 'unknown_metric':
      return JSON.stringify({ ts: tMs, values: { [some.metric.toUpperCase()]: some.value } });
    case 'wrong_type':
      return JSON.stringify({ ts: tMs, values: { [some.metric]: String(some.value) } });
    case 'out_of_range':
      // A cracked pH bulb: physically impossible.
      return JSON.stringify({ ts: tMs, values: { ph: 15.3 } });
    case 'unit_mismatch':
      return JSON.stringify([{ bn: `urn:dev:${siteId}:`, bt: Math.round(tMs / 1000), n: 'salinity', u: 'ppt', v: 12.5 }]);
    case 'timestamp_in_future':
      // Microseconds instead of milliseconds: tens of thousands of years ahead.
      return JSON.stringify({ ts: tMs * 1000, values: { [some.metric]: some.value } });
    case 'timestamp_too_old':
      // Seconds instead of milliseconds: January 1970.
      return JSON.stringify({ ts: Math.round(tMs / 1000), values: { [some.metric]: some.value } });
  }
}

function firstValue(values: MetricValues): { metric: string; value: number } {
  for (const [metric, value] of Object.entries(values)) {
    if (typeof value === 'number') return { metric, value };
  }
  return { metric: 'temperature', value: 29.5 };
}
