/**
 * Parsing and checking of `npm run sim` options, kept apart from the entry point so it can be
 * tested without starting anything. One command, five modes chosen by the options given:
 * demo (default), `--scenario`, `--devices` (load), `--replay`, `--cleanup` alone; plus
 * `--list-scenarios`. Invalid input and options that do not fit the mode are commander usage
 * errors (exit code 1, with the help hint).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { SITE_KINDS, type Site, type SiteKind, siteIdSchema } from '../../common/sites.js';
import type { Config } from '../../platform/config/config.js';
import { AppError } from '../../platform/errors.js';
import { parseDuration } from '../clock/duration.js';
import { DEFAULT_SEED } from '../demo-simulator.js';
import { type FaultRequest, parseFaultOption } from '../faults/fault-option.js';
import { parseTimestamp } from '../replay/csv-readings.js';
import { REPLAY_TIMESTAMPS, type ReplayTimestamps } from '../replay/csv-replay.js';

export type SimMode = 'demo' | 'scenario' | 'load' | 'replay' | 'cleanup' | 'list-scenarios';

export interface SimCliOptions {
  readonly mode: SimMode;
  readonly mqttUrl: string;
  /** Base URL of the platform's web server (load mode, cleanup). */
  readonly apiUrl: string;
  /** Site ids, or undefined for every site of the mode. */
  readonly sites: readonly string[] | undefined;
  readonly seed: number;
  /** Demo: report this many times as often; scenario: simulated seconds per second; replay live: gap divisor. Undefined = the mode's default. */
  readonly speed: number | undefined;
  /** Seconds to run before stopping (load: after the ramp-up), or undefined. */
  readonly durationSec: number | undefined;
  readonly snapshots: boolean;
  readonly snapshotHost: string;
  readonly snapshotPort: number;
  /** Scenario name or file. */
  readonly scenario: string | undefined;
  /** Pinned simulated start, epoch ms. */
  readonly startMs: number | undefined;
  readonly faults: readonly FaultRequest[];
  readonly dryRun: boolean;
  /** Load: devices to run. */
  readonly devices: number | undefined;
  /** Load: reports per second across the fleet. */
  readonly rate: number | undefined;
  /** Load: connection attempts per second. */
  readonly connectRate: number;
  readonly kinds: readonly SiteKind[] | undefined;
  /** Load: processes; undefined = as many as the open-file limit requires. */
  readonly processes: number | undefined;
  readonly qos: 0 | 1;
  readonly cleanup: boolean;
  readonly adminUser: string;
  readonly adminPassword: string | undefined;
  readonly replayFile: string | undefined;
  readonly site: string | undefined;
  readonly timestamps: ReplayTimestamps;
  readonly deviceToken: string | undefined;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('expected a whole number > 0');
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

/** Seconds, as a number (`2.5`) or a duration (`90s`, `10m`, `1h`). */
function seconds(value: string): number {
  const asNumber = Number(value);
  if (value.trim() !== '' && Number.isFinite(asNumber)) {
    if (asNumber <= 0) throw new InvalidArgumentError('expected a positive number of seconds or a duration such as 10m');
    return asNumber;
  }
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) throw new InvalidArgumentError('expected seconds (e.g. 90) or a duration (e.g. 90s, 10m, 1h)');
  return ms / 1000;
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

function httpUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('expected a URL such as http://127.0.0.1:8080');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InvalidArgumentError(`unsupported protocol ${url.protocol} (use http: or https:)`);
  return value.replace(/\/$/, '');
}

function siteList(value: string): string[] {
  const ids = value
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id.length > 0);
  if (ids.length === 0) throw new InvalidArgumentError('expected a comma-separated list of site ids');
  return ids;
}

function siteId(value: string): string {
  if (!siteIdSchema.safeParse(value).success) throw new InvalidArgumentError('expected a site id such as KG-WQ-01');
  return value;
}

