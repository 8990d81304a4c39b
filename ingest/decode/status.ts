/**
 * Decoding of `sites/{siteId}/status` payloads (statusPayloadSchema: online / offline /
 * maintenance, battery V, rssi dBm). A status is a state, not a series: an old `ts` is accepted
 * (a retained status can be old), a `ts` too far in the future is refused.
 */

import { statusPayloadSchema } from '../../common/payloads.js';
import { MAX_FUTURE_SKEW_MS } from '../../common/rejections.js';
import type { SiteStatusRecord } from '../../platform/store/types.js';
import type { DecodeContext, DecodeRejection } from './decode-types.js';
import { formatIssues, formatTs } from './detail-format.js';
import { parseJsonPayload } from './json-payload.js';

export interface StatusDecodeResult {
  /** The status to store, or undefined when the message was refused. */
  readonly status?: SiteStatusRecord;
  /** True when the device sent its own `ts` (else `status.ts` is the receive time). */
  readonly deviceTs?: boolean;
  readonly rejections: DecodeRejection[];
}

/** Decodes one status payload of `context.siteId`. Never throws. */
export function decodeStatus(payload: Uint8Array, context: Pick<DecodeContext, 'siteId' | 'receivedAt'>): StatusDecodeResult {
  const json = parseJsonPayload(payload);
  if (!json.ok) return { rejections: [json.rejection] };
  const parsed = statusPayloadSchema.safeParse(json.value);
  if (!parsed.success) return { rejections: [{ reason: 'invalid_payload', detail: `status: ${formatIssues(parsed.error.issues)}` }] };
  const { status, ts, battery, rssi } = parsed.data;
  if (ts !== undefined && ts - context.receivedAt > MAX_FUTURE_SKEW_MS) {
    return {
      rejections: [
        {
          reason: 'timestamp_in_future',
          detail: `status ts ${formatTs(ts)} is ${Math.round((ts - context.receivedAt) / 1000)} s ahead of the platform clock (at most ${MAX_FUTURE_SKEW_MS / 1000} s allowed)`,
        },
      ],
    };
  }
  return {
    status: { siteId: context.siteId, status, ts: ts ?? context.receivedAt, battery, rssi },
    deviceTs: ts !== undefined,
    rejections: [],
  };
}
