/**
 * Zero loss across a crash: ingest runs as its own process (`ingest/main.ts`, STORE=influx against
 * a real VictoriaMetrics) and is SIGKILLed mid-stream — no shutdown code runs — while it holds
 * accepted readings the store has not confirmed (the server is down at that moment). A new ingest
 * process on the same DATA_DIR writes them from its spool; the broker delivers what was sent
 * meanwhile. Every reading is stored, exactly once per series and timestamp.
 */
import type { MqttClient } from 'mqtt';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { IocBroker } from '../../../broker/broker.js';
import { silentLogger } from '../../../platform/logger.js';
import { freePorts } from '../../support/ports.js';
import { ServiceProcess } from '../../support/service-process.js';
import { describeWithExecutable } from '../../support/system-deps.js';
import { makeTempDir } from '../../support/test-config.js';
import { VictoriaMetricsServer } from '../../support/time-series-servers.js';
import { waitFor } from '../../support/wait.js';
import { connectPublisher, distinctReadings, metricValue, publishReadings, storedExactlyOnce } from './zero-loss-fixture.js';

const SERVICE_TOKEN = 'zero-loss-crash-service-token-0123456789';
/** Seeded sites (ingest applies seeds/sites.json to its registry at start). */
const SITE_IDS = ['KG-WQ-01', 'KG-WQ-02', 'KG-SAL-01', 'HG-WQ-01', 'HG-SAL-01'];
const COUNT = 10_000;

describeWithExecutable('victoria-metrics', 'victoria-metrics', 'zero loss: ingest SIGKILLed mid-stream (STORE=influx)', (executable) => {
  const temp = makeTempDir('mekong-ioc-crash-');
  const vm = new VictoriaMetricsServer(executable);
  const broker = new IocBroker({
    host: '127.0.0.1',
    port: 0,
    maxPayloadBytes: 1024 * 1024,
    logger: silentLogger(),
    metrics: new Registry(),
    // Only the simulator service publishes here; it authenticates with the service token.
    credentials: { getDeviceCredential: async () => undefined },
    serviceToken: SERVICE_TOKEN,
  });
  const processes: ServiceProcess[] = [];
  let publisher: MqttClient;
  let ingestHttp: string;

  function startIngest(env: Record<string, string>): ServiceProcess {
    const ingest = new ServiceProcess('ingest/main.ts', env);
    processes.push(ingest);
    ingest.start();
    return ingest;
  }

  const ingestMetrics = async () => (await fetch(`${ingestHttp}/metrics`)).text();

  beforeAll(async () => {
    await vm.start();
    await broker.start();
    publisher = await connectPublisher(broker.url, SERVICE_TOKEN);
  }, 60_000);

  afterAll(async () => {
    publisher?.end(true);
    for (const ingest of processes) await ingest.stop();
    await broker.stop();
    await vm.dispose();
    temp.cleanup();
  });

  it('writes every accepted reading after a SIGKILL and a restart, exactly once', async () => {
    const [httpPort] = (await freePorts(1)) as [number];
    ingestHttp = `http://127.0.0.1:${httpPort}`;
    const env = {
      DATA_DIR: temp.dir,
      MQTT_URL: broker.url,
      INGEST_HTTP_PORT: String(httpPort),
      SERVICE_TOKEN,
      STORE: 'influx',
      INFLUX_URL: vm.url,
      INFLUX_TOKEN: 'crash-test-token',
      SPOOL_FSYNC_INTERVAL_MS: '1000',
      LOG_LEVEL: 'info',
    };
    const first = startIngest(env);
    await first.waitForLog(/ingest ready/);

    const base = Date.now() - 3 * 3_600_000;
    let published = 0;
    const stream = publishReadings(publisher, { from: 0, to: COUNT }, { sites: SITE_IDS, base, chunk: 200, pauseMs: 400 }, (n) => {
      published = n;
    });

    // Readings flow into the store…
    await waitFor(async () => distinctReadings(await vm.export()) >= 1000, { timeoutMs: 30_000, intervalMs: 200 });
    // …then the store goes down, so ingest holds accepted readings only in its spool…
    await vm.stop();
    await waitFor(async () => (metricValue(await ingestMetrics(), 'ioc_ingest_spool_bytes') ?? 0) > 20_000, { timeoutMs: 30_000 });
    // …and ingest is killed mid-stream, with no chance to flush anything.
    expect(published).toBeLessThan(COUNT);
    await first.kill();
    const accepted = published;

    await vm.start();
    const second = startIngest(env);
    await second.waitForLog(/ingest ready/);
    await stream;
    expect(accepted).toBeLessThan(COUNT);

    await waitFor(async () => distinctReadings(await vm.export()) === COUNT, { timeoutMs: 60_000, intervalMs: 250 });
    expect(storedExactlyOnce(await vm.export(), COUNT, SITE_IDS, base)).toEqual([]);
    const after = await ingestMetrics();
    // The second process found what the first had accepted but not stored, and wrote it.
    expect(metricValue(after, 'ioc_ingest_spool_recovered_readings_total')).toBeGreaterThan(0);
    expect(second.lines.some((line) => /spool holds readings accepted before the last stop/.test(String(line.msg)))).toBe(true);
    expect(metricValue(after, 'ioc_ingest_dropped_total', { kind: 'readings' })).toBe(0);
  }, 180_000);
});
