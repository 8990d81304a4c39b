/**
 * The browser benchmark on its own (`npm run bench` runs it as its `browser` stage): prints the
 * table and writes bench/results/browser-<timestamp>.json. Needs the built app (`npm run build:app`).
 *
 *   tsx bench/browser/main.ts [--sites 20000] [--rate 1000] [--warmup 10] [--measure 30]
 *                             [--path direct|ingest] [--profile] [--trace] [--chromium /usr/bin/chromium]
 */
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { positiveInteger } from '../options.js';
import { browserSection } from '../report/browser-section.js';
import { formatTable } from '../report/format.js';
import { type BrowserBenchOptions, LONG_TASK_TARGET_MS, runBrowserBench } from './browser-bench.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

function parseOptions(argv: readonly string[]): BrowserBenchOptions {
  const program = new Command('tsx bench/browser/main.ts')
    .description('Long tasks, frame rate and heap of the IOC map in headless Chromium under a live update stream.')
    .option('--sites <n>', 'synthetic sites registered', positiveInteger, 20_000)
    .option('--rate <n>', 'readings per second', positiveInteger, 1_000)
    .option('--warmup <s>', 'seconds before each measured window', positiveInteger, 10)
    .option('--measure <s>', 'seconds of each measured window', positiveInteger, 30)
    .option('--path <path>', 'direct (as ingest publishes stored readings) or ingest (as devices)', 'direct')
    .option('--profile', 'record a CPU profile of each window', false)
    .option('--trace', 'record a Chromium trace of each window and break its long tasks down', false)
    .option('--chromium <path>', 'Chromium binary', '/usr/bin/chromium')
    .showHelpAfterError();
  program.parse([...argv]);
  const raw = program.opts<{
    sites: number;
    rate: number;
    warmup: number;
    measure: number;
    path: string;
    profile: boolean;
    trace: boolean;
    chromium: string;
  }>();
  if (raw.path !== 'direct' && raw.path !== 'ingest') program.error(`--path must be direct or ingest, got ${raw.path}`);
  return {
    sites: raw.sites,
    rate: raw.rate,
    warmupSec: raw.warmup,
    measureSec: raw.measure,
    path: raw.path === 'ingest' ? 'ingest' : 'direct',
    profile: raw.profile,
    trace: raw.trace,
    chromium: raw.chromium,
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv);
  const resultsDir = path.join(ROOT, 'bench/results');
  const result = await runBrowserBench(options, (message) => process.stderr.write(`[browser-bench] ${message}\n`), resultsDir);
  const at = new Date().toISOString();
  const file = path.join(resultsDir, `browser-${at.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, `${JSON.stringify({ at, ...result }, null, 2)}\n`);
  process.stdout.write(
    [
      formatTable(browserSection(result)),
      `target (no long task > ${LONG_TASK_TARGET_MS} ms in steady state): ${result.passed ? 'PASS' : 'MISS'}`,
      result.pageErrors.length > 0 ? `page errors: ${result.pageErrors.join(' | ')}` : '',
      `results: ${path.relative(ROOT, file)}; screenshot: ${path.relative(ROOT, result.screenshot)}`,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`browser benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
