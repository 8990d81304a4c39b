/**
 * Scenarios, faults and replay against the real platform in one process (SIMULATE=false): a
 * scenario played live publishes exactly what its dry run prints and lands in the store with the
 * scripted shape (the DO crash); malformed payloads show up in /api/ingest/rejections with every
 * reason; a gap is backfilled at the original timestamps; an offline device goes through its Last
 * Will; a CSV replay lands at the recorded timestamps.
 */
import fs from 'node:fs';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistorySeries, RejectionListResponse, SiteSummary } from '../../../common/api.js';
import { topicFilters } from '../../../common/topics.js';
import { silentLogger } from '../../../platform/logger.js';
import { createPlatform, type Platform } from '../../../platform/platform.js';
import { SERVICE_USERS } from '../../../platform/security/service-credentials.js';
import { loadSiteSeeds } from '../../../platform/seeds.js';
import { AcceleratedClock } from '../../../simulators/clock/sim-clock.js';
import { DemoSimulator } from '../../../simulators/demo-simulator.js';
import { dryRun } from '../../../simulators/dry-run.js';
import { MALFORMED_KINDS } from '../../../simulators/faults/fault-spec.js';
import { MS_PER_HOUR } from '../../../simulators/models/time.js';
import { parseReadingsCsv } from '../../../simulators/replay/csv-readings.js';
import { CsvReplay } from '../../../simulators/replay/csv-replay.js';
import { loadScenario } from '../../../simulators/scenarios/scenario-loader.js';
import { prepareScenarioRun } from '../../../simulators/scenarios/scenario-run.js';
import { SimulationPlan } from '../../../simulators/scenarios/simulation-plan.js';
import type { SimAction } from '../../../simulators/site-runtime.js';
import { ApiClient } from '../../support/api-client.js';
import { makeTempDir, testConfig } from '../../support/test-config.js';
import { waitFor } from '../../support/wait.js';

const ADMIN = { username: 'admin', password: 'test-admin-password' };
const seeds = await loadSiteSeeds('seeds');
const temp = makeTempDir();
const config = testConfig(temp.dir);
let platform: Platform;
let api: ApiClient;
let watcher: MqttClient;
const received: { topic: string; payload: string }[] = [];
const cleanup: (() => Promise<unknown>)[] = [];

function site(id: string) {
  const found = seeds.find((s) => s.id === id);
  if (!found) throw new Error(`${id} not seeded`);
  return found;
}

async function history(siteId: string, metric: string, from: number, to: number): Promise<HistorySeries> {
  return api.get<HistorySeries>(`/api/sites/${siteId}/readings?metric=${metric}&from=${from}&to=${to}&maxPoints=2000`);
}

/** Whether a reading of `metric` is stored at exactly epoch ms `ts` (a 1 ms window: no downsampling). */
async function storedAt(siteId: string, metric: string, ts: number): Promise<boolean> {
  return (await history(siteId, metric, ts, ts + 1)).points.some((point) => point.ts === ts && point.count === 1);
}

async function allStoredAt(siteId: string, metric: string, timestamps: readonly number[]): Promise<boolean> {
  const found = await Promise.all(timestamps.map((ts) => storedAt(siteId, metric, ts)));
  return found.every(Boolean);
}

function simulator(
  options: Partial<ConstructorParameters<typeof DemoSimulator>[0]> & { sites: ConstructorParameters<typeof DemoSimulator>[0]['sites'] },
) {
  const sim = new DemoSimulator({
    mqttUrl: () => platform.mqttUrl,
    serviceToken: config.SERVICE_TOKEN ?? '',
    logger: silentLogger(),
    snapshotServer: false,
    ...options,
  });
  cleanup.push(() => sim.stop());
  return sim;
}

beforeAll(async () => {
  platform = await createPlatform({ config, logger: silentLogger() });
  await platform.start();
  api = new ApiClient(platform.webUrl);
  await api.login(ADMIN.username, ADMIN.password);
  // A platform-side observer of what devices publish (the ingest service identity may subscribe to device topics).
  watcher = await mqtt.connectAsync(platform.mqttUrl, {
    protocolVersion: 4,
    username: SERVICE_USERS.ingest,
    password: config.SERVICE_TOKEN,
    clientId: 'test-watcher',
    reconnectPeriod: 0,
  });
  watcher.on('message', (topic, payload) => received.push({ topic, payload: payload.toString('utf8') }));
  await watcher.subscribeAsync([topicFilters.allDeviceTelemetry, topicFilters.allDeviceStatus, topicFilters.allDeviceEvents], { qos: 1 });
});

afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
  await watcher?.endAsync(true);
  await platform?.stop();
  temp.cleanup();
});

