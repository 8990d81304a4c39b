/**
 * One simulated device's MQTT connection, as a real station has: its own client, a retained Last
 * Will `{"status":"offline"}` (QoS 1), a retained status on every connection, QoS 1 publishes.
 *
 * Connection attempts go through the fleet's {@link ConnectionPacer} (mqtt.js never reconnects on
 * its own: `reconnectPeriod: 0`); after a failure the link waits an exponential, jittered backoff
 * (1 s doubling to 30 s) before queueing again, so a broker restart is not met by a reconnect
 * storm. Each attempt uses a fresh client, so no state leaks between connections.
 *
 * Faults drive it through {@link DeviceLink.cut} (the TCP connection dies without DISCONNECT: the
 * broker publishes the Will; the link stays down) and {@link DeviceLink.restore}. Messages offered
 * while (re)connecting are queued (bounded) and sent once connected; while cut they are dropped.
 * Nothing here throws on network trouble: failures are counted in {@link FleetStats} and logged
 * at debug level (a fleet of thousands would flood the log otherwise).
 */
import { performance } from 'node:perf_hooks';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { StatusPayload } from '../../common/payloads.js';
import { topics } from '../../common/topics.js';
import type { Logger } from '../../platform/logger.js';
import type { PublishChannel } from '../site-runtime.js';
import type { ConnectionPacer } from './connection-pacer.js';
import type { FleetStats } from './fleet-stats.js';

/** The Last Will payload: what the broker publishes (retained) when the connection dies uncleanly. */
export const OFFLINE_WILL_PAYLOAD = JSON.stringify({ status: 'offline' } satisfies StatusPayload);

/** How long `stop()` waits for the broker to acknowledge the final offline status, ms. */
export const STOP_ACK_TIMEOUT_MS = 2_000;

/** Backoff after a failed or lost connection: first wait and ceiling, ms (doubling, jittered ±50 %). */
export const BACKOFF_INITIAL_MS = 1_000;
export const BACKOFF_MAX_MS = 30_000;

export interface DeviceLinkOptions {
  readonly siteId: string;
  readonly mqttUrl: string;
  readonly clientId: string;
  readonly username: string;
  readonly password: string;
  /** MQTT keepalive, s (spread it across a large fleet so pings do not come in waves). */
  readonly keepaliveSec: number;
  /** How long one attempt may take before it counts as failed, ms. */
  readonly connectTimeoutMs: number;
  readonly pacer: ConnectionPacer;
  readonly stats: FleetStats;
  readonly logger: Logger;
  /** The retained status body published on a connection the plan did not script (first one, reconnections). */
  readonly onlineStatus: () => string;
  /** QoS of telemetry and events (statuses are always QoS 1); default 1. */
  readonly qos?: 0 | 1;
  /** Messages held while (re)connecting; the oldest beyond are dropped. Default 100. */
  readonly maxQueued?: number;
  /** Random source in [0, 1) for backoff jitter; default Math.random. */
  readonly random?: () => number;
  /** Told when the link connects or loses its connection (for fleet-level logging). */
  readonly onConnectionChange?: (connected: boolean, error: Error | undefined) => void;
}

type LinkState = 'idle' | 'waiting' | 'connecting' | 'online' | 'held' | 'stopped';

/** Told when a publish is acknowledged (error undefined) or lost. */
export type PublishDone = (error: Error | undefined) => void;

interface Queued {
  readonly channel: PublishChannel;
  readonly body: string;
  readonly retain: boolean;
  readonly done: PublishDone | undefined;
}

const DROPPED = (): Error => new Error('message dropped: the device is not connected');

export class DeviceLink {
  private client: MqttClient | undefined;
  private state: LinkState = 'idle';
  private failures = 0;
  private cancelRequest: (() => void) | undefined;
  /** Gives the pacer's slot back once the current attempt has connected or failed. */
  private releaseSlot: (() => void) | undefined;
  private queue: Queued[] = [];
  private pendingStatus: string | undefined;
  private lastError: Error | undefined;
  private inflightCount = 0;
  private readonly topicOf: Readonly<Record<PublishChannel, string>>;

  constructor(private readonly options: DeviceLinkOptions) {
    this.topicOf = {
      telemetry: topics.telemetry(options.siteId),
      status: topics.status(options.siteId),
      events: topics.events(options.siteId),
    };
  }

