/**
 * `npm run broker`: the MQTT broker alone. Device credentials are read through ingest's data API
 * (ingest owns the embedded database); health and metrics on BROKER_HTTP_PORT.
 */
import { configFromEnvironment } from '../platform/config/load-env.js';
import { InternalHttpServer } from '../platform/http/internal-server.js';
import { runService } from '../platform/lifecycle.js';
import { createRootLogger } from '../platform/logger.js';
import { createMetricsRegistry } from '../platform/observability.js';
import { resolveServiceToken } from '../platform/security/service-credentials.js';
import { RemoteDataStores } from '../platform/store/remote/remote-data-stores.js';
import { PLATFORM_VERSION } from '../platform/version.js';
import { IocBroker } from './broker.js';

const config = configFromEnvironment();
const logger = createRootLogger('broker', config);
const metrics = createMetricsRegistry('broker');
const serviceToken = await resolveServiceToken(config);

const stores = new RemoteDataStores({ baseUrl: config.INGEST_URL, serviceToken, logger: logger.child({ module: 'data-client' }) });
const broker = new IocBroker({
  host: config.MQTT_HOST,
  port: config.MQTT_PORT,
  maxPayloadBytes: config.MAX_PAYLOAD_BYTES,
  maxDeviceConnections: config.MQTT_MAX_CONNECTIONS,
  maxInflightPackets: config.MQTT_MAX_INFLIGHT_PACKETS,
  devicePublishRate: config.DEVICE_PUBLISH_RATE,
  devicePublishBurst: config.DEVICE_PUBLISH_BURST,
  logger: logger.child({ module: 'broker' }),
  metrics,
  credentials: stores.registry,
  serviceToken,
});
const http = new InternalHttpServer({
  name: 'broker-http',
  host: config.BROKER_HTTP_HOST,
  port: config.BROKER_HTTP_PORT,
  logger: logger.child({ module: 'http' }),
  metrics,
  health: async () => ({
    status: 'ok',
    version: PLATFORM_VERSION,
    uptimeSec: Math.round(process.uptime()),
    components: { mqtt: { status: 'ok' } },
  }),
});

await runService([stores, broker, http], logger, () => logger.info({ mqtt: `mqtt://${config.MQTT_HOST}:${broker.port}` }, 'broker ready'));
