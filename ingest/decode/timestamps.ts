/**
 * Timestamp rules shared by every payload form. Timestamps are epoch milliseconds as JSON
 * numbers; ISO-8601 strings are NOT accepted (one unambiguous form for firmware, no time-zone
 * guessing). Fractional milliseconds are rounded. A timestamp more than MAX_FUTURE_SKEW_MS ahead
 * of the receive time, or before the oldest accepted time (retention), is refused.
 */
import { MAX_FUTURE_SKEW_MS } from '../../common/rejections.js';
import type { DecodeContext, DecodeRejection } from './decode-types.js';
import { describeJsonValue, formatTs } from './detail-format.js';

export type EpochMsResult = { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly detail: string };

/** Reads a `ts` field: a finite JSON number of epoch milliseconds. */
export function readEpochMs(raw: unknown): EpochMsResult {
  if (typeof raw === 'number' && Number.isFinite(raw)) return { ok: true, ms: Math.round(raw) };
  const isoHint = typeof raw === 'string' ? ' (ISO-8601 strings are not accepted)' : '';
  return { ok: false, detail: `ts must be epoch milliseconds as a JSON number, got ${describeJsonValue(raw)}${isoHint}` };
}

/** Epoch ms values this small are probably epoch seconds sent by mistake (before 1973 in ms). */
const LOOKS_LIKE_SECONDS_BELOW_MS = 1e11;

/**
 * Refuses timestamps too far in the future or older than `context.oldestAcceptedTs`.
 * `prefix` locates the entry in the detail (`entry 3: `).
 */
export function checkTimestamp(
  ts: number,
  context: Pick<DecodeContext, 'receivedAt' | 'oldestAcceptedTs'>,
  prefix = '',
): DecodeRejection | undefined {
  const aheadMs = ts - context.receivedAt;
  if (aheadMs > MAX_FUTURE_SKEW_MS) {
    return {
      reason: 'timestamp_in_future',
      detail: `${prefix}ts ${formatTs(ts)} is ${Math.round(aheadMs / 1000)} s ahead of the platform clock (at most ${MAX_FUTURE_SKEW_MS / 1000} s allowed)`,
    };
  }
  if (ts < context.oldestAcceptedTs) {
    const secondsHint =
      ts > 0 &&
      ts < LOOKS_LIKE_SECONDS_BELOW_MS &&
      ts * 1000 >= context.oldestAcceptedTs &&
      ts * 1000 - context.receivedAt <= MAX_FUTURE_SKEW_MS
        ? ' — it looks like epoch seconds; ts is epoch milliseconds'
        : '';
    return {
      reason: 'timestamp_too_old',
      detail: `${prefix}ts ${formatTs(ts)} is before the oldest accepted time ${formatTs(context.oldestAcceptedTs)} (retention)${secondsHint}`,
    };
  }
  return undefined;
}
