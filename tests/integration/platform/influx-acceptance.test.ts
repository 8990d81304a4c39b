/**
 * Acceptance of STORE=influx: the platform process (`platform/main.ts`, what `npm start` runs after
 * building the app) with its demo simulators, writing to a real VictoriaMetrics through the
 * InfluxDB store. An observer on the broker sees what the simulators send; every reading ingest
 * accepts from it lands in the store with its exact value, timestamp and tags.
 */
import mqtt from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseTopic, topicFilters } from '../../../common/topics.js';
import { decodeTelemetry } from '../../../ingest/decode/telemetry.js';
import { SERVICE_USERS } from '../../../platform/security/service-credentials.js';
import { loadSiteSeeds } from '../../../platform/seeds.js';
import { freePorts } from '../../support/ports.js';
import { ServiceProcess } from '../../support/service-process.js';
import { describeWithExecutable } from '../../support/system-deps.js';
import { makeTempDir } from '../../support/test-config.js';
import { type ExportedSample, VictoriaMetricsServer } from '../../support/time-series-servers.js';
import { waitFor } from '../../support/wait.js';

const SERVICE_TOKEN = 'influx-acceptance-service-token-0123456789';
const DAY = 86_400_000;

interface Expected {
  readonly siteId: string;
  readonly metric: string;
  readonly ts: number;
  readonly value: number;
}

describeWithExecutable(
  'victoria-metrics',
  'victoria-metrics',
  'STORE=influx: the platform stores every simulated reading',
  (executable) => {
    const temp = makeTempDir('mekong-ioc-influx-acceptance-');
    const vm = new VictoriaMetricsServer(executable);
    let platform: ServiceProcess;
    let mqttUrl: string;

    beforeAll(async () => {
      await vm.start();
      const [mqttPort, httpPort, ingestPort, snapshotPort] = (await freePorts(4)) as [number, number, number, number];
      mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;
      platform = new ServiceProcess('platform/main.ts', {
        DATA_DIR: temp.dir,
        MQTT_PORT: String(mqttPort),
        HTTP_PORT: String(httpPort),
        INGEST_HTTP_PORT: String(ingestPort),
        SIM_SNAPSHOT_PORT: String(snapshotPort),
        SERVICE_TOKEN,
        ADMIN_PASSWORD: 'influx-acceptance-admin',
        STORE: 'influx',
        INFLUX_URL: vm.url,
        INFLUX_TOKEN: 'acceptance-token',
        SIMULATE: 'true',
      });
      platform.start();
      await platform.waitForLog(/open the map at/, 60_000);
    }, 90_000);

    afterAll(async () => {
      const code = await platform?.stop();
      await vm.dispose();
      temp.cleanup();
      expect(code).toBe(0);
    });

    it('lands every reading the simulators send in the store, exactly', async () => {
      const observer = mqtt.connect(mqttUrl, {
        username: SERVICE_USERS.ingest,
        password: SERVICE_TOKEN,
        clientId: 'acceptance-observer',
        clean: true,
        protocolVersion: 4,
        reconnectPeriod: 0,
      });
      const expected = new Map<string, Expected>();
      let messages = 0;
      observer.on('message', (topic, payload) => {
        const parsed = parseTopic(topic);
        if (parsed?.scope !== 'device' || parsed.channel !== 'telemetry') return;
        messages += 1;
        const receivedAt = Date.now();
        const { readings } = decodeTelemetry(payload, { siteId: parsed.siteId, receivedAt, oldestAcceptedTs: receivedAt - 90 * DAY });
        for (const reading of readings) {
          for (const [metric, value] of Object.entries(reading.values)) {
            expected.set(`${reading.siteId}|${metric}|${reading.ts}`, { siteId: reading.siteId, metric, ts: reading.ts, value });
          }
        }
      });
      await new Promise<void>((resolve, reject) => {
        observer.once('connect', () => resolve());
        observer.once('error', reject);
      });
      await observer.subscribeAsync(topicFilters.allDeviceTelemetry, { qos: 1 });
      await waitFor(() => messages >= 40, { timeoutMs: 30_000, message: 'the simulators sent telemetry' });
      await observer.endAsync();
      const sent = [...expected.values()];
      expect(new Set(sent.map((e) => e.siteId)).size).toBeGreaterThan(5);

      const stored = await waitFor(
        async () => {
          const samples = new Map(
            (await vm.export()).map((s): [string, ExportedSample] => [`${s.labels.site}|${s.name.slice('readings_'.length)}|${s.ts}`, s]),
          );
          return sent.every((e) => samples.has(`${e.siteId}|${e.metric}|${e.ts}`)) ? samples : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 250, message: 'every observed reading in the store' },
      );
      const sites = new Map((await loadSiteSeeds('seeds')).map((site) => [site.id, site]));
      const mismatches = sent.filter((e) => {
        const sample = stored.get(`${e.siteId}|${e.metric}|${e.ts}`);
        const site = sites.get(e.siteId);
        return sample?.value !== e.value || sample.labels.kind !== site?.kind || sample.labels.province !== site?.province.current;
      });
      expect(mismatches).toEqual([]);
    }, 90_000);
  },
);
