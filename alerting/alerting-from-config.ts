/**
 * The alert engine as a service's main wires it (platform/platform.ts, ingest/main.ts): its tables
 * in the embedded database, facts warmed from the stores, changes published over MQTT as ingest.
 */
import type { Logger } from '../platform/logger.js';
import type { Registry } from '../platform/observability.js';
import type { SiteLookup } from '../platform/sites/site-lookup.js';
import type { DuckDbDatabase } from '../platform/store/duckdb/duckdb-database.js';
import type { DataStores } from '../platform/store/types.js';
import { AlertEngine } from './alert-engine.js';
import type { RuleSeeds } from './rules/rule-seeds.js';
import { DuckDbAlertStore } from './store/duckdb-alert-store.js';

export interface AlertEngineFromConfigOptions {
  /** The embedded database (alert tables of migration 3), opened by the stores component. */
  readonly database: DuckDbDatabase;
  /** Latest values and statuses warm-start the engine's view of each site. */
  readonly stores: Pick<DataStores, 'telemetry' | 'registry'>;
  readonly sites: Pick<SiteLookup, 'get'>;
  /** Validated rule seeds (loadRuleSeeds). */
  readonly seeds: RuleSeeds;
  /** Broker URL, read at start. */
  readonly mqttUrl: () => string;
  /** Password of `svc:ingest`, as which changes are published on `alerts/{siteId}`. */
  readonly serviceToken: string;
  readonly logger: Logger;
  readonly metrics: Registry;
}

export function createAlertEngine(options: AlertEngineFromConfigOptions): AlertEngine {
  const { stores } = options;
  return new AlertEngine({
    store: new DuckDbAlertStore(options.database),
    sites: options.sites,
    seeds: options.seeds,
    facts: { latestValues: () => stores.telemetry.latestValues(), listSiteStatuses: () => stores.registry.listSiteStatuses() },
    mqtt: { url: options.mqttUrl, serviceToken: options.serviceToken },
    logger: options.logger,
    metrics: options.metrics,
  });
}