function kindList(value: string): SiteKind[] {
  const kinds = value.split(',').map((kind) => kind.trim());
  const unknown = kinds.filter((kind) => !(SITE_KINDS as readonly string[]).includes(kind));
  if (unknown.length > 0 || kinds.length === 0) throw new InvalidArgumentError(`expected kinds among ${SITE_KINDS.join(', ')}`);
  return kinds as SiteKind[];
}

function startTime(value: string): number {
  const parsed = parseTimestamp(value.trim());
  if (!parsed.ok) throw new InvalidArgumentError(`${parsed.message}`);
  return parsed.ms;
}

function fault(value: string, previous: FaultRequest[] = []): FaultRequest[] {
  try {
    return [...previous, parseFaultOption(value)];
  } catch (error) {
    if (error instanceof AppError) throw new InvalidArgumentError(error.message);
    throw error;
  }
}

type ConfigDefaults = Pick<Config, 'MQTT_URL' | 'SIM_SNAPSHOT_HOST' | 'SIM_SNAPSHOT_PORT'> &
  Partial<Pick<Config, 'HTTP_PORT' | 'ADMIN_USERNAME' | 'ADMIN_PASSWORD'>>;

/** The `npm run sim` command; defaults come from the platform config. */
export function buildSimCommand(config: ConfigDefaults): Command {
  const apiDefault = `http://127.0.0.1:${config.HTTP_PORT ?? 8080}`;
  return new Command('npm run sim --')
    .description('Simulated devices for Mekong IOC, each a real MQTT connection with its own Last Will.')
    .addHelpText(
      'after',
      [
        '',
        'Modes:',
        '  (default)              demo: every seeded site in real time (water quality, tidal salinity, cameras)',
        '  --scenario <name>      a scripted stretch of time from seeds/scenarios, played accelerated',
        '  --devices <n>          load: n synthetic sites registered through the admin API, own tokens',
        '  --replay <file.csv>    replay recorded readings as --site',
        '  --cleanup              alone: remove the load sites registered by earlier runs',
        '  --list-scenarios       list the scenarios and exit',
        '',
        'Examples:',
        '  npm run sim -- --scenario do-crash --seed 1',
        '  npm run sim -- --scenario sensor-faults --dry-run > faults.jsonl',
        '  npm run sim -- --fault KG-WQ-01=stuck,metrics=ph,at=1m,for=5m',
        '  npm run sim -- --devices 20000 --rate 2000 --duration 10m --cleanup',
        '  npm run sim -- --replay readings.csv --site KG-WQ-01 --timestamps now',
        '',
        'Configuration comes from the environment and .env, as for the platform. Docs: docs/simulators.md',
      ].join('\n'),
    )
    .addOption(new Option('--mqtt-url <url>', 'broker URL (config MQTT_URL)').argParser(mqttUrl).default(config.MQTT_URL))
    .addOption(
      new Option('--api-url <url>', 'platform web server for the admin API (load, cleanup)').argParser(httpUrl).default(apiDefault),
    )
    .addOption(
      new Option('--sites <ids>', 'comma-separated site ids to simulate (default: every seeded site, or the scenario’s)').argParser(
        siteList,
      ),
    )
    .addOption(
      new Option('--seed <n>', 'seed of every random choice; same seed and time window, same payloads')
        .argParser(integer)
        .default(DEFAULT_SEED),
    )
    .addOption(
      new Option(
        '--speed <factor>',
        'demo: report <factor> times as often; scenario: simulated seconds per second (default: the scenario’s); replay live: play gaps <factor> times faster',
      ).argParser(positiveNumber),
    )
    .addOption(
      new Option(
        '--duration <time>',
        'stop after this long, e.g. 90, 90s, 10m (load: after the ramp-up); default: run until Ctrl-C',
      ).argParser(seconds),
    )
    .addOption(new Option('--no-snapshots', 'do not serve camera snapshots'))
    .addOption(new Option('--snapshot-host <host>', 'snapshot server host (config SIM_SNAPSHOT_HOST)').default(config.SIM_SNAPSHOT_HOST))
    .addOption(
      new Option('--snapshot-port <port>', 'snapshot server port (config SIM_SNAPSHOT_PORT)')
        .argParser(port)
        .default(config.SIM_SNAPSHOT_PORT),
    )
    .addOption(new Option('--scenario <name|file>', 'play a scenario: a name in seeds/scenarios or a .json file'))
    .addOption(new Option('--list-scenarios', 'list the scenarios in seeds/scenarios and exit'))
    .addOption(
      new Option(
        '--start <time>',
        'scenario: pin the simulated start (ISO-8601 with zone, or epoch ms); default: the latest window that ends in the past',
      ).argParser(startTime),
    )
    .addOption(
      new Option('--fault <site=type[,key=value…]>', 'inject a fault, e.g. KG-WQ-01=stuck,metrics=ph,at=10m,for=1h (repeatable)')
        .argParser(fault)
        .default([], 'none'),
    )
    .addOption(
      new Option('--dry-run', 'print what would be published as JSON lines instead of connecting (needs an end: a scenario or --duration)'),
    )
    .addOption(new Option('--devices <n>', 'load mode: register and run n synthetic devices').argParser(positiveInteger))
    .addOption(
      new Option('--rate <n>', 'load: reports per second across the fleet (default: each device once a minute)').argParser(positiveNumber),
    )
    .addOption(
      new Option('--connect-rate <n>', 'load: connection attempts per second (ramp-up and reconnection)')
        .argParser(positiveNumber)
        .default(500),
    )
    .addOption(new Option('--kinds <kinds>', `load: only these site kinds (${SITE_KINDS.join(',')})`).argParser(kindList))
    .addOption(
      new Option('--processes <n>', 'load: processes to spread connections over (default: as many as the open-file limit needs)').argParser(
        positiveInteger,
      ),
    )
    .addOption(new Option('--qos <0|1>', 'load: QoS of telemetry').choices(['0', '1']).default('1'))
    .addOption(new Option('--cleanup', 'with --devices: remove the load sites at the end; alone: remove every registered load site'))
    .addOption(new Option('--admin-user <name>', 'admin for the API (config ADMIN_USERNAME)').default(config.ADMIN_USERNAME ?? 'admin'))
    .addOption(new Option('--admin-password <password>', 'admin password (config ADMIN_PASSWORD; prefer the env)'))
    .addOption(new Option('--replay <file.csv>', 'replay recorded readings (ts,metric,value or ts,<metric>…) as --site'))
    .addOption(new Option('--site <id>', 'replay: the site the readings belong to').argParser(siteId))
    .addOption(
      new Option('--timestamps <how>', 'replay: original timestamps, shifted so the last is now, or live')
        .choices([...REPLAY_TIMESTAMPS])
        .default('original'),
    )
    .addOption(
      new Option('--device-token <token>', 'replay: connect as the site with its device token instead of the simulator service user'),
    )
    .showHelpAfterError()
    .allowExcessArguments(false);
}

