/**
 * Ingest: the one writer of device data. Subscribes (QoS 1, persistent session) to every device
 * channel, validates each message with the pure decoders in ./decode, stores accepted data in
 * micro-batches and, once stored, fans it out on `platform/…` topics for live consumers (web).
 * Refused pieces are counted per reason, kept in the bounded dead-letter log and logged without
 * flooding. Bad input never throws out of the message handler.
 *
 * Readings are never held only in memory: a message's readings are appended to the durable spool
 * (./spool) before the message is acknowledged to the broker, and written to the store from there
 * (docs/storage.md states the guarantee). While the spool is full ingest stops taking messages and
 * the broker keeps them queued for its persistent session. Events, statuses and dead letters go
 * through bounded in-memory queues with retry (./write-queue.ts).
 */
import type { IPublishPacket, MqttClient } from 'mqtt';
import type { Rejection } from '../common/api.js';
import type { PlatformReadingsMessage, PlatformSiteStatusMessage, Reading } from '../common/payloads.js';
import { parseTopic, topics } from '../common/topics.js';
import { AppError } from '../platform/errors.js';
import type { Component } from '../platform/lifecycle.js';
import { LogThrottle } from '../platform/log-throttle.js';
import type { Logger } from '../platform/logger.js';
import type { Registry } from '../platform/observability.js';
import type { SiteLookup } from '../platform/sites/site-lookup.js';
import type { DataStores, SiteEvent, SiteStatusRecord } from '../platform/store/types.js';
import type { DecodeRejection } from './decode/decode-types.js';
import { decodeEvent } from './decode/event.js';
import { decodeStatus } from './decode/status.js';
import { DEFAULT_MAX_ENTRIES, decodeTelemetry } from './decode/telemetry.js';
import { type IngestChannel, type IngestMetrics, registerIngestMetrics, type WriteKind } from './ingest-metrics.js';
import { openMqttSession, subscribeDeviceChannels } from './mqtt-session.js';
import { RejectionRecorder } from './rejection-recorder.js';
import { DAY_MS, RetentionPurger } from './retention-purger.js';
import { DurableReadingQueue } from './spool/durable-reading-queue.js';
import { registerSpoolMetrics, type SpoolMetrics } from './spool/spool-metrics.js';
import { StatusTracker } from './status-tracker.js';
import { type DropCause, WriteQueue } from './write-queue.js';

/** Throughput and resilience knobs; the defaults suit production. */
export interface IngestTuning {
  /** Readings per store write. */
  readonly batchMaxReadings: number;
  /** Longest a reading waits for its batch, ms. */
  readonly batchIntervalMs: number;
  /** Events, statuses and dead letters kept in memory while the store fails, each. */
  readonly maxPendingOther: number;
  /** First retry delay after a failed store write, ms (doubles per failure). */
  readonly retryInitialMs: number;
  /** Longest retry delay, ms. */
  readonly retryMaxMs: number;
  /** Time between retention purges, ms. */
  readonly purgeIntervalMs: number;
  /** How long start() waits for a reachable broker, ms. */
  readonly connectTimeoutMs: number;
  /** How long stop() keeps trying to store what is pending, ms (unstored readings stay in the spool). */
  readonly stopFlushTimeoutMs: number;
  /** Entries (array elements, SenML records) accepted per telemetry message. */
  readonly maxEntriesPerMessage: number;
  /** Dead-letter entries kept per message before summarising. */
  readonly maxDeadLettersPerMessage: number;
}

export const DEFAULT_INGEST_TUNING: IngestTuning = {
  batchMaxReadings: 5000,
  batchIntervalMs: 50,
  maxPendingOther: 10_000,
  retryInitialMs: 100,
  retryMaxMs: 30_000,
  purgeIntervalMs: 3_600_000,
  connectTimeoutMs: 20_000,
  stopFlushTimeoutMs: 5000,
  maxEntriesPerMessage: DEFAULT_MAX_ENTRIES,
  maxDeadLettersPerMessage: 20,
};

