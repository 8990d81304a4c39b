/**
 * Turns the `from`/`to` of a readings query (epoch ms or ISO-8601, both optional) into a concrete
 * epoch-ms range: `to` defaults to now, `from` to 24 h before `to`; `from` must be before `to`;
 * a span longer than the store's retention is cut to the newest `maxSpanMs` (nothing older exists).
 */
import { AppError } from '../../platform/errors.js';

/** Default history window, ms (24 h). */
export const DEFAULT_HISTORY_SPAN_MS = 24 * 3600 * 1000;

function toEpochMs(value: number | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'number' ? value : Date.parse(value);
}

/** The range to query, epoch ms (`from` inclusive, `to` exclusive). Throws `validation_failed`. */
export function resolveHistoryRange(
  query: { readonly from?: number | string | undefined; readonly to?: number | string | undefined },
  nowMs: number,
  maxSpanMs: number,
): { from: number; to: number } {
  const to = toEpochMs(query.to) ?? nowMs;
  const from = toEpochMs(query.from) ?? to - DEFAULT_HISTORY_SPAN_MS;
  if (!Number.isFinite(from) || !Number.isFinite(to)) {
    throw new AppError('validation_failed', 'Invalid request query', [{ path: 'from', message: 'not a valid time' }]);
  }
  if (from >= to) {
    throw new AppError('validation_failed', 'Invalid request query', [{ path: 'from', message: '`from` must be before `to`' }]);
  }
  return { from: Math.max(from, to - maxSpanMs, 0), to };
}