interface RawOptions {
  mqttUrl: string;
  apiUrl: string;
  sites?: string[];
  seed: number;
  speed?: number;
  duration?: number;
  snapshots: boolean;
  snapshotHost: string;
  snapshotPort: number;
  scenario?: string;
  listScenarios?: boolean;
  start?: number;
  fault: FaultRequest[];
  dryRun?: boolean;
  devices?: number;
  rate?: number;
  connectRate: number;
  kinds?: SiteKind[];
  processes?: number;
  qos: '0' | '1';
  cleanup?: boolean;
  adminUser: string;
  adminPassword?: string;
  replay?: string;
  site?: string;
  timestamps: ReplayTimestamps;
  deviceToken?: string;
}

/** Options given on the command line (not defaults) that a mode does not use. */
const MODE_OPTIONS: Readonly<Record<SimMode, readonly (keyof RawOptions)[]>> = {
  demo: ['sites', 'seed', 'speed', 'duration', 'snapshots', 'snapshotHost', 'snapshotPort', 'fault', 'dryRun'],
  scenario: ['scenario', 'sites', 'seed', 'speed', 'snapshots', 'snapshotHost', 'snapshotPort', 'start', 'fault', 'dryRun'],
  load: [
    'devices',
    'seed',
    'duration',
    'snapshots',
    'snapshotHost',
    'snapshotPort',
    'rate',
    'connectRate',
    'kinds',
    'processes',
    'qos',
    'cleanup',
    'adminUser',
    'adminPassword',
    'apiUrl',
  ],
  replay: ['replay', 'site', 'timestamps', 'speed', 'deviceToken', 'duration'],
  cleanup: ['cleanup', 'adminUser', 'adminPassword', 'apiUrl'],
  'list-scenarios': ['listScenarios'],
};