describe('a scenario played live', () => {
  it('publishes exactly what its dry run prints, and the store holds the scripted DO crash', async () => {
    const scenario = await loadScenario('do-crash', 'seeds');
    // 18 simulated hours in about 3 s.
    const run = prepareScenarioRun({ scenario, seeds, wallNowMs: Date.now(), speed: 20_000 });
    const expected: { topic: string; payload: string }[] = [];
    dryRun({
      sites: run.sites,
      seed: 1,
      plan: run.plan,
      startMs: run.window.startMs,
      endMs: run.window.endMs,
      speed: run.speed,
      reportEveryMs: run.reportEveryMs,
      write: (line) => {
        const parsed = JSON.parse(line) as { topic?: string; payload?: string };
        if (parsed.topic && parsed.payload !== undefined) expected.push({ topic: parsed.topic, payload: parsed.payload });
      },
    });
    const live = prepareScenarioRun({ scenario, seeds, wallNowMs: Date.now(), speed: 20_000, startMs: run.window.startMs });
    const before = received.length;
    let finished = false;
    const sim = simulator({
      sites: live.sites,
      seed: 1,
      timeBase: new AcceleratedClock({ startSimMs: live.window.startMs, speed: live.speed }),
      plan: live.plan,
      startMs: live.window.startMs,
      endMs: live.window.endMs,
      reportEveryMs: live.reportEveryMs,
      onFinished: () => {
        finished = true;
      },
    });
    await sim.start();
    await waitFor(() => finished && received.length - before >= expected.length, {
      timeoutMs: 30_000,
      message: 'the whole scenario received',
    });
    expect(received.slice(before, before + expected.length)).toEqual(expected);

    const series = await waitFor(
      async () => {
        const s = await history('KG-WQ-04', 'do', live.window.startMs, live.window.endMs);
        return s.points.length === 216 ? s : undefined;
      },
      { message: '216 DO readings stored' },
    );
    const values = series.points.map((p) => p.avg);
    expect(values[0]).toBeGreaterThan(6);
    expect(Math.min(...values)).toBeLessThan(2);
    expect(values.at(-1)).toBeGreaterThan(5.5);
    const rejections = await api.get<RejectionListResponse>('/api/ingest/rejections');
    expect(rejections.rejections.filter((r) => r.siteId === 'KG-WQ-04')).toEqual([]);
    await sim.stop();
  });
});

describe('faults through the platform', () => {
  it('malformed payloads are refused with every reason; negative values with out_of_range; good readings still land', async () => {
    const sim = simulator({ sites: [site('HG-WQ-03'), site('HG-WQ-02')], seed: 5, intervalScale: 0.02 });
    await sim.start();
    await waitFor(() => sim.stats.connected === 2, { message: 'connected' });
    sim.injectFault('HG-WQ-03', { type: 'malformed' }, { forMs: 60_000 });
    sim.injectFault('HG-WQ-02', { type: 'negative', metrics: ['turbidity'], probability: 1 }, { forMs: 60_000 });
    const list = await waitFor(
      async () => {
        const { rejections } = await api.get<RejectionListResponse>('/api/ingest/rejections?limit=1000');
        const reasons = new Set(rejections.filter((r) => r.siteId === 'HG-WQ-03').map((r) => r.reason));
        return MALFORMED_KINDS.every((kind) => reasons.has(kind)) && rejections.some((r) => r.siteId === 'HG-WQ-02')
          ? rejections
          : undefined;
      },
      { timeoutMs: 20_000, message: 'every malformed kind in the dead-letter log' },
    );
    const negative = list.filter((r) => r.siteId === 'HG-WQ-02');
    expect(negative.every((r) => r.reason === 'out_of_range' && r.detail.includes('turbidity'))).toBe(true);
    expect(list.find((r) => r.reason === 'unit_mismatch')?.topic).toBe('sites/HG-WQ-03/telemetry');
    // The rest of HG-WQ-02's readings (everything but turbidity) is stored.
    const summary = await api.get<SiteSummary>('/api/sites/HG-WQ-02');
    expect(summary.latest.do).toBeDefined();
    await sim.stop();
  });

  it('a gap is backfilled at the original timestamps; an offline device goes through its Last Will and comes back', async () => {
    const backfilled: number[] = [];
    const sim = simulator({
      sites: [site('KG-SAL-01'), site('KG-CAM-03')],
      seed: 6,
      intervalScale: 0.02,
      onAction: (s, action: SimAction) => {
        if (s.id === 'KG-SAL-01' && action.kind === 'publish' && action.body.startsWith('[')) {
          backfilled.push(...(JSON.parse(action.body) as { ts: number }[]).map((entry) => entry.ts));
        }
      },
    });
    await sim.start();
    await waitFor(() => sim.stats.connected === 2, { message: 'connected' });
    const statusStart = received.length;
    sim.injectFault('KG-SAL-01', { type: 'gap' }, { forMs: 1_500 });
    sim.injectFault('KG-CAM-03', { type: 'offline' }, { forMs: 1_500 });
    await waitFor(() => backfilled.length > 5, { timeoutMs: 15_000, message: 'backfill sent' });
    await waitFor(() => allStoredAt('KG-SAL-01', 'salinity', backfilled), {
      message: 'backfilled readings stored at their original timestamps',
    });
    expect(backfilled.every((ts, i) => i === 0 || ts > (backfilled[i - 1] as number))).toBe(true);

    const camStatuses = () =>
      received
        .slice(statusStart)
        .filter((m) => m.topic === 'sites/KG-CAM-03/status')
        .map((m) => (JSON.parse(m.payload) as { status: string }).status);
    await waitFor(() => camStatuses().includes('offline') && camStatuses().lastIndexOf('online') > camStatuses().indexOf('offline'), {
      timeoutMs: 15_000,
      message: 'Will (offline), then online again',
    });
    const willIndex = received.findIndex(
      (m, i) => i >= statusStart && m.topic === 'sites/KG-CAM-03/status' && m.payload === '{"status":"offline"}',
    );
    expect(willIndex).toBeGreaterThan(-1);
    await waitFor(async () => (await api.get<SiteSummary>('/api/sites/KG-CAM-03')).status === 'online', {
      message: 'camera online on the map',
    });
    await sim.stop();
  });

  it('injectFault refuses a fault that does not apply or is invalid', async () => {
    const sim = simulator({ sites: [site('KG-CAM-01')], intervalScale: 0.1 });
    await sim.start();
    expect(() => sim.injectFault('KG-CAM-01', { type: 'fouling' })).toThrow(/does not apply to camera/);
    expect(() => sim.injectFault('KG-WQ-01', { type: 'offline' })).toThrow(/not simulated/);
    expect(() => sim.injectFault('KG-CAM-01', { type: 'spikes', probability: 3 })).toThrow(/invalid fault/);
    await sim.stop();
  });
});

