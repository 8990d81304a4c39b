/**
 * A whole load run, as `npm run sim -- --devices N` does it: generate the load sites, register
 * them with the platform through its admin API (device tokens issued in the same call), connect
 * every device with its own credentials, report at the chosen rate for the chosen duration after
 * the ramp-up, stop, print a summary and — with `cleanup` — remove the sites again. Sites left by
 * an interrupted run are found by id and re-registered with fresh tokens.
 */
import type { Site, SiteKind } from '../../common/sites.js';
import type { Logger } from '../../platform/logger.js';
import { CameraBehaviour, createBehaviour } from '../behaviours.js';
import type { CameraFrame } from '../snapshot/camera-frame-svg.js';
import { SnapshotServer } from '../snapshot/snapshot-server.js';
import { EMPTY_LOAD_STATS, type LoadDevice, LoadFleet, type LoadFleetStats } from './load-fleet.js';
import { ShardedLoadFleet } from './load-shards.js';
import { generateLoadSites, isLoadSiteId } from './load-sites.js';
import type { PlatformAdminClient } from './platform-admin-client.js';

export interface LoadRunOptions {
  /** Devices (= load sites) to run. */
  readonly devices: number;
  /** Reports per second across the fleet; default one per device per minute. */
  readonly ratePerSec?: number;
  /** Connection attempts per second; default 500. */
  readonly connectRatePerSec?: number;
  /** How long to report after the ramp-up, ms; undefined = until aborted. */
  readonly durationMs?: number;
  readonly seed: number;
  /** Seeded sites the load sites cluster around. */
  readonly anchors: readonly Site[];
  /** Only load sites of these kinds; default every kind. */
  readonly kinds?: readonly SiteKind[];
  readonly admin: PlatformAdminClient;
  readonly mqttUrl: string;
  /** Where to serve the load cameras' snapshots (`false`: not served). */
  readonly snapshots: { readonly host: string; readonly port: number } | false;
  /** Remove the load sites when the run ends. */
  readonly cleanup: boolean;
  /** Processes to spread the connections over (1 = this one). */
  readonly shards: number;
  /** QoS of telemetry; default 1. */
  readonly qos?: 0 | 1;
  readonly logger: Logger;
  /** Told of the run's phase changes (for a live progress line). */
  readonly onPhase?: (phase: LoadPhase) => void;
}

export type LoadPhase = 'registering' | 'connecting' | 'running' | 'stopping' | 'cleaning-up' | 'done';

/** What a load run did. Rates are over the steady window (after the ramp-up). */
export interface LoadSummary {
  readonly devices: number;
  readonly shards: number;
  /** Reports per second asked for. */
  readonly targetRatePerSec: number;
  readonly registerMs: number;
  readonly rampUpMs: number;
  /** Devices connected when the ramp-up ended, and at the end of the steady window. */
  readonly connectedAfterRampUp: number;
  readonly connectedAtEnd: number;
  readonly steadyMs: number;
  readonly sentPerSec: number;
  readonly ackedPerSec: number;
  readonly reportsPerSec: number;
  readonly totals: LoadFleetStats;
  /** Load sites removed at the end (with cleanup). */
  readonly removed: number;
  /** Whether the run was interrupted (signal) before its duration. */
  readonly interrupted: boolean;
}

/** Removes every registered load site (ids starting with `LD-`); returns how many. */
export async function removeLoadSites(admin: PlatformAdminClient, logger: Logger): Promise<number> {
  const ids = (await admin.listSites()).map((site) => site.id).filter(isLoadSiteId);
  if (ids.length === 0) {
    logger.info('no load sites registered');
    return 0;
  }
  logger.info({ sites: ids.length }, 'removing load sites');
  const removed = await admin.removeSites(ids, {
    onProgress: (done, total) => {
      if (done % 2000 === 0 || done === total) logger.info({ done, total }, 'removing load sites');
    },
  });
  logger.info({ removed }, 'load sites removed');
  return removed;
}

