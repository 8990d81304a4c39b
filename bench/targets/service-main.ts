/**
 * Runs one of the platform's real mains (`platform/main.ts`, `broker/main.ts`, `ingest/main.ts`,
 * `web/server/main.ts`) inside a child of the benchmark, configured by the environment the
 * benchmark gives it — the same code an operator runs. It tells the benchmark it is ready once a
 * health URL answers 200 with `status: ok` (every part connected), and turns the benchmark's `stop` (or its disappearance) into SIGTERM,
 * which the main handles by stopping cleanly.
 *
 * Usage: service-main.ts <main, relative to the repository root> <health URL>
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PROFILE_METHODS, startProfiling, stopProfiling } from '../proc/profiler.js';
import { isRpcCall } from '../proc/rpc.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const entry = process.argv[2];
const healthUrl = process.argv[3];
if (!entry || !healthUrl) throw new Error('usage: service-main.ts <main> <health URL>');

const terminate = () => process.kill(process.pid, 'SIGTERM');
process.on('disconnect', terminate);
process.on('message', (message: unknown) => {
  if (!isRpcCall(message)) return;
  if (message.method === 'stop') {
    terminate();
    return;
  }
  const run =
    message.method === PROFILE_METHODS.start
      ? startProfiling()
      : message.method === PROFILE_METHODS.stop
        ? stopProfiling((message.args as { file: string }).file)
        : Promise.reject(new Error(`unknown method ${message.method}`));
  run.then(
    (value) => process.send?.({ kind: 'result', id: message.id, ok: true, value: value ?? null }),
    (error: unknown) => process.send?.({ kind: 'result', id: message.id, ok: false, error: String(error) }),
  );
});

async function waitHealthy(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      const body: unknown = await response.json().catch(() => undefined);
      const status = typeof body === 'object' && body !== null ? (body as { status?: unknown }).status : undefined;
      if (response.status === 200 && status === 'ok') return;
      last = `HTTP ${response.status}, status ${String(status)}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} not healthy within ${timeoutMs} ms (${last})`);
}

await import(pathToFileURL(path.join(root, entry)).href);
// The mains report a failed start-up through the exit code (platform/lifecycle.ts runService).
if (process.exitCode !== undefined && process.exitCode !== 0) {
  process.send?.({ kind: 'failed', error: `${entry} failed to start (see its log)` });
  process.exit(process.exitCode);
}
waitHealthy(healthUrl, 90_000).then(
  () => process.send?.({ kind: 'ready', info: { pid: process.pid } }),
  (error: unknown) => {
    process.send?.({ kind: 'failed', error: error instanceof Error ? error.message : String(error) });
    terminate();
  },
);
