/**
 * Stage 2 — end to end: the platform as `npm start` runs it (one process: broker, ingest, the
 * embedded store, web; no simulators) on the target CPU. Devices registered through the admin API
 * publish telemetry over their own MQTT connections; a socket.io client counts every reading that
 * comes back after it was stored. Searches the highest rate delivered with zero loss, then measures
 * publish → socket.io latency at 2,000 readings/s. With VictoriaMetrics installed and a platform
 * that supports STORE=influx, the same again with readings stored there.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../platform/config/config.js';
import { type BenchContext, profiled, TARGET_CPU } from '../context.js';
import type { ConnectResult, StepArgs, StepResult } from '../load/protocol.js';
import type { ManagedChild } from '../proc/children.js';
import { namedFreePorts } from '../proc/free-port.js';
import { progress } from '../progress.js';
import { roundRate, type SearchPlan, type StepCriteria } from '../stats/rate-search.js';
import { baseEnvironment, login, metricTotal, platformSecrets, registerDevices, scrapeMetrics, startService } from './platform-api.js';
import { describeStep, type JudgedStep, judged, type SearchResult, searchMaxRate } from './rate-steps.js';

/** Rate of the fixed-rate latency measurement, readings/s. */
export const E2E_LATENCY_RATE = 2_000;

/**
 * Zero loss, and a backlog under a quarter of a second of traffic: ingest batches readings for up
 * to 50 ms, then stores and fans them out, so a healthy pipeline holds well under that in flight.
 */
export const E2E_CRITERIA: StepCriteria = {
  minSentFraction: 0.97,
  maxBacklogSec: 0.25,
  backlogAllowance: 500,
  maxBacklogGrowthFraction: 0.05,
  zeroLoss: true,
};

export interface E2eVariantResult {
  readonly store: StoreVariant;
  readonly devices: number;
  readonly connect: ConnectResult;
  readonly search: SearchResult;
  readonly atLatencyRate: JudgedStep | undefined;
  /** Readings published over the whole variant. */
  readonly published: number;
  /** `ioc_ingest_readings_stored_total` at the end. */
  readonly stored: number;
  /** `ioc_ingest_rejected_total` and `ioc_ingest_dropped_total` at the end (both should be 0). */
  readonly rejected: number;
  readonly dropped: number;
}

export interface E2eResult {
  readonly variants: readonly E2eVariantResult[];
  readonly skipped: readonly { readonly store: string; readonly reason: string }[];
}

/** The rate search; a second store variant starts from the first one's result (`hint`) and takes fewer steps. */
function plan(quick: boolean, hint: number | undefined): SearchPlan {
  const startRate = hint === undefined ? (quick ? 2_000 : 1_000) : Math.max(500, roundRate(hint / 2));
  return { startRate, factor: 2, maxRate: 80_000, minRate: 100, resolution: 0.15, maxSteps: hint === undefined ? (quick ? 5 : 7) : 4 };
}

/** Where the platform of a variant keeps readings. */
type StoreVariant = 'embedded' | 'victoria-metrics';

/** Extra environment and processes of a store variant (VictoriaMetrics runs as its own process). */
async function storeBackend(
  context: BenchContext,
  store: StoreVariant,
): Promise<{ env: Record<string, string>; pids: number[]; stop: () => Promise<void> }> {
  if (store === 'embedded') return { env: {}, pids: [], stop: async () => undefined };
  const { child, info } = await context.children.startNode<{ url: string; pid: number }>({
    name: 'e2e-victoria-metrics',
    script: 'bench/targets/victoria-target.ts',
    args: [context.options.victoriaMetrics, context.children.tempDir('mekong-bench-vm-')],
    cpu: TARGET_CPU,
  });
  return {
    env: { STORE: 'influx', INFLUX_URL: info.url, INFLUX_TOKEN: 'benchmark-token' },
    pids: [info.pid],
    stop: () => child.stop(),
  };
}

/** Why the VictoriaMetrics variant cannot run here, or undefined when it can. */
function victoriaUnavailable(context: BenchContext): string | undefined {
  if (!fs.existsSync(context.options.victoriaMetrics)) return `${context.options.victoriaMetrics} not found`;
  try {
    loadConfig({ STORE: 'influx', INFLUX_URL: 'http://127.0.0.1:8428', INFLUX_TOKEN: 'benchmark-token' });
  } catch (error) {
    return `this version has no STORE=influx (${error instanceof Error ? error.message.split('\n').slice(1).join(' ').trim() : String(error)})`;
  }
  return undefined;
}

