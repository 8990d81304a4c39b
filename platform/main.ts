/**
 * `npm start`: the whole platform in one process on the configured store (STORE), with the demo
 * simulators unless SIMULATE=false. Stops cleanly on Ctrl-C / SIGTERM.
 */
import { configFromEnvironment } from './config/load-env.js';
import { runService } from './lifecycle.js';
import { createRootLogger } from './logger.js';
import { createPlatform } from './platform.js';
import { SeedError } from './seeds.js';
import { PLATFORM_VERSION } from './version.js';

const config = configFromEnvironment();
const logger = createRootLogger('platform', config);

try {
  const platform = await createPlatform({ config, logger });
  await runService([platform], logger, () => {
    const mapUrl = config.HTTP_PORT === 0 ? platform.webUrl : config.PUBLIC_URL;
    logger.info(
      {
        version: PLATFORM_VERSION,
        map: mapUrl,
        mqtt: `mqtt://${config.MQTT_HOST === '0.0.0.0' ? 'localhost' : config.MQTT_HOST}:${platform.broker.port}`,
        store: config.STORE,
        simulate: config.SIMULATE,
      },
      `Mekong IOC is running — open the map at ${mapUrl} (Ctrl-C to stop)`,
    );
  });
} catch (error) {
  if (error instanceof SeedError) {
    logger.fatal({ file: error.file, problems: error.problems }, error.message);
  } else {
    logger.fatal({ err: error }, 'startup failed');
  }
  process.exitCode = 1;
}
