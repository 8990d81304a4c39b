/**
 * `npm run bench`: measures the broker relay (with overload), the end-to-end path, the store,
 * memory and the map in headless Chromium side by side on this machine, prints a table with each target's PASS/MISS and writes the
 * figures to bench/results/<timestamp>.json. Targets and the load generator run as separate
 * processes pinned to separate CPUs; every process and temporary directory is cleaned up on
 * success, failure and Ctrl-C.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type BenchContext, LOADGEN_CPU } from './context.js';
import { machineInfo } from './machine.js';
import { parseBenchOptions } from './options.js';
import { ChildRegistry, ROOT } from './proc/children.js';
import { summariseProfiles } from './profile/summary.js';
import { elapsedSec, progress } from './progress.js';
import { buildReport, type StageResults } from './report/report.js';
import { runBrowserStage } from './stages/browser.js';
import { runE2eStage } from './stages/e2e.js';
import { runMemoryStage } from './stages/memory.js';
import { runRelayStage } from './stages/relay.js';
import { runStoreStage } from './stages/store.js';

const options = parseBenchOptions(process.argv);
const children = new ChildRegistry(options.pin);
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const resultsDir = path.resolve(ROOT, options.resultsDir);
const profileDir = options.profile ? path.join(resultsDir, `${stamp}-profiles`) : undefined;

let interrupted = false;
let interruptedAt = 0;
const onSignal = (signal: NodeJS.Signals) => {
  if (interrupted) {
    // tsx forwards the terminal's SIGINT, so one Ctrl-C can arrive twice: only a later one forces.
    if (performance.now() - interruptedAt < 2_000) return;
    process.stderr.write('second signal: exiting now\n');
    process.exit(130);
  }
  interrupted = true;
  interruptedAt = performance.now();
  progress(`${signal}: stopping every benchmark process…`);
  void children.stopAll().finally(() => process.exit(130));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

async function run(): Promise<void> {
  const machine = machineInfo();
  progress(
    `machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb.toFixed(1)} GB RAM, Node ${machine.node}, load average ${machine.loadAverage.map((l) => l.toFixed(2)).join(' ')}${children.canPin ? '' : ' (no CPU pinning)'}`,
  );
  if (profileDir) fs.mkdirSync(profileDir, { recursive: true });
  const { child: loadgen } = await children.startNode({ name: 'loadgen', script: 'bench/load/loadgen.ts', cpu: LOADGEN_CPU });
  const context: BenchContext = { options, children, loadgen, profileDir };
  const results: StageResults = {};
  const errors: { stage: string; error: string }[] = [];
  const stage = async <K extends keyof StageResults>(name: K, runStage: () => Promise<NonNullable<StageResults[K]>>) => {
    if (!options.stages.has(name)) return;
    const startedAt = elapsedSec();
    progress(`stage ${name}…`);
    try {
      results[name] = await runStage();
    } catch (error) {
      if (interrupted) throw error;
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      errors.push({ stage: name, error: message });
      progress(`stage ${name} FAILED: ${message}`);
    }
    progress(`stage ${name} done in ${(elapsedSec() - startedAt).toFixed(0)} s`);
  };
  await stage('relay', () => runRelayStage(context));
  await stage('e2e', () => runE2eStage(context));
  await stage('store', () => runStoreStage(context));
  await stage('memory', () => runMemoryStage(context));
  await stage('browser', () => runBrowserStage(context, resultsDir));
  await children.stopAll({ keepLogs: errors.length > 0 });
  if (errors.length > 0) progress(`child logs kept in ${children.logDir}`);

  const profiles = profileDir ? summariseProfiles(profileDir) : [];
  const report = buildReport({ machine, options, results, errors, durationSec: elapsedSec(), profiles, pinned: children.canPin });
  process.stdout.write(`${report.text}\n`);
  fs.mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${stamp}.json`);
  fs.writeFileSync(file, `${JSON.stringify(report.json, null, 2)}\n`);
  progress(
    `results written to ${path.relative(process.cwd(), file)}${profileDir ? `, profiles in ${path.relative(process.cwd(), profileDir)}` : ''}`,
  );
  if (errors.length > 0) process.exitCode = 1;
}

run().catch(async (error: unknown) => {
  if (!interrupted) process.stderr.write(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  await children.stopAll({ keepLogs: !interrupted });
  if (!interrupted) process.stderr.write(`child logs kept in ${children.logDir}\n`);
  process.exitCode = 1;
});
