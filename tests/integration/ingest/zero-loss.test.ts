/**
 * Zero loss with STORE=influx, in one process with real parts: the platform's broker, ingest with
 * its durable spool, the InfluxDB store writing line protocol to a real VictoriaMetrics (with
 * dedup, so "exactly once per series and timestamp" is what InfluxDB itself would keep), and
 * ingest's internal HTTP server for /metrics and health.
 */
import path from 'node:path';
import type { MqttClient } from 'mqtt';
import { Registry } from 'prom-client';
import { afterEach, expect, it } from 'vitest';
import { IocBroker } from '../../../broker/broker.js';
import type { Health } from '../../../common/api.js';
import type { Site } from '../../../common/sites.js';
import { ingestHealth } from '../../../ingest/ingest-health.js';
import { IngestService, type IngestSpoolSettings } from '../../../ingest/ingest-service.js';
import { InternalHttpServer } from '../../../platform/http/internal-server.js';
import { silentLogger } from '../../../platform/logger.js';
import { SiteCatalog } from '../../../platform/seeds.js';
import { InfluxDataStores } from '../../../platform/store/influx/influx-data-stores.js';
import { siteTagsOf } from '../../../platform/store/select-data-stores.js';
import { describeWithExecutable } from '../../support/system-deps.js';
import { makeTempDir } from '../../support/test-config.js';
import { VictoriaMetricsServer } from '../../support/time-series-servers.js';
import { waitFor } from '../../support/wait.js';
import { connectPublisher, distinctReadings, metricValue, publishReadings, storedExactlyOnce } from './zero-loss-fixture.js';

const SERVICE_TOKEN = 'zero-loss-service-token-0123456789';
const SITE_IDS = ['KG-WQ-01', 'KG-WQ-02', 'HG-WQ-01', 'HG-WQ-02'];
const SITES: Site[] = SITE_IDS.map((id) => ({
  id,
  name: `Trạm ${id}`,
  kind: 'water-quality',
  lat: 10,
  lon: 105,
  province: { former: 'Kiên Giang', current: 'An Giang' },
  reportingIntervalSec: 60,
}));

/** Broker, InfluxDB stores, ingest and its internal HTTP server, wired like the platform. */
class ZeroLossRig {
  readonly temp = makeTempDir('mekong-ioc-zero-loss-');
  readonly registry = new Registry();
  readonly sites = new SiteCatalog(SITES);
  readonly vm: VictoriaMetricsServer;
  stores!: InfluxDataStores;
  broker!: IocBroker;
  ingest!: IngestService;
  http!: InternalHttpServer;
  publisher: MqttClient | undefined;

  constructor(executable: string) {
    this.vm = new VictoriaMetricsServer(executable);
  }

  async start(spool: Partial<IngestSpoolSettings> = {}): Promise<void> {
    await this.vm.reserve();
    this.stores = new InfluxDataStores({
      influx: { url: this.vm.url, token: 'zero-loss-token', org: 'mekong-ioc', bucket: 'mekong-ioc', timeoutMs: 2000 },
      file: path.join(this.temp.dir, 'mekong-ioc.duckdb'),
      siteTags: (siteId) => siteTagsOf(this.sites, siteId),
      logger: silentLogger(),
      metrics: this.registry,
      probeIntervalMs: 200,
    });
    this.broker = new IocBroker({
      host: '127.0.0.1',
      port: 0,
      maxPayloadBytes: 1024 * 1024,
      logger: silentLogger(),
      metrics: this.registry,
      credentials: this.stores.registry,
      serviceToken: SERVICE_TOKEN,
    });
    this.ingest = new IngestService({
      mqttUrl: () => this.broker.url,
      serviceToken: SERVICE_TOKEN,
      stores: this.stores,
      sites: this.sites,
      logger: silentLogger(),
      metrics: this.registry,
      maxPayloadBytes: 256 * 1024,
      retentionDays: 90,
      spool: { dir: path.join(this.temp.dir, 'spool'), ...spool },
      tuning: { batchIntervalMs: 20, retryInitialMs: 50, retryMaxMs: 500 },
    });
    this.http = new InternalHttpServer({
      name: 'ingest-http',
      host: '127.0.0.1',
      port: 0,
      logger: silentLogger(),
      metrics: this.registry,
      health: async () => ingestHealth(this.ingest, this.stores),
    });
    await this.stores.start();
    await this.broker.start();
    await this.ingest.start();
    await this.http.start();
    this.publisher = await connectPublisher(this.broker.url, SERVICE_TOKEN);
  }

  async metricsText(): Promise<string> {
    return (await fetch(`${this.http.url}/metrics`)).text();
  }

  async health(): Promise<Health> {
    return (await (await fetch(`${this.http.url}/internal/health`)).json()) as Health;
  }

  async stop(): Promise<void> {
    this.publisher?.end(true);
    await this.http?.stop();
    await this.ingest?.stop();
    await this.broker?.stop();
    await this.stores?.stop();
    await this.vm.dispose();
    this.temp.cleanup();
  }
}

