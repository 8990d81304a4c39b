/**
 * `npm run sim`: the demo simulators alone, against the broker at MQTT_URL (or --mqtt-url), with
 * the same config as the other services. `npm run sim -- --help` lists the options. Runs until
 * Ctrl-C / SIGTERM (or --duration), then stops cleanly and exits 0.
 */
import type { Command } from 'commander';
import { configFromEnvironment } from '../platform/config/load-env.js';
import { runService } from '../platform/lifecycle.js';
import { createRootLogger } from '../platform/logger.js';
import { resolveServiceToken } from '../platform/security/service-credentials.js';
import { loadSiteSeeds, SeedError } from '../platform/seeds.js';
import { buildSimCommand, readSimOptions, selectSites } from './cli/options.js';
import { ProgressLine } from './cli/progress-line.js';
import { DemoSimulator } from './demo-simulator.js';
import { withoutCredentials } from './redact-url.js';

const config = configFromEnvironment();
const command: Command = buildSimCommand(config);
command.parse();
const options = readSimOptions(command);

const logger = createRootLogger('sim', config);
let seeded: Awaited<ReturnType<typeof loadSiteSeeds>>;
try {
  seeded = await loadSiteSeeds(config.seedsDir);
} catch (error) {
  if (!(error instanceof SeedError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
let sites: ReturnType<typeof selectSites>;
try {
  sites = selectSites(seeded, options.sites);
} catch (error) {
  command.error(`error: ${(error as Error).message}`);
}

const simulator = new DemoSimulator({
  sites,
  mqttUrl: () => options.mqttUrl,
  serviceToken: await resolveServiceToken(config),
  logger: logger.child({ module: 'simulators' }),
  seed: options.seed,
  intervalScale: 1 / options.speed,
  snapshotServer: options.snapshots ? { host: options.snapshotHost, port: options.snapshotPort } : false,
});
const components = process.stderr.isTTY
  ? [simulator, new ProgressLine({ stats: () => simulator.stats, stream: process.stderr })]
  : [simulator];

await runService(components, logger, () => {
  logger.info(
    { sites: sites.length, mqttUrl: withoutCredentials(options.mqttUrl), seed: options.seed, speed: options.speed },
    'simulators running; Ctrl-C to stop',
  );
  const durationSec = options.durationSec;
  if (durationSec !== undefined) {
    setTimeout(() => {
      logger.info({ durationSec }, 'duration reached');
      // Same path as Ctrl-C: runService stops every component and exits 0.
      process.emit('SIGTERM', 'SIGTERM');
    }, durationSec * 1000);
  }
});