/** Default rate: each device reports once a minute. */
export function defaultRate(devices: number): number {
  return Math.max(1, devices / 60);
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

type Fleet = LoadFleet | ShardedLoadFleet;

/** The ramp-up ends when every device is connected, or when no device has connected for this long, ms. */
export const RAMP_UP_STALL_MS = 30_000;

/**
 * Waits until every device is connected, or until the connected count has not grown for
 * `stallMs` (a broker refusing or saturated), or `signal` aborts. Returns whether it stalled.
 */
export async function waitForRampUp(
  stats: () => { readonly connected: number; readonly devices: number },
  signal: AbortSignal,
  stallMs = RAMP_UP_STALL_MS,
  pollMs = 250,
): Promise<{ stalled: boolean }> {
  let best = -1;
  let bestAt = Date.now();
  while (!signal.aborted) {
    const { connected, devices } = stats();
    if (connected >= devices) return { stalled: false };
    if (connected > best) {
      best = connected;
      bestAt = Date.now();
    } else if (Date.now() - bestAt >= stallMs) {
      return { stalled: true };
    }
    await delay(pollMs, signal);
  }
  return { stalled: false };
}

export class LoadRun {
  private fleet: Fleet | undefined;
  private snapshots: SnapshotServer | undefined;
  private readonly cameras = new Map<string, { site: Site; behaviour: CameraBehaviour }>();

  constructor(private readonly options: LoadRunOptions) {}

  /** The fleet's counters, or undefined before it starts. */
  get stats(): LoadFleetStats | undefined {
    return this.fleet?.stats;
  }

  /** Runs to the end of the duration or until `signal` aborts; always stops the fleet (and cleans up when asked). */
  async run(signal: AbortSignal): Promise<LoadSummary> {
    const { logger, admin } = this.options;
    const rate = this.options.ratePerSec ?? defaultRate(this.options.devices);
    const intervalSec = Math.min(86_400, Math.max(1, Math.round(this.options.devices / rate)));
    const snapshotBase = this.options.snapshots
      ? `http://${this.options.snapshots.host}:${this.options.snapshots.port}`
      : 'http://127.0.0.1:8083';
    const sites = generateLoadSites({
      count: this.options.devices,
      anchors: this.options.anchors,
      seed: this.options.seed,
      reportingIntervalSec: intervalSec,
      snapshotBaseUrl: snapshotBase,
      kinds: this.options.kinds,
    });

    this.options.onPhase?.('registering');
    const registerStarted = Date.now();
    await admin.login();
    const tokens = await this.register(sites);
    const registerMs = Date.now() - registerStarted;
    const devices: LoadDevice[] = sites.map((site) => ({ site, token: tokens.get(site.id) ?? '' }));

    let removed = 0;
    let summary: Omit<LoadSummary, 'removed'> = {
      devices: devices.length,
      shards: this.options.shards,
      targetRatePerSec: rate,
      registerMs,
      rampUpMs: 0,
      connectedAfterRampUp: 0,
      connectedAtEnd: 0,
      steadyMs: 0,
      sentPerSec: 0,
      ackedPerSec: 0,
      reportsPerSec: 0,
      totals: EMPTY_LOAD_STATS,
      interrupted: true,
    };
    try {
      if (!signal.aborted) summary = await this.runFleet(devices, rate, registerMs, signal);
    } finally {
      await this.fleet?.stop();
      await this.snapshots?.stop();
      this.options.onPhase?.('cleaning-up');
      if (this.options.cleanup) {
        removed = await admin.removeSites(
          sites.map((site) => site.id),
          {
            onProgress: (done, total) => {
              if (done % 2000 === 0 || done === total) logger.info({ done, total }, 'removing load sites');
            },
          },
        );
      }
      await admin.logout();
      this.options.onPhase?.('done');
    }
    return { ...summary, removed };
  }

  /** Connects, ramps up, reports for the duration, stops; the summary of the steady window. */
  private async runFleet(
    devices: readonly LoadDevice[],
    rate: number,
    registerMs: number,
    signal: AbortSignal,
  ): Promise<Omit<LoadSummary, 'removed'>> {
    const { logger } = this.options;
    await this.startSnapshots(devices.map((device) => device.site));
    this.options.onPhase?.('connecting');
    const fleet = this.createFleet(devices, rate);
    this.fleet = fleet;
    const rampStarted = Date.now();
    await fleet.start();
    const { stalled } = await waitForRampUp(() => fleet.stats, signal);
    const rampUpMs = Date.now() - rampStarted;
    const atRampEnd = fleet.stats;
    if (stalled) {
      logger.warn(
        { rampUpMs, connected: atRampEnd.connected, devices: devices.length, connectFailures: atRampEnd.connectFailures },
        `ramp-up stalled: no new connection for ${RAMP_UP_STALL_MS / 1000} s; running with the devices connected (the others keep retrying)`,
      );
    } else {
      logger.info({ rampUpMs, connected: atRampEnd.connected, devices: devices.length }, 'ramp-up done');
    }
    this.options.onPhase?.('running');
    const steadyStarted = Date.now();
    await delay(this.options.durationMs ?? 2 ** 31 - 1, signal);
    const steadyMs = Date.now() - steadyStarted;
    const atEnd = fleet.stats;
    this.options.onPhase?.('stopping');
    await fleet.stop();
    const perSec = (a: number, b: number) => (steadyMs > 0 ? ((b - a) * 1000) / steadyMs : 0);
    return {
      devices: devices.length,
      shards: this.options.shards,
      targetRatePerSec: rate,
      registerMs,
      rampUpMs,
      connectedAfterRampUp: atRampEnd.connected,
      connectedAtEnd: atEnd.connected,
      steadyMs,
      sentPerSec: perSec(atRampEnd.sent, atEnd.sent),
      ackedPerSec: perSec(atRampEnd.acked, atEnd.acked),
      reportsPerSec: perSec(atRampEnd.reports, atEnd.reports),
      totals: fleet.stats,
      interrupted: signal.aborted,
    };
  }

  /** Registers the sites, first removing those an interrupted run left (their tokens are lost). */
  private async register(sites: readonly Site[]): Promise<Map<string, string>> {
    const { admin, logger } = this.options;
    const wanted = new Set(sites.map((site) => site.id));
    const leftovers = (await admin.listSites()).map((site) => site.id).filter((id) => wanted.has(id));
    if (leftovers.length > 0) {
      logger.info({ sites: leftovers.length }, 'load sites of an earlier run are registered; removing them to issue fresh tokens');
      await admin.removeSites(leftovers);
    }
    logger.info({ sites: sites.length }, 'registering load sites');
    return admin.registerSites(sites, {
      onProgress: (done, total) => logger.info({ done, total }, 'registering load sites'),
    });
  }

  private createFleet(devices: readonly LoadDevice[], rate: number): Fleet {
    const common = {
      devices,
      mqttUrl: this.options.mqttUrl,
      logger: this.options.logger,
      ratePerSec: rate,
      connectRatePerSec: this.options.connectRatePerSec ?? 500,
      seed: this.options.seed,
      qos: this.options.qos ?? 1,
    } as const;
    return this.options.shards > 1 ? new ShardedLoadFleet({ ...common, shards: this.options.shards }) : new LoadFleet(common);
  }

  /** Serves the load cameras' snapshots: the scene at request time (load-mode frames do not replay a specific event). */
  private async startSnapshots(sites: readonly Site[]): Promise<void> {
    const address = this.options.snapshots;
    const cameras = sites.filter((site) => site.kind === 'camera');
    if (address === false || cameras.length === 0) return;
    const byId = new Map(cameras.map((site) => [site.id, site]));
    const server = new SnapshotServer({
      host: address.host,
      port: address.port,
      frame: (siteId) => this.cameraFrame(byId.get(siteId)),
      logger: this.options.logger.child({ component: 'snapshot-server' }),
    });
    try {
      await server.start();
      this.snapshots = server;
    } catch (error) {
      this.options.logger.warn({ err: error }, 'load cameras will have no snapshots');
    }
  }

  private cameraFrame(site: Site | undefined): CameraFrame | undefined {
    if (!site) return undefined;
    let camera = this.cameras.get(site.id);
    if (!camera) {
      const behaviour = createBehaviour(site, this.options.seed);
      if (!(behaviour instanceof CameraBehaviour)) return undefined;
      camera = { site, behaviour };
      this.cameras.set(site.id, camera);
    }
    const now = Date.now();
    camera.behaviour.tick(now);
    return {
      siteId: site.id,
      siteName: site.name,
      analytics: camera.behaviour.watches,
      tMs: now,
      observation: camera.behaviour.lastObservation,
    };
  }
}
