/**
 * Records what ingest refused: counts every rejection in `ioc_ingest_rejected_total{reason}`,
 * queues dead-letter entries for the registry (batched, bounded) and logs without flooding.
 *
 * One message can hold thousands of bad values; the dead-letter log keeps at most
 * `maxEntriesPerMessage` of them plus one summary entry per remaining reason, so a single bad
 * payload cannot push every other entry out of the bounded log. The counter still counts each one.
 */
import type { Rejection } from '../common/api.js';
import type { RejectionReason } from '../common/rejections.js';
import { LogThrottle } from '../platform/log-throttle.js';
import type { Logger } from '../platform/logger.js';
import type { DecodeRejection } from './decode/decode-types.js';
import { escapeControlChars } from './decode/detail-format.js';
import { payloadExcerpt } from './decode/excerpt.js';

/** Where a rejected message came from. */
export interface RejectedMessage {
  readonly topic: string;
  /** The site of the topic, or null when the topic is not part of the contract. */
  readonly siteId: string | null;
  /** Epoch ms when ingest received (and refused) it. */
  readonly receivedAt: number;
  readonly payload: Uint8Array;
}

export interface RejectionRecorderOptions {
  /** Receives dead-letter entries (a write queue in front of `registry.addRejections`). */
  readonly sink: (entries: readonly Rejection[]) => void;
  /** Counts each rejection by reason. */
  readonly count: (reason: RejectionReason) => void;
  readonly logger: Logger;
  /** Dead-letter entries kept per message before summarising; default 20. */
  readonly maxEntriesPerMessage?: number;
}

const MAX_TOPIC_CHARS = 256;
const MAX_DETAIL_CHARS = 1000;

function clip(text: string, max: number): string {
  const safe = escapeControlChars(text);
  return safe.length > max ? `${safe.slice(0, max - 1)}…` : safe;
}

export class RejectionRecorder {
  private readonly throttle = new LogThrottle({ burst: 5, windowMs: 60_000 });
  private readonly maxEntries: number;

  constructor(private readonly options: RejectionRecorderOptions) {
    this.maxEntries = options.maxEntriesPerMessage ?? 20;
  }

  /** Records the rejections of one message. Never throws. */
  record(message: RejectedMessage, rejections: readonly DecodeRejection[]): void {
    if (rejections.length === 0) return;
    for (const rejection of rejections) this.options.count(rejection.reason);

    const topic = clip(message.topic, MAX_TOPIC_CHARS);
    const payloadExcerptText = payloadExcerpt(message.payload);
    const entry = (reason: RejectionReason, detail: string): Rejection => ({
      ts: message.receivedAt,
      reason,
      topic,
      siteId: message.siteId,
      detail: clip(detail, MAX_DETAIL_CHARS),
      payloadExcerpt: payloadExcerptText,
    });

    const entries = rejections.slice(0, this.maxEntries).map((r) => entry(r.reason, r.detail));
    const rest = new Map<RejectionReason, DecodeRejection[]>();
    for (const rejection of rejections.slice(this.maxEntries)) {
      const list = rest.get(rejection.reason) ?? [];
      list.push(rejection);
      rest.set(rejection.reason, list);
    }
    for (const [reason, list] of rest) {
      const first = list[0]?.detail ?? '';
      entries.push(entry(reason, `and ${list.length} more ${reason} rejections in this message, e.g. ${first}`));
    }
    this.options.sink(entries);

    const first = rejections[0];
    if (!first) return;
    const decision = this.throttle.take(first.reason);
    if (decision.log) {
      this.options.logger.warn(
        {
          siteId: message.siteId,
          topic,
          reason: first.reason,
          detail: clip(first.detail, 300),
          rejections: rejections.length,
          suppressed: decision.suppressed,
        },
        'message (partly) rejected',
      );
    }
  }
}
