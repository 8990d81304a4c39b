/**
 * `npm run web`: the web server alone (REST, socket.io, the built app). It reads the platform's
 * data through ingest's internal data API and follows live data over MQTT.
 */
import path from 'node:path';
import { AdminBootstrap } from '../../platform/admin-bootstrap.js';
import { configFromEnvironment } from '../../platform/config/load-env.js';
import { runService } from '../../platform/lifecycle.js';
import { createRootLogger } from '../../platform/logger.js';
import { createMetricsRegistry } from '../../platform/observability.js';
import { resolveServiceToken } from '../../platform/security/service-credentials.js';
import { loadSiteSeeds } from '../../platform/seeds.js';
import { SiteDirectory } from '../../platform/sites/site-directory.js';
import { RemoteDataStores } from '../../platform/store/remote/remote-data-stores.js';
import { PLATFORM_VERSION } from '../../platform/version.js';
import { WebServer } from './web-server.js';

const config = configFromEnvironment();
const logger = createRootLogger('web', config);
const metrics = createMetricsRegistry('web');
const serviceToken = await resolveServiceToken(config);
const seeds = await loadSiteSeeds(config.seedsDir);

const stores = new RemoteDataStores({ baseUrl: config.INGEST_URL, serviceToken, logger: logger.child({ module: 'data-client' }) });
const sites = new SiteDirectory({ registry: stores.registry, seeds, applySeeds: false, logger: logger.child({ module: 'sites' }) });
const web = new WebServer({
  config,
  logger: logger.child({ module: 'web' }),
  metrics,
  stores,
  sites,
  mqttUrl: () => config.MQTT_URL,
  serviceToken,
  appDir: path.resolve('dist/app'),
  version: PLATFORM_VERSION,
});
const adminBootstrap = new AdminBootstrap({ registry: stores.registry, config, logger: logger.child({ module: 'bootstrap' }) });

await runService([stores, adminBootstrap, sites, web], logger, () => logger.info({ url: config.PUBLIC_URL }, 'web ready'));
