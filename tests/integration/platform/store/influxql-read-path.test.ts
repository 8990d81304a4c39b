/**
 * The InfluxDB store's read path — InfluxQL over /query, no Flux — against a real InfluxDB 1.6,
 * seeded through its v1 /write. Every answer is compared with the embedded DuckDB store holding
 * the same readings: buckets aligned the same way, same min/avg/max/count, same latest values.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistorySeries } from '../../../../common/api.js';
import type { MetricId } from '../../../../common/metrics.js';
import type { Reading } from '../../../../common/payloads.js';
import { silentLogger } from '../../../../platform/logger.js';
import { DuckDbDataStores } from '../../../../platform/store/duckdb/duckdb-data-stores.js';
import { InfluxDataStores } from '../../../../platform/store/influx/influx-data-stores.js';
import type { HistoryRequest, SiteLatest } from '../../../../platform/store/types.js';
import { describeWithExecutable } from '../../../support/system-deps.js';
import { makeTempDir } from '../../../support/test-config.js';
import { InfluxDb1Server } from '../../../support/time-series-servers.js';

const DB = 'mekong-ioc';
const T0 = Date.UTC(2026, 2, 1, 0, 0, 0, 0);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Three hours of readings at two sites; KG-WQ-01's province tag changes after the first hour. */
function seedReadings(): { reading: Reading; province: string }[] {
  const seeded: { reading: Reading; province: string }[] = [];
  for (let i = 0; i < 180; i++) {
    const ts = T0 + i * MINUTE + (i % 7) * 13;
    const values: Record<string, number> = { do: Math.round((4 + ((i * 37) % 23) * 0.13) * 1000) / 1000 };
    if (i % 10 === 0) values.ph = 7 + (i % 30) / 100;
    seeded.push({ reading: { siteId: 'KG-WQ-01', ts, values }, province: i < 60 ? 'Kiên Giang' : 'An Giang' });
    if (i % 3 === 0) seeded.push({ reading: { siteId: 'KG-WQ-02', ts: ts + 500, values: { do: 9 - i / 100 } }, province: 'An Giang' });
  }
  return seeded;
}

const escapeTag = (value: string) => value.replace(/([ ,=])/g, '\\$1');

function line({ reading, province }: { reading: Reading; province: string }): string {
  const fields = Object.entries(reading.values)
    .map(([metric, value]) => `${metric}=${value}`)
    .join(',');
  return `readings,kind=water-quality,province=${escapeTag(province)},site=${reading.siteId} ${fields} ${reading.ts}`;
}

/**
 * InfluxDB 1.6 predates /api/v2/write, which 1.8 serves by mapping it onto /write: this proxy
 * does the same mapping so the store's own writes reach the 1.6 server; everything else passes.
 */