describe('CSV replay', () => {
  it('lands at the original timestamps, or shifted so the last reading is now', async () => {
    const t0 = Math.floor((Date.now() - 3 * MS_PER_HOUR) / 1000) * 1000;
    const csvFile = path.join(temp.dir, 'recording.csv');
    fs.writeFileSync(
      csvFile,
      ['ts,do,ph,temperature', ...Array.from({ length: 30 }, (_, i) => `${t0 + i * 60_000},${(5 + i / 100).toFixed(2)},7.8,29.1`)].join(
        '\n',
      ),
    );
    const readings = parseReadingsCsv(fs.readFileSync(csvFile, 'utf8'), csvFile).readings;
    const replay = (timestamps: 'original' | 'now', siteId: string) =>
      new Promise<CsvReplay>((resolve, reject) => {
        const r = new CsvReplay({
          readings,
          siteId,
          mqttUrl: platform.mqttUrl,
          credentials: { username: SERVICE_USERS.simulator, password: config.SERVICE_TOKEN ?? '', clientId: `replay-${siteId}` },
          timestamps,
          batchSize: 7,
          logger: silentLogger(),
          onFinished: () => resolve(r),
        });
        cleanup.push(() => r.stop());
        r.start().catch(reject);
      });

    const original = await replay('original', 'KG-WQ-05');
    expect(original.stats).toMatchObject({ readingsAcked: 30, readingsLost: 0 });
    await original.stop();
    await waitFor(
      () =>
        allStoredAt(
          'KG-WQ-05',
          'do',
          readings.map((r) => r.ts),
        ),
      { message: '30 readings at their recorded times' },
    );
    // One per minute, with the recorded values.
    const series = await api.get<HistorySeries>(`/api/sites/KG-WQ-05/readings?metric=do&from=${t0}&to=${t0 + 30 * 60_000}&maxPoints=30`);
    expect(series.bucketMs).toBe(60_000);
    expect(series.points.map((p) => [p.ts, p.count, p.avg])).toEqual(readings.map((r) => [r.ts, 1, r.values.do]));

    const before = Date.now();
    const shifted = await replay('now', 'KG-WQ-06');
    await shifted.stop();
    const latest = await waitFor(async () => (await api.get<SiteSummary>('/api/sites/KG-WQ-06')).latest.do, {
      message: 'shifted replay stored',
    });
    expect(latest.ts).toBeGreaterThanOrEqual(before - 1000);
    expect(latest.ts).toBeLessThanOrEqual(Date.now());
    expect(latest.value).toBe(5.29);
  });

  it('refuses readings from the future unless shifted', async () => {
    const future = [{ ts: Date.now() + MS_PER_HOUR, values: { do: 5 } }];
    const replay = new CsvReplay({
      readings: future,
      siteId: 'KG-WQ-05',
      mqttUrl: platform.mqttUrl,
      credentials: { username: SERVICE_USERS.simulator, password: config.SERVICE_TOKEN ?? '', clientId: 'replay-future' },
      timestamps: 'original',
      logger: silentLogger(),
    });
    await expect(replay.start()).rejects.toThrow(/in the future/);
    await replay.stop();
  });
});

describe('plan checks', () => {
  it('a plan refuses faults for sites it does not simulate', () => {
    const plan = new SimulationPlan([site('KG-WQ-01')]);
    expect(() => plan.addFault('KG-WQ-02', { type: 'offline' }, 0, undefined, 0)).toThrow(/not simulated/);
  });
});
