/**
 * Load generator: thousands of devices, each a real MQTT connection authenticated with its own
 * site id and device token, reporting at a fixed overall rate. Built for one process to hold
 * tens of thousands of connections on a small machine:
 * - connections ramp up through one {@link ConnectionPacer} (`connectRatePerSec`, at most
 *   `maxConnecting` in progress: waves the broker can absorb instead of a SYN flood that times
 *   out) and come back with jittered backoff after a broker restart — no reconnect storm;
 * - keepalives are spread (45–75 s) so pings do not arrive in waves;
 * - one 20 ms timer drives every report: each device's turn comes round every `devices / rate`
 *   seconds (round-robin), no timer per device;
 * - a device with too many unacknowledged messages skips its turn (counted), so a slow broker
 *   cannot grow memory without bound.
 *
 * What a device reports is the physics of its site kind ({@link SiteRuntime}) unless a `report`
 * function is given (the benchmark can send fixed-size payloads). Reusable: `new LoadFleet(...)`,
 * `start()`, watch `stats`, `stop()`.
 */
import type { Site } from '../../common/sites.js';
import type { Component } from '../../platform/lifecycle.js';
import type { Logger } from '../../platform/logger.js';
import { ConnectionPacer } from '../fleet/connection-pacer.js';
import { DeviceLink } from '../fleet/device-link.js';
import { FleetStats, type FleetStatsSnapshot } from '../fleet/fleet-stats.js';
import { deriveSeed, mulberry32 } from '../random.js';
import { SimulationPlan } from '../scenarios/simulation-plan.js';
import { type PublishChannel, SiteRuntime } from '../site-runtime.js';

/** A registered load site and its device token (MQTT password). */
export interface LoadDevice {
  readonly site: Site;
  readonly token: string;
}

/** One message of a report. */
export interface LoadMessage {
  readonly channel: PublishChannel;
  readonly body: string;
  readonly retain?: boolean;
}

/** Counters of a load fleet. */
export interface LoadFleetStats extends FleetStatsSnapshot {
  /** Reports made (a report is what a device sends at its turn). */
  readonly reports: number;
  /** Turns skipped because the device was not connected. */
  readonly missedDisconnected: number;
  /** Turns skipped because the device had `maxInflight` unacknowledged messages. */
  readonly missedBackpressure: number;
}

/** Counters of a fleet that has not started. */
export const EMPTY_LOAD_STATS: LoadFleetStats = {
  devices: 0,
  connected: 0,
  sent: 0,
  acked: 0,
  telemetryAcked: 0,
  failed: 0,
  dropped: 0,
  connectFailures: 0,
  connects: 0,
  published: 0,
  errors: 0,
  ackLatencyMs: { p50: 0, p99: 0, max: 0 },
  reports: 0,
  missedDisconnected: 0,
  missedBackpressure: 0,
};

export interface LoadFleetOptions {
  readonly devices: readonly LoadDevice[];
  /** Broker URL, e.g. `mqtt://127.0.0.1:1883`. */
  readonly mqttUrl: string;
  readonly logger: Logger;
  /** Reports per second across the fleet (> 0). */
  readonly ratePerSec: number;
  /** Connection attempts per second (ramp-up and reconnection); default 500. */
  readonly connectRatePerSec?: number;
  /**
   * Connection attempts in progress at once; default 200. When the broker authenticates slower
   * than `connectRatePerSec`, attempts wait here instead of timing out in its accept queue.
   */
  readonly maxConnecting?: number;
  /** Seed of the physics and of the keepalive and backoff spread. */
  readonly seed: number;
  /** QoS of telemetry and events; default 1. */
  readonly qos?: 0 | 1;
  /** Unacknowledged messages a device may have before it skips its turn; default 16. */
  readonly maxInflight?: number;
  /** What a device sends at its turn (wall-clock epoch ms `tMs`); default the physics of its site. */
  readonly report?: (device: LoadDevice, tMs: number) => readonly LoadMessage[];
  /** Wall clock, epoch ms; default `Date.now`. */
  readonly wallNow?: () => number;
}

/** Period of the one report timer, ms. */
const REPORT_TICK_MS = 20;
/** Keepalive spread, s. */
const KEEPALIVE_MIN_SEC = 45;
const KEEPALIVE_SPREAD_SEC = 30;

/** A device of the fleet: its site and token, its link, its physics (created on first use). */
class LoadEntry {
  runtime: SiteRuntime | undefined;
  readonly link: DeviceLink;

  constructor(
    readonly device: LoadDevice,
    makeLink: (entry: LoadEntry) => DeviceLink,
  ) {
    this.link = makeLink(this);
  }
}

