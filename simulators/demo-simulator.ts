/**
 * The demo fleet: one simulated device per site, each with its own MQTT connection as the
 * simulator service user, reporting every `reportingIntervalSec × intervalScale` seconds with
 * staggered phases, plus the HTTP server of camera snapshots. `npm start` runs it inside the
 * platform (SIMULATE=true); `npm run sim` runs it alone against any broker.
 */
import type { Site } from '../common/sites.js';
import { AppError } from '../platform/errors.js';
import type { Component } from '../platform/lifecycle.js';
import type { Logger } from '../platform/logger.js';
import { SERVICE_USERS } from '../platform/security/service-credentials.js';
import { CameraBehaviour, createBehaviour } from './behaviours.js';
import { SimulatedDevice } from './device.js';
import { deriveSeed } from './random.js';
import { withoutCredentials } from './redact-url.js';
import type { CameraFrame } from './snapshot/camera-frame-svg.js';
import { DEFAULT_SNAPSHOT_SERVER, SnapshotServer } from './snapshot/snapshot-server.js';

/** Seed used when none is given: runs are reproducible by default. */
export const DEFAULT_SEED = 20_250_701;

/** Shortest reporting interval after scaling, ms: a floor against accidental busy loops. */
export const MIN_INTERVAL_MS = 10;

/** Reconnection attempts are spread over this window, ms, so a restarted broker is not stormed. */
const RECONNECT_BASE_MS = 1_000;
const RECONNECT_SPREAD_MS = 2_000;

export interface DemoSimulatorOptions {
  /** Sites to simulate, one device each (usually every seeded site). */
  readonly sites: readonly Site[];
  /** Broker URL, read at start (e.g. `mqtt://127.0.0.1:1883`). */
  readonly mqttUrl: () => string;
  /** Password of the simulator service user ({@link SERVICE_USERS}.simulator). */
  readonly serviceToken: string;
  /** The component's logger (the caller names the module, e.g. `logger.child({ module: 'simulators' })`). */
  readonly logger: Logger;
  /** Seed of every random choice; default {@link DEFAULT_SEED}. */
  readonly seed?: number;
  /** Epoch-ms clock stamped on messages and fed to the models; default `Date.now`. */
  readonly clock?: () => number;
  /** Multiplies each site's reporting interval (0.5 reports twice as often); default 1. */
  readonly intervalScale?: number;
  /** Where to serve camera snapshots; default 127.0.0.1:8083; `false` disables. Port 0 picks a free one. */
  readonly snapshotServer?: { readonly host: string; readonly port: number } | false;
}

/** Fleet counters since start. */
export interface SimulatorStats {
  /** Messages acknowledged by the broker (telemetry, status, events). */
  readonly published: number;
  /** Failed connection attempts, lost connections and failed publishes. */
  readonly errors: number;
  /** Devices currently connected. */
  readonly connected: number;
  /** Devices simulated. */
  readonly devices: number;
}

export class DemoSimulator implements Component {
  readonly name = 'simulators';
  private readonly logger: Logger;
  private readonly seed: number;
  private readonly clock: () => number;
  private readonly intervalScale: number;
  private devices: SimulatedDevice[] = [];
  private readonly devicesById = new Map<string, SimulatedDevice>();
  private readonly cameras = new Map<string, { site: Site; behaviour: CameraBehaviour }>();
  private snapshots: SnapshotServer | undefined;
  private running = false;
  private published = 0;
  private errors = 0;
  private connected = 0;
  /** Fleet connection state, logged once per change: every device connected, or some retrying. */
  private fleetState: 'starting' | 'connected' | 'degraded' = 'starting';

  constructor(private readonly options: DemoSimulatorOptions) {
    const scale = options.intervalScale ?? 1;
    if (!Number.isFinite(scale) || scale <= 0) {
      throw new AppError('bad_request', `intervalScale must be a positive number, got ${scale}`);
    }
    const seed = options.seed ?? DEFAULT_SEED;
    if (!Number.isSafeInteger(seed)) throw new AppError('bad_request', `seed must be an integer, got ${seed}`);
    const ids = new Set<string>();
    for (const site of options.sites) {
      // Two devices with one client id would knock each other off the broker in a loop.
      if (ids.has(site.id)) throw new AppError('bad_request', `site ${site.id} is listed twice`);
      ids.add(site.id);
    }
    this.intervalScale = scale;
    this.seed = seed;
    this.clock = options.clock ?? Date.now;
    this.logger = options.logger;
  }

  get stats(): SimulatorStats {
    return { published: this.published, errors: this.errors, connected: this.connected, devices: this.devices.length };
  }

