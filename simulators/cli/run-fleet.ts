/**
 * `npm run sim` in demo and scenario modes: the fleet of seeded sites in real time, or a scenario
 * on an accelerated clock — live over MQTT until Ctrl-C / the end, or as a dry run to stdout.
 */
import type { Site } from '../../common/sites.js';
import type { Config } from '../../platform/config/config.js';
import { type Component, runService } from '../../platform/lifecycle.js';
import type { Logger } from '../../platform/logger.js';
import { resolveServiceToken } from '../../platform/security/service-credentials.js';
import { formatDuration } from '../clock/duration.js';
import { AcceleratedClock } from '../clock/sim-clock.js';
import { DemoSimulator } from '../demo-simulator.js';
import { dryRun } from '../dry-run.js';
import { withoutCredentials } from '../redact-url.js';
import { loadScenario } from '../scenarios/scenario-loader.js';
import { prepareScenarioRun } from '../scenarios/scenario-run.js';
import { SimulationPlan } from '../scenarios/simulation-plan.js';
import type { SimCliOptions } from './options.js';
import { ProgressLine } from './progress-line.js';

export interface FleetRunContext {
  readonly config: Config;
  readonly options: SimCliOptions;
  readonly seeds: readonly Site[];
  readonly logger: Logger;
  /** Sites picked by `--sites` (demo mode). */
  readonly sites: readonly Site[];
}

function progress(simulator: DemoSimulator, logger: Logger): Component {
  return process.stderr.isTTY
    ? new ProgressLine({ stats: () => simulator.stats, stream: process.stderr, label: 'sim' })
    : new ProgressLine({ stats: () => simulator.stats, logger, label: 'sim' });
}

function stopSelf(): void {
  // Same path as Ctrl-C: runService stops every component and exits 0.
  process.emit('SIGTERM', 'SIGTERM');
}

/** Writes dry-run lines to stdout, respecting back-pressure only at the end (lines are small). */
function writeLines(run: (write: (line: string) => void) => number): Promise<number> {
  let buffer: string[] = [];
  const flush = () => {
    if (buffer.length > 0) process.stdout.write(`${buffer.join('\n')}\n`);
    buffer = [];
  };
  const count = run((line) => {
    buffer.push(line);
    if (buffer.length >= 1000) flush();
  });
  flush();
  return new Promise((resolve) => process.stdout.write('', () => resolve(count)));
}

/** Demo mode: every (chosen) seeded site in real time, with `--fault`s. */
export async function runDemo(context: FleetRunContext): Promise<void> {
  const { options, logger, sites, config } = context;
  const speed = options.speed ?? 1;
  const startMs = Date.now();
  const plan = new SimulationPlan(sites);
  for (const fault of options.faults) plan.addFault(fault.siteId, fault.fault, startMs + fault.atMs, fault.forMs, startMs);
  if (options.dryRun) {
    const endMs = startMs + (options.durationSec ?? 0) * 1000;
    const lines = await writeLines((write) =>
      dryRun({ sites, seed: options.seed, plan, startMs, endMs, speed: 1, intervalScale: 1 / speed, write }),
    );
    process.stderr.write(
      `dry run: ${lines} lines, ${sites.length} sites, ${formatDuration(endMs - startMs)} from ${new Date(startMs).toISOString()}\n`,
    );
    return;
  }
  const simulator = new DemoSimulator({
    sites,
    mqttUrl: () => options.mqttUrl,
    serviceToken: await resolveServiceToken(config),
    logger: logger.child({ module: 'simulators' }),
    seed: options.seed,
    intervalScale: 1 / speed,
    plan,
    startMs,
    snapshotServer: options.snapshots ? { host: options.snapshotHost, port: options.snapshotPort } : false,
  });
  await runService([simulator, progress(simulator, logger)], logger, () => {
    logger.info(
      { sites: sites.length, mqttUrl: withoutCredentials(options.mqttUrl), seed: options.seed, speed, faults: options.faults.length },
      'simulators running; Ctrl-C to stop',
    );
    const durationSec = options.durationSec;
    if (durationSec !== undefined) {
      setTimeout(() => {
        logger.info({ durationSec }, 'duration reached');
        stopSelf();
      }, durationSec * 1000).unref();
    }
  });
}

/** Scenario mode: load, place in time, then play live (until its end) or dry. */
export async function runScenario(context: FleetRunContext): Promise<void> {
  const { options, logger, seeds, config } = context;
  const scenario = await loadScenario(options.scenario ?? '', config.seedsDir);
  const run = prepareScenarioRun({
    scenario,
    seeds,
    wallNowMs: Date.now(),
    startMs: options.startMs,
    speed: options.speed,
    siteIds: options.sites,
    faults: options.faults,
    dryRun: options.dryRun,
  });
  const { window } = run;
  if (options.dryRun) {
    const lines = await writeLines((write) =>
      dryRun({
        sites: run.sites,
        seed: options.seed,
        plan: run.plan,
        startMs: window.startMs,
        endMs: window.endMs,
        speed: run.speed,
        reportEveryMs: run.reportEveryMs,
        write,
      }),
    );
    process.stderr.write(
      `dry run of ${scenario.name}: ${lines} lines, ${run.sites.length} sites, ${new Date(window.startMs).toISOString()} → ${new Date(window.endMs).toISOString()}, seed ${options.seed}\n`,
    );
    return;
  }
  const clock = new AcceleratedClock({ startSimMs: window.startMs, speed: run.speed });
  const simulator = new DemoSimulator({
    sites: run.sites,
    mqttUrl: () => options.mqttUrl,
    serviceToken: await resolveServiceToken(config),
    logger: logger.child({ module: 'simulators' }),
    seed: options.seed,
    timeBase: clock,
    plan: run.plan,
    startMs: window.startMs,
    endMs: window.endMs,
    reportEveryMs: run.reportEveryMs,
    snapshotServer: options.snapshots ? { host: options.snapshotHost, port: options.snapshotPort } : false,
    stopStatus: 'maintenance',
    onFinished: () => {
      logger.info({ scenario: scenario.name, ...simulator.stats }, 'scenario finished');
      stopSelf();
    },
  });
  await runService([simulator, progress(simulator, logger)], logger, () => {
    logger.info(
      {
        scenario: scenario.name,
        sites: run.sites.length,
        seed: options.seed,
        speed: run.speed,
        simStart: new Date(window.startMs).toISOString(),
        simEnd: new Date(window.endMs).toISOString(),
        plays: formatDuration(window.playbackMs),
      },
      `playing scenario "${scenario.title}"; Ctrl-C to stop`,
    );
  });
}
