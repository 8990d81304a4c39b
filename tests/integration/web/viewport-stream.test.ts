/**
 * The live stream narrowed to what a browser shows, through the whole platform: a socket that sent
 * a viewport over Phú Quốc receives readings of sites inside it (and of the site it follows) but not
 * of others; a socket without a viewport receives everything; both learn every site's last contact
 * from `sites-seen`. And `GET /api/map/latest` answers the current state of an area.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AreaLatestResponse } from '../../../common/api.js';
import type { ClientToServerEvents, LiveReading, ServerToClientEvents, SitesSeen } from '../../../common/socket-events.js';
import { topics } from '../../../common/topics.js';
import { silentLogger } from '../../../platform/logger.js';
import { createPlatform, type Platform } from '../../../platform/platform.js';
import { SERVICE_USERS } from '../../../platform/security/service-credentials.js';
import { ApiClient } from '../../support/api-client.js';
import { makeTempDir, testConfig } from '../../support/test-config.js';
import { waitFor } from '../../support/wait.js';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const temp = makeTempDir('mekong-ioc-viewport-');
const config = testConfig(temp.dir);
let platform: Platform;
let api: ApiClient;
let publisher: MqttClient;
const sockets: ClientSocket[] = [];

async function connect(): Promise<{ socket: ClientSocket; readings: LiveReading[]; seen: SitesSeen[] }> {
  const socket: ClientSocket = io(platform.webUrl, { extraHeaders: { cookie: api.cookie }, transports: ['websocket'] });
  sockets.push(socket);
  const readings: LiveReading[] = [];
  const seen: SitesSeen[] = [];
  socket.on('reading', (reading) => readings.push(reading));
  socket.on('sites-seen', (batch) => seen.push(batch));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return { socket, readings, seen };
}

beforeAll(async () => {
  platform = await createPlatform({ config, logger: silentLogger() });
  await platform.start();
  api = new ApiClient(platform.webUrl);
  await api.login(config.ADMIN_USERNAME, config.ADMIN_PASSWORD ?? '');
  publisher = await mqtt.connectAsync(platform.mqttUrl, {
    username: SERVICE_USERS.simulator,
    password: config.SERVICE_TOKEN ?? '',
    reconnectPeriod: 0,
  });
}, 60_000);

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await publisher?.endAsync();
  await platform?.stop();
  temp.cleanup();
});

const publish = (siteId: string, values: Record<string, number>) =>
  publisher.publishAsync(topics.telemetry(siteId), JSON.stringify({ ts: Date.now(), values }), { qos: 1 });

describe('viewport-narrowed live stream', () => {
  it('sends readings only for the sites in view and the followed site; last contact to everyone', { timeout: 30_000 }, async () => {
    const phuQuoc = await connect();
    const everything = await connect();
    // Phú Quốc island (KG-WQ-03, KG-WQ-04), following Vị Thanh (HG-WQ-01) whose drawer is open.
    phuQuoc.socket.emit('viewport', { bbox: [103.8, 9.9, 104.1, 10.45], sites: ['HG-WQ-01'] });
    // The subscription is applied when the server has handled the event: probe until a reading arrives.
    await waitFor(
      async () => {
        await publish('KG-WQ-04', { do: 5 });
        return phuQuoc.readings.some((r) => r.siteId === 'KG-WQ-04');
      },
      { intervalMs: 200, message: 'reading inside the viewport' },
    );
    await publish('HG-SAL-03', { salinity: 1.2 });
    await publish('HG-WQ-01', { do: 3.3 });
    await publish('KG-WQ-03', { do: 6.1 });
    await waitFor(() => everything.readings.some((r) => r.siteId === 'KG-WQ-03') && phuQuoc.readings.some((r) => r.siteId === 'KG-WQ-03'));
    await waitFor(() => phuQuoc.readings.some((r) => r.siteId === 'HG-WQ-01'));
    expect(everything.readings.map((r) => r.siteId)).toEqual(expect.arrayContaining(['HG-SAL-03', 'HG-WQ-01', 'KG-WQ-03']));
    expect(phuQuoc.readings.map((r) => r.siteId)).not.toContain('HG-SAL-03');

    const seenBy = (client: { seen: SitesSeen[] }) => new Set(client.seen.flatMap((batch) => batch.siteIds));
    await waitFor(() => seenBy(phuQuoc).has('HG-SAL-03') && seenBy(everything).has('HG-SAL-03'), { timeoutMs: 15_000 });

    // Back to everything.
    phuQuoc.socket.emit('viewport', { bbox: null, sites: [] });
    await waitFor(
      async () => {
        await publish('HG-SAL-02', { salinity: 2 });
        return phuQuoc.readings.some((r) => r.siteId === 'HG-SAL-02');
      },
      { intervalMs: 200 },
    );
  });

  it('answers the current state of an area', async () => {
    const area = await api.get<AreaLatestResponse>('/api/map/latest?bbox=103.8,9.9,104.1,10.45');
    expect(area.truncated).toBe(false);
    expect(area.sites.map((site) => site.id).sort()).toEqual(['KG-WQ-03', 'KG-WQ-04']);
    expect(area.sites.find((site) => site.id === 'KG-WQ-03')?.latest.do?.value).toBe(6.1);
    const bad = await api.request('GET', '/api/map/latest?bbox=1,2,3');
    expect(bad.status).toBe(400);
  });
});
