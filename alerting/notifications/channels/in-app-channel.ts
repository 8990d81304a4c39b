/**
 * In-app channel: writes the message into the subscriber's feed (`GET /api/notifications`). The
 * live alert stream (socket.io `alert`) and its sound are the browser's; this is the per-user record
 * of what was sent to whom, readable and markable as read. The feed entry takes the outbox id, so a
 * repeated attempt cannot add it twice.
 */
import type { ChannelStatus, FeedEntry } from '../../../common/notifications.js';
import type { ChannelDelivery, DeliveryOutcome, NotificationChannel } from './channel.js';
import { describeError } from './channel.js';

/** A feed entry to store for `username`. */
export interface NewFeedEntry extends Omit<FeedEntry, 'readAt'> {
  readonly username: string;
}

export interface InAppChannelOptions {
  /** Stores the entry; a second call with the same id is ignored. */
  readonly addFeedEntry: (entry: NewFeedEntry) => Promise<void>;
  /** Epoch ms. */
  readonly clock: () => number;
}

export class InAppChannel implements NotificationChannel {
  readonly type = 'in-app' as const;

  constructor(private readonly options: InAppChannelOptions) {}

  status(): ChannelStatus {
    return { channel: 'in-app', configured: true, detail: 'feed at GET /api/notifications' };
  }

  async deliver(delivery: ChannelDelivery): Promise<DeliveryOutcome> {
    const { message } = delivery;
    try {
      await this.options.addFeedEntry({
        id: delivery.id,
        username: delivery.target,
        createdAt: this.options.clock(),
        alertId: message.alertId,
        siteId: message.siteId,
        kind: message.kind,
        severity: message.severity,
        language: message.language,
        title: message.title,
        body: message.text,
        link: message.link,
      });
      return { status: 'sent' };
    } catch (error) {
      return { status: 'retry', error: describeError(error) };
    }
  }

  async close(): Promise<void> {}
}
