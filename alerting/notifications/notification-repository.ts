/**
 * The notifier's tables in the embedded database (migration 4): subscriptions, per-alert escalation
 * state, the outbox and the in-app feed. Tracking updates and the deliveries they produce are
 * written in one transaction, so a crash can neither lose a planned message nor send it twice from
 * the plan. Subscriptions are cached in memory for matching and re-read after every write through
 * this repository (the only writer: it lives in the process that owns the database).
 */
import type { DuckDBValue } from '@duckdb/node-api';
import { ALERT_SEVERITIES, alertSchema } from '../../common/alerts.js';
import {
  DELIVERY_STATUSES,
  type Delivery,
  type DeliveryListResponse,
  type DeliveryStatus,
  type FeedEntry,
  NOTIFICATION_CHANNELS,
  NOTIFICATION_KINDS,
  NOTIFICATION_LANGUAGES,
  type OutboxCounts,
  type Subscription,
  subscriptionInputSchema,
} from '../../common/notifications.js';
import type { DuckDbDatabase } from '../../platform/store/duckdb/duckdb-database.js';
import {
  enumColumn,
  numberColumn,
  optionalNumberColumn,
  optionalStringColumn,
  type Row,
  stringColumn,
} from '../../platform/store/duckdb/row-values.js';
import type { ConnectionSession } from '../../platform/store/duckdb/serial-connection.js';
import type { DeliveryQuery } from '../../platform/store/types.js';
import type { NewFeedEntry } from './channels/in-app-channel.js';
import type { AlertTracking } from './escalation.js';
import { type OutboxMessage, outboxMessageSchema } from './outbox-message.js';

/** A delivery to add to the outbox. */
export interface NewDelivery {
  readonly id: string;
  readonly createdAt: number;
  readonly username: string;
  readonly subscriptionId: string;
  readonly alertId: string;
  readonly siteId: string;
  readonly channel: Delivery['channel'];
  readonly target: string;
  readonly message: OutboxMessage;
}

/** A pending delivery as the worker sends it. */
export interface OutboxRow extends Delivery {
  readonly message: OutboxMessage;
}

/** The result of one attempt, as recorded. */
export interface AttemptRecord {
  readonly status: DeliveryStatus;
  readonly attempts: number;
  /** Epoch ms; for pending deliveries. */
  readonly nextAttemptAt: number;
  readonly lastAttemptAt: number;
  readonly lastError: string | null;
  readonly sentAt: number | null;
}

/** Retention of outbox and feed rows, ms. */
export interface NotificationRetention {
  readonly sentMs: number;
  readonly deadMs: number;
  readonly feedMs: number;
}

const SUBSCRIPTION_COLUMNS = 'id, username, definition, created_at, updated_at';

function booleanColumn(row: Row, column: string): boolean {
  const value = row[column];
  if (typeof value === 'boolean') return value;
  throw new Error(`store column ${column}: expected a boolean, got ${typeof value}`);
}

function toSubscription(row: Row): Subscription {
  const definition = subscriptionInputSchema.parse(JSON.parse(stringColumn(row, 'definition')));
  return {
    id: stringColumn(row, 'id'),
    username: stringColumn(row, 'username'),
    ...definition,
    createdAt: numberColumn(row, 'created_at'),
    updatedAt: numberColumn(row, 'updated_at'),
  };
}

function toDelivery(row: Row): Delivery {
  const status = enumColumn(row, 'status', DELIVERY_STATUSES);
  return {
    id: stringColumn(row, 'id'),
    createdAt: numberColumn(row, 'created_at'),
    username: stringColumn(row, 'username'),
    subscriptionId: stringColumn(row, 'subscription_id'),
    alertId: stringColumn(row, 'alert_id'),
    siteId: stringColumn(row, 'site_id'),
    kind: enumColumn(row, 'kind', NOTIFICATION_KINDS),
    channel: enumColumn(row, 'channel', NOTIFICATION_CHANNELS),
    target: stringColumn(row, 'target'),
    status,
    attempts: numberColumn(row, 'attempts'),
    nextAttemptAt: status === 'pending' ? numberColumn(row, 'next_attempt_at') : null,
    lastAttemptAt: optionalNumberColumn(row, 'last_attempt_at') ?? null,
    lastError: optionalStringColumn(row, 'last_error') ?? null,
    sentAt: optionalNumberColumn(row, 'sent_at') ?? null,
  };
}

