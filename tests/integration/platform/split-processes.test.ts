/**
 * The services as separate processes, as docker-compose runs them: ingest owns the database and
 * serves it over the internal data API; broker authenticates devices through it; web reads
 * through it and follows live data over MQTT.
 */
import mqtt from 'mqtt';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceTokenResponse, LatestValue, SiteSummary } from '../../../common/api.js';
import type { LiveReading } from '../../../common/socket-events.js';
import { topics } from '../../../common/topics.js';
import { ApiClient } from '../../support/api-client.js';
import { SPLIT_ADMIN_PASSWORD, SplitDeployment } from '../../support/split-deployment.js';
import { makeTempDir } from '../../support/test-config.js';
import { waitFor } from '../../support/wait.js';

const temp = makeTempDir();

const deployment = new SplitDeployment(temp.dir);

beforeAll(() => deployment.start(), 90_000);

afterAll(async () => {
  const codes = await deployment.stop();
  temp.cleanup();
  expect(codes).toEqual([0, 0, 0]);
});

describe('split processes: broker, ingest and web each alone', () => {
  it('serves a device reading from MQTT to REST and socket.io across three processes', async () => {
    const webUrl = deployment.webUrl;
    const api = new ApiClient(webUrl);
    // Web may be up before ingest answers; the first admin exists once the data service does.
    await waitFor(() => api.login('admin', SPLIT_ADMIN_PASSWORD).then(() => true));
    const { token } = await api.post<DeviceTokenResponse>('/api/sites/HG-SAL-01/token');

    const socket = io(webUrl, { extraHeaders: { cookie: api.cookie }, transports: ['websocket'] });
    const live: LiveReading[] = [];
    socket.on('reading', (reading) => live.push(reading));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });

    const device = await waitFor(() =>
      mqtt.connectAsync(deployment.mqttUrl, { username: 'HG-SAL-01', password: token, reconnectPeriod: 0 }).catch(() => undefined),
    );
    const ts = Date.now() - 1000;
    await device.publishAsync(topics.telemetry('HG-SAL-01'), JSON.stringify({ ts, values: { salinity: 1.25, water_level: 0.4 } }), {
      qos: 1,
    });

    const latest = await waitFor(async () => {
      const site = await api.get<SiteSummary>('/api/sites/HG-SAL-01');
      return site.latest.salinity?.ts === ts ? site.latest.salinity : undefined;
    });
    expect(latest).toEqual<LatestValue>({ value: 1.25, unit: '‰', ts });
    const pushed = await waitFor(() => live.find((r) => r.siteId === 'HG-SAL-01' && r.ts === ts));
    expect(pushed.values).toEqual({ salinity: 1.25, water_level: 0.4 });
    await device.endAsync();
    socket.close();
  });
});
