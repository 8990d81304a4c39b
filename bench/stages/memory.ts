/**
 * Stage 4 — memory with every device connected. The platform runs split, as in production
 * (`broker/main.ts`, `ingest/main.ts`, `web/server/main.ts`, each its own process), devices are
 * registered through the admin API with their tokens, and each connects over its own MQTT
 * connection (with a Last Will) and stays idle. Reports the resident memory of each service before
 * and after, and the broker's KiB per connection; plain Aedes and Mosquitto holding the same idle
 * connections are measured for comparison.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FILE_DESCRIPTOR_RESERVE } from '../../broker/open-file-limit.js';
import { type BenchContext, LOADGEN_CPU, profiled, TARGET_CPU } from '../context.js';
import type { BrokerTargetInfo } from '../load/bench-sites.js';
import type { ConnectResult, E2eDevice } from '../load/protocol.js';
import type { ManagedChild } from '../proc/children.js';
import { namedFreePorts } from '../proc/free-port.js';
import { openFileLimits, rssKb } from '../proc/process-stats.js';
import { progress } from '../progress.js';
import { median } from '../stats/series.js';
import { baseEnvironment, login, metricTotal, platformSecrets, registerDevices, scrapeMetrics, startService } from './platform-api.js';

/**
 * File descriptors a broker process needs besides its device connections. The broker itself caps
 * device connections at its open-file limit minus FILE_DESCRIPTOR_RESERVE (broker/open-file-limit.ts,
 * for its store and its connections to ingest) and answers CONNACK 3 beyond; a little more keeps
 * every benchmark device under that cap.
 */
const FD_HEADROOM = FILE_DESCRIPTOR_RESERVE + 88;
/** Idle connections each load-generator process holds at most (it has the same open-file limit). */
const CONNECTIONS_PER_LOADGEN = 10_000;
/** Sites per registration request in split mode (each token is a data-API call and a store transaction). */
const REGISTRATION_CHUNK = 500;
/** Registration requests in flight at once (web hashes tokens while ingest stores the previous ones). */
const REGISTRATION_PARALLEL = 3;
/** Device keepalive, s (devices ping at half of it). */
const KEEPALIVE_SEC = 60;

export interface ServiceMemory {
  readonly service: string;
  /** Resident memory with the platform idle and only seeded sites, MiB. */
  readonly baselineMb: number;
  /** After registering the devices' sites, before they connect, MiB. */
  readonly registeredMb: number;
  /** With every device connected, MiB. */
  readonly connectedMb: number;
}

export interface IdleConnectionsResult {
  readonly broker: string;
  readonly connections: number;
  readonly beforeMb: number;
  readonly afterMb: number;
  readonly kbPerConnection: number;
}