  get siteId(): string {
    return this.options.siteId;
  }

  /** Whether the link has a broker connection now. */
  get connected(): boolean {
    return this.state === 'online';
  }

  /** Publishes awaiting their PUBACK. */
  get inflight(): number {
    return this.inflightCount;
  }

  /** Starts connecting (through the pacer); the link keeps retrying until stopped. */
  open(): void {
    if (this.state !== 'idle') return;
    this.waitForSlot(0);
  }

  /**
   * Publishes `body` on the device's `channel`. Returns false when the message was dropped (link
   * cut or stopped); queued messages count as accepted. `done` is told of the PUBACK or the loss.
   */
  publish(channel: PublishChannel, body: string, retain = false, done?: PublishDone): boolean {
    if (this.state === 'online' && this.client) {
      this.send(this.client, channel, body, retain, done);
      return true;
    }
    if (this.state === 'waiting' || this.state === 'connecting') {
      this.queue.push({ channel, body, retain, done });
      const max = this.options.maxQueued ?? 100;
      if (this.queue.length > max) {
        this.queue.shift()?.done?.(DROPPED());
        this.options.stats.dropped++;
      }
      return true;
    }
    this.options.stats.dropped++;
    done?.(DROPPED());
    return false;
  }

  /**
   * Fault: the connection dies without DISCONNECT (power cut, radio loss). The broker publishes
   * the Last Will; the link stays down until {@link restore}. Queued messages are lost.
   */
  cut(): void {
    if (this.state === 'stopped' || this.state === 'held') return;
    this.cancelRequest?.();
    this.cancelRequest = undefined;
    const wasOnline = this.state === 'online';
    this.state = 'held';
    this.release();
    this.dropQueue();
    this.pendingStatus = undefined;
    const client = this.client;
    this.client = undefined;
    if (client) this.destroy(client);
    if (wasOnline) this.changed(false, undefined);
  }

  /** Connects again after {@link cut}, publishing `onlineStatus` (retained) first. */
  restore(onlineStatus?: string): void {
    if (this.state !== 'held') return;
    this.pendingStatus = onlineStatus;
    this.failures = 0;
    this.waitForSlot(0);
  }

  /**
   * Fault injection for tests and demos: kills the TCP connection without DISCONNECT; unlike
   * {@link cut} the link reconnects by itself after its backoff. False when not connected.
   */
  dropConnection(): boolean {
    if (this.state !== 'online' || !this.client) return false;
    this.client.stream.destroy();
    return true;
  }

  /**
   * Stops for good. A graceful DISCONNECT discards the Last Will (MQTT 3.1.1 §3.14.4), so a
   * connected device first publishes a retained final status — `offline`, as a station switched
   * off properly would, or `maintenance` for one handed back after a scenario — else the broker
   * would keep its `online` status forever.
   */
  async stop(finalStatus: 'offline' | 'maintenance' = 'offline'): Promise<void> {
    if (this.state === 'stopped') return;
    const wasOnline = this.state === 'online';
    this.state = 'stopped';
    this.cancelRequest?.();
    this.cancelRequest = undefined;
    this.release();
    this.dropQueue();
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    if (wasOnline && client.connected) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, STOP_ACK_TIMEOUT_MS);
        const body = finalStatus === 'offline' ? OFFLINE_WILL_PAYLOAD : JSON.stringify({ status: finalStatus } satisfies StatusPayload);
        client.publish(this.topicOf.status, body, { qos: 1, retain: true }, () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    if (wasOnline) this.changed(false, undefined);
    await endWithin(client, !client.connected || Object.keys(client.outgoing).length > 0, STOP_ACK_TIMEOUT_MS);
  }

  private dropQueue(): void {
    this.options.stats.dropped += this.queue.length;
    for (const message of this.queue) message.done?.(DROPPED());
    this.queue = [];
  }

  private waitForSlot(notBeforeMs: number): void {
    this.state = 'waiting';
    this.cancelRequest = this.options.pacer.request((release) => this.attempt(release), notBeforeMs);
  }

  private release(): void {
    const release = this.releaseSlot;
    this.releaseSlot = undefined;
    release?.();
  }