const OUTAGE_MS = 30_000;
let rig: ZeroLossRig | undefined;

afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

describeWithExecutable('victoria-metrics', 'victoria-metrics', 'zero loss: store outages and a full spool (STORE=influx)', (executable) => {
  it('stores all 10,000 readings exactly once when the server is down for 30 s while they flow', async () => {
    rig = new ZeroLossRig(executable);
    const current = rig;
    await current.vm.start();
    await current.start();
    const publisher = current.publisher as MqttClient;
    const base = Date.now() - 2 * 3_600_000;
    const shape = { sites: SITE_IDS, base, chunk: 200, pauseMs: 400 };

    await publishReadings(publisher, { from: 0, to: 2000 }, { ...shape, pauseMs: 0 });
    await waitFor(async () => distinctReadings(await current.vm.export()) === 2000, { timeoutMs: 20_000, intervalMs: 200 });

    await current.vm.stop();
    const outageStartedAt = Date.now();
    await publishReadings(publisher, { from: 2000, to: 10_000 }, shape);
    // Ingest keeps accepting: every message is in the spool, none in the store yet.
    await waitFor(() => current.ingest.backlog === 8000, {
      timeoutMs: 20_000,
      message: 'ingest spooled the readings sent during the outage',
    });
    const duringOutage = await current.metricsText();
    expect(metricValue(duringOutage, 'ioc_ingest_spool_bytes')).toBeGreaterThan(0);
    expect(metricValue(duringOutage, 'ioc_ingest_write_failures_total', { kind: 'readings' })).toBeGreaterThan(0);
    expect((await current.health()).components.telemetry?.status).toBe('down');
    expect(current.ingest.connected).toBe(true);

    // Hold the outage to its full 30 s, then bring the server back.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, outageStartedAt + OUTAGE_MS - Date.now())));
    await current.vm.start();
    await waitFor(async () => distinctReadings(await current.vm.export()) === 10_000, { timeoutMs: 60_000, intervalMs: 250 });

    expect(storedExactlyOnce(await current.vm.export(), 10_000, SITE_IDS, base)).toEqual([]);
    await waitFor(() => current.ingest.backlog === 0);
    const after = await current.metricsText();
    expect(metricValue(after, 'ioc_ingest_spool_bytes')).toBe(0);
    expect(metricValue(after, 'ioc_ingest_dropped_total', { kind: 'readings' })).toBe(0);
    expect(metricValue(after, 'ioc_ingest_readings_stored_total')).toBe(10_000);
    await waitFor(async () => (await current.health()).status === 'ok');
  }, 120_000);

  it('stops taking messages when the spool is full, shows it in /metrics, and loses nothing', async () => {
    rig = new ZeroLossRig(executable);
    const current = rig;
    // The server is down from the start; the spool takes about 16 KiB (roughly 170 one-reading messages).
    await current.start({ maxBytes: 16 * 1024, segmentBytes: 4096 });
    const publisher = current.publisher as MqttClient;
    const base = Date.now() - 3_600_000;
    const count = 600;
    await publishReadings(publisher, { from: 0, to: count }, { sites: SITE_IDS, base, chunk: 100, pauseMs: 0 });

    await waitFor(async () => metricValue(await current.metricsText(), 'ioc_ingest_spool_full') === 1, { timeoutMs: 10_000 });
    const full = await current.metricsText();
    expect(metricValue(full, 'ioc_ingest_spool_full_total')).toBe(1);
    expect(metricValue(full, 'ioc_ingest_spool_bytes')).toBeGreaterThanOrEqual(16 * 1024);
    expect(metricValue(full, 'ioc_ingest_spool_max_bytes')).toBe(16 * 1024);
    // The policy: ingest takes no more messages (the broker keeps them queued) instead of dropping any.
    const received = metricValue(full, 'ioc_ingest_messages_received_total', { channel: 'telemetry' }) ?? 0;
    expect(received).toBeLessThan(count);
    expect(current.ingest.backlog).toBeLessThan(count);
    expect(metricValue(full, 'ioc_ingest_dropped_total', { kind: 'readings' })).toBe(0);
    const health = await current.health();
    expect(health.status).toBe('degraded');
    expect(health.components.spool).toMatchObject({ status: 'degraded', detail: expect.stringMatching(/spool full/) });

    await current.vm.start();
    await waitFor(async () => distinctReadings(await current.vm.export()) === count, { timeoutMs: 30_000, intervalMs: 200 });
    expect(storedExactlyOnce(await current.vm.export(), count, SITE_IDS, base)).toEqual([]);
    await waitFor(async () => metricValue(await current.metricsText(), 'ioc_ingest_spool_full') === 0);
    expect(metricValue(await current.metricsText(), 'ioc_ingest_dropped_total', { kind: 'readings' })).toBe(0);
  }, 60_000);
});
