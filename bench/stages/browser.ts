/**
 * Stage 5 — the IOC map in headless Chromium with 20,000 sites and 1,000 updates/s: long tasks,
 * frame rate and heap (bench/browser/browser-bench.ts). Runs the platform in the coordinating
 * process (nothing else runs during this stage); skipped when Chromium or the built app is missing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type BrowserBenchResult, runBrowserBench } from '../browser/browser-bench.js';
import type { BenchContext } from '../context.js';
import { ROOT } from '../proc/children.js';
import { progress } from '../progress.js';

export type BrowserResult = BrowserBenchResult | { readonly skipped: string };

export async function runBrowserStage(context: BenchContext, resultsDir: string): Promise<BrowserResult> {
  const { options } = context;
  if (!fs.existsSync(options.chromium)) return { skipped: `no Chromium at ${options.chromium} (Debian package chromium)` };
  if (!fs.existsSync(path.join(ROOT, 'dist/app/index.html'))) return { skipped: 'the app is not built (npm run build:app)' };
  const result = await runBrowserBench(
    {
      sites: options.quick ? 5_000 : 20_000,
      rate: 1_000,
      warmupSec: options.quick ? 3 : 5,
      measureSec: options.quick ? 5 : 15,
      path: 'direct',
      profile: false,
      trace: false,
      chromium: options.chromium,
    },
    (message) => progress(`browser: ${message}`),
    resultsDir,
  );
  const longest = Math.max(0, ...result.views.map((view) => view.longestTaskMs));
  progress(`browser: longest task ${longest} ms over ${result.views.length} views; screenshot ${path.relative(ROOT, result.screenshot)}`);
  return result;
}
