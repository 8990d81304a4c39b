/**
 * E-mail channel over SMTP (nodemailer): plain text and HTML in one message, sent from SMTP_FROM to
 * the subscriber's address through SMTP_URL (`smtp://` upgrades with STARTTLS when offered,
 * `smtps://` is TLS from the start). A 5xx reply (unknown mailbox, refused) is permanent; 4xx
 * replies and connection failures are retried by the outbox.
 */
import nodemailer from 'nodemailer';
import type { ChannelStatus } from '../../../common/notifications.js';
import type { ChannelDelivery, DeliveryOutcome, NotificationChannel } from './channel.js';
import { describeError } from './channel.js';

export interface EmailChannelOptions {
  /** SMTP_URL; undefined = channel not configured. */
  readonly smtpUrl: string | undefined;
  /** SMTP_FROM, e.g. `Mekong IOC <ioc@example.vn>`. */
  readonly from: string;
  /** Longest a send may take end to end, ms (default 30,000). */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

type Transport = ReturnType<typeof nodemailer.createTransport>;

export class EmailChannel implements NotificationChannel {
  readonly type = 'email' as const;
  private transport: Transport | undefined;

  constructor(private readonly options: EmailChannelOptions) {}

  status(): ChannelStatus {
    const { smtpUrl } = this.options;
    if (!smtpUrl) return { channel: 'email', configured: false, detail: 'set SMTP_URL to enable e-mail' };
    const url = new URL(smtpUrl);
    return { channel: 'email', configured: true, detail: `SMTP ${url.protocol}//${url.host}` };
  }

  async deliver(delivery: ChannelDelivery, signal: AbortSignal): Promise<DeliveryOutcome> {
    const transport = this.connect();
    if (!transport) return { status: 'rejected', error: 'e-mail channel not configured (SMTP_URL)' };
    const { message } = delivery;
    try {
      await transport.sendMail({
        from: this.options.from,
        to: delivery.target,
        subject: message.subject,
        text: message.text,
        ...(message.html === undefined ? {} : { html: message.html }),
        headers: { 'X-IOC-Delivery': delivery.id, 'Auto-Submitted': 'auto-generated' },
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS)]),
      });
      return { status: 'sent' };
    } catch (error) {
      const smtp = error as { responseCode?: number; permanent?: boolean };
      const description = smtp.responseCode === undefined ? describeError(error) : `SMTP ${smtp.responseCode}`;
      return smtp.permanent === true ? { status: 'rejected', error: description } : { status: 'retry', error: description };
    }
  }

  async close(): Promise<void> {
    this.transport?.close();
    this.transport = undefined;
  }

  private connect(): Transport | undefined {
    const { smtpUrl } = this.options;
    if (!smtpUrl) return undefined;
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.transport ??= nodemailer.createTransport({
      url: smtpUrl,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    });
    return this.transport;
  }
}
