/**
 * Publishes alert changes on `alerts/{siteId}` (QoS 1, not retained: a site has many alerts) for the
 * web server's live stream and downstream systems, as the internal ingest service. Starting never
 * waits for the broker — not even for its URL, which an in-process broker knows only once it
 * listens: changes are held until the client exists, and mqtt.js reconnects in the background and
 * keeps QoS 1 messages queued while away, up to `maxQueued`; beyond that changes are dropped and
 * counted (REST stays the source of truth). Never throws into the engine.
 */
import { connect, type MqttClient } from 'mqtt';
import type { AlertChange } from '../common/alerts.js';
import { topics } from '../common/topics.js';
import type { Component } from '../platform/lifecycle.js';
import type { Logger } from '../platform/logger.js';
import { SERVICE_USERS } from '../platform/security/service-credentials.js';
import type { AlertingMetrics } from './alerting-metrics.js';

export interface MqttAlertPublisherOptions {
  /** Broker URL, read at start (the broker may bind port 0). */
  readonly url: () => string;
  /** Password of the `svc:ingest` MQTT user. */
  readonly serviceToken: string;
  readonly logger: Logger;
  readonly metrics: Pick<AlertingMetrics, 'published'>;
  /** Default `ioc-alerting`. */
  readonly clientId?: string;
  /** Changes kept while the broker is away (default 10,000). */
  readonly maxQueued?: number;
  /** Delay between reconnect attempts, ms (default 1,000). */
  readonly reconnectPeriodMs?: number;
}

/** How often the broker URL is asked for again while it is not known yet, ms. */
const URL_RETRY_MS = 500;

export class MqttAlertPublisher implements Component {
  readonly name = 'alert-publisher';
  private client: MqttClient | undefined;
  private unconfirmed = 0;
  private started = false;
  private retry: NodeJS.Timeout | undefined;
  /** Changes published before the client exists. */
  private held: AlertChange[] = [];

  constructor(private readonly options: MqttAlertPublisherOptions) {}

  /** True while connected to the broker. */
  get connected(): boolean {
    return this.client?.connected === true;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.connect();
  }

  private connect(): void {
    this.retry = undefined;
    if (!this.started || this.client) return;
    let url: string;
    try {
      url = this.options.url();
    } catch {
      this.retry = setTimeout(() => this.connect(), URL_RETRY_MS);
      this.retry.unref();
      return;
    }
    const log = this.options.logger;
    const client = connect(url, {
      clientId: this.options.clientId ?? 'ioc-alerting',
      username: SERVICE_USERS.ingest,
      password: this.options.serviceToken,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: this.options.reconnectPeriodMs ?? 1_000,
      reconnectOnConnackError: true,
      connectTimeout: 10_000,
    });
    this.client = client;
    let lastProblem: string | undefined;
    client.on('connect', () => {
      lastProblem = undefined;
      log.info({ url }, 'alert publisher connected to the broker');
    });
    client.on('error', (error) => {
      if (error.message === lastProblem) return;
      lastProblem = error.message;
      log.warn({ err: error, url }, 'alert publisher MQTT error; retrying');
    });
    const held = this.held;
    this.held = [];
    for (const change of held) this.publish(change);
  }

  /** Queues one change for `alerts/{siteId}`. */
  publish(change: AlertChange): void {
    const client = this.client;
    const { published } = this.options.metrics;
    const maxQueued = this.options.maxQueued ?? 10_000;
    if (!client && this.started && this.held.length < maxQueued) {
      this.held.push(change);
      return;
    }
    if (!client || (!client.connected && this.unconfirmed >= maxQueued)) {
      published.inc({ outcome: 'dropped' });
      return;
    }
    let topic: string;
    try {
      topic = topics.alerts(change.alert.siteId);
    } catch {
      published.inc({ outcome: 'failed' });
      return;
    }
    this.unconfirmed++;
    client.publish(topic, JSON.stringify(change), { qos: 1 }, (error) => {
      this.unconfirmed--;
      published.inc({ outcome: error ? 'failed' : 'published' });
      if (error) this.options.logger.warn({ err: error, topic }, 'alert change not published');
    });
  }

  /** Sends what is in flight (for at most 2 s), then disconnects. Idempotent. */
  async stop(): Promise<void> {
    this.started = false;
    clearTimeout(this.retry);
    this.retry = undefined;
    if (this.held.length > 0) this.options.metrics.published.inc({ outcome: 'dropped' }, this.held.length);
    this.held = [];
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    let timer: NodeJS.Timeout | undefined;
    const forced = new Promise<void>((resolve) => {
      timer = setTimeout(() => client.end(true, () => resolve()), 2_000);
    });
    await Promise.race([client.endAsync(false), forced]);
    clearTimeout(timer);
  }
}
