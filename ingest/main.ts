/**
 * `npm run ingest`: ingest alone. It owns the embedded database and serves the internal data API
 * (INGEST_HTTP_PORT) through which the web server and the broker read it.
 */
import { configFromEnvironment } from '../platform/config/load-env.js';
import { InternalHttpServer } from '../platform/http/internal-server.js';
import { runService } from '../platform/lifecycle.js';
import { createRootLogger } from '../platform/logger.js';
import { createMetricsRegistry } from '../platform/observability.js';
import { resolveServiceToken } from '../platform/security/service-credentials.js';
import { loadSiteSeeds } from '../platform/seeds.js';
import { SiteDirectory } from '../platform/sites/site-directory.js';
import { DuckDbDataStores } from '../platform/store/duckdb/duckdb-data-stores.js';
import { embeddedDatabasePath } from '../platform/store/embedded-location.js';
import { createDataApiRouter } from '../platform/store/remote/data-api-router.js';
import { PLATFORM_VERSION } from '../platform/version.js';
import { IngestService } from './ingest-service.js';

const config = configFromEnvironment();
const logger = createRootLogger('ingest', config);
const metrics = createMetricsRegistry('ingest');
const serviceToken = await resolveServiceToken(config);
const seeds = await loadSiteSeeds(config.seedsDir);

const stores = new DuckDbDataStores({ file: embeddedDatabasePath(config.dataDir), logger: logger.child({ module: 'store' }), metrics });
const sites = new SiteDirectory({ registry: stores.registry, seeds, applySeeds: true, logger: logger.child({ module: 'sites' }) });
const ingest = new IngestService({
  mqttUrl: () => config.MQTT_URL,
  serviceToken,
  stores,
  sites,
  logger: logger.child({ module: 'ingest' }),
  metrics,
  maxPayloadBytes: config.MAX_PAYLOAD_BYTES,
  retentionDays: config.RETENTION_DAYS,
});
const http = new InternalHttpServer({
  name: 'ingest-http',
  host: config.INGEST_HTTP_HOST,
  port: config.INGEST_HTTP_PORT,
  logger: logger.child({ module: 'http' }),
  metrics,
  health: async () => ({
    status: ingest.connected ? 'ok' : 'degraded',
    version: PLATFORM_VERSION,
    uptimeSec: Math.round(process.uptime()),
    components: {
      store: { status: 'ok' },
      mqtt: ingest.connected ? { status: 'ok' } : { status: 'down', detail: 'not connected to the broker' },
    },
  }),
  routers: [
    { path: '/internal/data', router: createDataApiRouter({ stores, serviceToken, logger: logger.child({ module: 'data-api' }) }) },
  ],
});

await runService([stores, sites, http, ingest], logger, () => logger.info({ dataApi: http.url, mqtt: config.MQTT_URL }, 'ingest ready'));
