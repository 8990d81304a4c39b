/** Command-line options of `npm run bench`. */
import { Command, InvalidArgumentError } from 'commander';

export const STAGES = ['relay', 'e2e', 'store', 'memory', 'browser'] as const;
export type Stage = (typeof STAGES)[number];

export const RELAY_BROKERS = ['ours', 'aedes', 'mosquitto'] as const;
export type RelayBroker = (typeof RELAY_BROKERS)[number];

export interface BenchOptions {
  readonly stages: ReadonlySet<Stage>;
  /** Brokers of the relay stage (Mosquitto only when its binary exists). */
  readonly brokers: ReadonlySet<RelayBroker>;
  /** Shorter steps and smaller data: a smoke run in about two minutes, figures less stable. */
  readonly quick: boolean;
  /** Pin each target and the load generator to its own CPU (taskset). */
  readonly pin: boolean;
  /** Record CPU profiles of the Node targets (`--cpu-prof`) and summarise their top frames. */
  readonly profile: boolean;
  /** Publishers of the relay measurement. */
  readonly publishers: number;
  /** Idle devices of the memory measurement (capped by the per-process open-file limit). */
  readonly devices: number;
  /** Mosquitto binary; the anchor is skipped when it does not exist. */
  readonly mosquitto: string;
  /** VictoriaMetrics binary for the STORE=influx end-to-end variant; skipped when it does not exist. */
  readonly victoriaMetrics: string;
  /** Chromium binary of the browser stage; the stage is skipped when it does not exist. */
  readonly chromium: string;
  /** Directory of the JSON results (and profiles). */
  readonly resultsDir: string;
}

/** A commander parser of positive integers. */
export function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('must be a positive integer');
  return parsed;
}

/** A parser of comma-separated names from `allowed`. */
function listOf<T extends string>(allowed: readonly T[], what: string): (value: string) => T[] {
  return (value) => {
    const names = value
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== '');
    const unknown = names.filter((name) => !(allowed as readonly string[]).includes(name));
    if (unknown.length > 0) throw new InvalidArgumentError(`unknown ${what} ${unknown.join(', ')}; choose from ${allowed.join(', ')}`);
    return names as T[];
  };
}

/** Parses `argv` (as process.argv); prints help and exits on `--help` or a bad option. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const program = new Command('npm run bench --')
    .description('Measure the broker relay, the end-to-end path, the store, memory and the map in a browser side by side on this machine.')
    .option('--only <stages>', `comma-separated stages to run: ${STAGES.join(', ')}`, listOf(STAGES, 'stage'), [...STAGES])
    .option('--brokers <brokers>', `brokers of the relay stage: ${RELAY_BROKERS.join(', ')}`, listOf(RELAY_BROKERS, 'broker'), [
      ...RELAY_BROKERS,
    ])
    .option('--quick', 'short steps and small data (smoke run; figures less stable)', false)
    .option('--no-pin', 'do not pin the target and the load generator to separate CPUs')
    .option('--profile', 'record CPU profiles of the Node targets and print their top frames', false)
    .option('--publishers <n>', 'publishers in the relay measurement', positiveInteger, 1000)
    .option('--devices <n>', 'idle devices in the memory measurement', positiveInteger, 20_000)
    .option('--mosquitto <path>', 'Mosquitto binary (skipped when missing)', '/usr/sbin/mosquitto')
    .option(
      '--victoria-metrics <path>',
      'VictoriaMetrics binary for the STORE=influx end-to-end variant (skipped when missing)',
      '/usr/bin/victoria-metrics',
    )
    .option('--chromium <path>', 'Chromium binary of the browser stage (skipped when missing)', '/usr/bin/chromium')
    .option('--results <dir>', 'where the JSON results are written', 'bench/results')
    .showHelpAfterError();
  program.parse([...argv]);
  const raw = program.opts<{
    only: Stage[];
    brokers: RelayBroker[];
    quick: boolean;
    pin: boolean;
    profile: boolean;
    publishers: number;
    devices: number;
    mosquitto: string;
    victoriaMetrics: string;
    chromium: string;
    results: string;
  }>();
  return {
    stages: new Set(raw.only),
    brokers: new Set(raw.brokers),
    quick: raw.quick,
    pin: raw.pin,
    profile: raw.profile,
    publishers: raw.publishers,
    devices: raw.devices,
    mosquitto: raw.mosquitto,
    victoriaMetrics: raw.victoriaMetrics,
    chromium: raw.chromium,
    resultsDir: raw.results,
  };
}