export class LoadFleet implements Component {
  readonly name = 'load-fleet';
  private readonly stats_ = new FleetStats();
  private entries: LoadEntry[] = [];
  private pacer: ConnectionPacer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private cursor = 0;
  private budget = 0;
  private lastTickAt = 0;
  private reports = 0;
  private missedDisconnected = 0;
  private missedBackpressure = 0;
  private readonly plan: SimulationPlan;
  private readonly wallNow: () => number;

  constructor(private readonly options: LoadFleetOptions) {
    if (!(options.ratePerSec > 0) || !Number.isFinite(options.ratePerSec))
      throw new RangeError(`rate must be a positive number, got ${options.ratePerSec}`);
    this.plan = new SimulationPlan(options.devices.map((device) => device.site));
    this.wallNow = options.wallNow ?? Date.now;
  }

  get stats(): LoadFleetStats {
    return {
      ...this.stats_.snapshot(),
      reports: this.reports,
      missedDisconnected: this.missedDisconnected,
      missedBackpressure: this.missedBackpressure,
    };
  }

  /** The fleet's raw counters (to merge the figures of several processes). */
  get counters(): FleetStats {
    return this.stats_;
  }

  /** Opens every connection (paced) and starts reporting; resolves at once. */
  async start(): Promise<void> {
    if (this.pacer) return;
    const { devices, mqttUrl, seed, logger } = this.options;
    const pacer = new ConnectionPacer({
      ratePerSec: this.options.connectRatePerSec ?? 500,
      maxConcurrent: this.options.maxConnecting ?? 200,
    });
    this.pacer = pacer;
    this.stats_.devices = devices.length;
    this.entries = devices.map(
      (device) =>
        new LoadEntry(device, (entry) => {
          const rng = mulberry32(deriveSeed(seed, device.site.id, 'link'));
          return new DeviceLink({
            siteId: device.site.id,
            mqttUrl,
            clientId: device.site.id,
            username: device.site.id,
            password: device.token,
            keepaliveSec: KEEPALIVE_MIN_SEC + Math.floor(rng() * KEEPALIVE_SPREAD_SEC),
            connectTimeoutMs: 30_000,
            pacer,
            stats: this.stats_,
            logger,
            qos: this.options.qos ?? 1,
            maxQueued: 0,
            random: rng,
            onlineStatus: () => this.runtimeOf(entry).onlineStatusBody(this.wallNow()),
          });
        }),
    );
    for (const entry of this.entries) entry.link.open();
    this.lastTickAt = this.wallNow();
    this.timer = setInterval(() => this.reportTick(), REPORT_TICK_MS);
    logger.info(
      { devices: devices.length, ratePerSec: this.options.ratePerSec, connectRatePerSec: this.options.connectRatePerSec ?? 500 },
      'load fleet started',
    );
  }

  /** Stops reporting and disconnects every device (each leaves a retained `offline` status), 1,000 at a time. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.pacer?.stop();
    this.pacer = undefined;
    const entries = this.entries;
    for (let i = 0; i < entries.length; i += 1000) {
      await Promise.all(entries.slice(i, i + 1000).map((entry) => entry.link.stop()));
    }
    this.stats_.connected = 0;
  }

  private runtimeOf(entry: LoadEntry): SiteRuntime {
    entry.runtime ??= new SiteRuntime({ site: entry.device.site, seed: this.options.seed, plan: this.plan.forSite(entry.device.site.id) });
    return entry.runtime;
  }

  private reportTick(): void {
    const now = this.wallNow();
    const elapsed = Math.max(0, now - this.lastTickAt);
    this.lastTickAt = now;
    const rate = this.options.ratePerSec;
    // Carry at most one second of missed turns after a stall, so the rate never bursts far above its target.
    this.budget = Math.min(rate, this.budget + (rate * elapsed) / 1000);
    const entries = this.entries;
    if (entries.length === 0) return;
    const maxInflight = this.options.maxInflight ?? 16;
    while (this.budget >= 1) {
      this.budget -= 1;
      const entry = entries[this.cursor] as LoadEntry;
      this.cursor = (this.cursor + 1) % entries.length;
      const { link } = entry;
      if (!link.connected) {
        this.missedDisconnected++;
        continue;
      }
      if (link.inflight >= maxInflight) {
        this.missedBackpressure++;
        continue;
      }
      this.reports++;
      this.send(entry, now);
    }
  }

  private send(entry: LoadEntry, now: number): void {
    const { report } = this.options;
    if (report) {
      for (const message of report(entry.device, now)) entry.link.publish(message.channel, message.body, message.retain ?? false);
      return;
    }
    try {
      for (const action of this.runtimeOf(entry).tick(now)) {
        if (action.kind === 'publish') entry.link.publish(action.channel, action.body, action.retain);
      }
    } catch (error) {
      this.stats_.failed++;
      this.options.logger.error({ err: error, siteId: entry.device.site.id }, 'load report failed');
    }
  }
}
