/** Where the embedded database lives, so the platform, ingest and the CLIs open the same file. */
import path from 'node:path';

/** File name of the embedded DuckDB database under DATA_DIR. */
export const EMBEDDED_DATABASE_FILE = 'mekong-ioc.duckdb';

/** Absolute path of the embedded database for a DATA_DIR. */
export function embeddedDatabasePath(dataDir: string): string {
  return path.join(dataDir, EMBEDDED_DATABASE_FILE);
}