  /**
   * Fault injection: cuts one device's connection abruptly (no DISCONNECT), so the broker publishes
   * its Last Will; the device reconnects by itself. False when the site is not simulated or offline.
   */
  dropConnection(siteId: string): boolean {
    return this.devicesById.get(siteId)?.dropConnection() ?? false;
  }

  /** URL of a simulated camera's snapshot on the running snapshot server, else undefined. */
  snapshotUrl(siteId: string): string | undefined {
    return this.cameras.has(siteId) ? this.snapshots?.snapshotUrl(siteId) : undefined;
  }

  /**
   * Starts the snapshot server (when enabled and a camera is simulated), then every device. Resolves
   * without waiting for connections: devices keep retrying until the broker accepts them.
   */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.published = 0;
    this.errors = 0;
    this.connected = 0;
    this.fleetState = 'starting';
    const mqttUrl = this.options.mqttUrl();
    try {
      for (const site of this.options.sites) {
        const device = this.createDevice(site, mqttUrl);
        this.devices.push(device);
        this.devicesById.set(site.id, device);
      }
      await this.startSnapshotServer();
      for (const device of this.devices) await device.start();
    } catch (error) {
      await this.stop();
      throw error;
    }
    this.logger.info(
      { devices: this.devices.length, cameras: this.cameras.size, mqttUrl: withoutCredentials(mqttUrl), intervalScale: this.intervalScale },
      'simulating sites',
    );
  }

  /** Stops every device (each publishes a retained `offline` status first), then the snapshot server. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await Promise.all(this.devices.map((device) => device.stop()));
    await this.snapshots?.stop();
    this.snapshots = undefined;
    this.devices = [];
    this.devicesById.clear();
    this.cameras.clear();
    this.connected = 0;
  }

  private createDevice(site: Site, mqttUrl: string): SimulatedDevice {
    const behaviour = createBehaviour(site, this.seed);
    if (behaviour instanceof CameraBehaviour) this.cameras.set(site.id, { site, behaviour });
    const intervalMs = Math.max(MIN_INTERVAL_MS, site.reportingIntervalSec * 1000 * this.intervalScale);
    const phase = deriveSeed(this.seed, site.id, 'phase') / 4_294_967_296;
    const retry = deriveSeed(this.seed, site.id, 'reconnect') / 4_294_967_296;
    return new SimulatedDevice({
      site,
      behaviour,
      mqttUrl,
      clientId: `sim-${site.id}`,
      username: SERVICE_USERS.simulator,
      password: this.options.serviceToken,
      intervalMs,
      firstReportDelayMs: phase * intervalMs,
      reconnectPeriodMs: Math.round(RECONNECT_BASE_MS + retry * RECONNECT_SPREAD_MS),
      clock: this.clock,
      logger: this.logger,
      counters: {
        onPublished: () => {
          this.published++;
        },
        onPublishFailed: () => {
          this.errors++;
        },
        onConnectionFailed: (error) => this.onConnectionFailed(error),
        onConnectionChange: (connected) => this.onConnectionChange(connected),
      },
    });
  }

  private onConnectionChange(connected: boolean): void {
    this.connected += connected ? 1 : -1;
    if (!this.running || this.connected !== this.devices.length || this.fleetState === 'connected') return;
    this.logger.info(
      { devices: this.devices.length },
      this.fleetState === 'starting' ? 'all simulated devices connected' : 'all simulated devices connected again',
    );
    this.fleetState = 'connected';
  }

  /** Counts every failure; warns once when the fleet goes from healthy (or starting) to degraded. */
  private onConnectionFailed(error: Error | undefined): void {
    this.errors++;
    if (!this.running || this.fleetState === 'degraded') return;
    this.fleetState = 'degraded';
    this.logger.warn(
      { reason: error?.message ?? 'connection lost', connected: this.connected, devices: this.devices.length },
      'simulated devices cannot reach the broker; retrying',
    );
  }

  private async startSnapshotServer(): Promise<void> {
    const address = this.options.snapshotServer ?? DEFAULT_SNAPSHOT_SERVER;
    if (address === false || this.cameras.size === 0) return;
    this.snapshots = new SnapshotServer({
      host: address.host,
      port: address.port,
      frame: (siteId) => this.cameraFrame(siteId),
      logger: this.logger.child({ component: 'snapshot-server' }),
    });
    await this.snapshots.start();
  }

  private cameraFrame(siteId: string): CameraFrame | undefined {
    const camera = this.cameras.get(siteId);
    if (!camera) return undefined;
    return {
      siteId,
      siteName: camera.site.name,
      analytics: camera.behaviour.watches,
      tMs: this.clock(),
      observation: camera.behaviour.lastObservation,
    };
  }
}
