/**
 * The demo fleet: one simulated device per site, each with its own MQTT connection, driven by one
 * scheduler in simulated time, plus the HTTP server of camera snapshots. `npm start` runs it
 * inside the platform in real time (SIMULATE=true); `npm run sim` runs it alone, optionally with
 * a scenario (an accelerated clock, scripted weather and faults) or faults given on the command
 * line.
 *
 * Layers: a {@link SiteRuntime} per site decides what the device does at each tick (physics,
 * environment, faults); the {@link TickEngine} runs ticks in simulated-time order; the
 * {@link FleetDriver} paces it against the clock with one timer; a {@link DeviceLink} per site
 * carries the actions over MQTT, connections paced by one {@link ConnectionPacer}.
 */
import type { Site } from '../common/sites.js';
import { AppError } from '../platform/errors.js';
import type { Component } from '../platform/lifecycle.js';
import type { Logger } from '../platform/logger.js';
import { SERVICE_USERS } from '../platform/security/service-credentials.js';
import { AcceleratedClock, followingClock, realTimeClock, type SimClock } from './clock/sim-clock.js';
import { type FaultSpecInput, faultSpecSchema, type ScheduledFault } from './faults/fault-spec.js';
import { ConnectionPacer } from './fleet/connection-pacer.js';
import { DeviceLink } from './fleet/device-link.js';
import { FleetDriver } from './fleet/fleet-driver.js';
import { FleetStats, type FleetStatsSnapshot } from './fleet/fleet-stats.js';
import { TickEngine } from './fleet/tick-engine.js';
import { deriveSeed, mulberry32 } from './random.js';
import { withoutCredentials } from './redact-url.js';
import { SimulationPlan } from './scenarios/simulation-plan.js';
import { type SimAction, SiteRuntime, type SiteRuntimeCounters } from './site-runtime.js';
import type { CameraFrame } from './snapshot/camera-frame-svg.js';
import { DEFAULT_SNAPSHOT_SERVER, SnapshotServer } from './snapshot/snapshot-server.js';

/** Seed used when none is given: runs are reproducible by default. */
export const DEFAULT_SEED = 20_250_701;

/** Shortest reporting interval after scaling, ms: a floor against accidental busy loops. */
export const MIN_INTERVAL_MS = 10;

/** MQTT keepalive of demo devices, s. */
const KEEPALIVE_SEC = 30;

/** How a device authenticates: the simulator service user by default, or the site's own token. */
export interface DeviceCredentials {
  readonly username: string;
  readonly password: string;
  readonly clientId: string;
}

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
  /** Epoch-ms clock stamped on messages and fed to the models, at real speed; default `Date.now`. */
  readonly clock?: () => number;
  /**
   * Simulated time (overrides `clock`). An {@link AcceleratedClock} is started by the simulator
   * once its devices are connected, so every run of a scenario publishes the same sequence.
   */
  readonly timeBase?: SimClock;
  /** Multiplies each site's reporting interval (0.5 reports twice as often); default 1. */
  readonly intervalScale?: number;
  /** Simulated ms between two reports of every site, instead of their reporting intervals (scenarios). */
  readonly reportEveryMs?: number;
  /** Scripted environment and faults; default: natural weather, no faults. */
  readonly plan?: SimulationPlan;
  /** Simulated epoch ms the reporting grid starts at; default the clock's time at start(). */
  readonly startMs?: number;
  /** Simulated epoch ms at which the run ends (no tick at or after it); default never. */
  readonly endMs?: number;
  /** Called once when the last tick before `endMs` has run. */
  readonly onFinished?: () => void;
  /**
   * The retained status every device publishes when the simulator stops: `offline` (default: a
   * fleet switched off), or `maintenance` for a scenario, whose stations are only on loan — so
   * the end of a demo does not raise a "station offline" alert for each of them.
   */
  readonly stopStatus?: 'offline' | 'maintenance';
  /**
   * Wait in start() until every device is connected (at most `timeoutMs`), before simulated time
   * starts; default: wait 30 s when `timeBase` is accelerated, else do not wait.
   */
  readonly waitForConnections?: { readonly timeoutMs: number } | false;
  /** Where to serve camera snapshots; default 127.0.0.1:8083; `false` disables. Port 0 picks a free one. */
  readonly snapshotServer?: { readonly host: string; readonly port: number } | false;
  /** Credentials of a site's device; default the simulator service user with client id `sim-<siteId>`. */
  readonly credentials?: (site: Site) => DeviceCredentials;
  /** Connection attempts per second across the fleet; default unlimited. */
  readonly connectRatePerSec?: number;
  /** Observes every action the devices take, in order (recording, tests). */
  readonly onAction?: (site: Site, action: SimAction, tMs: number) => void;
}