  private attempt(release: () => void): void {
    this.cancelRequest = undefined;
    if (this.state !== 'waiting') {
      release();
      return;
    }
    this.releaseSlot = release;
    this.state = 'connecting';
    const { mqttUrl, clientId, username, password, keepaliveSec, connectTimeoutMs, siteId } = this.options;
    const clientOptions: IClientOptions = {
      clientId,
      username,
      password,
      protocolVersion: 4,
      clean: true,
      keepalive: keepaliveSec,
      connectTimeout: connectTimeoutMs,
      reconnectPeriod: 0,
      queueQoSZero: false,
      resubscribe: false,
      will: { topic: topics.status(siteId), payload: Buffer.from(OFFLINE_WILL_PAYLOAD), qos: 1, retain: true },
    };
    const client = connect(mqttUrl, clientOptions);
    this.client = client;
    client.on('connect', () => this.onConnect(client));
    client.on('error', (error) => {
      this.lastError = error;
    });
    client.on('close', () => this.onClose(client));
  }

  private onConnect(client: MqttClient): void {
    if (client !== this.client || this.state !== 'connecting') return;
    this.release();
    this.state = 'online';
    this.failures = 0;
    this.lastError = undefined;
    const stream: unknown = client.stream;
    if (stream && typeof stream === 'object' && 'setNoDelay' in stream && typeof stream.setNoDelay === 'function') stream.setNoDelay(true);
    this.options.stats.connects++;
    this.changed(true, undefined);
    const status = this.pendingStatus ?? this.options.onlineStatus();
    this.pendingStatus = undefined;
    this.send(client, 'status', status, true);
    const queued = this.queue;
    this.queue = [];
    for (const message of queued) this.send(client, message.channel, message.body, message.retain, message.done);
  }

  private onClose(client: MqttClient): void {
    if (client !== this.client) return;
    this.release();
    this.client = undefined;
    const wasOnline = this.state === 'online';
    if (this.state === 'held' || this.state === 'stopped') return;
    const error = this.lastError;
    this.lastError = undefined;
    this.options.stats.connectFailures++;
    if (wasOnline) this.changed(false, error ?? new Error('connection lost'));
    else this.options.onConnectionChange?.(false, error ?? new Error('connection closed'));
    this.options.logger.debug(
      { siteId: this.options.siteId, reason: error?.message ?? 'closed' },
      wasOnline ? 'device lost its broker connection; retrying' : 'device cannot connect to the broker; retrying',
    );
    this.destroy(client);
    this.failures++;
    const backoff = Math.min(BACKOFF_MAX_MS, BACKOFF_INITIAL_MS * 2 ** Math.min(10, this.failures - 1));
    const jitter = 0.5 + (this.options.random ?? Math.random)();
    this.waitForSlot(Date.now() + backoff * jitter);
  }

  private changed(connected: boolean, error: Error | undefined): void {
    this.options.stats.connected += connected ? 1 : -1;
    this.options.onConnectionChange?.(connected, error);
  }

  private send(client: MqttClient, channel: PublishChannel, body: string, retain: boolean, done?: PublishDone): void {
    const { stats } = this.options;
    const qos = channel === 'status' ? 1 : (this.options.qos ?? 1);
    stats.sent++;
    this.inflightCount++;
    const startedAt = performance.now();
    client.publish(this.topicOf[channel], body, { qos, retain }, (error) => {
      this.inflightCount--;
      if (error) {
        stats.failed++;
        done?.(error);
        return;
      }
      stats.acked++;
      if (channel === 'telemetry') stats.telemetryAcked++;
      stats.ackLatency.record(performance.now() - startedAt);
      done?.(undefined);
    });
  }

  /** Ends a client abruptly (no DISCONNECT) and silences it. */
  private destroy(client: MqttClient): void {
    client.removeAllListeners('connect');
    client.on('error', () => undefined);
    client.end(true);
  }
}

/**
 * Ends an mqtt.js client; if a graceful end has not finished within `timeoutMs` (a broker that
 * stopped answering), destroys the socket so stop() can never hang.
 */
function endWithin(client: MqttClient, force: boolean, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.stream?.destroy();
      resolve();
    }, timeoutMs);
    client.end(force, () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
