/**
 * One simulated device: its own MQTT connection (as a real station has), a Last Will that marks it
 * offline if the connection dies, a retained `online` status on every (re)connection, and a
 * reporting timer that publishes what its {@link DeviceBehaviour} produces.
 *
 * Connection failures never throw: mqtt.js retries (also after a refused CONNACK). Each state
 * change is logged once, at debug level — a fleet of thousands would otherwise flood the log; the
 * fleet reports the summary. While disconnected, ticks are skipped rather than queued, so a long
 * broker outage cannot grow memory (backfill after a gap is a later scenario).
 */
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { StatusPayload } from '../common/payloads.js';
import type { Site } from '../common/sites.js';
import { topics } from '../common/topics.js';
import type { Component } from '../platform/lifecycle.js';
import type { Logger } from '../platform/logger.js';
import type { DeviceBehaviour, OutgoingMessage } from './behaviours.js';

/** The Last Will payload: what the broker publishes (retained) when the connection dies uncleanly. */
export const OFFLINE_WILL_PAYLOAD = JSON.stringify({ status: 'offline' } satisfies StatusPayload);

/** How long `stop()` waits for the broker to acknowledge the final offline status, ms. */
export const STOP_ACK_TIMEOUT_MS = 2_000;

/** What a device reports to its fleet, for the fleet's statistics. */
export interface DeviceCounters {
  /** A message was acknowledged by the broker (QoS 1 PUBACK). */
  onPublished(): void;
  /** A publish failed (e.g. its connection closed before the PUBACK). */
  onPublishFailed(error: Error): void;
  /** A connection attempt failed or the connection was lost (`error` undefined: closed without one). */
  onConnectionFailed(error: Error | undefined): void;
  /** The device connected (`true`) or lost its connection (`false`). */
  onConnectionChange(connected: boolean): void;
}

export interface SimulatedDeviceOptions {
  readonly site: Site;
  readonly behaviour: DeviceBehaviour;
  readonly mqttUrl: string;
  readonly clientId: string;
  readonly username: string;
  readonly password: string;
  /** Time between two reports, ms (already scaled). */
  readonly intervalMs: number;
  /** Delay of the first report after start, ms, to stagger a fleet. */
  readonly firstReportDelayMs: number;
  /** Wait between reconnection attempts, ms. */
  readonly reconnectPeriodMs: number;
  /** Time stamped on messages and fed to the models, epoch ms. */
  readonly clock: () => number;
  readonly logger: Logger;
  readonly counters: DeviceCounters;
}

type ConnectionState = 'idle' | 'connecting' | 'online' | 'offline' | 'stopped';

export class SimulatedDevice implements Component {
  readonly name: string;
  private readonly logger: Logger;
  private client: MqttClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private state: ConnectionState = 'idle';
  private everConnected = false;
  private startedAt = 0;
  private reportIndex = 0;
  private reportFailureLogged = false;

  constructor(private readonly options: SimulatedDeviceOptions) {
    this.name = `sim-device:${options.site.id}`;
    this.logger = options.logger.child({ siteId: options.site.id });
  }

  /** Whether the device currently has a broker connection. */
  get connected(): boolean {
    return this.state === 'online';
  }

  /** Starts connecting and reporting; resolves at once (the connection is retried in the background). */
  async start(): Promise<void> {
    if (this.client) return;
    const { site, clientId, username, password, reconnectPeriodMs } = this.options;
    const clientOptions: IClientOptions = {
      clientId,
      username,
      password,
      protocolVersion: 4,
      clean: true,
      keepalive: 30,
      connectTimeout: 10_000,
      reconnectPeriod: reconnectPeriodMs,
      reconnectOnConnackError: true,
      queueQoSZero: false,
      resubscribe: false,
      will: { topic: topics.status(site.id), payload: Buffer.from(OFFLINE_WILL_PAYLOAD), qos: 1, retain: true },
    };
    this.state = 'connecting';
    const client = connect(this.options.mqttUrl, clientOptions);
    this.client = client;
    client.on('connect', () => this.onConnect());
    client.on('error', (error) => this.onFailure(error));
    client.on('close', () => this.onFailure(undefined));
    this.startedAt = Date.now();
    this.reportIndex = 0;
    this.schedule(this.options.firstReportDelayMs);
  }