function toTracking(row: Row): AlertTracking {
  return {
    alertId: stringColumn(row, 'alert_id'),
    alert: alertSchema.parse(JSON.parse(stringColumn(row, 'alert'))),
    notifiedSeverity: enumColumn(row, 'notified_severity', ALERT_SEVERITIES),
    criticalSince: optionalNumberColumn(row, 'critical_since') ?? null,
    nextReminderAt: optionalNumberColumn(row, 'next_reminder_at') ?? null,
    escalateAt: optionalNumberColumn(row, 'escalate_at') ?? null,
    escalated: booleanColumn(row, 'escalated'),
    reminders: numberColumn(row, 'reminders'),
    updatedAt: numberColumn(row, 'updated_at'),
  };
}

function toFeedEntry(row: Row): FeedEntry {
  return {
    id: stringColumn(row, 'id'),
    createdAt: numberColumn(row, 'created_at'),
    alertId: stringColumn(row, 'alert_id'),
    siteId: stringColumn(row, 'site_id'),
    kind: enumColumn(row, 'kind', NOTIFICATION_KINDS),
    severity: enumColumn(row, 'severity', ALERT_SEVERITIES),
    language: enumColumn(row, 'language', NOTIFICATION_LANGUAGES),
    title: stringColumn(row, 'title'),
    body: stringColumn(row, 'body'),
    link: stringColumn(row, 'link'),
    readAt: optionalNumberColumn(row, 'read_at') ?? null,
  };
}

const nullableBigInt = (value: number | null): bigint | null => (value === null ? null : BigInt(value));

/** The notifier's storage; see the module comment. */
export class NotificationRepository {
  private subscriptionCache: Promise<Subscription[]> | undefined;

  constructor(private readonly db: DuckDbDatabase) {}

  // --- subscriptions ---

  /** Every subscription (enabled or not), oldest first; cached until the next write. */
  allSubscriptions(): Promise<Subscription[]> {
    const cached = this.subscriptionCache;
    if (cached) return cached;
    const loading = this.db
      .readInWriteOrder('notification_subscriptions', (s) =>
        s.query(`SELECT ${SUBSCRIPTION_COLUMNS} FROM notification_subscriptions ORDER BY created_at, id`),
      )
      .then((rows) => rows.map(toSubscription));
    this.subscriptionCache = loading;
    loading.catch(() => {
      if (this.subscriptionCache === loading) this.subscriptionCache = undefined;
    });
    return loading;
  }

  async listSubscriptions(username: string | null): Promise<Subscription[]> {
    const all = await this.allSubscriptions();
    return username === null ? all : all.filter((subscription) => subscription.username === username);
  }

  async getSubscription(id: string): Promise<Subscription | undefined> {
    return (await this.allSubscriptions()).find((subscription) => subscription.id === id);
  }

  /** Creates or replaces a subscription. */
  async saveSubscription(subscription: Subscription): Promise<void> {
    const { id, username, createdAt, updatedAt, ...definition } = subscription;
    await this.writeSubscriptions('save_notification_subscription', (s) =>
      s.execute(
        `INSERT INTO notification_subscriptions VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at`,
        [id, username, JSON.stringify(subscriptionInputSchema.parse(definition)), BigInt(createdAt), BigInt(updatedAt)],
      ),
    );
  }

  /** True when it existed. */
  async deleteSubscription(id: string): Promise<boolean> {
    const changed = await this.writeSubscriptions('delete_notification_subscription', (s) =>
      s.execute('DELETE FROM notification_subscriptions WHERE id = $1', [id]),
    );
    return changed > 0;
  }

  private async writeSubscriptions<T>(operation: string, task: (session: ConnectionSession) => Promise<T>): Promise<T> {
    try {
      return await this.db.write(operation, task);
    } finally {
      this.subscriptionCache = undefined;
    }
  }

  // --- escalation state and planning ---

  async getTracking(alertId: string): Promise<AlertTracking | undefined> {
    const [row] = await this.db.readInWriteOrder('notification_tracking', (s) =>
      s.query('SELECT * FROM notification_alerts WHERE alert_id = $1', [alertId]),
    );
    return row && toTracking(row);
  }

  /** Tracked alerts with a reminder or escalation due at `now` (epoch ms). */
  async dueTracking(now: number): Promise<AlertTracking[]> {
    const rows = await this.db.read('notification_due_tracking', (s) =>
      s.query('SELECT * FROM notification_alerts WHERE next_reminder_at <= $1 OR escalate_at <= $1 ORDER BY alert_id', [BigInt(now)]),
    );
    return rows.map(toTracking);
  }

