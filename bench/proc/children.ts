/**
 * The benchmark's child processes and temporary directories, and their cleanup. Every process
 * the benchmark starts is registered here; {@link ChildRegistry.stopAll} asks each to stop, then
 * sends SIGTERM, then SIGKILL, and removes the temporary directories — on success, on failure and
 * on Ctrl-C. A process can be pinned to one CPU (taskset) so the target and the load generator do
 * not share a core.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ChildMessage, isChildMessage } from './rpc.js';

const TASKSET = '/usr/bin/taskset';
/** The tsx loader, so children run TypeScript like `npm run bench` does. */
const TSX_LOADER = import.meta.resolve('tsx');
/** Repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface NodeChildOptions {
  /** Name in messages and the log file name. */
  readonly name: string;
  /** Script path relative to the repository root. */
  readonly script: string;
  readonly args?: readonly string[];
  /** Extra node flags, e.g. `--cpu-prof`. */
  readonly nodeArgs?: readonly string[];
  /** CPU to pin the process (and its threads) to; undefined = no pinning. */
  readonly cpu?: number | undefined;
  /** Complete environment of the child; undefined = inherit the benchmark's. */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Wait this long for the child's ready message, ms. */
  readonly readyTimeoutMs?: number;
}

/** A running child that speaks the RPC protocol of rpc.ts. */
export class ManagedChild {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private exitCode: number | null | undefined;
  readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    readonly process: ChildProcess,
    readonly logFile: string,
  ) {
    this.exited = new Promise((resolve) => {
      process.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? -1 : null);
        for (const { reject } of this.pending.values())
          reject(new Error(`${name} exited (${signal ?? code}) during a call${this.logHint()}`));
        this.pending.clear();
        resolve();
      });
    });
    // A send to a child that is exiting fails with EPIPE: reported to the caller, never thrown.
    process.on('error', () => undefined);
    process.on('message', (message: unknown) => {
      if (!isChildMessage(message) || message.kind !== 'result') return;
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.ok) waiter.resolve(message.value);
      else waiter.reject(new Error(`${name}: ${message.error}`));
    });
  }

  get pid(): number {
    const pid = this.process.pid;
    if (pid === undefined) throw new Error(`${this.name} has no pid`);
    return pid;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** Calls a method of the child; rejects on its error, its exit or after `timeoutMs`. */
  call<T>(method: string, args: unknown = null, timeoutMs = 120_000): Promise<T> {
    if (!this.running || !this.process.connected) return Promise.reject(new Error(`${this.name} is not running${this.logHint()}`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}.${method} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.process.send({ kind: 'call', id, method, args }, (error) => {
        if (!error) return;
        const waiter = this.pending.get(id);
        this.pending.delete(id);
        waiter?.reject(new Error(`${this.name}.${method}: ${error.message}`));
      });
    });
  }

  /** Asks the child to stop (RPC `stop`), then SIGTERM, then SIGKILL; resolves once it has exited. */
  async stop(graceMs = 5_000): Promise<void> {
    if (!this.running) return;
    if (this.process.connected) {
      await Promise.race([this.call('stop', null, graceMs).catch(() => undefined), this.exited]);
    } else {
      this.process.kill('SIGTERM');
    }
    if (await exitsWithin(this, graceMs)) return;
    this.process.kill('SIGTERM');
    if (await exitsWithin(this, 2_000)) return;
    this.process.kill('SIGKILL');
    await this.exited;
  }

  /** The last lines of the child's log, for error messages. */
  logTail(lines = 25): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  private logHint(): string {
    const tail = this.logTail(15);
    return tail ? `\n--- last lines of ${this.logFile} ---\n${tail}` : '';
  }
}

async function exitsWithin(child: ManagedChild, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const result = await Promise.race([child.exited.then(() => true as const), timeout]);
  clearTimeout(timer);
  return result;
}

export class ChildRegistry {
  private readonly children = new Set<ManagedChild>();
  private readonly tempDirs = new Set<string>();
  readonly logDir: string;
  readonly canPin: boolean;

  constructor(readonly pinning: boolean) {
    this.logDir = this.tempDir('mekong-bench-logs-');
    this.canPin = pinning && fs.existsSync(TASKSET) && os.availableParallelism() >= 2;
    // Last resort when the benchmark exits without cleaning up (an uncaught error).
    process.once('exit', () => {
      for (const child of this.children) if (child.running) child.process.kill('SIGKILL');
    });
  }

  /** A new temporary directory (under `base`, default the OS temp directory), removed by {@link stopAll}. */
  tempDir(prefix: string, base = os.tmpdir()): string {
    const dir = fs.mkdtempSync(path.join(base, prefix));
    this.tempDirs.add(dir);
    return dir;
  }

  /** Starts a Node child running `script` through tsx and waits for its ready message; returns it with the ready info. */
  async startNode<Info>(options: NodeChildOptions): Promise<{ child: ManagedChild; info: Info }> {
    const logFile = path.join(this.logDir, `${options.name}.log`);
    const log = fs.openSync(logFile, 'a');
    const nodeCommand = [...(options.nodeArgs ?? []), '--import', TSX_LOADER, path.join(ROOT, options.script), ...(options.args ?? [])];
    const pinned = this.canPin && options.cpu !== undefined;
    const command = pinned ? TASKSET : process.execPath;
    const args = pinned ? ['-c', String(options.cpu), process.execPath, ...nodeCommand] : nodeCommand;
    const processHandle = spawn(command, args, {
      cwd: options.cwd ?? ROOT,
      env: options.env ? { ...options.env } : undefined,
      stdio: ['ignore', log, log, 'ipc'],
    });
    fs.closeSync(log);
    const child = new ManagedChild(options.name, processHandle, logFile);
    this.children.add(child);
    void child.exited.then(() => this.children.delete(child));
    const info = await waitReady<Info>(child, options.readyTimeoutMs ?? 120_000);
    return { child, info };
  }

  /** Stops every child still running and removes the temporary directories. Never throws. */
  async stopAll(options: { readonly keepLogs?: boolean } = {}): Promise<void> {
    await Promise.all([...this.children].map((child) => child.stop().catch(() => undefined)));
    for (const dir of this.tempDirs) {
      if (options.keepLogs && dir === this.logDir) continue;
      try {
        fs.rmSync(dir, { recursive: true, force: true });
      } catch {
        // best effort: a temp dir left behind is not worth failing the run
      }
    }
    this.tempDirs.clear();
  }
}

function waitReady<Info>(child: ManagedChild, timeoutMs: number): Promise<Info> {
  return new Promise<Info>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${child.name} was not ready within ${timeoutMs} ms\n${child.logTail()}`));
    }, timeoutMs);
    const onMessage = (message: unknown) => {
      if (!isChildMessage(message)) return;
      const typed: ChildMessage = message;
      if (typed.kind === 'ready') {
        cleanup();
        resolve(typed.info as Info);
      } else if (typed.kind === 'failed') {
        cleanup();
        reject(new Error(`${child.name} failed to start: ${typed.error}\n${child.logTail()}`));
      }
    };
    const onExit = () => {
      cleanup();
      reject(new Error(`${child.name} exited before it was ready\n${child.logTail()}`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.process.off('message', onMessage);
      child.process.off('exit', onExit);
    };
    child.process.on('message', onMessage);
    child.process.once('exit', onExit);
  });
}
