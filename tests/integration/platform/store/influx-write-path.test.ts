/**
 * The InfluxDB store's write path against a real InfluxDB-compatible server: VictoriaMetrics
 * accepts line protocol on /api/v2/write exactly as InfluxDB does (VictoriaMetrics keeps 12
 * significant digits, so the values here are sensor-like).
 */
import path from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Reading } from '../../../../common/payloads.js';
import { AppError } from '../../../../platform/errors.js';
import { silentLogger } from '../../../../platform/logger.js';
import { InfluxDataStores } from '../../../../platform/store/influx/influx-data-stores.js';
import type { SiteTags } from '../../../../platform/store/influx/influx-schema.js';
import { describeWithExecutable } from '../../../support/system-deps.js';
import { makeTempDir } from '../../../support/test-config.js';
import { type ExportedSample, VictoriaMetricsServer } from '../../../support/time-series-servers.js';
import { waitFor } from '../../../support/wait.js';

const T = Date.UTC(2026, 0, 15, 8, 0, 0, 0);

/** Sites whose tags need every kind of escaping: spaces, commas, equals signs, quotes, Vietnamese diacritics. */
const TAGS: Record<string, SiteTags> = {
  'KG-WQ-01': { kind: 'water-quality', province: 'An Giang' },
  'BR-SAL-01': { kind: 'salinity', province: 'Bà Rịa, Vũng Tàu = "Đông Nam Bộ"' },
  'HG-CAM-01': { kind: 'camera', province: 'Cần Thơ\\' },
};

const READINGS: Reading[] = [
  { siteId: 'KG-WQ-01', ts: T, values: { do: 5.21, ph: 7, temperature: 29.45, orp: -150.5 } },
  { siteId: 'KG-WQ-01', ts: T + 1, values: { do: 0.001, turbidity: 3999.999 } },
  { siteId: 'BR-SAL-01', ts: T + 999, values: { salinity: 12.345678, conductivity: 98765.4321, water_level: -0.25 } },
  { siteId: 'HG-CAM-01', ts: T + 60_000, values: { vehicle_count: 1234, crowd_level: 87.5 } },
  { siteId: 'ZZ-GONE-01', ts: T + 5, values: { battery: 12.6 } },
];

/** One expected sample per reading and metric. */
function expectedSamples(readings: readonly Reading[]): ExportedSample[] {
  return readings.flatMap((reading) => {
    const tags = TAGS[reading.siteId];
    const labels: Record<string, string> = tags
      ? { site: reading.siteId, kind: tags.kind, province: tags.province.replace(/\\+$/, '') }
      : { site: reading.siteId };
    return Object.entries(reading.values).map(([metric, value]) => ({ name: `readings_${metric}`, labels, ts: reading.ts, value }));
  });
}

const byKey = (a: ExportedSample, b: ExportedSample) =>
  `${a.name}|${a.labels.site}|${a.ts}`.localeCompare(`${b.name}|${b.labels.site}|${b.ts}`);

describeWithExecutable(
  'victoria-metrics',
  'victoria-metrics',
  'InfluxDB store: the write path (line protocol to /api/v2/write)',
  (executable) => {
    const temp = makeTempDir('mekong-ioc-influx-write-');
    const server = new VictoriaMetricsServer(executable);
    let stores: InfluxDataStores;

    beforeAll(async () => {
      await server.start();
      stores = new InfluxDataStores({
        influx: { url: server.url, token: 'test-token-unused-by-vm', org: 'mekong-ioc', bucket: 'mekong-ioc', timeoutMs: 2000 },
        file: path.join(temp.dir, 'registry.duckdb'),
        siteTags: (siteId) => TAGS[siteId],
        logger: silentLogger(),
        metrics: new Registry(),
        probeIntervalMs: 100,
      });
      await stores.start();
    }, 60_000);

    afterAll(async () => {
      await stores?.stop();
      await server.dispose();
      temp.cleanup();
    });

    it('stores every reading with exact values, millisecond timestamps, tags and escaping', async () => {
      expect(stores.telemetryHealth()).toEqual({ status: 'ok' });
      await stores.telemetry.writeReadings(READINGS);
      const samples = await server.export();
      expect(samples.sort(byKey)).toEqual(expectedSamples(READINGS).sort(byKey));
    });

    it('stores a reading written twice (a replay) once per series and timestamp', async () => {
      const replay: Reading[] = [{ siteId: 'KG-WQ-01', ts: T + 7, values: { do: 6.5 } }];
      await stores.telemetry.writeReadings(replay);
      await stores.telemetry.writeReadings(replay);
      const samples = (await server.export('readings_do')).filter((s) => s.ts === T + 7);
      expect(samples).toEqual(expectedSamples(replay));
    });

    it('refuses an invalid reading as bad_request (so the spool drops it instead of retrying forever)', async () => {
      const invalid: Reading[] = [{ siteId: 'KG-WQ-01', ts: T + 9, values: { do: Number.NaN } }];
      await expect(stores.telemetry.writeReadings(invalid)).rejects.toMatchObject({ code: 'bad_request' });
      expect(stores.telemetryHealth()).toEqual({ status: 'ok' });
    });

    it('rejects writes as unavailable while the server is down, reports it in health, and recovers', async () => {
      await server.stop();
      const write = stores.telemetry.writeReadings([{ siteId: 'KG-WQ-01', ts: T + 8, values: { do: 1 } }]);
      await expect(write).rejects.toBeInstanceOf(AppError);
      await expect(write).rejects.toMatchObject({ code: 'unavailable' });
      expect(stores.telemetryHealth().status).toBe('down');
      expect(stores.telemetryHealth().detail).toMatch(/unreachable/);

      await server.start();
      await waitFor(() => stores.telemetryHealth().status === 'ok', { timeoutMs: 10_000 });
      await stores.telemetry.writeReadings([{ siteId: 'KG-WQ-01', ts: T + 8, values: { do: 1 } }]);
      expect((await server.export('readings_do')).filter((s) => s.ts === T + 8)).toHaveLength(1);
    }, 60_000);

    it('starts while the server is unreachable (health down) and recovers without a restart', async () => {
      const late = new VictoriaMetricsServer(executable);
      await late.reserve();
      const lateStores = new InfluxDataStores({
        influx: { url: late.url, token: 'test-token-unused-by-vm', org: 'o', bucket: 'b', timeoutMs: 1000 },
        file: path.join(temp.dir, 'late.duckdb'),
        siteTags: () => undefined,
        logger: silentLogger(),
        metrics: new Registry(),
        probeIntervalMs: 100,
      });
      try {
        await lateStores.start();
        expect(lateStores.telemetryHealth().status).toBe('down');
        // The registry works meanwhile: it is the embedded database.
        expect(await lateStores.registry.countUsers()).toBe(0);
        await late.start();
        await waitFor(() => lateStores.telemetryHealth().status === 'ok', { timeoutMs: 10_000 });
      } finally {
        await lateStores.stop();
        await late.dispose();
      }
    }, 60_000);
  },
);