  /** Every tracked alert (reconciliation with the engine after a restart). */
  async allTracking(): Promise<AlertTracking[]> {
    const rows = await this.db.readInWriteOrder('notification_all_tracking', (s) =>
      s.query('SELECT * FROM notification_alerts ORDER BY alert_id'),
    );
    return rows.map(toTracking);
  }

  /**
   * Applies one plan atomically: saves the alert's new tracking state (or forgets the alert when
   * `tracking` is null) and adds its deliveries to the outbox.
   */
  async commitPlan(alertId: string, tracking: AlertTracking | null, deliveries: readonly NewDelivery[]): Promise<void> {
    await this.db.write('notification_commit_plan', (s) =>
      s.transaction(async () => {
        if (tracking === null) {
          await s.execute('DELETE FROM notification_alerts WHERE alert_id = $1', [alertId]);
        } else {
          await s.execute(
            `INSERT INTO notification_alerts VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (alert_id) DO UPDATE SET alert = excluded.alert, notified_severity = excluded.notified_severity,
               critical_since = excluded.critical_since, next_reminder_at = excluded.next_reminder_at,
               escalate_at = excluded.escalate_at, escalated = excluded.escalated, reminders = excluded.reminders,
               updated_at = excluded.updated_at`,
            [
              tracking.alertId,
              JSON.stringify(tracking.alert),
              tracking.notifiedSeverity,
              nullableBigInt(tracking.criticalSince),
              nullableBigInt(tracking.nextReminderAt),
              nullableBigInt(tracking.escalateAt),
              tracking.escalated,
              tracking.reminders,
              BigInt(tracking.updatedAt),
            ],
          );
        }
        for (const delivery of deliveries) {
          await s.execute(
            `INSERT INTO notification_outbox
               (id, created_at, username, subscription_id, alert_id, site_id, kind, channel, target, message, status, attempts, next_attempt_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', 0, $2)`,
            [
              delivery.id,
              BigInt(delivery.createdAt),
              delivery.username,
              delivery.subscriptionId,
              delivery.alertId,
              delivery.siteId,
              delivery.message.kind,
              delivery.channel,
              delivery.target,
              JSON.stringify(delivery.message),
            ],
          );
        }
      }),
    );
  }

  // --- outbox ---

  /**
   * Pending deliveries due at `now`: at most `perTarget` per channel and address (so one dead
   * receiver's backlog cannot crowd out the others) and `limit` in all, oldest due first.
   */
  async dueDeliveries(now: number, perTarget: number, limit: number): Promise<OutboxRow[]> {
    const rows = await this.db.read('notification_due_deliveries', (s) =>
      s.query(
        `SELECT * FROM (
           SELECT *, row_number() OVER (PARTITION BY channel, target ORDER BY next_attempt_at, created_at, id) AS position
           FROM notification_outbox WHERE status = 'pending' AND next_attempt_at <= $1
         ) WHERE position <= $2 ORDER BY next_attempt_at, created_at, id LIMIT $3`,
        [BigInt(now), perTarget, limit],
      ),
    );
    return rows.map((row) => ({ ...toDelivery(row), message: outboxMessageSchema.parse(JSON.parse(stringColumn(row, 'message'))) }));
  }

  async recordAttempt(id: string, record: AttemptRecord): Promise<void> {
    await this.db.write('notification_record_attempt', (s) =>
      s.execute(
        `UPDATE notification_outbox SET status = $2, attempts = $3, next_attempt_at = $4, last_attempt_at = $5, last_error = $6, sent_at = $7
         WHERE id = $1`,
        [
          id,
          record.status,
          record.attempts,
          BigInt(record.nextAttemptAt),
          BigInt(record.lastAttemptAt),
          record.lastError,
          nullableBigInt(record.sentAt),
        ],
      ),
    );
  }

  async getDelivery(id: string): Promise<Delivery | undefined> {
    const [row] = await this.db.readInWriteOrder('notification_get_delivery', (s) =>
      s.query('SELECT * FROM notification_outbox WHERE id = $1', [id]),
    );
    return row && toDelivery(row);
  }