async function runVariant(context: BenchContext, store: StoreVariant, hint?: number): Promise<E2eVariantResult> {
  const quick = context.options.quick;
  const devicesWanted = context.options.publishers;
  const dir = context.children.tempDir('mekong-bench-e2e-');
  const dataDir = path.join(dir, 'data');
  fs.mkdirSync(dataDir);
  const secrets = platformSecrets();
  const {
    mqtt: mqttPort,
    http: httpPort,
    ingest: ingestPort,
    broker: brokerPort,
    snapshot: snapshotPort,
  } = await namedFreePorts(['mqtt', 'http', 'ingest', 'broker', 'snapshot']);
  const webUrl = `http://127.0.0.1:${httpPort}`;
  const backend = await storeBackend(context, store);
  const env = {
    ...baseEnvironment(dataDir, secrets),
    ...backend.env,
    MQTT_PORT: String(mqttPort),
    HTTP_PORT: String(httpPort),
    INGEST_HTTP_PORT: String(ingestPort),
    BROKER_HTTP_PORT: String(brokerPort),
    SIM_SNAPSHOT_PORT: String(snapshotPort),
  };
  progress(`e2e (${store}): starting the platform (platform/main.ts)`);
  let platform: ManagedChild;
  try {
    platform = await startService(context, {
      name: `e2e-platform-${store}`,
      main: 'platform/main.ts',
      env,
      healthUrl: `${webUrl}/api/health`,
      cpu: TARGET_CPU,
      cwd: dir,
    });
  } catch (error) {
    await backend.stop();
    throw error;
  }
  try {
    const cookie = await login(webUrl, secrets.adminPassword);
    const registeredAt = performance.now();
    const devices = await registerDevices(webUrl, cookie, devicesWanted);
    progress(
      `e2e (${store}): ${devices.length} devices registered through the admin API in ${((performance.now() - registeredAt) / 1000).toFixed(1)} s`,
    );
    const connect = await context.loadgen.call<ConnectResult>(
      'e2e.connect',
      { mqtt: { host: '127.0.0.1', port: mqttPort }, devices, webUrl, cookie, targetPids: [platform.pid, ...backend.pids] },
      180_000,
    );
    if (connect.failed > 0) throw new Error(`${connect.failed} devices could not connect: ${connect.errors.join('; ')}`);
    progress(`e2e (${store}): ${connect.connected} devices connected in ${(connect.ms / 1000).toFixed(1)} s`);

    const step: Omit<StepArgs, 'rate'> = { durationMs: quick ? 2_000 : 3_000, drainMs: 10_000, qos: 1, sampleMs: 250 };
    const search = await searchMaxRate({
      label: `e2e ${store}`,
      loadgen: context.loadgen,
      method: 'e2e.step',
      plan: plan(quick, hint),
      criteria: E2E_CRITERIA,
      step,
      warmup: { rate: 500, durationMs: step.durationMs },
    });
    const latencyResult = await profiled(context, platform, `latency-${E2E_LATENCY_RATE}`, () =>
      context.loadgen.call<StepResult>('e2e.step', { ...step, durationMs: quick ? 3_000 : 5_000, rate: E2E_LATENCY_RATE }, 120_000),
    );
    const atLatencyRate = judged(latencyResult, E2E_CRITERIA);
    progress(describeStep(`e2e ${store} latency`, atLatencyRate));
    const published = [...search.steps, atLatencyRate].reduce((sum, s) => sum + s.sent, search.warmupSent);
    const metrics = await scrapeMetrics(`${webUrl}/metrics`);
    await context.loadgen.call('e2e.disconnect', null, 60_000);
    return {
      store,
      devices: devices.length,
      connect,
      search,
      atLatencyRate,
      published,
      stored: metricTotal(metrics, 'ioc_ingest_readings_stored_total'),
      rejected: metricTotal(metrics, 'ioc_ingest_rejected_total'),
      dropped: metricTotal(metrics, 'ioc_ingest_dropped_total'),
    };
  } finally {
    await platform.stop(15_000);
    await backend.stop();
  }
}

export async function runE2eStage(context: BenchContext): Promise<E2eResult> {
  const variants: E2eVariantResult[] = [];
  const skipped: { store: string; reason: string }[] = [];
  const stores: StoreVariant[] = ['embedded'];
  const unavailable = victoriaUnavailable(context);
  if (unavailable) skipped.push({ store: 'victoria-metrics', reason: unavailable });
  else stores.push('victoria-metrics');
  for (const store of stores) {
    try {
      variants.push(await runVariant(context, store, variants[0]?.search.maxSustained));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      progress(`e2e (${store}) FAILED: ${message}`);
      skipped.push({ store, reason: `failed: ${message.split('\n')[0]}` });
      await context.loadgen.call('e2e.disconnect', null, 60_000).catch(() => undefined);
    }
  }
  if (variants.length === 0)
    throw new Error(`no end-to-end variant could run: ${skipped.map((s) => `${s.store}: ${s.reason}`).join('; ')}`);
  return { variants, skipped };
}
