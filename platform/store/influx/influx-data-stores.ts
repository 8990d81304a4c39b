/**
 * The stores of STORE=influx: readings on the InfluxDB-compatible server, everything else — the
 * registry (users, sessions, sites, device credentials, statuses, dead letters, and what later
 * features add there) and device events — in the embedded DuckDB file under DATA_DIR, owned by
 * the same process as in embedded mode (docs/storage.md says why).
 *
 * An unreachable InfluxDB never stops the start: one clear log line, `telemetryHealth()` reports
 * `down` (health turns `degraded`) and ingest keeps accepting readings into its spool, which it
 * writes once the server answers. While the server is down it is pinged every `probeIntervalMs`,
 * so health recovers even when no readings arrive.
 */
import type { Health } from '../../../common/api.js';
import type { Logger } from '../../logger.js';
import type { Registry } from '../../observability.js';
import { DuckDbDataStores } from '../duckdb/duckdb-data-stores.js';
import { createStoreMetrics } from '../duckdb/store-metrics.js';
import type { DataStores, RegistryStore } from '../types.js';
import { InfluxConnection, type InfluxSettings } from './influx-connection.js';
import type { SiteTags } from './influx-schema.js';
import { InfluxTelemetryStore } from './influx-telemetry-store.js';

export interface InfluxDataStoresOptions {
  readonly influx: InfluxSettings;
  /** Path of the embedded database file (registry and events). */
  readonly file: string;
  /** Descriptive tags of a site by id (undefined: not registered). Called for every reading written. */
  readonly siteTags: (siteId: string) => SiteTags | undefined;
  readonly logger: Logger;
  readonly metrics: Registry;
  /** Clock for session expiry, epoch ms; default `Date.now`. */
  readonly now?: () => number;
  /** Time between pings while InfluxDB is down, ms; default 10,000. */
  readonly probeIntervalMs?: number;
}

export class InfluxDataStores implements DataStores {
  readonly name = 'store';
  readonly telemetry: InfluxTelemetryStore;
  readonly registry: RegistryStore;
  /** The embedded database holding the registry and events. */
  readonly embedded: DuckDbDataStores;
  readonly connection: InfluxConnection;
  private probeTimer: NodeJS.Timeout | undefined;
  private readonly log: Logger;

  constructor(private readonly options: InfluxDataStoresOptions) {
    this.log = options.logger;
    this.embedded = new DuckDbDataStores({ file: options.file, logger: options.logger, metrics: options.metrics, now: options.now });
    this.connection = new InfluxConnection(options.influx, options.logger);
    this.telemetry = new InfluxTelemetryStore({
      connection: this.connection,
      events: this.embedded.telemetry,
      siteTags: options.siteTags,
      metrics: createStoreMetrics(options.metrics),
    });
    this.registry = this.embedded.registry;
  }

  /** `ok` while InfluxDB answers; `down` with the reason while it does not. */
  telemetryHealth(): Health['components'][string] {
    return this.connection.health();
  }

  /** Opens the embedded database (throws when it cannot) and checks InfluxDB (never throws for it). */
  async start(): Promise<void> {
    await this.embedded.start();
    const target = { influx: this.connection.url, bucket: this.options.influx.bucket, org: this.options.influx.org };
    try {
      await this.connection.ping();
      this.log.info(target, 'InfluxDB store ready');
    } catch (error) {
      this.log.error(
        { ...target, problem: error instanceof Error ? error.message : String(error) },
        'InfluxDB is unreachable at startup; health is degraded and ingest keeps accepting readings into its spool until it answers',
      );
    }
    this.probeTimer = setInterval(() => {
      if (this.connection.health().status !== 'ok') this.connection.ping().catch(() => undefined);
    }, this.options.probeIntervalMs ?? 10_000);
  }

  async stop(): Promise<void> {
    clearInterval(this.probeTimer);
    this.probeTimer = undefined;
    await this.embedded.stop();
  }
}
