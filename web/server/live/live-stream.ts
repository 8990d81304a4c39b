/**
 * The web server's live feed: an MQTT client (as the internal `svc:web` user) subscribed to what
 * ingest fans out after storing (`platform/readings/+`, `platform/site-status/+`) and to the alert
 * engine's changes (`alerts/{siteId}`, QoS 1). Each message is validated, merged into the
 * {@link SiteStateCache} and handed to a {@link LiveSink} (the socket.io gateway); readings of
 * water-quality sites carry the site's VN_WQI. Starting never waits for the broker: mqtt.js keeps
 * reconnecting and health reports the feed as down meanwhile. A malformed message is counted and
 * dropped, never thrown.
 */
import { randomBytes } from 'node:crypto';
import { connect, type MqttClient } from 'mqtt';
import { type AlertChange, alertChangeSchema } from '../../../common/alerts.js';
import { platformReadingsMessageSchema, platformSiteStatusMessageSchema } from '../../../common/payloads.js';
import type { LiveReading, LiveSiteStatus } from '../../../common/socket-events.js';
import { parseAlertTopic, parseTopic, topicFilters } from '../../../common/topics.js';
import type { Logger } from '../../../platform/logger.js';
import { SERVICE_USERS } from '../../../platform/security/service-credentials.js';
import { latestWqi } from '../site-summary.js';
import type { WebMetrics } from '../web-metrics.js';
import type { SiteStateCache } from './site-state-cache.js';

/** Receives live updates after they were merged into the cache. */
export interface LiveSink {
  reading(reading: LiveReading): void;
  siteStatus(status: LiveSiteStatus): void;
  /** An alert change published by the alert engine on `alerts/{siteId}`. */
  alert?(change: AlertChange): void;
}

export interface LiveStreamOptions {
  /** Broker URL, known only once the broker has started (port 0 in tests). */
  readonly mqttUrl: () => string;
  /** Password of the `svc:web` MQTT user. */
  readonly serviceToken: string;
  readonly logger: Logger;
  readonly cache: SiteStateCache;
  readonly sink: LiveSink;
  readonly metrics: Pick<WebMetrics, 'liveMessages' | 'mqttConnected'>;
  /** Called after every (re)connect once the subscriptions are in place, e.g. to refresh the cache from the store. */
  readonly onSubscribed?: () => void;
  /** Delay between reconnect attempts, ms (default 1,000). */
  readonly reconnectPeriodMs?: number;
}

type MessageKind = 'readings' | 'site-status' | 'alerts';

export class LiveStream {
  private client: MqttClient | undefined;
  private readonly log: Logger;

  constructor(private readonly options: LiveStreamOptions) {
    this.log = options.logger.child({ module: 'live-stream' });
  }

  /** True while connected to the broker. */
  get connected(): boolean {
    return this.client?.connected === true;
  }

  /** Starts connecting in the background; returns at once. */
  start(): void {
    if (this.client) return;
    const url = this.options.mqttUrl();
    const client = connect(url, {
      clientId: `ioc-web-${randomBytes(6).toString('hex')}`,
      username: SERVICE_USERS.web,
      password: this.options.serviceToken,
      clean: true,
      resubscribe: false,
      reconnectPeriod: this.options.reconnectPeriodMs ?? 1_000,
      reconnectOnConnackError: true,
      connectTimeout: 10_000,
    });
    this.client = client;
    let lastProblem: string | undefined;
    let wasConnected = false;
    client.on('connect', () => {
      lastProblem = undefined;
      wasConnected = true;
      this.options.metrics.mqttConnected.set(1);
      this.log.info({ url }, 'live feed connected to the broker');
      const subscriptions = {
        [topicFilters.allPlatformReadings]: { qos: 0 as const },
        [topicFilters.allPlatformSiteStatus]: { qos: 0 as const },
        // Alert changes are few and matter: QoS 1.
        [topicFilters.allAlerts]: { qos: 1 as const },
      };
      client.subscribe(subscriptions, (error, granted) => {
        const refused = granted?.filter((grant) => grant.qos === 128) ?? [];
        if (error || refused.length > 0) {
          this.log.error({ err: error, refused: refused.map((grant) => grant.topic) }, 'live feed subscription refused');
          return;
        }
        this.options.onSubscribed?.();
      });
    });
    client.on('close', () => {
      this.options.metrics.mqttConnected.set(0);
      if (wasConnected && this.client === client) this.log.warn({ url }, 'live feed disconnected from the broker; reconnecting');
      wasConnected = false;
    });
    client.on('error', (error) => {
      // Reconnect attempts repeat the same error every period: log each distinct one once per outage.
      if (error.message === lastProblem) return;
      lastProblem = error.message;
      this.log.warn({ err: error, url }, 'live feed MQTT error; retrying');
    });
    client.on('message', (topic, payload) => this.handleMessage(topic, payload));
  }

