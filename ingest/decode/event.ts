/**
 * Decoding of `sites/{siteId}/events` payloads (eventPayloadSchema: camera analytics and device
 * events). Events are a series like readings: the same timestamp rules apply.
 */
import { eventPayloadSchema } from '../../common/payloads.js';
import type { SiteEvent } from '../../platform/store/types.js';
import type { DecodeContext, DecodeRejection } from './decode-types.js';
import { formatIssues } from './detail-format.js';
import { parseJsonPayload } from './json-payload.js';
import { checkTimestamp } from './timestamps.js';

export interface EventDecodeResult {
  /** The event to store, or undefined when the message was refused. */
  readonly event?: SiteEvent;
  readonly rejections: DecodeRejection[];
}

/** Decodes one event payload of `context.siteId`. Never throws. */
export function decodeEvent(payload: Uint8Array, context: DecodeContext): EventDecodeResult {
  const json = parseJsonPayload(payload);
  if (!json.ok) return { rejections: [json.rejection] };
  const parsed = eventPayloadSchema.safeParse(json.value);
  if (!parsed.success) return { rejections: [{ reason: 'invalid_payload', detail: `event: ${formatIssues(parsed.error.issues)}` }] };
  const { ts, type, severity, message, data } = parsed.data;
  const at = ts ?? context.receivedAt;
  const badTime = checkTimestamp(at, context, 'event: ');
  if (badTime) return { rejections: [badTime] };
  return { event: { siteId: context.siteId, ts: at, type, severity, message, data }, rejections: [] };
}
