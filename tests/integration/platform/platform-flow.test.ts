/**
 * The first vertical slice end to end, in one process like `npm start`: a device with an issued
 * token publishes over MQTT, ingest stores it in DuckDB, REST serves it and socket.io pushes it;
 * a foreign site's topic is refused; backfill keeps original timestamps; data survives a restart.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceTokenResponse, HistorySeries, RegisterSitesResponse, SiteListResponse, SiteSummary } from '../../../common/api.js';
import type { ClientToServerEvents, LiveReading, ServerToClientEvents } from '../../../common/socket-events.js';
import { topics } from '../../../common/topics.js';
import { silentLogger } from '../../../platform/logger.js';
import { createPlatform, type Platform } from '../../../platform/platform.js';
import { ApiClient } from '../../support/api-client.js';
import { describeWithExecutable } from '../../support/system-deps.js';
import { makeTempDir, testConfig } from '../../support/test-config.js';
import { waitFor } from '../../support/wait.js';

const ADMIN = { username: 'admin', password: 'test-admin-password' };
const temp = makeTempDir();
const config = testConfig(temp.dir);
let platform: Platform;
let api: ApiClient;
let deviceToken: string;
let socket: Socket<ServerToClientEvents, ClientToServerEvents>;
const liveReadings: LiveReading[] = [];

async function startPlatform(): Promise<void> {
  platform = await createPlatform({ config, logger: silentLogger() });
  await platform.start();
  api = new ApiClient(platform.webUrl);
  await api.login(ADMIN.username, ADMIN.password);
}

function connectDevice(siteId: string, password: string) {
  return mqtt.connectAsync(platform.mqttUrl, { username: siteId, password, clientId: `test-${siteId}`, reconnectPeriod: 0 });
}

async function site(siteId: string): Promise<SiteSummary> {
  return api.get<SiteSummary>(`/api/sites/${siteId}`);
}

beforeAll(async () => {
  await startPlatform();
  deviceToken = (await api.post<DeviceTokenResponse>('/api/sites/KG-WQ-01/token')).token;
  socket = io(platform.webUrl, { extraHeaders: { cookie: api.cookie }, transports: ['websocket'] });
  socket.on('reading', (reading) => liveReadings.push(reading));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
});

afterAll(async () => {
  socket?.close();
  await platform?.stop();
  temp.cleanup();
});

describe('platform: device → broker → ingest → store → REST and socket.io', () => {
  it('lists every seeded site', async () => {
    const { sites } = await api.get<SiteListResponse>('/api/sites');
    expect(sites).toHaveLength(22);
    expect(sites.map((s) => s.id)).toContain('HG-CAM-02');
  });

  it('stores a reading from an authenticated device and serves it over REST and socket.io', async () => {
    const device = await connectDevice('KG-WQ-01', deviceToken);
    const ts = Date.now() - 1000;
    await device.publishAsync(topics.telemetry('KG-WQ-01'), JSON.stringify({ ts, values: { do: 4.21, salinity: 12.5, ph: 7.62 } }), {
      qos: 1,
    });
    const stored = await waitFor(async () => {
      const summary = await site('KG-WQ-01');
      return summary.latest.do?.ts === ts ? summary : undefined;
    });
    expect(stored.latest.do).toEqual({ value: 4.21, unit: 'mg/L', ts });
    expect(stored.latest.salinity).toEqual({ value: 12.5, unit: '‰', ts });
    expect(stored.status).toBe('online');
    const live = await waitFor(() => liveReadings.find((r) => r.siteId === 'KG-WQ-01' && r.ts === ts));
    expect(live.values).toEqual({ do: 4.21, salinity: 12.5, ph: 7.62 });
    await device.endAsync();
  });

  it('stores backfill at the original timestamps', async () => {
    const device = await connectDevice('KG-WQ-01', deviceToken);
    const base = Date.now() - 60 * 60_000;
    const backfill = [0, 1, 2].map((i) => ({ ts: base + i * 60_000, values: { temperature: 28 + i } }));
    await device.publishAsync(topics.telemetry('KG-WQ-01'), JSON.stringify(backfill), { qos: 1 });
    const series = await waitFor(async () => {
      const result = await api.get<HistorySeries>(
        `/api/sites/KG-WQ-01/readings?metric=temperature&from=${base}&to=${base + 3 * 60_000}&maxPoints=3`,
      );
      return result.points.length === 3 ? result : undefined;
    });
    expect(series.points.map((p) => [p.ts, p.avg])).toEqual([
      [base, 28],
      [base + 60_000, 29],
      [base + 120_000, 30],
    ]);
    await device.endAsync();
  });

  it('refuses a wrong token with CONNACK not authorized', async () => {
    await expect(connectDevice('KG-WQ-01', 'wrong-token')).rejects.toMatchObject({ code: 5 });
  });

  it('drops and counts a publish under another site, keeping the device connected', async () => {
    const device = await connectDevice('KG-WQ-01', deviceToken);
    const ts = Date.now() - 500;
    await device.publishAsync(topics.telemetry('KG-WQ-02'), JSON.stringify({ ts, values: { do: 9.99 } }), { qos: 1 });
    const ownTs = ts + 1;
    await device.publishAsync(topics.telemetry('KG-WQ-01'), JSON.stringify({ ts: ownTs, values: { do: 5.55 } }), { qos: 1 });
    await waitFor(async () => (await site('KG-WQ-01')).latest.do?.ts === ownTs);
    expect((await site('KG-WQ-02')).latest.do).toBeUndefined();
    const metrics = await (await fetch(`${platform.webUrl}/metrics`)).text();
    expect(metrics).toMatch(/ioc_broker_publish_denied_total\{[^}]*\} [1-9]/);
    await device.endAsync();
  });

  it('records a rejected message with its reason while storing the good values', async () => {
    const device = await connectDevice('KG-WQ-01', deviceToken);
    const ts = Date.now() - 200;
    await device.publishAsync(topics.telemetry('KG-WQ-01'), JSON.stringify({ ts, values: { ph: 15, do: 6.01 } }), { qos: 1 });
    await waitFor(async () => (await site('KG-WQ-01')).latest.do?.ts === ts);
    expect((await site('KG-WQ-01')).latest.ph?.ts).not.toBe(ts);
    const { rejections } = await api.get<{ rejections: { reason: string; siteId: string | null }[] }>('/api/ingest/rejections');
    expect(rejections[0]).toMatchObject({ reason: 'out_of_range', siteId: 'KG-WQ-01' });
    await device.endAsync();
  });

  describeWithExecutable('mosquitto_pub', 'mosquitto-clients', 'a client we did not write', (mosquittoPub) => {
    const run = promisify(execFile);
    const port = () => new URL(platform.mqttUrl).port;

    it('publishes with the issued token and the reading shows up in REST', async () => {
      const ts = Date.now() - 100;
      const payload = JSON.stringify({ ts, values: { do: 3.33 } });
      await run(mosquittoPub, [
        '-h',
        '127.0.0.1',
        '-p',
        port(),
        '-q',
        '1',
        '-u',
        'KG-WQ-01',
        '-P',
        deviceToken,
        '-t',
        topics.telemetry('KG-WQ-01'),
        '-m',
        payload,
      ]);
      const summary = await waitFor(async () => {
        const result = await site('KG-WQ-01');
        return result.latest.do?.ts === ts ? result : undefined;
      });
      expect(summary.latest.do?.value).toBe(3.33);
    });

    it('is refused with a wrong token', async () => {
      const result = run(mosquittoPub, [
        '-h',
        '127.0.0.1',
        '-p',
        port(),
        '-q',
        '1',
        '-u',
        'KG-WQ-01',
        '-P',
        'nope',
        '-t',
        topics.telemetry('KG-WQ-01'),
        '-m',
        '{}',
      ]);
      await expect(result).rejects.toMatchObject({ stderr: expect.stringMatching(/not authori[sz]ed/i) });
    });
  });

  it('registers sites through the admin API; their devices report like seeded ones', async () => {
    const newSite = {
      id: 'LOAD-00001',
      name: 'Load-test salinity probe',
      kind: 'salinity',
      lat: 9.9,
      lon: 105.2,
      province: { former: 'Kiên Giang', current: 'An Giang' },
      reportingIntervalSec: 60,
    };
    const created = await api.post<RegisterSitesResponse>('/api/sites', { sites: [newSite], issueTokens: true });
    expect(created.registered).toEqual(['LOAD-00001']);
    const token = created.tokens?.[0]?.token ?? '';
    const device = await connectDevice('LOAD-00001', token);
    const ts = Date.now() - 300;
    await device.publishAsync(topics.telemetry('LOAD-00001'), JSON.stringify({ ts, values: { salinity: 2.4 } }), { qos: 1 });
    const summary = await waitFor(async () => {
      const result = await site('LOAD-00001');
      return result.latest.salinity?.ts === ts ? result : undefined;
    });
    expect(summary).toMatchObject({ kind: 'salinity', status: 'online' });
    expect((await api.get<SiteListResponse>('/api/sites')).sites).toHaveLength(23);

    expect((await api.request('POST', '/api/sites', newSite)).status).toBe(409);
    expect((await api.request('DELETE', '/api/sites/KG-WQ-02')).status).toBe(409);
    // Removing the site also closes its device's open connection (within one access poll).
    let closed = false;
    device.once('close', () => {
      closed = true;
    });
    expect((await api.request('DELETE', '/api/sites/LOAD-00001')).status).toBe(204);
    expect((await api.request('GET', '/api/sites/LOAD-00001')).status).toBe(404);
    await waitFor(() => closed, { message: "the removed site's connection to close" });
    await device.endAsync(true);
    await expect(connectDevice('LOAD-00001', token)).rejects.toMatchObject({ code: 5 });
  });

  it('keeps data across a restart on the same DATA_DIR', async () => {
    const before = await site('KG-WQ-01');
    socket.close();
    await platform.stop();
    await startPlatform();
    const after = await site('KG-WQ-01');
    expect(after.latest).toEqual(before.latest);
    const device = await connectDevice('KG-WQ-01', deviceToken);
    await device.endAsync();
  });
});
