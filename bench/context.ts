/** What every stage of the benchmark gets: options, the process registry and the shared load generator. */
import path from 'node:path';
import type { BenchOptions } from './options.js';
import type { ChildRegistry, ManagedChild } from './proc/children.js';
import { PROFILE_METHODS } from './proc/profiler.js';

/** CPU of the processes under test when pinning. */
export const TARGET_CPU = 0;
/** CPU of the load generator when pinning. */
export const LOADGEN_CPU = 1;

export interface BenchContext {
  readonly options: BenchOptions;
  readonly children: ChildRegistry;
  /** The load generator (pinned to {@link LOADGEN_CPU}). */
  readonly loadgen: ManagedChild;
  /** Where CPU profiles go when `--profile` is on. */
  readonly profileDir: string | undefined;
}

/**
 * Runs `measure` with the CPU profiler of `target` (a Node child) running when `--profile` is on;
 * the profile goes to `<profileDir>/<target>-<label>.cpuprofile`. Profiling failures never fail
 * the measurement.
 */
export async function profiled<T>(context: BenchContext, target: ManagedChild, label: string, measure: () => Promise<T>): Promise<T> {
  const dir = context.profileDir;
  if (!dir) return measure();
  const started = await target.call(PROFILE_METHODS.start, null, 10_000).then(
    () => true,
    () => false,
  );
  try {
    return await measure();
  } finally {
    if (started) {
      const file = path.join(path.resolve(dir), `${target.name}-${label}.cpuprofile`);
      await target.call(PROFILE_METHODS.stop, { file }, 30_000).catch(() => undefined);
    }
  }
}