function startV2WriteShim(target: string): Promise<http.Server> {
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', target);
    const forwarded = url.pathname === '/api/v2/write' ? new URL(`/write?db=${url.searchParams.get('bucket')}&precision=ms`, target) : url;
    const headers = { ...request.headers, host: forwarded.host };
    const upstream = http.request(forwarded, { method: request.method, headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    upstream.on('error', () => response.writeHead(502).end());
    request.pipe(upstream);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const sortLatest = (list: SiteLatest[]) => [...list].sort((a, b) => a.siteId.localeCompare(b.siteId));

describeWithExecutable('influxd', 'influxdb', 'InfluxDB store: the read path (InfluxQL over /query)', (executable) => {
  const temp = makeTempDir('mekong-ioc-influxql-');
  const server = new InfluxDb1Server(executable);
  const seeded = seedReadings();
  let shim: http.Server;
  let influx: InfluxDataStores;
  let embedded: DuckDbDataStores;

  beforeAll(async () => {
    await server.start();
    await server.execute(`CREATE DATABASE "${DB}"`);
    await server.write(DB, seeded.map(line));
    shim = await startV2WriteShim(server.url);
    influx = new InfluxDataStores({
      influx: { url: `http://127.0.0.1:${(shim.address() as AddressInfo).port}`, token: 'read-path-token', org: 'o', bucket: DB },
      file: path.join(temp.dir, 'influx-registry.duckdb'),
      siteTags: () => ({ kind: 'water-quality', province: 'An Giang' }),
      logger: silentLogger(),
      metrics: new Registry(),
    });
    embedded = new DuckDbDataStores({ file: path.join(temp.dir, 'embedded.duckdb'), logger: silentLogger(), metrics: new Registry() });
    await influx.start();
    await embedded.start();
    await embedded.telemetry.writeReadings(seeded.map((s) => s.reading));
  }, 60_000);

  afterAll(async () => {
    await influx?.stop();
    await embedded?.stop();
    await new Promise((resolve) => shim?.close(resolve));
    await server.dispose();
    temp.cleanup();
  });

  /** Asserts both stores answer `request` alike (averages to 1e-9) and returns InfluxDB's answer. */
  async function sameHistory(request: HistoryRequest): Promise<HistorySeries> {
    const [fromInflux, fromDuckDb] = await Promise.all([influx.telemetry.queryHistory(request), embedded.telemetry.queryHistory(request)]);
    expect({ ...fromInflux, points: [] }).toEqual({ ...fromDuckDb, points: [] });
    expect(fromInflux.points.map(({ avg: _avg, ...rest }) => rest)).toEqual(fromDuckDb.points.map(({ avg: _avg, ...rest }) => rest));
    fromInflux.points.forEach((point, i) => {
      expect(point.avg).toBeCloseTo(fromDuckDb.points[i]?.avg ?? Number.NaN, 9);
    });
    return fromInflux;
  }

  it('downsamples history into buckets aligned to `from`, with min/avg/max/count, across a tag change', async () => {
    const series = await sameHistory({ siteId: 'KG-WQ-01', metric: 'do', from: T0, to: T0 + 3 * HOUR, maxPoints: 10 });
    expect(series.bucketMs).toBe(18 * MINUTE);
    expect(series.points).toHaveLength(10);
    expect(series.points[0]?.ts).toBe(T0);
    expect(series.points.reduce((sum, p) => sum + p.count, 0)).toBe(180);
    expect(series.unit).toBe('mg/L');
  });

  it('matches the embedded store for unaligned ranges, fine buckets and sparse metrics', async () => {
    const cases: [MetricId, string, number, number, number][] = [
      ['do', 'KG-WQ-01', T0 + 123_457, T0 + 2 * HOUR + 5, 7],
      ['do', 'KG-WQ-01', T0, T0 + 3 * HOUR, 2000],
      ['ph', 'KG-WQ-01', T0 - HOUR, T0 + 4 * HOUR, 13],
      ['do', 'KG-WQ-02', T0 + 30 * MINUTE, T0 + 150 * MINUTE, 1],
    ];
    for (const [metric, siteId, from, to, maxPoints] of cases) {
      const series = await sameHistory({ siteId, metric, from, to, maxPoints });
      expect(series.points.length).toBeGreaterThan(0);
    }
  });

  it('returns no points where there is no data, and an empty series for an empty range', async () => {
    expect((await sameHistory({ siteId: 'KG-WQ-01', metric: 'salinity', from: T0, to: T0 + HOUR, maxPoints: 5 })).points).toEqual([]);
    expect((await sameHistory({ siteId: 'NO-SUCH-1', metric: 'do', from: T0, to: T0 + HOUR, maxPoints: 5 })).points).toEqual([]);
    expect((await sameHistory({ siteId: 'KG-WQ-01', metric: 'do', from: T0 + HOUR, to: T0, maxPoints: 5 })).points).toEqual([]);
  });

  it('refuses bad history requests like the embedded store', async () => {
    const bad = { siteId: 'KG-WQ-01', metric: 'oxygen' as MetricId, from: T0, to: T0 + HOUR, maxPoints: 5 };
    await expect(influx.telemetry.queryHistory(bad)).rejects.toMatchObject({ code: 'bad_request' });
    await expect(influx.telemetry.queryHistory({ ...bad, metric: 'do', maxPoints: 0 })).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('loads the latest value of every metric of every site', async () => {
    const latest = sortLatest(await influx.telemetry.latestValues());
    expect(latest).toEqual(sortLatest(await embedded.telemetry.latestValues()));
    const last = seeded.filter((s) => s.reading.siteId === 'KG-WQ-01').at(-1)?.reading;
    expect(latest[0]?.values.do).toEqual({ value: last?.values.do, ts: last?.ts });
  });

  it('keeps latest values current with its own writes, which history then includes', async () => {
    const ts = T0 + 5 * HOUR;
    const fresh: Reading[] = [{ siteId: 'KG-WQ-01', ts, values: { do: 3.75, salinity: 0.5 } }];
    await influx.telemetry.writeReadings(fresh);
    await embedded.telemetry.writeReadings(fresh);
    const latest = sortLatest(await influx.telemetry.latestValues());
    expect(latest[0]?.values.do).toEqual({ value: 3.75, ts });
    expect(latest[0]?.values.salinity).toEqual({ value: 0.5, ts });
    expect(latest).toEqual(sortLatest(await embedded.telemetry.latestValues()));
    const series = await sameHistory({ siteId: 'KG-WQ-01', metric: 'salinity', from: ts, to: ts + 1, maxPoints: 1 });
    expect(series.points).toEqual([{ ts, min: 0.5, avg: 0.5, max: 0.5, count: 1 }]);
  });

  it('reports a missing database as unavailable with the server’s reason', async () => {
    const other = new InfluxDataStores({
      influx: { url: server.url, org: 'o', bucket: 'no-such-db' },
      file: path.join(temp.dir, 'other.duckdb'),
      siteTags: () => undefined,
      logger: silentLogger(),
      metrics: new Registry(),
    });
    await other.start();
    try {
      await expect(other.telemetry.latestValues()).rejects.toMatchObject({
        code: 'unavailable',
        message: /database not found: no-such-db/,
      });
    } finally {
      await other.stop();
    }
  });
});

describe('InfluxQL identifiers and strings', () => {
  it('are quoted so no value can end the statement', async () => {
    const { quoteIdentifier, quoteString } = await import('../../../../platform/store/influx/influx-connection.js');
    expect(quoteIdentifier('do')).toBe('"do"');
    expect(quoteIdentifier('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(quoteString("KG' OR 1=1 --")).toBe("'KG\\' OR 1=1 --'");
  });
});
