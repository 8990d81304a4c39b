/**
 * Acceptance of `npm start` on a fresh data directory: the platform process with its demo
 * simulators logs the map's URL, answers health, lists every seeded site with values that change,
 * streams readings over socket.io, and stops cleanly on SIGTERM.
 */
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Health, SiteListResponse } from '../../../common/api.js';
import type { LiveReading } from '../../../common/socket-events.js';
import { ApiClient } from '../../support/api-client.js';
import { freePorts } from '../../support/ports.js';
import { ServiceProcess } from '../../support/service-process.js';
import { makeTempDir } from '../../support/test-config.js';
import { waitFor } from '../../support/wait.js';

const temp = makeTempDir();
let platform: ServiceProcess;
let webUrl: string;

beforeAll(async () => {
  const [mqttPort, httpPort, ingestPort, snapshotPort] = (await freePorts(4)) as [number, number, number, number];
  webUrl = `http://127.0.0.1:${httpPort}`;
  platform = new ServiceProcess('platform/main.ts', {
    DATA_DIR: temp.dir,
    MQTT_PORT: String(mqttPort),
    HTTP_PORT: String(httpPort),
    INGEST_HTTP_PORT: String(ingestPort),
    SIM_SNAPSHOT_PORT: String(snapshotPort),
    PUBLIC_URL: webUrl,
  });
  platform.start();
}, 60_000);

afterAll(async () => {
  const code = await platform.stop();
  temp.cleanup();
  expect(code).toBe(0);
});

describe('npm start', () => {
  let api: ApiClient;

  it('logs the map URL and prints the generated admin password once', async () => {
    const ready = await platform.waitForLog(/open the map at/);
    expect(ready.map).toBe(webUrl);
    const generated = await platform.waitForLog(/generated the admin password/);
    expect(typeof generated.password).toBe('string');
    api = new ApiClient(webUrl);
    await api.login('admin', generated.password as string);
  });

  it('answers health', async () => {
    const response = await fetch(`${webUrl}/api/health`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as Health).status).toMatch(/ok|degraded/);
  });

  it('lists every seeded site and their latest values change', async () => {
    const first = await api.get<SiteListResponse>('/api/sites');
    expect(first.sites).toHaveLength(22);
    const before = await waitFor(async () => {
      const { sites } = await api.get<SiteListResponse>('/api/sites');
      return sites.find((s) => s.id === 'KG-WQ-01' && s.latest.do);
    });
    const changed = await waitFor(
      async () => {
        const { sites } = await api.get<SiteListResponse>('/api/sites');
        const now = sites.find((s) => s.id === 'KG-WQ-01');
        return now?.latest.do && now.latest.do.ts > (before.latest.do?.ts ?? 0) ? now : undefined;
      },
      { timeoutMs: 15_000 },
    );
    expect(changed.status).toBe('online');
  });

  it('streams reading events over socket.io', async () => {
    const socket = io(webUrl, { extraHeaders: { cookie: api.cookie }, transports: ['websocket'] });
    const received: LiveReading[] = [];
    socket.on('reading', (reading) => received.push(reading));
    await waitFor(() => received.length >= 3, { timeoutMs: 15_000 });
    socket.close();
    expect(new Set(received.map((r) => r.siteId)).size).toBeGreaterThan(1);
  });
});
