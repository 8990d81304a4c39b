/**
 * `npm run ingest`: ingest alone. It owns the embedded database (and, with STORE=influx, the
 * connection to InfluxDB) and serves the internal data API (INGEST_HTTP_PORT) through which the
 * web server and the broker read them. Accepted readings go through its spool under DATA_DIR.
 */
import { createAlertEngine } from '../alerting/alerting-from-config.js';
import { createNotifier } from '../alerting/notifications/notifier-from-config.js';
import { loadRuleSeeds } from '../alerting/rules/rule-seeds.js';
import { configFromEnvironment } from '../platform/config/load-env.js';
import { InternalHttpServer } from '../platform/http/internal-server.js';
import { runService } from '../platform/lifecycle.js';
import { createRootLogger } from '../platform/logger.js';
import { createMetricsRegistry } from '../platform/observability.js';
import { resolveServiceToken } from '../platform/security/service-credentials.js';
import { loadSiteSeeds } from '../platform/seeds.js';
import { SiteDirectory } from '../platform/sites/site-directory.js';
import { createDataApiRouter } from '../platform/store/remote/data-api-router.js';
import { selectDataStores } from '../platform/store/select-data-stores.js';
import { ingestHealth } from './ingest-health.js';
import { IngestService } from './ingest-service.js';
import { spoolSettings } from './spool/spool-settings.js';

const config = configFromEnvironment();
const logger = createRootLogger('ingest', config);
const metrics = createMetricsRegistry('ingest');
const serviceToken = await resolveServiceToken(config);
const seeds = await loadSiteSeeds(config.seedsDir);
const ruleSeeds = await loadRuleSeeds(config.seedsDir);

const stores = selectDataStores({ config, sites: () => sites, logger: logger.child({ module: 'store' }), metrics });
const sites = new SiteDirectory({ registry: stores.registry, seeds, applySeeds: true, logger: logger.child({ module: 'sites' }) });
const database = 'embedded' in stores ? stores.embedded.database : stores.database;
const alerting = createAlertEngine({
  database,
  stores,
  sites,
  seeds: ruleSeeds,
  mqttUrl: () => config.MQTT_URL,
  serviceToken,
  logger: logger.child({ module: 'alerting' }),
  metrics,
});
const notifier = createNotifier({
  config,
  database,
  sites,
  logger: logger.child({ module: 'notifier' }),
  metrics,
  source: alerting,
});
const ingest = new IngestService({
  mqttUrl: () => config.MQTT_URL,
  serviceToken,
  stores,
  sites,
  logger: logger.child({ module: 'ingest' }),
  metrics,
  maxPayloadBytes: config.MAX_PAYLOAD_BYTES,
  retentionDays: config.RETENTION_DAYS,
  spool: spoolSettings(config),
  observer: alerting,
});
const http = new InternalHttpServer({
  name: 'ingest-http',
  host: config.INGEST_HTTP_HOST,
  port: config.INGEST_HTTP_PORT,
  logger: logger.child({ module: 'http' }),
  metrics,
  health: async () => ingestHealth(ingest, stores),
  routers: [
    {
      path: '/internal/data',
      router: createDataApiRouter({
        stores,
        serviceToken,
        logger: logger.child({ module: 'data-api' }),
        notifications: notifier.store,
        alerts: alerting,
      }),
    },
  ],
});

await runService([stores, sites, alerting, notifier, http, ingest], logger, () =>
  logger.info({ dataApi: http.url, mqtt: config.MQTT_URL }, 'ingest ready'),
);
