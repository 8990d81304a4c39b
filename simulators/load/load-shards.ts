/**
 * A load fleet spread over child processes. Every TCP connection is a file descriptor, and a
 * process may hold at most `ulimit -n` of them (this project's CI containers: 20,000, and it
 * cannot be raised without CAP_SYS_RESOURCE), so 20,000 devices cannot live in one process. Each
 * shard is a forked Node process running a {@link LoadFleet} over its slice of the devices, with
 * its share of the report and connection rates; the parent merges their counters (sent every
 * 500 ms over IPC) into one {@link LoadFleetStats}.
 */
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Component } from '../../platform/lifecycle.js';
import type { Logger } from '../../platform/logger.js';
import { LatencyHistogram } from '../fleet/latency-histogram.js';
import { EMPTY_LOAD_STATS, type LoadDevice, type LoadFleetStats } from './load-fleet.js';

/** What a shard runs (sent over IPC; devices carry their tokens). */
export interface ShardSettings {
  readonly devices: readonly LoadDevice[];
  readonly mqttUrl: string;
  readonly ratePerSec: number;
  readonly connectRatePerSec: number;
  readonly maxConnecting: number;
  readonly seed: number;
  readonly qos: 0 | 1;
  readonly maxInflight: number;
  readonly logLevel: string;
}

/** Parent → shard. */
export type ToShard = { readonly type: 'start'; readonly settings: ShardSettings } | { readonly type: 'stop' };

/** Shard → parent. */
export type FromShard =
  | { readonly type: 'stats'; readonly stats: LoadFleetStats; readonly histogram: { counts: number[]; max: number } }
  | { readonly type: 'started' }
  | { readonly type: 'stopped'; readonly stats: LoadFleetStats; readonly histogram: { counts: number[]; max: number } }
  | { readonly type: 'failed'; readonly message: string };

export interface ShardedLoadFleetOptions {
  readonly shards: number;
  readonly devices: readonly LoadDevice[];
  readonly mqttUrl: string;
  readonly ratePerSec: number;
  readonly connectRatePerSec: number;
  /** Connection attempts in progress at once across the shards; default 200. */
  readonly maxConnecting?: number;
  readonly seed: number;
  readonly qos?: 0 | 1;
  readonly maxInflight?: number;
  readonly logger: Logger;
  /** Log level of the shards; default `warn` (their lines would interleave with the parent's). */
  readonly shardLogLevel?: string;
}

/** How long a shard may take to stop before it is killed, ms. */
const SHARD_STOP_TIMEOUT_MS = 60_000;

interface Shard {
  readonly child: ChildProcess;
  readonly size: number;
  stats: LoadFleetStats | undefined;
  histogram: { counts: number[]; max: number } | undefined;
  exited: Promise<number | null>;
}

/** Path and Node flags of the shard entry, in sources (.ts through tsx) or in a build (.js). */
function shardEntry(): { file: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  const extension = path.extname(here);
  const file = path.join(path.dirname(here), `load-shard-main${extension}`);
  const usesTsx = process.execArgv.some((arg) => arg.includes('tsx'));
  const execArgv = extension === '.ts' && !usesTsx ? [...process.execArgv, '--import', 'tsx'] : [...process.execArgv];
  return { file, execArgv };
}

/** Splits `items` into `parts` slices of nearly equal size. */
export function splitEvenly<T>(items: readonly T[], parts: number): T[][] {
  const slices: T[][] = [];
  const n = Math.max(1, Math.min(parts, items.length || 1));
  for (let i = 0; i < n; i++) {
    slices.push(items.slice(Math.floor((i * items.length) / n), Math.floor(((i + 1) * items.length) / n)));
  }
  return slices;
}

export class ShardedLoadFleet implements Component {
  readonly name = 'load-fleet';
  private shards: Shard[] = [];
  private failure: Error | undefined;
  private stopping = false;

  constructor(private readonly options: ShardedLoadFleetOptions) {}

  /** The shards' counters, merged. */
  get stats(): LoadFleetStats {
    const total: Record<string, number> = { ...EMPTY_LOAD_STATS } as unknown as Record<string, number>;
    const histogram = new LatencyHistogram();
    for (const shard of this.shards) {
      const stats = shard.stats;
      if (!stats) {
        total.devices = (total.devices ?? 0) + shard.size;
        continue;
      }
      for (const [key, value] of Object.entries(stats)) {
        if (typeof value === 'number') total[key] = (total[key] ?? 0) + value;
      }
      if (shard.histogram) histogram.merge(shard.histogram);
    }
    return {
      ...(total as unknown as LoadFleetStats),
      ackLatencyMs: { p50: histogram.percentile(0.5), p99: histogram.percentile(0.99), max: histogram.max },
    };
  }

  /** Forks the shards and starts their fleets; rejects if a shard fails to start. */
  async start(): Promise<void> {
    const { file, execArgv } = shardEntry();
    const slices = splitEvenly(this.options.devices, this.options.shards);
    const total = this.options.devices.length;
    const started: Promise<void>[] = [];
    for (const devices of slices) {
      const child = fork(file, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
      const shard: Shard = {
        child,
        size: devices.length,
        stats: undefined,
        histogram: undefined,
        exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
      };
      this.shards.push(shard);
      child.once('exit', (code, signal) => {
        if (!this.stopping)
          this.options.logger.error({ pid: child.pid, code, signal }, 'a load shard exited unexpectedly; its devices are gone');
      });
      started.push(
        new Promise<void>((resolve, reject) => {
          child.on('message', (message: FromShard) => {
            this.onMessage(shard, message);
            if (message.type === 'started') resolve();
            if (message.type === 'failed') reject(new Error(`load shard failed: ${message.message}`));
          });
          child.once('exit', (code) => reject(new Error(`load shard exited with ${code} before starting`)));
        }),
      );
      const share = devices.length / Math.max(1, total);
      const settings: ShardSettings = {
        devices,
        mqttUrl: this.options.mqttUrl,
        ratePerSec: this.options.ratePerSec * share,
        connectRatePerSec: this.options.connectRatePerSec * share,
        maxConnecting: Math.max(1, Math.ceil((this.options.maxConnecting ?? 200) * share)),
        seed: this.options.seed,
        qos: this.options.qos ?? 1,
        maxInflight: this.options.maxInflight ?? 16,
        logLevel: this.options.shardLogLevel ?? 'warn',
      };
      child.send({ type: 'start', settings } satisfies ToShard);
    }
    try {
      await Promise.all(started);
    } catch (error) {
      await this.stop();
      throw error;
    }
    this.options.logger.info({ shards: this.shards.length, devices: total }, 'load fleet started in shards');
  }

  /** Stops every shard's fleet (devices disconnect cleanly) and waits for the processes to exit. */
  async stop(): Promise<void> {
    const shards = this.shards;
    this.stopping = true;
    await Promise.all(
      shards.map(async (shard) => {
        if (shard.child.exitCode === null && shard.child.connected) shard.child.send({ type: 'stop' } satisfies ToShard);
        const timer = setTimeout(() => shard.child.kill('SIGKILL'), SHARD_STOP_TIMEOUT_MS);
        await shard.exited;
        clearTimeout(timer);
      }),
    );
    if (this.failure) this.options.logger.error({ err: this.failure }, 'a load shard failed');
  }

  private onMessage(shard: Shard, message: FromShard): void {
    if (message.type === 'stats' || message.type === 'stopped') {
      shard.stats = message.stats;
      shard.histogram = message.histogram;
    } else if (message.type === 'failed') {
      this.failure = new Error(message.message);
    }
  }
}
