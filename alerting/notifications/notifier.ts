/**
 * The notifier: listens to alert changes, decides who hears about them (subscriptions, quiet
 * hours, escalation), renders each message in its subscriber's language and puts it in the
 * persistent outbox, which the {@link OutboxWorker} delivers with retries. Reminders and escalations
 * of unacknowledged critical alerts are driven by due times stored with each alert, checked every
 * `pollIntervalMs`, so they survive a restart. Runs in the process that owns the database.
 *
 * Changes are processed one at a time, in order; a change that cannot be stored (the database is
 * failing) is retried a few times and then logged and counted, never thrown at the engine.
 */
import { randomUUID } from 'node:crypto';
import { type Alert, type AlertChange, alertChangeSchema } from '../../common/alerts.js';
import type { NotificationChannelType, NotificationLanguage } from '../../common/notifications.js';
import type { Site } from '../../common/sites.js';
import type { Component } from '../../platform/lifecycle.js';
import type { Logger } from '../../platform/logger.js';
import type { Registry } from '../../platform/observability.js';
import type { SiteLookup } from '../../platform/sites/site-lookup.js';
import type { DuckDbDatabase } from '../../platform/store/duckdb/duckdb-database.js';
import type { NotificationStore } from '../../platform/store/types.js';
import type { AlertChangeSource } from './alert-change-source.js';
import type { NotificationChannel } from './channels/channel.js';
import { InAppChannel } from './channels/in-app-channel.js';
import { type AlertTracking, type EscalationSettings, type Plan, planForChange, planForTime } from './escalation.js';
import { createNotificationMetrics, type NotificationMetrics } from './notification-metrics.js';
import { type NewDelivery, NotificationRepository, type NotificationRetention } from './notification-repository.js';
import { NotificationService } from './notification-service.js';
import type { OutboxMessage } from './outbox-message.js';
import { OutboxWorker } from './outbox-worker.js';
import { selectRecipients } from './recipients.js';
import { type RenderedMessage, renderMessage } from './render-message.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.js';
import { webhookPayload } from './webhook-payload.js';

export interface NotifierOptions {
  /** The embedded database (its migrations created the notification tables). */
  readonly database: DuckDbDatabase;
  readonly sites: SiteLookup;
  /** The alert engine; may also be attached later with {@link Notifier.attach}. */
  readonly source?: AlertChangeSource;
  /** Channels other than in-app (which the notifier makes itself): webhook, e-mail, gateway. */
  readonly channels: readonly NotificationChannel[];
  /** PUBLIC_URL, for links to the map. */
  readonly publicUrl: string;
  readonly escalation: EscalationSettings;
  /** Default {@link DEFAULT_RETRY_POLICY}. */
  readonly retry?: RetryPolicy;
  readonly logger: Logger;
  readonly metrics: Registry;
  /** Epoch ms; default Date.now. Due times and retries are compared with it. */
  readonly clock?: () => number;
  /** [0, 1) for retry jitter; default Math.random. */
  readonly random?: () => number;
  /** How often due reminders, escalations and retries are checked, ms (default 1,000). */
  readonly pollIntervalMs?: number;
  /** Attempts in flight per channel (default 8). */
  readonly channelConcurrency?: number;
  /** How long sent and dead deliveries and feed entries are kept (default 7, 30 and 30 days). */
  readonly retention?: NotificationRetention;
}

const DAY_MS = 24 * 3600 * 1000;
const DEFAULT_RETENTION: NotificationRetention = { sentMs: 7 * DAY_MS, deadMs: 30 * DAY_MS, feedMs: 30 * DAY_MS };
const PURGE_INTERVAL_MS = 3600 * 1000;
/** Waits before re-trying a change the database refused, ms. */
const CHANGE_RETRY_DELAYS_MS = [250, 1_000, 4_000];

interface Running {
  readonly worker: OutboxWorker;
  readonly pollTimer: NodeJS.Timeout;
  readonly purgeTimer: NodeJS.Timeout;
}

export class Notifier implements Component {
  readonly name = 'notifier';
  /** Subscription, feed and outbox management for the REST API (through the data API in split mode). */
  readonly store: NotificationStore;
  private readonly repository: NotificationRepository;
  private readonly channels: ReadonlyMap<NotificationChannelType, NotificationChannel>;
  private readonly metricSet: NotificationMetrics;
  private readonly clock: () => number;
  private readonly log: Logger;
  private running: Running | undefined;
  private detachSource: (() => void) | undefined;
  private source: AlertChangeSource | undefined;
  private queue: Promise<void> = Promise.resolve();
  /** A due-time check queued but not started yet: later ticks join it instead of piling up behind a slow database. */
  private queuedTick: Promise<void> | undefined;
  /** Aborted by stop(): cuts short the waits between retries of a failing change. */
  private stopController = new AbortController();

