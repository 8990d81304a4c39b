/** The notifier as a service's main wires it: channels, escalation and retries from the configuration. */
import type { Config } from '../../platform/config/config.js';
import type { Logger } from '../../platform/logger.js';
import type { Registry } from '../../platform/observability.js';
import type { SiteLookup } from '../../platform/sites/site-lookup.js';
import type { DuckDbDatabase } from '../../platform/store/duckdb/duckdb-database.js';
import type { AlertChangeSource } from './alert-change-source.js';
import { channelsFromConfig, escalationFromConfig, retryPolicyFromConfig } from './channels-from-config.js';
import { Notifier } from './notifier.js';

export interface NotifierFromConfigOptions {
  /** Uses PUBLIC_URL, SMTP_*, NOTIFY_*. */
  readonly config: Config;
  readonly database: DuckDbDatabase;
  readonly sites: SiteLookup;
  readonly logger: Logger;
  readonly metrics: Registry;
  /** The alert engine, when it exists at construction; else {@link Notifier.attach} it later. */
  readonly source?: AlertChangeSource;
}

export function createNotifier(options: NotifierFromConfigOptions): Notifier {
  const { config } = options;
  return new Notifier({
    database: options.database,
    sites: options.sites,
    ...(options.source ? { source: options.source } : {}),
    channels: channelsFromConfig(config, Date.now),
    publicUrl: config.PUBLIC_URL,
    escalation: escalationFromConfig(config),
    retry: retryPolicyFromConfig(config),
    logger: options.logger,
    metrics: options.metrics,
  });
}
