/**
 * Stage 3 — the embedded store on its own (no other load running, both CPUs): insert rate through
 * `DuckDbDataStores.writeReadings` at ingest's batch sizes while seeding a week of 1-minute data,
 * and the time of the 7-day history query a chart makes for one site.
 */
import type { BenchContext } from '../context.js';
import { progress } from '../progress.js';
import type { StoreBenchArgs, StoreBenchResult } from '../targets/store-target.js';

export type StoreResult = StoreBenchResult & { readonly args: StoreBenchArgs };

export async function runStoreStage(context: BenchContext): Promise<StoreResult> {
  const quick = context.options.quick;
  const args: StoreBenchArgs = {
    sites: quick ? 10 : 100,
    days: 7,
    batchReadings: 1_000,
    extraBatchSizes: [100, 5_000],
    extraRows: quick ? 100_000 : 400_000,
    queries: quick ? 10 : 30,
  };
  progress(
    `store: seeding ${args.sites} sites × ${args.days} days of 1-minute readings (${(args.sites * args.days * 1440 * 4).toLocaleString('en-US')} rows)`,
  );
  const { child } = await context.children.startNode({
    name: 'store',
    script: 'bench/targets/store-target.ts',
    args: [context.children.tempDir('mekong-bench-store-')],
  });
  try {
    const result = await child.call<StoreBenchResult>('run', args, 600_000);
    progress(
      `store: ${Math.round(result.seed.rowsPerSec).toLocaleString('en-US')} rows/s in batches of ${result.seed.batchReadings} readings; 7-day query median ${result.query.medianMs.toFixed(1)} ms (cold ${result.query.coldMs.toFixed(1)} ms)`,
    );
    return { ...result, args };
  } finally {
    await child.stop();
  }
}
