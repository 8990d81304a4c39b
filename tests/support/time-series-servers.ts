/**
 * Real time-series servers for the InfluxDB store's tests, installed from Debian by .ci/run:
 * - VictoriaMetrics (`victoria-metrics`): accepts InfluxDB line protocol on `/api/v2/write`, so it
 *   checks the write path; read back with `/api/v1/export` after `/internal/force_flush`.
 * - InfluxDB 1.6 (`influxd`): serves InfluxQL on `/query`, so it checks the read path (it predates
 *   `/api/v2/write`: seed it through its v1 `/write`).
 * Each runs on a free loopback port with a temp data directory; `stop()` sends SIGTERM and waits.
 * A stopped server can be started again on the same port and data (outage tests).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePorts } from './ports.js';
import { makeTempDir } from './test-config.js';
import { waitFor } from './wait.js';

/** One exported sample: metric name (`<measurement>_<field>`), labels (tags), timestamp ms, value. */
export interface ExportedSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ts: number;
  readonly value: number;
}

/** A server process we start and stop. */
abstract class ServerProcess {
  readonly temp = makeTempDir('mekong-ioc-tsdb-');
  readonly output: string[] = [];
  protected port = 0;
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;

  constructor(protected readonly executable: string) {}

  /** Base URL, valid after reserve() or the first start(). */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  protected abstract args(): string[];
  protected abstract ready(): Promise<boolean>;

  protected async choosePorts(): Promise<void> {
    [this.port] = (await freePorts(1)) as [number];
  }

  /** Picks the port(s) without starting, so `url` is known before the server runs. */
  async reserve(): Promise<void> {
    if (this.port === 0) await this.choosePorts();
  }

  /** Starts the server (the same port and data after a stop) and waits until it answers. */
  async start(): Promise<void> {
    await this.reserve();
    const child = spawn(this.executable, this.args(), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    for (const stream of [child.stdout, child.stderr]) {
      stream?.on('data', (chunk: Buffer) => {
        this.output.push(chunk.toString('utf8'));
        if (this.output.length > 200) this.output.shift();
      });
    }
    await waitFor(
      async () => {
        if (child.exitCode !== null)
          throw new Error(`${this.executable} exited with ${child.exitCode}: ${this.output.join('').slice(-2000)}`);
        return this.ready().catch(() => false);
      },
      { timeoutMs: 30_000, intervalMs: 50, message: `${this.executable} did not start` },
    );
  }

  /** SIGTERM and wait for the exit (SIGKILL after 15 s). */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.kill('SIGTERM');
    await this.exited;
    clearTimeout(timer);
  }

  /** Stops and removes the data. */
  async dispose(): Promise<void> {
    await this.stop();
    this.temp.cleanup();
  }
}

/** VictoriaMetrics single-node. With `dedup` (default), samples of a series at the same timestamp count once, like InfluxDB. */
export class VictoriaMetricsServer extends ServerProcess {
  constructor(
    executable: string,
    private readonly options: { readonly dedup?: boolean } = {},
  ) {
    super(executable);
  }

  protected args(): string[] {
    return [
      `-httpListenAddr=127.0.0.1:${this.port}`,
      `-storageDataPath=${path.join(this.temp.dir, 'data')}`,
      '-retentionPeriod=100y',
      '-loggerLevel=ERROR',
      ...(this.options.dedup === false ? [] : ['-dedup.minScrapeInterval=1ms']),
    ];
  }

  protected async ready(): Promise<boolean> {
    return (await fetch(`${this.url}/health`)).ok;
  }

  /** Every sample whose metric name matches `namePattern` (a regex), after flushing what was written. */
  async export(namePattern = 'readings_.*'): Promise<ExportedSample[]> {
    await fetch(`${this.url}/internal/force_flush`).then((response) => response.arrayBuffer());
    const body = new URLSearchParams({ 'match[]': `{__name__=~"${namePattern}"}`, start: '0' });
    const response = await fetch(`${this.url}/api/v1/export`, { method: 'POST', body });
    if (!response.ok) throw new Error(`export failed: ${response.status} ${await response.text()}`);
    const samples: ExportedSample[] = [];
    for (const line of (await response.text()).split('\n')) {
      if (line.trim() === '') continue;
      const series = JSON.parse(line) as { metric: Record<string, string>; values: number[]; timestamps: number[] };
      const { __name__: name = '', ...labels } = series.metric;
      series.timestamps.forEach((ts, i) => {
        samples.push({ name, labels, ts, value: series.values[i] as number });
      });
    }
    return samples;
  }
}

/** InfluxDB 1.x (`influxd`) with a temp config: no auth, no reporting, no internal monitor. */
export class InfluxDb1Server extends ServerProcess {
  private rpcPort = 0;

  protected override async choosePorts(): Promise<void> {
    [this.port, this.rpcPort] = (await freePorts(2)) as [number, number];
  }

  protected args(): string[] {
    const dir = this.temp.dir;
    const config = path.join(dir, 'influxd.conf');
    fs.writeFileSync(
      config,
      [
        'reporting-enabled = false',
        `bind-address = "127.0.0.1:${this.rpcPort}"`,
        '[meta]',
        `  dir = "${path.join(dir, 'meta')}"`,
        '  logging-enabled = false',
        '[data]',
        `  dir = "${path.join(dir, 'data')}"`,
        `  wal-dir = "${path.join(dir, 'wal')}"`,
        '  query-log-enabled = false',
        '[monitor]',
        '  store-enabled = false',
        '[http]',
        `  bind-address = "127.0.0.1:${this.port}"`,
        '  log-enabled = false',
        '[continuous_queries]',
        '  enabled = false',
        '',
      ].join('\n'),
    );
    return ['run', '-config', config];
  }

  protected async ready(): Promise<boolean> {
    return (await fetch(`${this.url}/ping`)).status === 204;
  }

  /** Runs an InfluxQL statement that changes state (CREATE DATABASE …) via POST /query. */
  async execute(statement: string): Promise<void> {
    const response = await fetch(`${this.url}/query`, { method: 'POST', body: new URLSearchParams({ q: statement }) });
    const text = await response.text();
    if (!response.ok || text.includes('"error"')) throw new Error(`${statement}: ${response.status} ${text}`);
  }

  /** Writes line protocol (ms timestamps) through the v1 `/write` endpoint. */
  async write(database: string, lines: readonly string[]): Promise<void> {
    const response = await fetch(`${this.url}/write?db=${encodeURIComponent(database)}&precision=ms`, {
      method: 'POST',
      body: lines.join('\n'),
    });
    if (response.status !== 204) throw new Error(`write failed: ${response.status} ${await response.text()}`);
  }
}
