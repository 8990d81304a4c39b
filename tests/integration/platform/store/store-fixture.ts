/** Real DuckDB stores on a file in a fresh temp directory, for the store tests. */
import path from 'node:path';
import { Registry } from 'prom-client';
import { silentLogger } from '../../../../platform/logger.js';
import { DuckDbDataStores } from '../../../../platform/store/duckdb/duckdb-data-stores.js';
import { makeTempDir } from '../../../support/test-config.js';

export class StoreFixture {
  readonly metrics = new Registry();
  /** Current time of the stores' clock (session expiry), epoch ms; tests may move it. */
  now = Date.UTC(2025, 2, 1);
  stores: DuckDbDataStores;
  private readonly temp = makeTempDir('mekong-ioc-store-');
  /** In a directory that does not exist yet: start() must create it. */
  readonly file = path.join(this.temp.dir, 'nested', 'dir', 'store.duckdb');

  private constructor() {
    this.stores = this.create();
  }

  static async open(): Promise<StoreFixture> {
    const fixture = new StoreFixture();
    await fixture.stores.start();
    return fixture;
  }

  get dir(): string {
    return this.temp.dir;
  }

  /** A new, unstarted store instance on the same file and clock. */
  create(): DuckDbDataStores {
    return new DuckDbDataStores({ file: this.file, logger: silentLogger(), metrics: this.metrics, now: () => this.now });
  }

  /** Stops the stores and starts a new instance on the same file. */
  async reopen(): Promise<DuckDbDataStores> {
    await this.stores.stop();
    this.stores = this.create();
    await this.stores.start();
    return this.stores;
  }

  /** Stops the stores and removes the directory. */
  async cleanup(): Promise<void> {
    await this.stores.stop();
    this.temp.cleanup();
  }
}
