/**
 * `npm run sim -- --devices N` (load mode) and `npm run sim -- --cleanup` (remove load sites):
 * talks to the platform's admin API with the admin account from the same configuration as the
 * platform (ADMIN_USERNAME / ADMIN_PASSWORD, env or .env) or the command line.
 */
import type { Site } from '../../common/sites.js';
import type { Config } from '../../platform/config/config.js';
import { AppError } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import { type LoadPhase, LoadRun, removeLoadSites } from '../load/load-run.js';
import { ephemeralPortCount, openFileLimit, processesFor, RESERVED_DESCRIPTORS } from '../load/os-limits.js';
import { PlatformAdminClient } from '../load/platform-admin-client.js';
import { withoutCredentials } from '../redact-url.js';
import { formatLoadSummary } from './load-summary.js';
import type { SimCliOptions } from './options.js';
import { ProgressLine } from './progress-line.js';

export interface LoadRunContext {
  readonly config: Config;
  readonly options: SimCliOptions;
  readonly seeds: readonly Site[];
  readonly logger: Logger;
}

function adminClient(context: LoadRunContext): PlatformAdminClient {
  const { options, config } = context;
  const password = options.adminPassword ?? config.ADMIN_PASSWORD;
  if (!password) {
    throw new AppError(
      'invalid_credentials',
      'load mode registers sites through the admin API: set ADMIN_PASSWORD (environment or .env, as for the platform) or pass --admin-password',
    );
  }
  return new PlatformAdminClient({ apiUrl: options.apiUrl, username: options.adminUser, password });
}

/** An AbortSignal that fires on the first SIGINT/SIGTERM; a second one exits at once. */
function signalOnInterrupt(logger: Logger): AbortSignal {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      logger.warn({ signal }, 'second signal, exiting now');
      process.exit(1);
    }
    logger.info({ signal }, 'stopping the load run');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller.signal;
}

/** Load mode; resolves when the run has stopped (and cleaned up), after printing its summary. */
export async function runLoad(context: LoadRunContext): Promise<void> {
  const { options, logger, seeds } = context;
  const devices = options.devices ?? 0;
  const limit = openFileLimit();
  const processes = options.processes ?? processesFor(devices, limit);
  if (limit !== undefined && Math.ceil(devices / processes) > limit - RESERVED_DESCRIPTORS) {
    logger.warn(
      { devices, processes, openFileLimit: limit },
      'each process may hold at most its open-file limit of connections: raise `ulimit -n` or use more --processes',
    );
  }
  const ports = ephemeralPortCount();
  if (ports !== undefined && devices > ports) {
    logger.warn(
      { devices, ephemeralPorts: ports },
      'more devices than ephemeral ports towards one broker address: widen net.ipv4.ip_local_port_range or spread over broker addresses',
    );
  }
  const admin = adminClient(context);
  let phase: LoadPhase = 'registering';
  const run = new LoadRun({
    devices,
    ratePerSec: options.rate,
    connectRatePerSec: options.connectRate,
    durationMs: options.durationSec === undefined ? undefined : options.durationSec * 1000,
    seed: options.seed,
    anchors: seeds,
    kinds: options.kinds,
    admin,
    mqttUrl: options.mqttUrl,
    snapshots: options.snapshots ? { host: options.snapshotHost, port: options.snapshotPort } : false,
    cleanup: options.cleanup,
    shards: processes,
    qos: options.qos,
    logger: logger.child({ module: 'load' }),
    onPhase: (next) => {
      phase = next;
    },
  });
  const signal = signalOnInterrupt(logger);
  const line = new ProgressLine({
    stats: () => run.stats,
    label: 'load',
    suffix: () => ` · ${phase}`,
    ...(process.stderr.isTTY ? { stream: process.stderr } : { logger }),
  });
  logger.info(
    {
      devices,
      processes,
      rate: options.rate ?? 'one per device per minute',
      mqttUrl: withoutCredentials(options.mqttUrl),
      apiUrl: options.apiUrl,
    },
    'load run starting; Ctrl-C to stop',
  );
  await line.start();
  try {
    const summary = await run.run(signal);
    await line.stop();
    process.stdout.write(`${formatLoadSummary(summary)}\n`);
    logger.info({ summary: { ...summary, totals: undefined }, totals: summary.totals }, 'load run finished');
  } finally {
    await line.stop();
  }
}

/** `--cleanup` alone: removes every registered load site. */
export async function runCleanup(context: LoadRunContext): Promise<void> {
  const admin = adminClient(context);
  await admin.login();
  try {
    const removed = await removeLoadSites(admin, context.logger);
    process.stdout.write(`removed ${removed} load site${removed === 1 ? '' : 's'}\n`);
  } finally {
    await admin.logout();
  }
}
