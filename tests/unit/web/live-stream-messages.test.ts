/** What the live feed does with each platform message: merge, forward, or count and drop. */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { Site } from '../../../common/sites.js';
import type { LiveReading, LiveSiteStatus } from '../../../common/socket-events.js';
import { topics } from '../../../common/topics.js';
import { silentLogger } from '../../../platform/logger.js';
import { SiteCatalog } from '../../../platform/seeds.js';
import { LiveStream } from '../../../web/server/live/live-stream.js';
import { SiteStateCache } from '../../../web/server/live/site-state-cache.js';
import { webMetrics } from '../../../web/server/web-metrics.js';

const site: Site = {
  id: 'KG-SAL-01',
  name: 'Cái Lớn–Cái Bé sluices',
  kind: 'salinity',
  lat: 9.8496,
  lon: 105.1418,
  province: { former: 'Kiên Giang', current: 'An Giang' },
  reportingIntervalSec: 5,
};

function setup() {
  const registry = new Registry();
  const metrics = webMetrics(registry);
  const cache = new SiteStateCache(new SiteCatalog([site]));
  const readings: LiveReading[] = [];
  const statuses: LiveSiteStatus[] = [];
  const stream = new LiveStream({
    mqttUrl: () => 'mqtt://127.0.0.1:1',
    serviceToken: 'unused',
    logger: silentLogger(),
    cache,
    sink: { reading: (r) => readings.push(r), siteStatus: (s) => statuses.push(s) },
    metrics,
  });
  const send = (topic: string, payload: unknown) =>
    stream.handleMessage(topic, Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)));
  const count = async (kind: string, outcome: string) =>
    (await metrics.liveMessages.get()).values.find((v) => v.labels.kind === kind && v.labels.outcome === outcome)?.value ?? 0;
  return { cache, readings, statuses, send, count };
}

describe('LiveStream.handleMessage', () => {
  it('merges a readings batch and forwards one reading event per reading', async () => {
    const { cache, readings, send, count } = setup();
    send(topics.platformReadings(site.id), {
      siteId: site.id,
      readings: [
        { ts: 1_000, values: { salinity: 1.1 } },
        { ts: 2_000, values: { salinity: 1.4, water_level: 0.3 } },
      ],
    });
    expect(readings).toEqual([
      { siteId: site.id, ts: 1_000, values: { salinity: 1.1 } },
      { siteId: site.id, ts: 2_000, values: { salinity: 1.4, water_level: 0.3 } },
    ]);
    expect(cache.get(site.id)?.latest.get('salinity')).toEqual({ value: 1.4, ts: 2_000 });
    expect(await count('readings', 'accepted')).toBe(1);
  });

  it('forwards a status with the site’s last contact time', () => {
    const { statuses, send } = setup();
    send(topics.platformReadings(site.id), { siteId: site.id, readings: [{ ts: 5_000, values: { salinity: 2 } }] });
    send(topics.platformSiteStatus(site.id), { siteId: site.id, status: 'offline', ts: 4_000 });
    expect(statuses).toEqual([{ siteId: site.id, status: 'offline', lastSeen: 5_000 }]);
    send(topics.platformSiteStatus(site.id), { siteId: site.id, status: 'online', ts: 3_000 });
    expect(statuses).toHaveLength(1);
  });

  it('drops malformed, mismatched and unknown-site messages without throwing, and counts them', async () => {
    const { readings, statuses, send, count } = setup();
    send(topics.platformReadings(site.id), '{not json');
    send(topics.platformReadings(site.id), { siteId: site.id, readings: [{ ts: 'yesterday', values: {} }] });
    send(topics.platformReadings(site.id), { siteId: 'HG-SAL-01', readings: [{ ts: 1, values: { salinity: 1 } }] });
    send(topics.platformSiteStatus(site.id), { siteId: site.id, status: 'exploded', ts: 1 });
    send(topics.platformReadings('HG-SAL-01'), { siteId: 'HG-SAL-01', readings: [{ ts: 1, values: { salinity: 1 } }] });
    send(topics.telemetry(site.id), { values: { salinity: 1 } });
    expect(readings).toEqual([]);
    expect(statuses).toEqual([]);
    expect(await count('readings', 'invalid')).toBe(3);
    expect(await count('site-status', 'invalid')).toBe(1);
    expect(await count('readings', 'unknown_site')).toBe(1);
    expect(await count('other', 'ignored')).toBe(1);
  });
});