  async listDeliveries(query: DeliveryQuery): Promise<DeliveryListResponse> {
    const conditions: string[] = [];
    const params: DuckDBValue[] = [];
    if (query.status !== undefined) {
      params.push(query.status);
      conditions.push(`status = $${params.length}`);
    }
    if (query.username !== undefined) {
      params.push(query.username);
      conditions.push(`username = $${params.length}`);
    }
    params.push(query.limit);
    const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
    const rows = await this.db.read('notification_list_deliveries', (s) =>
      s.query(`SELECT * FROM notification_outbox ${where} ORDER BY created_at DESC, id DESC LIMIT $${params.length}`, params),
    );
    return { deliveries: rows.map(toDelivery), counts: await this.outboxCounts() };
  }

  async outboxCounts(): Promise<OutboxCounts> {
    const rows = await this.db.read('notification_outbox_counts', (s) =>
      s.query('SELECT status, count(*) AS n FROM notification_outbox GROUP BY status'),
    );
    const counts: Record<DeliveryStatus, number> = { pending: 0, sent: 0, dead: 0 };
    for (const row of rows) counts[enumColumn(row, 'status', DELIVERY_STATUSES)] = numberColumn(row, 'n');
    return counts;
  }

  /** Re-queues a dead delivery with a fresh set of attempts; false when it is not dead. */
  async requeueDead(id: string, now: number): Promise<boolean> {
    const changed = await this.db.write('notification_requeue', (s) =>
      s.execute(
        `UPDATE notification_outbox SET status = 'pending', attempts = 0, next_attempt_at = $2, last_error = NULL
         WHERE id = $1 AND status = 'dead'`,
        [id, BigInt(now)],
      ),
    );
    return changed > 0;
  }

  /** Deletes sent and dead deliveries and feed entries past their retention. */
  async purge(now: number, retention: NotificationRetention): Promise<void> {
    await this.db.write('notification_purge', (s) =>
      s.transaction(async () => {
        await s.execute(`DELETE FROM notification_outbox WHERE status = 'sent' AND created_at < $1`, [BigInt(now - retention.sentMs)]);
        await s.execute(`DELETE FROM notification_outbox WHERE status = 'dead' AND created_at < $1`, [BigInt(now - retention.deadMs)]);
        await s.execute('DELETE FROM notification_feed WHERE created_at < $1', [BigInt(now - retention.feedMs)]);
      }),
    );
  }

  // --- in-app feed ---

  /** Adds a feed entry; an entry with the same id (a repeated attempt) is ignored. */
  async addFeedEntry(entry: NewFeedEntry): Promise<void> {
    await this.db.write('notification_add_feed_entry', (s) =>
      s.execute(
        `INSERT INTO notification_feed VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL)
         ON CONFLICT (id) DO NOTHING`,
        [
          entry.id,
          entry.username,
          BigInt(entry.createdAt),
          entry.alertId,
          entry.siteId,
          entry.kind,
          entry.severity,
          entry.language,
          entry.title,
          entry.body,
          entry.link,
        ],
      ),
    );
  }

  async listFeed(username: string, limit: number, unreadOnly: boolean): Promise<{ notifications: FeedEntry[]; unread: number }> {
    const [rows, counts] = await Promise.all([
      this.db.read('notification_list_feed', (s) =>
        s.query(
          `SELECT * FROM notification_feed WHERE username = $1 ${unreadOnly ? 'AND read_at IS NULL' : ''}
           ORDER BY created_at DESC, id DESC LIMIT $2`,
          [username, limit],
        ),
      ),
      this.db.read('notification_unread_count', (s) =>
        s.query('SELECT count(*) AS n FROM notification_feed WHERE username = $1 AND read_at IS NULL', [username]),
      ),
    ]);
    const [count] = counts;
    return { notifications: rows.map(toFeedEntry), unread: count ? numberColumn(count, 'n') : 0 };
  }

  /** Marks entries of `username` read (all unread ones when `ids` is null); returns how many changed. */
  async markFeedRead(username: string, ids: readonly string[] | null, now: number): Promise<number> {
    if (ids !== null && ids.length === 0) return 0;
    return this.db.write('notification_mark_read', (s) => {
      if (ids === null) {
        return s.execute('UPDATE notification_feed SET read_at = $2 WHERE username = $1 AND read_at IS NULL', [username, BigInt(now)]);
      }
      const placeholders = ids.map((_, index) => `$${index + 3}`).join(', ');
      return s.execute(`UPDATE notification_feed SET read_at = $2 WHERE username = $1 AND read_at IS NULL AND id IN (${placeholders})`, [
        username,
        BigInt(now),
        ...ids,
      ]);
    });
  }
}
