/**
 * Disabling a site, in the split deployment: web, broker and ingest are wired exactly as in their
 * own processes (nothing shared but the network: the broker and web reach the registry only through
 * ingest's internal data API over HTTP, and every part has its own metrics). An admin disables a
 * site over REST; the broker closes its device's connection and refuses reconnects with CONNACK 5;
 * ingest rejects the site's messages (`site_disabled`) even when a trusted service publishes them;
 * other sites are untouched; enabling restores everything. Token rotation through REST (with and
 * without grace) is checked on the same topology.
 */
import path from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IocBroker } from '../../../broker/broker.js';
import type { DeviceTokenResponse, SiteAccessResponse } from '../../../common/api.js';
import { topics } from '../../../common/topics.js';
import { IngestService } from '../../../ingest/ingest-service.js';
import { ensureAdminUser } from '../../../platform/bootstrap-admin.js';
import { InternalHttpServer } from '../../../platform/http/internal-server.js';
import { silentLogger } from '../../../platform/logger.js';
import { SERVICE_USERS } from '../../../platform/security/service-credentials.js';
import { SiteDirectory } from '../../../platform/sites/site-directory.js';
import { createDataApiRouter } from '../../../platform/store/remote/data-api-router.js';
import { RemoteDataStores } from '../../../platform/store/remote/remote-data-stores.js';
import { WebServer } from '../../../web/server/web-server.js';
import { ApiClient } from '../../support/api-client.js';
import { testConfig } from '../../support/test-config.js';
import { waitFor } from '../../support/wait.js';
import { MqttClients, refusalCode, SERVICE_TOKEN, SecurityFixture, type TestClient, testSite } from './security-fixture.js';

const DISABLED = 'CT-SAL-07';
const BYSTANDER = 'CT-SAL-08';
const SITES = [testSite(DISABLED), testSite(BYSTANDER)];

/** Sum of a metric's series matching `labels` (0 when absent). */
async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`metric ${name} is not registered`);
  const { values } = await metric.get();
  return values
    .filter((value) => Object.entries(labels).every(([key, expected]) => value.labels[key] === expected))
    .reduce((sum, value) => sum + value.value, 0);
}