/** Fleet counters since start (see {@link FleetStatsSnapshot}). */
export type SimulatorStats = FleetStatsSnapshot;

interface Device {
  readonly runtime: SiteRuntime;
  readonly link: DeviceLink;
}

export class DemoSimulator implements Component {
  readonly name = 'simulators';
  private readonly logger: Logger;
  private readonly seed: number;
  private readonly clock: SimClock;
  private readonly intervalScale: number;
  private readonly plan: SimulationPlan;
  private readonly stats_ = new FleetStats();
  private devices: Device[] = [];
  private readonly devicesById = new Map<string, Device>();
  private engine: TickEngine | undefined;
  private driver: FleetDriver | undefined;
  private pacer: ConnectionPacer | undefined;
  private snapshots: SnapshotServer | undefined;
  private running = false;
  private finishedFlag = false;
  private runStartMs = 0;
  /** Fleet connection state, logged once per change: every device connected, or some retrying. */
  private fleetState: 'starting' | 'connected' | 'degraded' = 'starting';
  private connectionWaiters: (() => void)[] = [];

  constructor(private readonly options: DemoSimulatorOptions) {
    const scale = options.intervalScale ?? 1;
    if (!Number.isFinite(scale) || scale <= 0) {
      throw new AppError('bad_request', `intervalScale must be a positive number, got ${scale}`);
    }
    const seed = options.seed ?? DEFAULT_SEED;
    if (!Number.isSafeInteger(seed)) throw new AppError('bad_request', `seed must be an integer, got ${seed}`);
    if (options.reportEveryMs !== undefined && !(options.reportEveryMs >= MIN_INTERVAL_MS)) {
      throw new AppError('bad_request', `reportEveryMs must be at least ${MIN_INTERVAL_MS}, got ${options.reportEveryMs}`);
    }
    const ids = new Set<string>();
    for (const site of options.sites) {
      // Two devices with one client id would knock each other off the broker in a loop.
      if (ids.has(site.id)) throw new AppError('bad_request', `site ${site.id} is listed twice`);
      ids.add(site.id);
    }
    this.intervalScale = scale;
    this.seed = seed;
    this.clock = options.timeBase ?? (options.clock ? followingClock(options.clock) : realTimeClock());
    this.plan = options.plan ?? new SimulationPlan(options.sites);
    this.logger = options.logger;
  }

  get stats(): SimulatorStats {
    return this.stats_.snapshot();
  }

  /** Simulated time now, epoch ms. */
  get simNow(): number {
    return this.clock.now();
  }

  /** Whether a run with an end has played to its end. */
  get finished(): boolean {
    return this.finishedFlag;
  }

  /** What a site's device has done so far (readings, malformed payloads, backfill), or undefined. */
  siteStats(siteId: string): SiteRuntimeCounters | undefined {
    return this.devicesById.get(siteId)?.runtime.stats;
  }

  /**
   * Fault injection: cuts one device's connection abruptly (no DISCONNECT), so the broker publishes
   * its Last Will; the device reconnects by itself. False when the site is not simulated or offline.
   */
  dropConnection(siteId: string): boolean {
    return this.devicesById.get(siteId)?.link.dropConnection() ?? false;
  }