const FLAG: Readonly<Partial<Record<keyof RawOptions, string>>> = { snapshots: 'no-snapshots', fault: 'fault', dryRun: 'dry-run' };

function flagOf(key: string): string {
  return `--${FLAG[key as keyof RawOptions] ?? key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

function modeOf(raw: RawOptions): SimMode {
  const chosen: SimMode[] = [];
  if (raw.listScenarios) chosen.push('list-scenarios');
  if (raw.scenario !== undefined) chosen.push('scenario');
  if (raw.devices !== undefined) chosen.push('load');
  if (raw.replay !== undefined) chosen.push('replay');
  if (chosen.length > 1)
    throw new InvalidArgumentError(`choose one mode: ${chosen.map((m) => (m === 'load' ? '--devices' : `--${m}`)).join(' or ')}`);
  if (chosen[0]) return chosen[0];
  return raw.cleanup ? 'cleanup' : 'demo';
}

/** Reads the parsed options of {@link buildSimCommand}; throws an InvalidArgumentError for options that do not fit the mode. */
export function readSimOptions(command: Command): SimCliOptions {
  const raw = command.opts<RawOptions>();
  const mode = modeOf(raw);
  const misplaced = (Object.keys(raw) as (keyof RawOptions)[]).filter((key) => {
    if (command.getOptionValueSource(key) !== 'cli') return false;
    return !MODE_OPTIONS[mode].includes(key) && !['mqttUrl'].includes(key);
  });
  if (misplaced.length > 0) {
    throw new InvalidArgumentError(`${misplaced.map(flagOf).join(', ')} ${misplaced.length > 1 ? 'do' : 'does'} not apply to ${mode} mode`);
  }
  if (mode === 'replay' && raw.site === undefined)
    throw new InvalidArgumentError('--replay needs --site <id>: the site the readings belong to');
  if (raw.dryRun && mode === 'demo' && raw.duration === undefined)
    throw new InvalidArgumentError('--dry-run in demo mode needs --duration (a dry run needs an end)');
  return {
    mode,
    mqttUrl: raw.mqttUrl,
    apiUrl: raw.apiUrl,
    sites: raw.sites,
    seed: raw.seed,
    speed: raw.speed,
    durationSec: raw.duration,
    snapshots: raw.snapshots,
    snapshotHost: raw.snapshotHost,
    snapshotPort: raw.snapshotPort,
    scenario: raw.scenario,
    startMs: raw.start,
    faults: raw.fault,
    dryRun: raw.dryRun === true,
    devices: raw.devices,
    rate: raw.rate,
    connectRate: raw.connectRate,
    kinds: raw.kinds,
    processes: raw.processes,
    qos: raw.qos === '0' ? 0 : 1,
    cleanup: raw.cleanup === true,
    adminUser: raw.adminUser,
    adminPassword: raw.adminPassword,
    replayFile: raw.replay,
    site: raw.site,
    timestamps: raw.timestamps,
    deviceToken: raw.deviceToken,
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
