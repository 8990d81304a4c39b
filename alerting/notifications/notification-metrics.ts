/**
 * Prometheus metrics of the notifier: deliveries by channel and outcome, outbox depth, delivery
 * latency and processing errors.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { OutboxCounts } from '../../common/notifications.js';

/** Outcome label of `ioc_notifications_sent_total`: delivered, failed and to be retried, or given up. */
export type SendOutcome = 'sent' | 'retry' | 'dead';

export interface NotificationMetrics {
  readonly sent: Counter<'channel' | 'outcome'>;
  readonly deliverySeconds: Histogram<'channel'>;
  readonly errors: Counter<'stage'>;
}

/**
 * Registers the metrics. `outboxCounts` is read at scrape time for `ioc_notifications_outbox_depth{status}`;
 * when it fails (the store is closed) the last known values stay.
 */
export function createNotificationMetrics(registry: Registry, outboxCounts: () => Promise<OutboxCounts>): NotificationMetrics {
  let last: OutboxCounts = { pending: 0, sent: 0, dead: 0 };
  new Gauge({
    name: 'ioc_notifications_outbox_depth',
    help: 'Deliveries in the notification outbox by status (pending = waiting for a first try or a retry; dead = gave up)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      try {
        last = await outboxCounts();
      } catch {
        // keep the last known values
      }
      for (const [status, count] of Object.entries(last)) this.set({ status }, count);
    },
  });
  return {
    sent: new Counter({
      name: 'ioc_notifications_sent_total',
      help: 'Notification delivery attempts by channel and outcome (sent, retry = failed and rescheduled, dead = given up)',
      labelNames: ['channel', 'outcome'],
      registers: [registry],
    }),
    deliverySeconds: new Histogram({
      name: 'ioc_notifications_delivery_seconds',
      help: 'Time of one delivery attempt, seconds',
      labelNames: ['channel'],
      buckets: [0.005, 0.05, 0.25, 1, 2.5, 10, 30],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'ioc_notifications_errors_total',
      help: 'Failures of the notifier itself (not of a channel) by stage: change, escalation, outbox',
      labelNames: ['stage'],
      registers: [registry],
    }),
  };
}
