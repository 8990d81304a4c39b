/**
 * Runs one of our services as a real child process (through tsx), captures its JSON log lines and
 * stops it with SIGTERM like an operator would.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { waitFor } from './wait.js';

const root = path.resolve(import.meta.dirname, '../..');

export interface LogLine {
  readonly msg?: string;
  readonly level?: number;
  readonly [key: string]: unknown;
}

export class ServiceProcess {
  readonly lines: LogLine[] = [];
  readonly rawOutput: string[] = [];
  private child: ChildProcess | undefined;
  private exit: Promise<number | null> | undefined;

  constructor(
    private readonly entry: string,
    private readonly env: Record<string, string>,
  ) {}

  start(): void {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, this.entry)], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_FORMAT: 'json', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      readline.createInterface({ input: stream }).on('line', (line) => {
        this.rawOutput.push(line);
        try {
          this.lines.push(JSON.parse(line) as LogLine);
        } catch {
          // not a JSON log line (e.g. a stack trace): kept in rawOutput
        }
      });
    }
  }

  /** Waits for a log line whose message matches, failing early with the output if the process exits. */
  async waitForLog(pattern: RegExp, timeoutMs = 30_000): Promise<LogLine> {
    return waitFor(
      () => {
        if (this.child?.exitCode !== null && this.child?.exitCode !== undefined) {
          throw new Error(`${this.entry} exited with ${this.child.exitCode}:\n${this.rawOutput.slice(-30).join('\n')}`);
        }
        return this.lines.find((line) => typeof line.msg === 'string' && pattern.test(line.msg));
      },
      { timeoutMs, intervalMs: 50, message: `${this.entry}: no log matching ${pattern}\n${this.rawOutput.slice(-30).join('\n')}` },
    );
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  async stop(graceMs = 10_000): Promise<number | null> {
    const child = this.child;
    if (!child || !this.exit) return null;
    if (child.exitCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const code = await this.exit;
    clearTimeout(timer);
    return code;
  }

  /** Kills the process with SIGKILL, as a crash or the OOM killer would (no shutdown code runs); resolves once it is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.exit) return;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await this.exit;
  }
}