describe('disabling a site (web, broker and ingest apart)', () => {
  // The fixture's store plays ingest's database; its broker is not used here.
  const ingestSide = new SecurityFixture({ siteIds: SITES.map((site) => site.id) });
  const ingestMetrics = new Registry();
  const brokerMetrics = new Registry();
  let dataApi: InternalHttpServer;
  let ingest: IngestService;
  let brokerStores: RemoteDataStores;
  let broker: IocBroker;
  let webStores: RemoteDataStores;
  let webSites: SiteDirectory;
  let web: WebServer;
  let admin: ApiClient;
  /** MQTT connections to the split broker. */
  let clients: MqttClients;
  const t0 = Date.now() - 60_000;
  let tick = 0;
  /** A telemetry payload with a unique timestamp, so every stored reading can be counted. */
  const reading = () => JSON.stringify({ ts: t0 + tick++, values: { salinity: 4.2 } });

  const stored = async (siteId: string) => {
    const series = await ingestSide.stores.telemetry.queryHistory({ siteId, metric: 'salinity', from: t0, to: t0 + 100_000, maxPoints: 1 });
    return series.points.reduce((sum, point) => sum + point.count, 0);
  };

  beforeAll(async () => {
    const logger = silentLogger();
    await ingestSide.stores.start();
    await ingestSide.sites.start();
    dataApi = new InternalHttpServer({
      name: 'ingest-http',
      host: '127.0.0.1',
      port: 0,
      logger,
      metrics: ingestMetrics,
      health: async () => ({ status: 'ok', version: 'test', uptimeSec: 0, components: {} }),
      routers: [
        { path: '/internal/data', router: createDataApiRouter({ stores: ingestSide.stores, serviceToken: SERVICE_TOKEN, logger }) },
      ],
    });
    await dataApi.start();

    brokerStores = new RemoteDataStores({ baseUrl: dataApi.url, serviceToken: SERVICE_TOKEN, logger });
    await brokerStores.start();
    broker = new IocBroker({
      host: '127.0.0.1',
      port: 0,
      maxPayloadBytes: 4096,
      logger,
      metrics: brokerMetrics,
      credentials: brokerStores.registry,
      serviceToken: SERVICE_TOKEN,
      deviceAccessPollMs: 50,
    });
    await broker.start();

    ingest = new IngestService({
      mqttUrl: () => broker.url,
      serviceToken: SERVICE_TOKEN,
      stores: ingestSide.stores,
      sites: ingestSide.sites,
      logger,
      metrics: ingestMetrics,
      maxPayloadBytes: 4096,
      retentionDays: 90,
      spool: { dir: path.join(ingestSide.temp.dir, 'spool') },
      tuning: { batchIntervalMs: 10 },
    });
    await ingest.start();

    webStores = new RemoteDataStores({ baseUrl: dataApi.url, serviceToken: SERVICE_TOKEN, logger });
    await webStores.start();
    webSites = new SiteDirectory({ registry: webStores.registry, seeds: SITES, applySeeds: false, logger });
    await webSites.start();
    await ensureAdminUser({ registry: webStores.registry, username: 'admin', password: 'test-admin-password', logger });
    web = new WebServer({
      config: testConfig(ingestSide.temp.dir, { HTTP_HOST: '127.0.0.1' }),
      logger,
      metrics: new Registry(),
      stores: webStores,
      sites: webSites,
      mqttUrl: () => broker.url,
      serviceToken: SERVICE_TOKEN,
      appDir: path.join(ingestSide.temp.dir, 'no-app'),
      version: 'test',
    });
    await web.start();
    admin = new ApiClient(web.url);
    await admin.login('admin', 'test-admin-password');

    clients = new MqttClients(() => broker.url);
  });

  afterAll(async () => {
    clients?.endAll();
    await web?.stop();
    await webSites?.stop();
    await webStores?.stop();
    await ingest?.stop();
    await broker?.stop();
    await brokerStores?.stop();
    await dataApi?.stop();
    await ingestSide.stop();
  });

  const issue = async (siteId: string, query = '') => (await admin.post<DeviceTokenResponse>(`/api/sites/${siteId}/token${query}`)).token;
  const publishReading = (client: TestClient, siteId: string) => client.mqtt.publishAsync(topics.telemetry(siteId), reading(), { qos: 1 });

  it('disconnects the device at once, refuses it and rejects the site’s data until it is enabled again', async () => {
    const token = await issue(DISABLED);
    const bystanderToken = await issue(BYSTANDER);
    const device = await clients.device(DISABLED, token);
    const bystander = await clients.device(BYSTANDER, bystanderToken);
    await publishReading(device, DISABLED);
    await waitFor(async () => (await stored(DISABLED)) === 1, { message: 'first reading stored' });

    const disabled = await admin.post<SiteAccessResponse>(`/api/sites/${DISABLED}/disable`);
    expect(disabled).toMatchObject({ siteId: DISABLED, enabled: false });
    expect(disabled.disabledAt).toEqual(expect.any(Number));
    await device.closed;
    expect(await metricValue(brokerMetrics, 'ioc_broker_disconnects_total', { reason: 'site_disabled' })).toBe(1);

    const refused = await clients.device(DISABLED, token).then(
      () => new Error('accepted'),
      (error: unknown) => error,
    );
    expect(refusalCode(refused)).toBe(5);
    expect(await metricValue(brokerMetrics, 'ioc_broker_auth_failures_total', { reason: 'site_disabled' })).toBe(1);

    // A trusted service publishing for the disabled site (the simulators do) is rejected by ingest.
    const simulator = await clients.service(SERVICE_USERS.simulator);
    await simulator.mqtt.publishAsync(topics.telemetry(DISABLED), reading(), { qos: 1 });
    await waitFor(async () => (await metricValue(ingestMetrics, 'ioc_ingest_rejected_total', { reason: 'site_disabled' })) === 1, {
      message: 'ingest rejects the disabled site',
    });
    // The other site is untouched: still connected, its data stored.
    await publishReading(bystander, BYSTANDER);
    await waitFor(async () => (await stored(BYSTANDER)) === 1, { message: 'bystander stored' });
    expect(await stored(DISABLED)).toBe(1);

    const enabled = await admin.post<SiteAccessResponse>(`/api/sites/${DISABLED}/enable`);
    expect(enabled).toEqual({ siteId: DISABLED, enabled: true, disabledAt: null });
    const back = await clients.device(DISABLED, token);
    await publishReading(back, DISABLED);
    await waitFor(async () => (await stored(DISABLED)) === 2, { message: 'reading stored after enabling' });
    back.mqtt.end(true);
    bystander.mqtt.end(true);
    simulator.mqtt.end(true);
  });

  it('rotates a token over REST: the old one works during the grace, and graceMinutes=0 revokes it with its connection', async () => {
    const first = await issue(BYSTANDER);
    const onFirst = await clients.device(BYSTANDER, first);
    const second = await issue(BYSTANDER, '?graceMinutes=30');
    (await clients.device(BYSTANDER, first)).mqtt.end(true);
    (await clients.device(BYSTANDER, second)).mqtt.end(true);

    const third = await issue(BYSTANDER, '?graceMinutes=0');
    await onFirst.closed; // its token is now two rotations old
    const refusedSecond = await clients.device(BYSTANDER, second).then(
      () => new Error('accepted'),
      (error: unknown) => error,
    );
    expect(refusalCode(refusedSecond)).toBe(5);
    const onThird = await clients.device(BYSTANDER, third);
    await publishReading(onThird, BYSTANDER);
    onThird.mqtt.end(true);
  });

  it('refuses disable and enable to non-admins and answers 404 for unknown sites', async () => {
    const anonymous = new ApiClient(web.url);
    expect((await anonymous.request('POST', `/api/sites/${DISABLED}/disable`, {})).status).toBe(401);
    expect((await admin.request('POST', '/api/sites/NO-SUCH-SITE/disable', {})).status).toBe(404);
  });
});