export interface IngestServiceOptions {
  /** Broker URL, read at start() (the broker may bind port 0). */
  readonly mqttUrl: () => string;
  /** Internal services' shared secret, the MQTT password of SERVICE_USERS.ingest. */
  readonly serviceToken: string;
  readonly stores: Pick<DataStores, 'telemetry' | 'registry'>;
  /** Registered sites; messages for other sites are refused (`unknown_site`). */
  readonly sites: Pick<SiteLookup, 'has' | 'resolve' | 'isDisabled'>;
  readonly logger: Logger;
  readonly metrics: Registry;
  /** Largest accepted payload, bytes; larger ones are refused (`payload_too_large`). */
  readonly maxPayloadBytes: number;
  /** Readings and events older than this are refused and purged, days. */
  readonly retentionDays: number;
  /** Epoch-ms clock; Date.now by default. */
  readonly clock?: () => number;
  /** MQTT client id of the persistent session; default `ioc-ingest`. */
  readonly clientId?: string;
  /** The durable spool every accepted reading goes through. */
  readonly spool: IngestSpoolSettings;
  readonly tuning?: Partial<IngestTuning>;
  /** Told about what has been stored (the alert engine, alerting/alert-engine.ts). */
  readonly observer?: StoredDataObserver;
}

/**
 * Receives readings and statuses once stored, in order (a batch may come again after a crash).
 * Called synchronously on ingest's path: implementations must be quick and must never throw.
 */
export interface StoredDataObserver {
  readingsAccepted(readings: readonly Reading[]): void;
  statusAccepted(status: SiteStatusRecord): void;
}

/** Where and how big ingest's durable spool is (see ./spool/reading-spool.ts). */
export interface IngestSpoolSettings {
  /** Directory, e.g. DATA_DIR/spool. */
  readonly dir: string;
  /** Bytes of accepted, unstored readings at which ingest stops taking messages; default 1 GiB (SPOOL_MAX_MB). */
  readonly maxBytes?: number;
  /** fsync interval, ms; 0 = after every message; default 1,000 (SPOOL_FSYNC_INTERVAL_MS). */
  readonly fsyncIntervalMs?: number;
  /** Segment file size, bytes (tests); default derived from maxBytes. */
  readonly segmentBytes?: number;
}

/** Delay before a message the spool could not take (I/O error) is tried again, ms. */
const SPOOL_RETRY_MS = 1000;

/** A device message handed over by mqtt.js and not yet acknowledged. */
interface IncomingMessage {
  readonly topic: string;
  readonly payload: Buffer;
  readonly retained: boolean;
  readonly receivedAt: number;
  /** The MQTT connection it came on: acknowledging it on a later one would acknowledge another message. */
  readonly connection: number;
  /** Sends the PUBACK (QoS 1) and lets mqtt.js hand over the next message. */
  readonly acknowledge: () => void;
}

/** The spool could not take a message's readings: the message must not be acknowledged. */
class NotAccepted extends Error {
  constructor(readonly reason: unknown) {
    super(`the spool could not take the readings: ${reason instanceof Error ? reason.message : String(reason)}`);
    this.name = 'NotAccepted';
  }
}

/** The MQTT client id of ingest's persistent session. */
export const INGEST_CLIENT_ID = 'ioc-ingest';

/** A message on a known device channel, before decoding. */
interface SiteMessage {
  readonly topic: string;
  readonly siteId: string;
  readonly channel: Exclude<IngestChannel, 'unknown'>;
  readonly payload: Buffer;
  readonly retained: boolean;
  readonly receivedAt: number;
  readonly reject: (siteId: string | null, rejections: readonly DecodeRejection[]) => void;
}

