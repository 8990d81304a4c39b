/**
 * Webhook channel: POSTs the alert as JSON to the subscriber's URL, signed with HMAC-SHA256
 * (`X-IOC-Signature`, see ../webhook-signature.ts) so the receiver can check it came from this IOC
 * and is not a replay. Configured by NOTIFY_WEBHOOK_SECRET; without it every delivery is refused.
 */
import type { ChannelStatus } from '../../../common/notifications.js';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signWebhook } from '../webhook-signature.js';
import type { ChannelDelivery, DeliveryOutcome, NotificationChannel } from './channel.js';
import { DEFAULT_HTTP_TIMEOUT_MS, postForDelivery } from './http-post.js';

export interface WebhookChannelOptions {
  /** HMAC key (NOTIFY_WEBHOOK_SECRET); undefined = channel not configured. */
  readonly secret: string | undefined;
  /** Epoch ms, for the signature's timestamp. */
  readonly clock: () => number;
  /** Longest a receiver may take, ms (default 10,000). */
  readonly timeoutMs?: number;
  /** Sent as User-Agent, e.g. `MekongIOC/0.1.0`. */
  readonly userAgent: string;
}

export class WebhookChannel implements NotificationChannel {
  readonly type = 'webhook' as const;

  constructor(private readonly options: WebhookChannelOptions) {}

  status(): ChannelStatus {
    return this.options.secret
      ? { channel: 'webhook', configured: true, detail: 'signed with HMAC-SHA256 (X-IOC-Signature)' }
      : { channel: 'webhook', configured: false, detail: 'set NOTIFY_WEBHOOK_SECRET to enable webhooks' };
  }

  async deliver(delivery: ChannelDelivery, signal: AbortSignal): Promise<DeliveryOutcome> {
    const { secret } = this.options;
    if (!secret) return { status: 'rejected', error: 'webhook channel not configured (NOTIFY_WEBHOOK_SECRET)' };
    const payload = delivery.message.payload;
    if (!payload) return { status: 'rejected', error: 'no webhook payload in the message' };
    const body = JSON.stringify({ id: delivery.id, ...payload });
    const timestampSec = Math.floor(this.options.clock() / 1000);
    return postForDelivery(
      delivery.target,
      body,
      {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': this.options.userAgent,
        [SIGNATURE_HEADER]: signWebhook(secret, body, timestampSec),
        [DELIVERY_HEADER]: delivery.id,
        [EVENT_HEADER]: `alert.${delivery.message.kind}`,
      },
      signal,
      this.options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS,
    );
  }

  async close(): Promise<void> {}
}
