/**
 * The embedded store: telemetry and registry in one DuckDB file (the platform uses
 * `DATA_DIR/mekong-ioc.duckdb`, see ../embedded-location.ts), owned by exactly one process — ingest in split mode, the
 * all-in-one process otherwise. Other processes reach it through the internal data API
 * (platform/store/remote/).
 */
import type { Logger } from '../../logger.js';
import type { Registry } from '../../observability.js';
import type { DataStores } from '../types.js';
import { DuckDbDatabase } from './duckdb-database.js';
import { DuckDbRegistryStore } from './duckdb-registry-store.js';
import { DuckDbTelemetryStore } from './duckdb-telemetry-store.js';
import { migrate } from './migrations.js';
import { createStoreMetrics } from './store-metrics.js';

export interface DuckDbDataStoresOptions {
  /** Path of the database file; its directory is created on start. */
  readonly file: string;
  readonly logger: Logger;
  /** Registry for `ioc_store_*` metrics. */
  readonly metrics: Registry;
  /** Clock for session expiry, epoch ms; default `Date.now`. */
  readonly now?: () => number;
}

/**
 * The embedded {@link DataStores} component: `start()` opens (or creates) the file and migrates it,
 * `stop()` lets queued operations finish and closes it. Safe for any number of concurrent callers.
 */
export class DuckDbDataStores implements DataStores {
  readonly name = 'store';
  readonly telemetry: DuckDbTelemetryStore;
  readonly registry: DuckDbRegistryStore;
  /** The open file, shared with feature stores that keep their tables in it (alerts, notifications). */
  readonly database: DuckDbDatabase;
  private readonly logger: Logger;
  private readonly now: () => number;

  constructor(options: DuckDbDataStoresOptions) {
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    const metrics = createStoreMetrics(options.metrics);
    this.database = new DuckDbDatabase(options.file, metrics, this.logger);
    this.telemetry = new DuckDbTelemetryStore(this.database, metrics);
    this.registry = new DuckDbRegistryStore(this.database, this.now);
  }

  /** Absolute path of the database file. */
  get file(): string {
    return this.database.path;
  }

  /** Opens the file (creating it and its directory), applies schema migrations and warms caches. */
  async start(): Promise<void> {
    const startedAt = performance.now();
    let applied: number[] = [];
    await this.database.open(async (session) => {
      applied = await migrate(session, this.now());
      await this.telemetry.initialise(session);
      await this.registry.initialise(session);
    });
    this.logger.info(
      { file: this.database.path, migrationsApplied: applied, ms: Math.round(performance.now() - startedAt) },
      'embedded store open',
    );
  }

  /** Lets queued operations finish, checkpoints and closes the file. Idempotent. */
  async stop(): Promise<void> {
    const wasOpen = this.database.isOpen;
    await this.database.close();
    if (wasOpen) this.logger.info({ file: this.database.path }, 'embedded store closed');
  }
}