export class IngestService implements Component {
  readonly name = 'ingest';
  private readonly tuning: IngestTuning;
  private readonly clock: () => number;
  private readonly log: Logger;
  private readonly metrics: IngestMetrics;
  private readonly spoolMetrics: SpoolMetrics;
  /** The write path of readings: durable spool, then the store. */
  private readonly readings: DurableReadingQueue;
  private readonly queues: {
    readonly events: WriteQueue<SiteEvent>;
    readonly statuses: WriteQueue<SiteStatusRecord>;
    readonly rejections: WriteQueue<Rejection>;
  };
  private readonly recorder: RejectionRecorder;
  private readonly purger: RetentionPurger;
  private readonly statusTracker = new StatusTracker();
  private readonly throttle = new LogThrottle({ burst: 3, windowMs: 60_000 });
  private client: MqttClient | undefined;
  /** Counts MQTT connections; see {@link IncomingMessage.connection}. */
  private connection = 0;
  /** The message waiting for room in the spool (not acknowledged, so mqtt.js hands over no other). */
  private held: IncomingMessage | undefined;
  private heldRetryTimer: NodeJS.Timeout | undefined;
  /** Epoch ms since the spool has been full and ingest not taking messages. */
  private pausedSince: number | undefined;
  private lastMessageAt: number | undefined;
  private state: 'idle' | 'starting' | 'running' | 'stopping' = 'idle';

  constructor(private readonly options: IngestServiceOptions) {
    this.tuning = { ...DEFAULT_INGEST_TUNING, ...options.tuning };
    this.clock = options.clock ?? Date.now;
    this.log = options.logger;
    this.metrics = registerIngestMetrics(options.metrics, (kind) =>
      kind === 'readings' ? this.readings.backlog : this.queues[kind].backlog,
    );
    this.spoolMetrics = registerSpoolMetrics(options.metrics, () => ({
      bytes: this.readings.bytes,
      maxBytes: this.readings.maxBytes,
      full: this.pausedSince !== undefined,
    }));
    const { telemetry, registry } = options.stores;
    this.readings = new DurableReadingQueue({
      spool: {
        dir: options.spool.dir,
        maxBytes: options.spool.maxBytes ?? 1024 * 1024 * 1024,
        fsyncIntervalMs: options.spool.fsyncIntervalMs ?? 1000,
        segmentBytes: options.spool.segmentBytes,
      },
      write: (batch) => telemetry.writeReadings(batch),
      onWritten: (batch) => this.afterReadingsStored(batch),
      onCommitted: () => this.onSpoolCommitted(),
      onRefused: (readings) => this.metrics.dropped.inc({ kind: 'readings' }, readings.length),
      onWriteFailed: () => this.metrics.writeFailures.inc({ kind: 'readings' }),
      isPermanent: isRefusedByStore,
      logger: this.log,
      maxBatch: this.tuning.batchMaxReadings,
      flushIntervalMs: this.tuning.batchIntervalMs,
      retryInitialMs: this.tuning.retryInitialMs,
      retryMaxMs: this.tuning.retryMaxMs,
    });
    this.queues = {
      events: this.createQueue<SiteEvent>('events', this.tuning.maxPendingOther, 1000, (batch) => telemetry.writeEvents(batch)),
      statuses: this.createQueue<SiteStatusRecord>(
        'statuses',
        this.tuning.maxPendingOther,
        1000,
        (batch) => this.saveStatuses(batch),
        (batch) => this.afterStatusesStored(batch),
      ),
      rejections: this.createQueue<Rejection>('rejections', this.tuning.maxPendingOther, 1000, (batch) => registry.addRejections(batch)),
    };
    this.recorder = new RejectionRecorder({
      sink: (entries) => this.queues.rejections.push(entries),
      count: (reason) => this.metrics.rejected.inc({ reason }),
      logger: this.log,
      maxEntriesPerMessage: this.tuning.maxDeadLettersPerMessage,
    });
    this.purger = new RetentionPurger({
      telemetry,
      retentionDays: options.retentionDays,
      intervalMs: this.tuning.purgeIntervalMs,
      logger: this.log,
      clock: this.clock,
    });
  }