  constructor(private readonly options: NotifierOptions) {
    this.clock = options.clock ?? Date.now;
    this.log = options.logger;
    this.repository = new NotificationRepository(options.database);
    const inApp = new InAppChannel({ addFeedEntry: (entry) => this.repository.addFeedEntry(entry), clock: this.clock });
    this.channels = new Map<NotificationChannelType, NotificationChannel>([
      ['in-app', inApp],
      ...options.channels.map((channel): [NotificationChannelType, NotificationChannel] => [channel.type, channel]),
    ]);
    this.metricSet = createNotificationMetrics(options.metrics, () => this.repository.outboxCounts());
    this.source = options.source;
    this.store = new NotificationService({
      repository: this.repository,
      sites: options.sites,
      channelStatus: () => [...this.channels.values()].map((channel) => channel.status()),
      clock: this.clock,
      onOutboxChange: () => void this.running?.worker.pump(),
    });
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.stopController = new AbortController();
    const worker = new OutboxWorker({
      repository: this.repository,
      channels: this.channels,
      metrics: this.metricSet,
      logger: this.log,
      clock: this.clock,
      retry: this.options.retry ?? DEFAULT_RETRY_POLICY,
      random: this.options.random ?? Math.random,
      ...(this.options.channelConcurrency === undefined ? {} : { channelConcurrency: this.options.channelConcurrency }),
    });
    const pollTimer = setInterval(() => void this.tick(), this.options.pollIntervalMs ?? 1_000);
    pollTimer.unref();
    const purgeTimer = setInterval(() => void this.purge(), PURGE_INTERVAL_MS);
    purgeTimer.unref();
    this.running = { worker, pollTimer, purgeTimer };
    if (this.source) this.listen(this.source);
    try {
      await this.enqueue(() => this.reconcile());
    } catch (error) {
      await this.stop();
      throw error;
    }
    void this.tick();
    const configured = [...this.channels.values()].filter((channel) => channel.status().configured).map((channel) => channel.type);
    this.log.info({ channels: configured, escalation: this.options.escalation }, 'notifier started');
  }

  async stop(): Promise<void> {
    const running = this.running;
    if (!running) return;
    this.running = undefined;
    this.detachSource?.();
    this.detachSource = undefined;
    clearInterval(running.pollTimer);
    clearInterval(running.purgeTimer);
    this.stopController.abort();
    await this.queue;
    await running.worker.stop();
    await Promise.all([...this.channels.values()].map((channel) => channel.close().catch(() => undefined)));
  }

  /** Connects the alert engine (replacing any source given before); returns a function that disconnects it. */
  attach(source: AlertChangeSource): () => void {
    this.source = source;
    if (this.running) this.listen(source);
    return () => {
      if (this.source === source) {
        this.detachSource?.();
        this.detachSource = undefined;
        this.source = undefined;
      }
    };
  }

  /**
   * Processes one alert change (validated first); resolves once its messages are in the outbox.
   * Never rejects: failures are logged and counted.
   */
  handle(change: AlertChange): Promise<void> {
    const parsed = alertChangeSchema.safeParse(change);
    if (!parsed.success) {
      this.metricSet.errors.inc({ stage: 'change' });
      this.log.error({ issues: parsed.error.issues.slice(0, 5) }, 'ignoring an invalid alert change');
      return Promise.resolve();
    }
    return this.enqueue(() => this.withRetries('change', () => this.applyChange(parsed.data)));
  }

  /**
   * Runs what is due now — reminders, escalations, outbox attempts — and resolves when those
   * attempts have finished. The poll timer does the same in the background; tests with an injected
   * clock call this after moving the clock.
   */
  async runDue(): Promise<void> {
    await this.tick();
    await this.running?.worker.settle();
  }