  /**
   * Schedules a fault on a running device, from `atMs` simulated ms from now (default 0) for
   * `forMs` (default: until stopped). Throws `validation_failed` for an invalid fault and
   * `bad_request` for an unknown site or a fault that does not apply to its kind.
   */
  injectFault(siteId: string, fault: FaultSpecInput, timing: { readonly atMs?: number; readonly forMs?: number } = {}): ScheduledFault {
    const parsed = faultSpecSchema.safeParse(fault);
    if (!parsed.success) {
      throw new AppError(
        'validation_failed',
        `invalid fault: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(fault)'}: ${i.message}`).join('; ')}`,
      );
    }
    const startMs = this.clock.now() + (timing.atMs ?? 0);
    // The site's plan object is shared with its running device, which sees the fault from its next tick.
    return this.plan.addFault(siteId, parsed.data, startMs, timing.forMs, this.runStartMs);
  }

  /** URL of a simulated camera's snapshot on the running snapshot server, else undefined. */
  snapshotUrl(siteId: string): string | undefined {
    return this.devicesById.get(siteId)?.runtime.camera ? this.snapshots?.snapshotUrl(siteId) : undefined;
  }

  /**
   * Starts the snapshot server (when enabled and a camera is simulated), then every device; then
   * simulated time. Resolves without waiting for connections unless `waitForConnections` says so:
   * devices keep retrying until the broker accepts them.
   */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.finishedFlag = false;
    this.stats_.reset();
    this.stats_.connected = 0;
    this.fleetState = 'starting';
    const mqttUrl = this.options.mqttUrl();
    try {
      this.pacer = new ConnectionPacer({ ratePerSec: this.options.connectRatePerSec ?? Number.POSITIVE_INFINITY });
      const startMs = this.options.startMs ?? this.clock.now();
      this.runStartMs = startMs;
      for (const site of this.options.sites) {
        const device = this.createDevice(site, mqttUrl, this.pacer);
        this.devices.push(device);
        this.devicesById.set(site.id, device);
      }
      this.stats_.devices = this.devices.length;
      this.engine = new TickEngine({
        runtimes: this.devices.map((device) => device.runtime),
        startMs,
        endMs: this.options.endMs,
        intervalMs: (runtime) => this.intervalOf(runtime.site),
        phase: (runtime) => deriveSeed(this.seed, runtime.site.id, 'phase') / 4_294_967_296,
        onActions: (runtime, actions, tMs, index) => this.apply(this.devices[index], runtime.site, actions, tMs),
        onError: (runtime, error) => {
          // A model bug must not end the process nor silence the fleet: report it and keep going.
          this.stats_.failed++;
          this.logger.error({ err: error, siteId: runtime.site.id }, 'simulated report failed');
        },
      });
      await this.startSnapshotServer();
      for (const device of this.devices) device.link.open();
      const wait = this.options.waitForConnections ?? (this.clock.speed !== 1 ? { timeoutMs: 30_000 } : false);
      if (wait) await this.waitForConnections(wait.timeoutMs);
      if (!this.running) return;
      if (this.clock instanceof AcceleratedClock) this.clock.start();
      this.driver = new FleetDriver({ engine: this.engine, clock: this.clock, onFinished: () => this.onFinished() });
      this.driver.start();
    } catch (error) {
      await this.stop();
      throw error;
    }
    this.logger.info(
      {
        devices: this.devices.length,
        cameras: this.devices.filter((d) => d.runtime.camera).length,
        mqttUrl: withoutCredentials(mqttUrl),
        intervalScale: this.intervalScale,
        speed: this.clock.speed,
        simStart: new Date(this.runStartMs).toISOString(),
      },
      'simulating sites',
    );
  }

  /** Stops every device (each publishes its retained stop status first), then the snapshot server. */
  async stop(): Promise<void> {
    if (!this.running && this.devices.length === 0) return;
    this.running = false;
    this.driver?.stop();
    this.pacer?.stop();
    for (const resolve of this.connectionWaiters) resolve();
    this.connectionWaiters = [];
    await Promise.all(this.devices.map((device) => device.link.stop(this.options.stopStatus)));
    await this.snapshots?.stop();
    this.snapshots = undefined;
    this.devices = [];
    this.devicesById.clear();
    this.engine = undefined;
    this.driver = undefined;
    this.pacer = undefined;
    this.stats_.connected = 0;
    this.stats_.devices = 0;
  }

  private intervalOf(site: Site): number {
    return this.options.reportEveryMs ?? Math.max(MIN_INTERVAL_MS, site.reportingIntervalSec * 1000 * this.intervalScale);
  }

  private createDevice(site: Site, mqttUrl: string, pacer: ConnectionPacer): Device {
    const speed = this.clock.speed;
    const runtime = new SiteRuntime({
      site,
      seed: this.seed,
      plan: this.plan.forSite(site.id),
      // Accelerated: readings carry simulated (past) times; a heartbeat per wall-clock interval keeps the site fresh.
      heartbeatEveryMs: speed !== 1 ? site.reportingIntervalSec * 1000 * speed : undefined,
    });
    const credentials = this.options.credentials?.(site) ?? {
      username: SERVICE_USERS.simulator,
      password: this.options.serviceToken,
      clientId: `sim-${site.id}`,
    };
    const jitter = mulberry32(deriveSeed(this.seed, site.id, 'reconnect'));
    const link = new DeviceLink({
      siteId: site.id,
      mqttUrl,
      ...credentials,
      keepaliveSec: KEEPALIVE_SEC,
      connectTimeoutMs: 10_000,
      pacer,
      stats: this.stats_,
      logger: this.logger,
      onlineStatus: () => runtime.onlineStatusBody(this.clock.now()),
      random: jitter,
      onConnectionChange: (connected, error) => this.onConnectionChange(connected, error),
    });
    return { runtime, link };
  }

  private apply(device: Device | undefined, site: Site, actions: readonly SimAction[], tMs: number): void {
    if (!device) return;
    for (const action of actions) {
      this.options.onAction?.(site, action, tMs);
      if (action.kind === 'publish') device.link.publish(action.channel, action.body, action.retain);
      else if (action.kind === 'cut') device.link.cut();
      else device.link.restore(action.onlineStatus);
    }
  }

  private onFinished(): void {
    this.finishedFlag = true;
    this.logger.info({ simEnd: new Date(this.options.endMs ?? this.clock.now()).toISOString() }, 'simulation reached its end');
    this.options.onFinished?.();
  }

  private waitForConnections(timeoutMs: number): Promise<void> {
    if (this.stats_.connected >= this.devices.length) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.logger.warn(
          { connected: this.stats_.connected, devices: this.devices.length, timeoutMs },
          'not every simulated device connected in time; starting anyway',
        );
        done();
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.connectionWaiters = this.connectionWaiters.filter((w) => w !== done);
        resolve();
      };
      this.connectionWaiters.push(done);
    });
  }

  private onConnectionChange(connected: boolean, error: Error | undefined): void {
    if (!this.running) return;
    if (connected) {
      if (this.stats_.connected !== this.devices.length) return;
      for (const resolve of [...this.connectionWaiters]) resolve();
      if (this.fleetState === 'connected') return;
      this.logger.info(
        { devices: this.devices.length },
        this.fleetState === 'starting' ? 'all simulated devices connected' : 'all simulated devices connected again',
      );
      this.fleetState = 'connected';
      return;
    }
    // Counts are kept by the links; warn once when the fleet goes from healthy (or starting) to degraded.
    if (this.fleetState === 'degraded' || error === undefined) return;
    this.fleetState = 'degraded';
    this.logger.warn(
      { reason: error.message, connected: this.stats_.connected, devices: this.devices.length },
      'simulated devices cannot reach the broker; retrying',
    );
  }

  private async startSnapshotServer(): Promise<void> {
    const address = this.options.snapshotServer ?? DEFAULT_SNAPSHOT_SERVER;
    if (address === false || !this.devices.some((device) => device.runtime.camera)) return;
    this.snapshots = new SnapshotServer({
      host: address.host,
      port: address.port,
      frame: (siteId) => this.cameraFrame(siteId),
      logger: this.logger.child({ component: 'snapshot-server' }),
    });
    await this.snapshots.start();
  }

  private cameraFrame(siteId: string): CameraFrame | undefined {
    const device = this.devicesById.get(siteId);
    const camera = device?.runtime.camera;
    if (!device || !camera) return undefined;
    return {
      siteId,
      siteName: device.runtime.site.name,
      analytics: camera.watches,
      tMs: this.clock.now(),
      observation: camera.lastObservation,
      intrusion: camera.lastIntrusion,
    };
  }
}