  /** True while the MQTT connection to the broker is up (for health checks). */
  get connected(): boolean {
    return this.client?.connected === true;
  }

  /** Epoch ms of the last device message received, or undefined if none yet (for health checks). */
  get lastActivity(): number | undefined {
    return this.lastMessageAt;
  }

  /** Items accepted but not yet confirmed stored, all kinds together (for health checks). */
  get backlog(): number {
    return Object.values(this.queues).reduce((sum, queue) => sum + queue.backlog, this.readings.backlog);
  }

  /** The durable spool's state (for health checks): bytes waiting for the store, its limit, and whether ingest paused because it is full. */
  get spool(): { readonly bytes: number; readonly maxBytes: number; readonly full: boolean } {
    return { bytes: this.readings.bytes, maxBytes: this.readings.maxBytes, full: this.pausedSince !== undefined };
  }

  /**
   * Connects to the broker and subscribes to every device channel; resolves once subscribed.
   * Rejects with an AppError when the broker refuses the connection or the subscription, or
   * cannot be reached within `tuning.connectTimeoutMs`.
   */
  async start(): Promise<void> {
    if (this.state !== 'idle') throw new Error(`ingest cannot start while ${this.state}`);
    this.state = 'starting';
    for (const queue of Object.values(this.queues)) queue.reopen();
    try {
      const recovered = await this.readings.open();
      this.spoolMetrics.recoveredReadings.inc(recovered.readings);
      await this.loadKnownStatuses();
      const url = this.options.mqttUrl();
      const client = await openMqttSession(
        {
          url,
          serviceToken: this.options.serviceToken,
          clientId: this.options.clientId ?? INGEST_CLIENT_ID,
          connectTimeoutMs: this.tuning.connectTimeoutMs,
        },
        (c) => this.attach(c),
      );
      await subscribeDeviceChannels(client);
      this.purger.start();
      this.state = 'running';
      this.log.info({ mqtt: url, retentionDays: this.options.retentionDays }, 'ingest subscribed to device channels');
    } catch (error) {
      const client = this.client;
      this.client = undefined;
      client?.end(true);
      // Messages a persistent session delivered before the failure are still stored.
      await this.closeQueues();
      this.state = 'idle';
      throw error;
    }
  }

  /**
   * Ends the MQTT session (messages already received are kept), stores what is pending (for at
   * most `tuning.stopFlushTimeoutMs`) and stops the retention purge. Idempotent.
   */
  async stop(): Promise<void> {
    if (this.state !== 'running') return;
    this.state = 'stopping';
    const client = this.client;
    this.client = undefined;
    if (client) await endClient(client);
    // A message still waiting for the spool was never acknowledged: the broker delivers it again.
    this.dropHeld();
    this.pausedSince = undefined;
    await this.closeQueues();
    await this.purger.stop();
    this.state = 'idle';
    this.log.info('ingest stopped');
  }

  private async closeQueues(): Promise<void> {
    await Promise.all([
      this.readings.close(this.tuning.stopFlushTimeoutMs),
      ...Object.values(this.queues).map((queue) => queue.close(this.tuning.stopFlushTimeoutMs)),
    ]);
  }

  private createQueue<T>(
    kind: WriteKind,
    maxPending: number,
    maxBatch: number,
    write: (batch: readonly T[]) => Promise<void>,
    onWritten?: (batch: readonly T[]) => void,
  ): WriteQueue<T> {
    return new WriteQueue<T>({
      kind,
      write,
      onWritten,
      onDropped: (items: readonly T[], _cause: DropCause) => this.metrics.dropped.inc({ kind }, items.length),
      onWriteFailed: () => this.metrics.writeFailures.inc({ kind }),
      isPermanent: isRefusedByStore,
      logger: this.log,
      maxBatch,
      flushIntervalMs: this.tuning.batchIntervalMs,
      maxPending,
      retryInitialMs: this.tuning.retryInitialMs,
      retryMaxMs: this.tuning.retryMaxMs,
    });
  }