  private listen(source: AlertChangeSource): void {
    this.detachSource?.();
    this.detachSource = source.onChange((change) => void this.handle(change));
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async withRetries(stage: 'change' | 'escalation', task: () => Promise<void>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await task();
        return;
      } catch (error) {
        const delay = CHANGE_RETRY_DELAYS_MS[attempt];
        if (delay === undefined || this.stopController.signal.aborted) {
          this.metricSet.errors.inc({ stage });
          this.log.error({ err: error, stage }, 'notifier could not store a notification plan; it is lost');
          return;
        }
        this.log.warn({ err: error, stage, retryInMs: delay }, 'notifier could not store a notification plan; retrying');
        await abortableDelay(delay, this.stopController.signal);
      }
    }
  }

  private async applyChange(change: AlertChange): Promise<void> {
    const now = this.clock();
    const previous = await this.repository.getTracking(change.alert.id);
    await this.commit(change.alert, planForChange(previous, change, now, this.options.escalation), now);
  }

  /** Reminders and escalations due now (the clock is read when the check starts), then the outbox. */
  private async tick(): Promise<void> {
    if (!this.running) return;
    this.queuedTick ??= this.enqueue(() => {
      this.queuedTick = undefined;
      return this.withRetries('escalation', async () => {
        const now = this.clock();
        for (const tracking of await this.repository.dueTracking(now)) {
          const plan = planForTime(tracking, now, this.options.escalation);
          if (plan) await this.commit(tracking.alert, plan, now);
        }
      });
    });
    await this.queuedTick;
    await this.running?.worker.pump();
  }

  /** After a restart: alerts the engine no longer has active are forgotten; active ones never announced are announced. */
  private async reconcile(): Promise<void> {
    const source = this.source;
    if (!source?.activeAlerts) return;
    let active: readonly Alert[];
    try {
      active = await source.activeAlerts();
    } catch (error) {
      this.log.warn({ err: error }, 'could not read active alerts to reconcile escalation state');
      return;
    }
    const tracked = new Map((await this.repository.allTracking()).map((tracking): [string, AlertTracking] => [tracking.alertId, tracking]));
    const now = this.clock();
    for (const alert of active) {
      const previous = tracked.get(alert.id);
      tracked.delete(alert.id);
      const change: AlertChange = { change: previous ? 'updated' : 'raised', alert };
      await this.commit(alert, planForChange(previous, change, now, this.options.escalation), now);
    }
    for (const stale of tracked.values()) await this.repository.commitPlan(stale.alertId, null, []);
  }

  private async commit(alert: Alert, plan: Plan, now: number): Promise<void> {
    const deliveries = plan.notifications.length > 0 ? await this.plannedDeliveries(alert, plan, now) : [];
    await this.repository.commitPlan(alert.id, plan.tracking, deliveries);
    if (deliveries.length > 0) {
      this.log.debug(
        { alertId: alert.id, kinds: plan.notifications.map((n) => n.kind), deliveries: deliveries.length },
        'notifications queued',
      );
      void this.running?.worker.pump();
    }
  }

  private async plannedDeliveries(alert: Alert, plan: Plan, now: number): Promise<NewDelivery[]> {
    const site = await this.options.sites.resolve(alert.siteId);
    const subscriptions = await this.repository.allSubscriptions();
    const deliveries: NewDelivery[] = [];
    for (const planned of plan.notifications) {
      const rendered = new Map<NotificationLanguage, RenderedMessage>();
      for (const recipient of selectRecipients(planned, alert.siteId, site, subscriptions, now)) {
        const { language } = recipient.subscription;
        let message = rendered.get(language);
        if (!message) {
          message = renderMessage({
            alert,
            site,
            kind: planned.kind,
            language,
            publicUrl: this.options.publicUrl,
            now,
            escalateAfterMs: this.options.escalation.escalateAfterMs,
          });
          rendered.set(language, message);
        }
        deliveries.push({
          id: randomUUID(),
          createdAt: now,
          username: recipient.subscription.username,
          subscriptionId: recipient.subscription.id,
          alertId: alert.id,
          siteId: alert.siteId,
          channel: recipient.channel,
          target: recipient.target,
          message: outboxMessage(recipient.channel, planned.kind, alert, site, language, message, now),
        });
      }
    }
    return deliveries;
  }

  private async purge(): Promise<void> {
    try {
      await this.repository.purge(this.clock(), this.options.retention ?? DEFAULT_RETENTION);
    } catch (error) {
      this.log.warn({ err: error }, 'purging old notifications failed');
    }
  }
}

function outboxMessage(
  channel: NotificationChannelType,
  kind: OutboxMessage['kind'],
  alert: Alert,
  site: Site | undefined,
  language: NotificationLanguage,
  rendered: RenderedMessage,
  now: number,
): OutboxMessage {
  const base: OutboxMessage = {
    kind,
    language,
    severity: alert.severity,
    alertId: alert.id,
    siteId: alert.siteId,
    title: rendered.title,
    subject: rendered.subject,
    text: rendered.text,
    short: rendered.short,
    link: rendered.link,
  };
  if (channel === 'email') return { ...base, html: rendered.html };
  if (channel === 'webhook') return { ...base, payload: webhookPayload({ kind, alert, site, language, rendered, createdAt: now }) };
  return base;
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
