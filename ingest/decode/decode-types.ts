/**
 * Shared shapes of the pure decoders: what they need to know about the message (context) and what
 * they return (accepted data plus one rejection per refused piece, with a specific explanation).
 */
import type { RejectionReason } from '../../common/rejections.js';

/** One refused piece of a message: a value, an entry, a record or the whole payload. */
export interface DecodeRejection {
  readonly reason: RejectionReason;
  /** Specific, human-readable explanation, e.g. `ph = 15 is outside 0–14`. */
  readonly detail: string;
}

/** What every decoder needs to know about the message besides its bytes. */
export interface DecodeContext {
  /** Site the message was published for (from the topic, which the broker ACL ties to the device). */
  readonly siteId: string;
  /** Epoch ms when ingest received the message; the timestamp of data sent without one. */
  readonly receivedAt: number;
  /** Epoch ms; older timestamps are refused (`timestamp_too_old`), normally now − retention. */
  readonly oldestAcceptedTs: number;
}