  private async loadKnownStatuses(): Promise<void> {
    try {
      this.statusTracker.load(await this.options.stores.registry.listSiteStatuses());
    } catch (error) {
      this.log.warn({ err: error }, 'could not load stored site statuses; retained statuses will be stored again');
    }
  }

  /** Adopts a new client and wires its events; runs before it connects. */
  private attach(client: MqttClient): void {
    this.client = client;
    // mqtt.js sends a QoS 1 PUBACK when handleMessage calls back, and hands over the next message
    // only then: ingest acknowledges a message once its readings are in the spool.
    client.handleMessage = (packet: IPublishPacket, callback: () => void) =>
      this.receive(incomingMessage(packet, this.clock(), this.connection, callback));
    client.on('close', () => {
      this.connection += 1;
      this.dropHeld();
    });
    client.on('error', (error) => this.logThrottled('mqtt-error', 'warn', { err: error }, 'MQTT client error'));
    client.on('offline', () => this.logThrottled('mqtt-offline', 'warn', {}, 'MQTT connection lost; reconnecting'));
    client.on('connect', (connack) => {
      if (this.state === 'running') this.log.info({ sessionPresent: connack.sessionPresent }, 'MQTT reconnected');
    });
  }

  private logThrottled(key: string, level: 'warn' | 'error', fields: object, message: string): void {
    const decision = this.throttle.take(key);
    if (decision.log) this.log[level]({ ...fields, suppressed: decision.suppressed }, message);
  }

  /**
   * Handles one device message and acknowledges it once what it carries is durable. While the
   * spool is full (or cannot be written) the message is held unacknowledged, which pauses the
   * flow: the broker keeps the rest queued for ingest's persistent session. Never throws: a bug
   * here must not take the connection down.
   */
  private receive(message: IncomingMessage): void {
    this.lastMessageAt = message.receivedAt;
    if (this.readings.isFull && parseTopic(message.topic)?.channel === 'telemetry') {
      this.hold(message, 'full');
      return;
    }
    let handled: Promise<void> | undefined;
    try {
      handled = this.route(message.topic, message.payload, message.retained, message.receivedAt);
    } catch (error) {
      this.onHandlerError(message, error);
      return;
    }
    if (!handled) {
      this.acknowledge(message);
      return;
    }
    handled.then(
      () => this.acknowledge(message),
      (error: unknown) => this.onHandlerError(message, error),
    );
  }

  private acknowledge(message: IncomingMessage): void {
    // After a reconnect the broker delivers the message again; an ack now would hit another message.
    if (message.connection === this.connection) message.acknowledge();
  }

  private onHandlerError(message: IncomingMessage, error: unknown): void {
    if (error instanceof NotAccepted) {
      this.spoolMetrics.appendFailures.inc();
      this.logThrottled(
        'spool-append',
        'error',
        { err: error.reason },
        'cannot write the spool; the message is not acknowledged and is retried',
      );
      this.hold(message, 'spool-error');
      return;
    }
    this.logThrottled(
      'handler-bug',
      'error',
      { err: error, topic: message.topic.slice(0, 256) },
      'unexpected error while handling a message',
    );
    this.acknowledge(message);
  }

  private hold(message: IncomingMessage, reason: 'full' | 'spool-error'): void {
    this.held = message;
    if (reason === 'spool-error') {
      this.heldRetryTimer = setTimeout(() => this.releaseHeld(), SPOOL_RETRY_MS);
      return;
    }
    if (this.pausedSince !== undefined) return;
    this.pausedSince = this.clock();
    this.spoolMetrics.fullTotal.inc();
    this.log.warn(
      { spoolBytes: this.readings.bytes, maxBytes: this.readings.maxBytes, backlog: this.readings.backlog },
      'spool full: ingest stops taking messages until the store catches up; the broker keeps them queued (nothing accepted is lost)',
    );
  }

