/**
 * `npm run sim`: simulated devices against the broker at MQTT_URL (or --mqtt-url), with the same
 * configuration as the platform (env and .env). Modes: demo (default), --scenario, --devices
 * (load), --replay, --cleanup, --list-scenarios; `npm run sim -- --help` lists everything and
 * docs/simulators.md explains it. Runs until the mode ends or Ctrl-C / SIGTERM, then stops
 * cleanly and exits 0; bad input exits 1 with the reason.
 */
import type { Command } from 'commander';
import { configFromEnvironment } from '../platform/config/load-env.js';
import { AppError } from '../platform/errors.js';
import { createRootLogger } from '../platform/logger.js';
import { loadSiteSeeds, SeedError } from '../platform/seeds.js';
import { buildSimCommand, readSimOptions, type SimCliOptions, selectSites } from './cli/options.js';
import { runDemo, runScenario } from './cli/run-fleet.js';
import { runCleanup, runLoad } from './cli/run-load.js';
import { runReplay } from './cli/run-replay.js';
import { formatDuration } from './clock/duration.js';
import { listScenarios } from './scenarios/scenario-loader.js';

const config = configFromEnvironment();
const command: Command = buildSimCommand(config);
command.parse();
let options: SimCliOptions;
try {
  options = readSimOptions(command);
} catch (error) {
  command.error(`error: ${(error as Error).message}`);
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

let seeds: Awaited<ReturnType<typeof loadSiteSeeds>>;
try {
  seeds = await loadSiteSeeds(config.seedsDir);
} catch (error) {
  if (!(error instanceof SeedError)) throw error;
  fail(error.message);
}

const logger = createRootLogger('sim', config);

try {
  switch (options.mode) {
    case 'list-scenarios': {
      const scenarios = await listScenarios(config.seedsDir);
      const width = Math.max(4, ...scenarios.map((s) => s.name.length));
      for (const s of scenarios) {
        process.stdout.write(
          `${s.name.padEnd(width)}  ${formatDuration(s.durationMs).padEnd(6)} ×${String(s.speed).padEnd(5)} ${s.title}\n`,
        );
      }
      break;
    }
    case 'scenario':
      await runScenario({ config, options, seeds, logger, sites: seeds });
      break;
    case 'load':
      await runLoad({ config, options, seeds, logger });
      break;
    case 'cleanup':
      await runCleanup({ config, options, seeds, logger });
      break;
    case 'replay':
      await runReplay({ config, options, logger });
      break;
    case 'demo': {
      let sites: ReturnType<typeof selectSites>;
      try {
        sites = selectSites(seeds, options.sites);
      } catch (error) {
        command.error(`error: ${(error as Error).message}`);
      }
      await runDemo({ config, options, seeds, logger, sites });
      break;
    }
  }
} catch (error) {
  logger.flush();
  if (error instanceof AppError) fail(`error: ${error.message}`);
  throw error;
}