  /** Disconnects and stops reconnecting. Idempotent. */
  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    await client.endAsync(true);
    this.options.metrics.mqttConnected.set(0);
  }

  /** Validates one platform message, merges it into the cache and forwards it. Never throws. */
  handleMessage(topic: string, payload: Buffer): void {
    const alertSiteId = parseAlertTopic(topic);
    if (alertSiteId !== undefined) {
      this.handleAlert(alertSiteId, payload);
      return;
    }
    const parsed = parseTopic(topic);
    if (parsed?.scope !== 'platform') {
      this.count('other', 'ignored');
      return;
    }
    const kind: MessageKind = parsed.channel;
    try {
      const json: unknown = JSON.parse(payload.toString('utf8'));
      if (kind === 'readings') this.handleReadings(parsed.siteId, json);
      else this.handleStatus(parsed.siteId, json);
    } catch (error) {
      this.count(kind, 'invalid');
      this.log.warn({ topic, err: error }, 'dropped an invalid platform message');
    }
  }

  private handleReadings(siteId: string, json: unknown): void {
    const message = platformReadingsMessageSchema.parse(json);
    if (message.siteId !== siteId) throw new Error(`payload siteId ${message.siteId} does not match the topic`);
    if (!this.options.cache.get(siteId)) {
      this.count('readings', 'unknown_site');
      return;
    }
    for (const reading of message.readings) this.options.cache.applyReading(siteId, reading.ts, reading.values);
    this.count('readings', 'accepted');
    const state = this.options.cache.get(siteId);
    const wqi = state ? latestWqi(state.latest) : null;
    for (const reading of message.readings) {
      this.options.sink.reading({ siteId, ts: reading.ts, values: reading.values, ...(wqi ? { wqi } : {}) });
    }
  }

  private handleAlert(siteId: string, payload: Buffer): void {
    try {
      const change = alertChangeSchema.parse(JSON.parse(payload.toString('utf8')));
      if (change.alert.siteId !== siteId) throw new Error(`payload siteId ${change.alert.siteId} does not match the topic`);
      this.count('alerts', 'accepted');
      this.options.sink.alert?.(change);
    } catch (error) {
      this.count('alerts', 'invalid');
      this.log.warn({ siteId, err: error }, 'dropped an invalid alert change');
    }
  }

  private handleStatus(siteId: string, json: unknown): void {
    const message = platformSiteStatusMessageSchema.parse(json);
    if (message.siteId !== siteId) throw new Error(`payload siteId ${message.siteId} does not match the topic`);
    const current = this.options.cache.applyStatus({ siteId, status: message.status, ts: message.ts });
    const state = this.options.cache.get(siteId);
    if (!state) {
      this.count('site-status', 'unknown_site');
      return;
    }
    this.count('site-status', current ? 'accepted' : 'outdated');
    if (current && state.lastSeen !== undefined) {
      this.options.sink.siteStatus({ siteId, status: message.status, lastSeen: state.lastSeen });
    }
  }

  private count(kind: MessageKind | 'other', outcome: string): void {
    this.options.metrics.liveMessages.inc({ kind, outcome });
  }
}