  /** After each confirmed store write: resume when the spool has room again. */
  private onSpoolCommitted(): void {
    if (this.readings.isFull) return;
    if (this.pausedSince !== undefined) {
      this.log.info(
        { pausedMs: this.clock() - this.pausedSince, spoolBytes: this.readings.bytes },
        'spool has room again; taking messages',
      );
      this.pausedSince = undefined;
    }
    if (this.held) this.releaseHeld();
  }

  private releaseHeld(): void {
    clearTimeout(this.heldRetryTimer);
    this.heldRetryTimer = undefined;
    const message = this.held;
    this.held = undefined;
    if (!message || message.connection !== this.connection || this.state === 'idle') return;
    this.receive(message);
  }

  /** Forgets the held message (its connection closed, or ingest stops); the broker delivers it again. */
  private dropHeld(): void {
    clearTimeout(this.heldRetryTimer);
    this.heldRetryTimer = undefined;
    this.held = undefined;
  }

  /** Routes a message; a promise when it must wait for the site registry first. Throws {@link NotAccepted}. */
  private route(topic: string, payload: Buffer, retained: boolean, receivedAt: number): Promise<void> | undefined {
    const parsed = parseTopic(topic);
    const channel: IngestChannel = parsed?.scope === 'device' && parsed.channel !== 'commands' ? parsed.channel : 'unknown';
    this.metrics.messagesReceived.inc({ channel });
    const reject = (siteId: string | null, rejections: readonly DecodeRejection[]) =>
      this.recorder.record({ topic, siteId, receivedAt, payload }, rejections);

    if (!parsed || channel === 'unknown') {
      reject(null, [
        { reason: 'unknown_site', detail: 'topic is not a device topic of the contract (sites/{siteId}/telemetry|status|events)' },
      ]);
      return undefined;
    }
    const { siteId } = parsed;
    const message: SiteMessage = { topic, siteId, channel, payload, retained, receivedAt, reject };
    if (this.options.sites.has(siteId)) {
      this.dispatch(message);
      return undefined;
    }
    // Possibly registered a moment ago through another process: re-read the registry once.
    return this.options.sites.resolve(siteId).then((site) => {
      if (site) this.dispatch(message);
      else reject(siteId, [{ reason: 'unknown_site', detail: `site '${siteId}' is not registered` }]);
    });
  }

  /** Handles a message of a registered site by channel. */
  private dispatch({ siteId, channel, payload, retained, receivedAt, reject }: SiteMessage): void {
    if (this.options.sites.isDisabled?.(siteId)) {
      reject(siteId, [{ reason: 'site_disabled', detail: `site '${siteId}' is disabled by an admin` }]);
      return;
    }
    if (payload.byteLength > this.options.maxPayloadBytes) {
      reject(siteId, [
        { reason: 'payload_too_large', detail: `payload is ${payload.byteLength} bytes, at most ${this.options.maxPayloadBytes} accepted` },
      ]);
      return;
    }
    const oldestAcceptedTs = receivedAt - this.options.retentionDays * DAY_MS;

    switch (channel) {
      case 'telemetry': {
        const result = decodeTelemetry(payload, { siteId, receivedAt, oldestAcceptedTs, maxEntries: this.tuning.maxEntriesPerMessage });
        this.accept(result.readings);
        reject(siteId, result.rejections);
        return;
      }
      case 'status': {
        // An empty retained message is how MQTT clears a retained status: nothing to store.
        if (payload.byteLength === 0) return;
        const result = decodeStatus(payload, { siteId, receivedAt });
        reject(siteId, result.rejections);
        if (result.status && this.statusTracker.accept(result.status, retained, result.deviceTs === true)) {
          this.queues.statuses.push([result.status]);
        }
        return;
      }
      case 'events': {
        const result = decodeEvent(payload, { siteId, receivedAt, oldestAcceptedTs });
        if (result.event) this.queues.events.push([result.event]);
        reject(siteId, result.rejections);
        return;
      }
    }
  }

