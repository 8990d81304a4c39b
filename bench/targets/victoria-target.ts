/**
 * VictoriaMetrics (an InfluxDB-line-protocol compatible store) for the end-to-end variant with
 * STORE=influx, run by a small Node parent that owns its lifecycle: a temporary data directory, a
 * free loopback port, ready once `/health` answers.
 *
 * Usage: victoria-target.ts <binary> <work directory>
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../proc/free-port.js';
import { serveRpc } from '../proc/rpc.js';

const binary = process.argv[2] ?? '/usr/bin/victoria-metrics';
const workDir = process.argv[3] ?? os.tmpdir();
let server: ChildProcess | undefined;
let dir: string | undefined;

async function waitHealthy(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server?.exitCode !== null && server?.exitCode !== undefined) throw new Error(`victoria-metrics exited with ${server.exitCode}`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(1_000) }).then(
      (response) => response.status === 200,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

serveRpc({
  start: async () => {
    dir = fs.mkdtempSync(path.join(workDir, 'victoria-metrics-'));
    const port = await freePort();
    server = spawn(binary, [`-storageDataPath=${dir}`, `-httpListenAddr=127.0.0.1:${port}`, '-loggerLevel=WARN', '-retentionPeriod=100y'], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const url = `http://127.0.0.1:${port}`;
    await waitHealthy(`${url}/health`, 20_000);
    return { url, pid: server.pid };
  },
  handlers: {},
  shutdown: async () => {
    const child = server;
    server = undefined;
    if (child && child.exitCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  },
});
