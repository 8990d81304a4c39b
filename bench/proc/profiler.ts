/**
 * CPU profiling of a benchmark child from inside, over its inspector session: the benchmark starts
 * the profiler just before a measured step and stops it right after, so the profile shows the
 * steady state under load, not start-up. Profiles are `.cpuprofile` JSON (Chrome DevTools format),
 * summarised by bench/profile/summary.ts.
 */
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';

/** Sampling interval, µs (V8's default is 1,000). */
const SAMPLING_INTERVAL_US = 500;

let session: Session | undefined;

export async function startProfiling(): Promise<void> {
  if (session) return;
  const opened = new Session();
  opened.connect();
  await opened.post('Profiler.enable');
  await opened.post('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
  await opened.post('Profiler.start');
  session = opened;
}

/** Stops profiling and writes the profile to `file`; resolves with the file, or undefined when not profiling. */
export async function stopProfiling(file: string): Promise<string | undefined> {
  const opened = session;
  session = undefined;
  if (!opened) return undefined;
  const { profile } = await opened.post('Profiler.stop');
  opened.disconnect();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(profile));
  return file;
}

/** The RPC methods every Node target serves (rpc.ts serveRpc and the service wrapper). */
export const PROFILE_METHODS = {
  start: 'profile.start',
  stop: 'profile.stop',
} as const;