  /**
   * Accepts a message's readings: appends them to the durable spool, from where they are written
   * to the store. Throws {@link NotAccepted} when the spool cannot take them (then the message is
   * not acknowledged, and its rejections not yet recorded).
   */
  private accept(readings: readonly Reading[]): void {
    try {
      this.readings.push(readings);
    } catch (error) {
      throw new NotAccepted(error);
    }
  }

  /** Stores statuses, only the latest per site of the batch. */
  private async saveStatuses(batch: readonly SiteStatusRecord[]): Promise<void> {
    for (const status of latestPerSite(batch)) await this.options.stores.registry.saveSiteStatus(status);
  }

  /**
   * The one place where accepted readings are handed on, once the store has them: in spool order,
   * in batches; after a crash a batch may be handed on again (it was stored again, idempotently).
   * Counts them, hands them to the observer (alert evaluation) and fans them out live on
   * `platform/readings/{siteId}`.
   */
  private afterReadingsStored(batch: readonly Reading[]): void {
    this.metrics.readingsStored.inc(batch.length);
    this.metrics.batchSize.observe(batch.length);
    this.options.observer?.readingsAccepted(batch);
    const bySite = new Map<string, PlatformReadingsMessage['readings']>();
    for (const reading of batch) {
      const list = bySite.get(reading.siteId) ?? [];
      list.push({ ts: reading.ts, values: reading.values });
      bySite.set(reading.siteId, list);
    }
    for (const [siteId, readings] of bySite) {
      const message: PlatformReadingsMessage = { siteId, readings };
      this.publish(topics.platformReadings(siteId), message);
    }
  }

  private afterStatusesStored(batch: readonly SiteStatusRecord[]): void {
    for (const status of latestPerSite(batch)) {
      this.options.observer?.statusAccepted(status);
      const message: PlatformSiteStatusMessage = {
        siteId: status.siteId,
        status: status.status,
        ts: status.ts,
        battery: status.battery,
        rssi: status.rssi,
      };
      this.publish(topics.platformSiteStatus(status.siteId), message);
    }
  }

  /** Live fan-out, QoS 0: skipped while disconnected (consumers reload from the store). */
  private publish(topic: string, message: PlatformReadingsMessage | PlatformSiteStatusMessage): void {
    const client = this.client;
    if (!client?.connected) return;
    client.publish(topic, JSON.stringify(message), { qos: 0 }, (error) => {
      if (error) this.logThrottled('publish-failed', 'warn', { err: error, topic }, 'fan-out publish failed');
    });
  }
}

function incomingMessage(packet: IPublishPacket, receivedAt: number, connection: number, acknowledge: () => void): IncomingMessage {
  const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
  return { topic: packet.topic, payload, retained: packet.retain === true, receivedAt, connection, acknowledge };
}

/** The store refused the data itself (validation), so retrying the same batch cannot succeed. */
function isRefusedByStore(error: unknown): boolean {
  return error instanceof AppError && (error.code === 'bad_request' || error.code === 'validation_failed');
}

function latestPerSite(batch: readonly SiteStatusRecord[]): SiteStatusRecord[] {
  const latest = new Map<string, SiteStatusRecord>();
  for (const status of batch) latest.set(status.siteId, status);
  return [...latest.values()];
}

/** Ends the client gracefully (in-flight acks go out), forcing it after 2 s. */
async function endClient(client: MqttClient): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const forced = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      client.end(true, () => resolve());
    }, 2000);
  });
  await Promise.race([client.endAsync(false), forced]);
  clearTimeout(timer);
}
