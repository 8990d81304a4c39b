/**
 * SMS/Zalo/Telegram-style HTTP gateway: one POST per message to NOTIFY_GATEWAY_URL with a body
 * built from NOTIFY_GATEWAY_BODY, whose `{{to}}`, `{{text}}`, `{{subject}}`, `{{siteId}}`,
 * `{{severity}}` and `{{link}}` placeholders are filled with the recipient and the one-line message —
 * JSON-string-escaped for `json`, URL-encoded for `form`, so message text can never change the
 * body's structure. NOTIFY_GATEWAY_AUTHORIZATION, when set, is sent as the Authorization header.
 */
import type { ChannelStatus } from '../../../common/notifications.js';
import type { ChannelDelivery, DeliveryOutcome, NotificationChannel } from './channel.js';
import { DEFAULT_HTTP_TIMEOUT_MS, postForDelivery } from './http-post.js';

export interface GatewayChannelOptions {
  /** NOTIFY_GATEWAY_URL; undefined = channel not configured. */
  readonly url: string | undefined;
  /** NOTIFY_GATEWAY_BODY. */
  readonly bodyTemplate: string;
  readonly contentType: 'json' | 'form';
  /** NOTIFY_GATEWAY_AUTHORIZATION. */
  readonly authorization: string | undefined;
  readonly userAgent: string;
  /** Longest the gateway may take, ms (default 10,000). */
  readonly timeoutMs?: number;
}

/** Placeholder values of one message. */
export type GatewayValues = Readonly<Record<'to' | 'text' | 'subject' | 'siteId' | 'severity' | 'link', string>>;

/** Fills a body template; values are escaped for the content type, unknown placeholders left as they are. */
export function fillGatewayTemplate(template: string, values: GatewayValues, contentType: 'json' | 'form'): string {
  return template.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (placeholder, name: string) => {
    if (!Object.hasOwn(values, name)) return placeholder;
    const value = values[name as keyof GatewayValues];
    return contentType === 'json' ? JSON.stringify(value).slice(1, -1) : encodeURIComponent(value);
  });
}

export class GatewayChannel implements NotificationChannel {
  readonly type = 'gateway' as const;

  constructor(private readonly options: GatewayChannelOptions) {}

  status(): ChannelStatus {
    const { url } = this.options;
    return url
      ? { channel: 'gateway', configured: true, detail: `POST to ${new URL(url).origin}` }
      : { channel: 'gateway', configured: false, detail: 'set NOTIFY_GATEWAY_URL to enable the SMS/chat gateway' };
  }

  async deliver(delivery: ChannelDelivery, signal: AbortSignal): Promise<DeliveryOutcome> {
    const { url, contentType, authorization } = this.options;
    if (!url) return { status: 'rejected', error: 'gateway channel not configured (NOTIFY_GATEWAY_URL)' };
    const { message } = delivery;
    const body = fillGatewayTemplate(
      this.options.bodyTemplate,
      {
        to: delivery.target,
        text: message.short,
        subject: message.subject,
        siteId: message.siteId,
        severity: message.severity,
        link: message.link,
      },
      contentType,
    );
    return postForDelivery(
      url,
      body,
      {
        'content-type': contentType === 'json' ? 'application/json; charset=utf-8' : 'application/x-www-form-urlencoded; charset=utf-8',
        'user-agent': this.options.userAgent,
        ...(authorization ? { authorization } : {}),
      },
      signal,
      this.options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS,
    );
  }

  async close(): Promise<void> {}
}
