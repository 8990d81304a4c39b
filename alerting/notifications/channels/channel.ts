/**
 * The one interface every notification channel implements (in-app, webhook, e-mail, gateway). The
 * outbox worker calls `deliver` once per attempt; a channel never retries by itself, it reports
 * whether the failure is worth retrying, and the outbox schedules the retry.
 */
import type { ChannelStatus, NotificationChannelType } from '../../../common/notifications.js';
import type { OutboxMessage } from '../outbox-message.js';

/** One attempt to deliver one message. */
export interface ChannelDelivery {
  /** Outbox id: the same on every attempt (receivers de-duplicate with it). */
  readonly id: string;
  readonly username: string;
  /** The address: user name, URL, e-mail address or gateway recipient. */
  readonly target: string;
  readonly message: OutboxMessage;
  /** 1 for the first attempt. */
  readonly attempt: number;
}

/**
 * How an attempt went: delivered; failed but worth retrying (`retryAfterMs` when the receiver said
 * when); or refused for good (a 4xx from a webhook, a 5xx SMTP reply, a channel not configured).
 */
export type DeliveryOutcome =
  | { readonly status: 'sent' }
  | { readonly status: 'retry'; readonly error: string; readonly retryAfterMs?: number }
  | { readonly status: 'rejected'; readonly error: string };

export interface NotificationChannel {
  readonly type: NotificationChannelType;
  /** Whether the channel can send, and what it sends to (never a secret). */
  status(): ChannelStatus;
  /**
   * Makes one attempt. Never throws: every failure is an outcome. `signal` aborts it when the
   * attempt times out or the notifier stops.
   */
  deliver(delivery: ChannelDelivery, signal: AbortSignal): Promise<DeliveryOutcome>;
  /** Releases connections. */
  close(): Promise<void>;
}

/** A short, safe description of a thrown error: its code and message, never a response body. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out';
    const cause: unknown = error.cause;
    const code = (cause instanceof Error ? (cause as NodeJS.ErrnoException).code : undefined) ?? (error as NodeJS.ErrnoException).code;
    const message = cause instanceof Error ? cause.message : error.message;
    return (code ? `${code}: ${message}` : message).slice(0, 300);
  }
  return String(error).slice(0, 300);
}
