/**
 * `npm run device:token -- <siteId>`: issues (or rotates) a site's device token — its MQTT password
 * — and prints it once. Goes through the running platform's internal data API when it answers
 * (the database then belongs to that process); otherwise opens the embedded database directly.
 * Exits 1 with a clear message for an unknown site or a database held by another process.
 */
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { DeviceTokenResponse } from '../../common/api.js';
import { topics } from '../../common/topics.js';
import type { Config } from '../config/config.js';
import { configFromEnvironment } from '../config/load-env.js';
import type { Logger } from '../logger.js';
import { issueDeviceToken } from '../security/device-tokens.js';
import { resolveServiceToken } from '../security/service-credentials.js';
import { loadSiteSeeds, SiteCatalog } from '../seeds.js';
import { DuckDbDataStores } from '../store/duckdb/duckdb-data-stores.js';
import { embeddedDatabasePath } from '../store/embedded-location.js';
import { RemoteDataStores } from '../store/remote/remote-data-stores.js';
import type { DataStores } from '../store/types.js';

/** A failure the user can act on; printed without a stack trace. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

export interface IssueTokenOptions {
  readonly config: Config;
  readonly siteId: string;
  readonly logger: Logger;
  /** How long the data API may take to answer before the database is opened directly, ms (default 3,000). */
  readonly remoteTimeoutMs?: number;
  /** Epoch ms; injectable for tests. */
  readonly clock?: () => number;
}

/** Which way the token was written. */
export type IssuedVia = 'data-api' | 'database';

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function stopQuietly(stores: DataStores, logger: Logger): Promise<void> {
  try {
    await stores.stop();
  } catch (error) {
    logger.debug({ err: error }, 'closing the store failed');
  }
}

/** Opens the platform's data API if it answers a read; undefined (with the reason) otherwise. */
async function openDataApi(options: IssueTokenOptions, serviceToken: string): Promise<{ stores?: DataStores; reason?: string }> {
  const { config, logger } = options;
  // An unreachable data API is expected here (the fallback handles it), so only errors are worth showing.
  const remote = new RemoteDataStores({ baseUrl: config.INGEST_URL, serviceToken, logger: logger.child({}, { level: 'error' }) });
  try {
    await remote.start();
    await withTimeout(remote.registry.countUsers(), options.remoteTimeoutMs ?? 3_000, `the data API at ${config.INGEST_URL}`);
    return { stores: remote };
  } catch (error) {
    await stopQuietly(remote, logger);
    return { reason: messageOf(error) };
  }
}

async function openDatabase(options: IssueTokenOptions, remoteReason: string | undefined): Promise<DataStores> {
  const { config, logger } = options;
  const file = embeddedDatabasePath(config.dataDir);
  const direct = new DuckDbDataStores({ file, logger, metrics: new Registry() });
  try {
    await direct.start();
    return direct;
  } catch (error) {
    await stopQuietly(direct, logger);
    const message = messageOf(error);
    const apiNote = remoteReason ? ` The data API at ${config.INGEST_URL} did not answer either (${remoteReason}).` : '';
    if (/lock/i.test(message)) {
      throw new CliError(
        `The database ${file} is locked by another process.${apiNote} Run this command while the platform (or ingest) is up and reachable at INGEST_URL, or stop the process that holds the file.`,
      );
    }
    throw new CliError(`Cannot open the database ${file}: ${message}.${apiNote}`);
  }
}

/** Validates the site, issues the token through the data API or the database, and returns it. */
export async function issueTokenForSite(options: IssueTokenOptions): Promise<{ issued: DeviceTokenResponse; via: IssuedVia }> {
  const { config, siteId, logger } = options;
  const sites = new SiteCatalog(await loadSiteSeeds(config.seedsDir));
  if (!sites.has(siteId)) {
    const known = sites.sites.map((site) => site.id);
    const list = known.length > 12 ? `${known.slice(0, 12).join(', ')}, … (${known.length} in all)` : known.join(', ');
    throw new CliError(`Unknown site "${siteId}": it is not in ${config.seedsDir}/sites.json. Known sites: ${list}`);
  }
  const serviceToken = await resolveServiceToken(config);
  const api = await openDataApi(options, serviceToken);
  if (!api.stores) logger.debug({ reason: api.reason }, 'data API unavailable; opening the database directly');
  const stores = api.stores ?? (await openDatabase(options, api.reason));
  try {
    const issued = await issueDeviceToken(stores.registry, siteId, (options.clock ?? Date.now)(), {
      graceMs: config.DEVICE_TOKEN_GRACE_MINUTES * 60_000,
    });
    return { issued, via: api.stores ? 'data-api' : 'database' };
  } finally {
    await stopQuietly(stores, logger);
  }
}

/** What the CLI prints: the token on a line of its own, and how a device uses it. */
export function formatIssuedToken(issued: DeviceTokenResponse, mqttUrl: string): string {
  const broker = new URL(mqttUrl);
  const port = broker.port || '1883';
  return [
    `Device token for ${issued.siteId} (shown once; only its hash is stored, and any previous token no longer works):`,
    issued.token,
    `Use it as the MQTT password, e.g.: mosquitto_pub -h ${broker.hostname} -p ${port} -u ${issued.siteId} -P '${issued.token}' -t ${topics.telemetry(issued.siteId)} -q 1 -m '{"values":{"battery":12.6}}'`,
    '',
  ].join('\n');
}

async function main(argv: readonly string[]): Promise<void> {
  const program = new Command()
    .name('device:token')
    .description("Issue or rotate a site's device token (its MQTT password) and print it once.")
    .argument('<siteId>', 'site id as listed in seeds/sites.json, e.g. KG-WQ-01')
    .option('--json', 'print {"siteId","token","issuedAt"} as JSON instead of text')
    .showHelpAfterError()
    .action(async (siteId: string, flags: { json?: boolean }) => {
      const config = configFromEnvironment();
      const logger = pino({ level: config.LOG_LEVEL === 'silent' ? 'silent' : 'warn' }, pino.destination(2));
      const { issued } = await issueTokenForSite({ config, siteId, logger });
      process.stdout.write(flags.json ? `${JSON.stringify(issued)}\n` : formatIssuedToken(issued, config.MQTT_URL));
    });
  await program.parseAsync([...argv]);
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  main(process.argv).catch((error: unknown) => {
    process.stderr.write(`device:token: ${error instanceof CliError ? error.message : messageOf(error)}\n`);
    process.exitCode = 1;
  });
}