export interface MemoryResult {
  readonly requestedDevices: number;
  readonly devices: number;
  /** Why fewer devices than requested, when so. */
  readonly cappedBecause: string | undefined;
  readonly registrationSec: number;
  readonly connect: ConnectResult;
  /** Devices the broker counted as connected (`ioc_broker_clients_connected{kind="device"}`). */
  readonly brokerConnectedDevices: number;
  readonly services: readonly ServiceMemory[];
  /** The broker's growth per connection, KiB. */
  readonly brokerKbPerConnection: number;
  readonly comparison: readonly IdleConnectionsResult[];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Median of a few RSS readings of `pid`, MiB (memory moves with GC; one reading is noisy). */
async function steadyRssMb(pid: number, samples = 5, intervalMs = 200): Promise<number> {
  const readings: number[] = [];
  for (let i = 0; i < samples; i++) {
    const kb = rssKb(pid);
    if (kb !== undefined) readings.push(kb / 1024);
    if (i < samples - 1) await sleep(intervalMs);
  }
  return median(readings);
}

/** How many idle connections one process can hold here: the open-file limit minus headroom. */
export function deviceCap(
  requested: number,
  openFileLimit: number,
  headroom = FD_HEADROOM,
): { devices: number; cappedBecause: string | undefined } {
  const cap = Math.floor((openFileLimit - headroom) / 100) * 100;
  if (requested <= cap) return { devices: requested, cappedBecause: undefined };
  return {
    devices: cap,
    cappedBecause: `the per-process open-file limit is ${openFileLimit} (ulimit -n; here also the hard limit, and raising that needs CAP_SYS_RESOURCE) and the broker keeps ${FILE_DESCRIPTOR_RESERVE} of them for its store and its connections to ingest`,
  };
}

/** Splits devices over the load generators, {@link CONNECTIONS_PER_LOADGEN} each. */
async function connectIdle(
  context: BenchContext,
  loadgens: readonly ManagedChild[],
  port: number,
  devices: readonly E2eDevice[],
): Promise<ConnectResult> {
  const parts = loadgens.map((_, i) => devices.slice(i * CONNECTIONS_PER_LOADGEN, (i + 1) * CONNECTIONS_PER_LOADGEN));
  const results = await Promise.all(
    loadgens.map((loadgen, i) =>
      loadgen.call<ConnectResult>(
        'idle.connect',
        {
          mqtt: { host: '127.0.0.1', port },
          devices: parts[i] ?? [],
          concurrency: context.options.quick ? 50 : 100,
          keepaliveSec: KEEPALIVE_SEC,
        },
        600_000,
      ),
    ),
  );
  return {
    connected: results.reduce((sum, r) => sum + r.connected, 0),
    failed: results.reduce((sum, r) => sum + r.failed, 0),
    retried: results.reduce((sum, r) => sum + r.retried, 0),
    ms: Math.max(...results.map((r) => r.ms)),
    errors: results.flatMap((r) => r.errors).slice(0, 5),
  };
}

async function disconnectIdle(loadgens: readonly ManagedChild[]): Promise<void> {
  await Promise.all(loadgens.map((loadgen) => loadgen.call('idle.disconnect', null, 300_000)));
}

/**
 * Memory-backed directory for the platform's files when there is one. What this stage measures is
 * resident memory, not the disk; on a disk with slow fsync every device token (one store
 * transaction each) would make registering 20,000 devices take minutes. Files in tmpfs are page
 * cache, not part of any process's RSS (DuckDB reads and writes them, it does not map them).
 */
const TMPFS = '/dev/shm';

async function measurePlatform(context: BenchContext, loadgens: readonly ManagedChild[], count: number) {
  const dir = context.children.tempDir('mekong-bench-memory-', fs.existsSync(TMPFS) ? TMPFS : undefined);
  const dataDir = path.join(dir, 'data');
  fs.mkdirSync(dataDir);
  const secrets = platformSecrets();
  const {
    mqtt: mqttPort,
    http: httpPort,
    ingest: ingestPort,
    broker: brokerPort,
  } = await namedFreePorts(['mqtt', 'http', 'ingest', 'broker']);
  const env = {
    ...baseEnvironment(dataDir, secrets),
    MQTT_PORT: String(mqttPort),
    MQTT_URL: `mqtt://127.0.0.1:${mqttPort}`,
    HTTP_PORT: String(httpPort),
    INGEST_HTTP_PORT: String(ingestPort),
    INGEST_URL: `http://127.0.0.1:${ingestPort}`,
    BROKER_HTTP_PORT: String(brokerPort),
  };
  const webUrl = `http://127.0.0.1:${httpPort}`;
  progress('memory: starting broker, ingest and web as separate processes');
  const [broker, ingest] = await Promise.all([
    startService(context, {
      name: 'memory-broker',
      main: 'broker/main.ts',
      env,
      healthUrl: `http://127.0.0.1:${brokerPort}/internal/health`,
      cwd: dir,
    }),
    startService(context, {
      name: 'memory-ingest',
      main: 'ingest/main.ts',
      env,
      healthUrl: `http://127.0.0.1:${ingestPort}/internal/health`,
      cwd: dir,
    }),
  ]);
  const web = await startService(context, {
    name: 'memory-web',
    main: 'web/server/main.ts',
    env,
    healthUrl: `${webUrl}/api/health`,
    cwd: dir,
  });
  const services = [
    { service: 'broker', child: broker },
    { service: 'ingest', child: ingest },
    { service: 'web', child: web },
  ];
  try {
    await sleep(2_000);
    const baseline = await Promise.all(services.map(({ child }) => steadyRssMb(child.pid)));
    const cookie = await login(webUrl, secrets.adminPassword);
    const registeredAt = performance.now();
    const devices = await registerDevices(webUrl, cookie, count, { chunk: REGISTRATION_CHUNK, parallel: REGISTRATION_PARALLEL });
    const registrationSec = (performance.now() - registeredAt) / 1000;
    progress(
      `memory: ${devices.length.toLocaleString('en-US')} devices registered through the admin API in ${registrationSec.toFixed(1)} s`,
    );
    await sleep(2_000);
    const registered = await Promise.all(services.map(({ child }) => steadyRssMb(child.pid)));
    const connect = await profiled(context, broker, 'connect', () => connectIdle(context, loadgens, mqttPort, devices));
    progress(
      `memory: ${connect.connected.toLocaleString('en-US')} idle devices connected in ${(connect.ms / 1000).toFixed(1)} s${connect.retried || connect.failed ? ` (${connect.retried} after a retry, ${connect.failed} never: ${connect.errors.join('; ')})` : ''}`,
    );
    await sleep(3_000);
    const connected = await Promise.all(services.map(({ child }) => steadyRssMb(child.pid, 10, 300)));
    const brokerMetrics = await scrapeMetrics(`http://127.0.0.1:${brokerPort}/metrics`);
    const brokerConnectedDevices = metricTotal(
      brokerMetrics
        .split('\n')
        .filter((line) => line.includes('kind="device"'))
        .join('\n'),
      'ioc_broker_clients_connected',
    );
    await disconnectIdle(loadgens);
    const memory: ServiceMemory[] = services.map(({ service }, i) => ({
      service,
      baselineMb: baseline[i] ?? Number.NaN,
      registeredMb: registered[i] ?? Number.NaN,
      connectedMb: connected[i] ?? Number.NaN,
    }));
    const brokerMemory = memory[0];
    const brokerKbPerConnection =
      brokerMemory && connect.connected > 0
        ? ((brokerMemory.connectedMb - brokerMemory.registeredMb) * 1024) / connect.connected
        : Number.NaN;
    return { devices, registrationSec, connect, brokerConnectedDevices, services: memory, brokerKbPerConnection };
  } finally {
    await Promise.all(services.map(({ child }) => child.stop(15_000)));
  }
}

/** The same idle connections on a broker without authentication (plain Aedes or Mosquitto). */
async function measureComparison(
  context: BenchContext,
  loadgens: readonly ManagedChild[],
  kind: 'aedes' | 'mosquitto',
  devices: readonly E2eDevice[],
): Promise<IdleConnectionsResult> {
  const { child, info } =
    kind === 'aedes'
      ? await context.children.startNode<BrokerTargetInfo>({
          name: 'memory-aedes',
          script: 'bench/targets/broker-target.ts',
          args: ['aedes', '1', context.children.tempDir('mekong-bench-broker-')],
          cpu: TARGET_CPU,
        })
      : await context.children.startNode<BrokerTargetInfo>({
          name: 'memory-mosquitto',
          script: 'bench/targets/mosquitto-target.ts',
          args: [context.options.mosquitto, '1', context.children.tempDir('mekong-bench-mosquitto-')],
          cpu: TARGET_CPU,
        });
  try {
    await sleep(1_000);
    const beforeMb = await steadyRssMb(info.pid);
    const connect = await connectIdle(context, loadgens, info.port, devices);
    await sleep(2_000);
    const afterMb = await steadyRssMb(info.pid, 10, 300);
    await disconnectIdle(loadgens);
    const result = {
      broker: kind === 'aedes' ? 'plain Aedes 1.2' : 'Mosquitto',
      connections: connect.connected,
      beforeMb,
      afterMb,
      kbPerConnection: connect.connected > 0 ? ((afterMb - beforeMb) * 1024) / connect.connected : Number.NaN,
    };
    progress(
      `memory: ${result.broker} holds ${connect.connected.toLocaleString('en-US')} idle connections with ${result.kbPerConnection.toFixed(1)} KiB each`,
    );
    return result;
  } finally {
    await child.stop();
  }
}

export async function runMemoryStage(context: BenchContext): Promise<MemoryResult> {
  const requested = context.options.quick ? Math.min(2_000, context.options.devices) : context.options.devices;
  const { devices: count, cappedBecause } = deviceCap(requested, openFileLimits().soft);
  if (cappedBecause)
    progress(`memory: ${count.toLocaleString('en-US')} devices instead of ${requested.toLocaleString('en-US')}: ${cappedBecause}`);
  const extra: ManagedChild[] = [];
  const loadgens = [context.loadgen];
  try {
    for (let i = 1; i * CONNECTIONS_PER_LOADGEN < count; i++) {
      const { child } = await context.children.startNode({ name: `loadgen-${i + 1}`, script: 'bench/load/loadgen.ts', cpu: LOADGEN_CPU });
      extra.push(child);
      loadgens.push(child);
    }
    const platform = await measurePlatform(context, loadgens, count);
    const comparison = [await measureComparison(context, loadgens, 'aedes', platform.devices)];
    if (fs.existsSync(context.options.mosquitto))
      comparison.push(await measureComparison(context, loadgens, 'mosquitto', platform.devices));
    return {
      requestedDevices: requested,
      devices: count,
      cappedBecause,
      registrationSec: platform.registrationSec,
      connect: platform.connect,
      brokerConnectedDevices: platform.brokerConnectedDevices,
      services: platform.services,
      brokerKbPerConnection: platform.brokerKbPerConnection,
      comparison,
    };
  } finally {
    await Promise.all(extra.map((child) => child.stop()));
  }
}