  /**
   * Stops reporting and disconnects. A graceful DISCONNECT discards the Last Will (MQTT 3.1.1
   * §3.14.4), so a connected device first publishes a retained `offline` status — as a station
   * switched off properly would — otherwise the broker would keep its `online` status forever.
   */
  async stop(): Promise<void> {
    const client = this.client;
    if (!client || this.state === 'stopped') return;
    const wasOnline = this.state === 'online';
    this.setState('stopped');
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (wasOnline && client.connected) {
      await this.publishWithin(
        client,
        { channel: 'status', payload: { status: 'offline', ts: this.options.clock() } },
        STOP_ACK_TIMEOUT_MS,
      );
    }
    const force = !client.connected || Object.keys(client.outgoing).length > 0;
    await endWithin(client, force, STOP_ACK_TIMEOUT_MS);
    this.client = undefined;
  }

  /**
   * Fault injection: cuts the TCP connection without DISCONNECT, as a power cut or lost radio link
   * would. The broker publishes the Last Will (`offline`); the device reconnects on its own.
   * Returns false when there is no live connection to cut.
   */
  dropConnection(): boolean {
    const client = this.client;
    if (!client || this.state !== 'online') return false;
    client.stream.destroy();
    return true;
  }

  private onConnect(): void {
    if (this.state === 'stopped') return;
    const reconnected = this.everConnected;
    this.everConnected = true;
    this.setState('online');
    this.logger.debug(reconnected ? 'device reconnected' : 'device connected');
    this.publish({ channel: 'status', payload: this.options.behaviour.onlineStatus(this.options.clock()) });
  }

  /** A failed attempt or a lost connection: counted each time, logged once per state change. */
  private onFailure(error: Error | undefined): void {
    if (this.state === 'stopped') return;
    const wasOnline = this.state === 'online';
    if (error || wasOnline) this.options.counters.onConnectionFailed(error);
    if (this.state === 'offline') return;
    this.setState('offline');
    const fields = error ? { reason: error.message } : {};
    this.logger.debug(fields, wasOnline ? 'device lost its broker connection; retrying' : 'device cannot connect to the broker; retrying');
  }

  private setState(next: ConnectionState): void {
    const wasOnline = this.state === 'online';
    this.state = next;
    const isOnline = next === 'online';
    if (wasOnline !== isOnline) this.options.counters.onConnectionChange(isOnline);
  }

  /** Schedules the next report on a fixed grid from the start, so timer delays do not accumulate. */
  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => this.report(), Math.max(0, delayMs));
  }

  private report(): void {
    if (this.state === 'stopped') return;
    if (this.state === 'online') {
      try {
        for (const message of this.options.behaviour.tick(this.options.clock())) this.publish(message);
      } catch (error) {
        // A model bug must not end the process nor silence the device: report it and keep going.
        this.options.counters.onPublishFailed(error instanceof Error ? error : new Error(String(error)));
        if (!this.reportFailureLogged) this.logger.error({ err: error }, 'simulated report failed (logged once per device)');
        this.reportFailureLogged = true;
      }
    }
    const { intervalMs, firstReportDelayMs } = this.options;
    const elapsed = Date.now() - this.startedAt;
    // Skip the slots already missed (event-loop stalls) instead of bursting to catch up.
    this.reportIndex = Math.max(this.reportIndex + 1, Math.ceil((elapsed - firstReportDelayMs) / intervalMs));
    this.schedule(this.startedAt + firstReportDelayMs + this.reportIndex * intervalMs - Date.now());
  }

  private publish(message: OutgoingMessage): void {
    const client = this.client;
    if (!client) return;
    this.publishOn(client, message, () => undefined);
  }

  private publishOn(client: MqttClient, message: OutgoingMessage, done: () => void): void {
    const topic = topics[message.channel](this.options.site.id);
    const retain = message.channel === 'status';
    client.publish(topic, JSON.stringify(message.payload), { qos: 1, retain }, (error) => {
      if (error) {
        this.options.counters.onPublishFailed(error);
        this.logger.debug({ err: error, topic }, 'publish failed');
      } else {
        this.options.counters.onPublished();
      }
      done();
    });
  }

  private publishWithin(client: MqttClient, message: OutgoingMessage, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.publishOn(client, message, () => {
        clearTimeout(timer);
        resolve();
      });
    });
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
