/**
 * Parsing and checking of `npm run sim` options, kept apart from the entry point so it can be
 * tested without starting anything. Invalid input is reported as a commander usage error.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Site } from '../../common/sites.js';
import type { Config } from '../../platform/config/config.js';
import { DEFAULT_SEED } from '../demo-simulator.js';

export interface SimCliOptions {
  readonly mqttUrl: string;
  /** Site ids, or undefined for every seeded site. */
  readonly sites: readonly string[] | undefined;
  readonly seed: number;
  /** Reporting speed-up; the fleet's intervalScale is 1/speed. */
  readonly speed: number;
  /** Seconds to run before stopping, or undefined to run until a signal. */
  readonly durationSec: number | undefined;
  readonly snapshots: boolean;
  readonly snapshotHost: string;
  readonly snapshotPort: number;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('expected an integer');
  return n;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new InvalidArgumentError('expected a port number 0–65535');
  return n;
}

const MQTT_PROTOCOLS = new Set(['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'ws:', 'wss:']);

function mqttUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('expected a URL such as mqtt://127.0.0.1:1883');
  }
  if (!MQTT_PROTOCOLS.has(url.protocol))
    throw new InvalidArgumentError(`unsupported protocol ${url.protocol} (use mqtt:, mqtts:, ws: or wss:)`);
  return value;
}

function siteList(value: string): string[] {
  const ids = value
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id.length > 0);
  if (ids.length === 0) throw new InvalidArgumentError('expected a comma-separated list of site ids');
  return ids;
}

/** The `npm run sim` command; defaults come from the platform config. */
export function buildSimCommand(config: Pick<Config, 'MQTT_URL' | 'SIM_SNAPSHOT_HOST' | 'SIM_SNAPSHOT_PORT'>): Command {
  return new Command('npm run sim --')
    .description(
      'Runs the Mekong IOC demo devices: one MQTT connection per seeded site, publishing diurnal water quality, tidal salinity and camera heartbeats, and serving camera snapshots over HTTP.',
    )
    .addOption(new Option('--mqtt-url <url>', 'broker URL (config MQTT_URL)').argParser(mqttUrl).default(config.MQTT_URL))
    .addOption(new Option('--sites <ids>', 'comma-separated site ids to simulate (default: every seeded site)').argParser(siteList))
    .addOption(
      new Option('--seed <n>', 'seed of every random choice; same seed and time, same values').argParser(integer).default(DEFAULT_SEED),
    )
    .addOption(
      new Option('--speed <factor>', 'report <factor> times as often as each site’s reporting interval')
        .argParser(positiveNumber)
        .default(1),
    )
    .addOption(new Option('--duration <s>', 'stop after <s> seconds (default: run until Ctrl-C)').argParser(positiveNumber))
    .addOption(new Option('--no-snapshots', 'do not serve camera snapshots'))
    .addOption(new Option('--snapshot-host <host>', 'snapshot server host (config SIM_SNAPSHOT_HOST)').default(config.SIM_SNAPSHOT_HOST))
    .addOption(
      new Option('--snapshot-port <port>', 'snapshot server port (config SIM_SNAPSHOT_PORT)')
        .argParser(port)
        .default(config.SIM_SNAPSHOT_PORT),
    )
    .showHelpAfterError()
    .allowExcessArguments(false);
}

/** Reads the parsed options of {@link buildSimCommand}. */
export function readSimOptions(command: Command): SimCliOptions {
  const raw = command.opts<{
    mqttUrl: string;
    sites?: string[];
    seed: number;
    speed: number;
    duration?: number;
    snapshots: boolean;
    snapshotHost: string;
    snapshotPort: number;
  }>();
  return {
    mqttUrl: raw.mqttUrl,
    sites: raw.sites,
    seed: raw.seed,
    speed: raw.speed,
    durationSec: raw.duration,
    snapshots: raw.snapshots,
    snapshotHost: raw.snapshotHost,
    snapshotPort: raw.snapshotPort,
  };
}

/** The seeded sites selected by `--sites` (all when undefined); throws listing unknown ids. */
export function selectSites(all: readonly Site[], ids: readonly string[] | undefined): Site[] {
  if (ids === undefined) return [...all];
  const byId = new Map(all.map((site) => [site.id, site]));
  const unknown = ids.filter((id) => !byId.has(id));
  if (unknown.length > 0) {
    throw new InvalidArgumentError(
      `unknown site id${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (seeded: ${all.map((s) => s.id).join(', ')})`,
    );
  }
  return [...new Set(ids)].map((id) => byId.get(id)).filter((site): site is Site => site !== undefined);
}
