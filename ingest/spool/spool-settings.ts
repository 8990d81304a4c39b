/** Ingest's spool settings from the configuration: DATA_DIR/spool, SPOOL_MAX_MB, SPOOL_FSYNC_INTERVAL_MS. */
import path from 'node:path';
import type { Config } from '../../platform/config/config.js';
import type { IngestSpoolSettings } from '../ingest-service.js';

/** Directory of the spool under DATA_DIR. */
export const SPOOL_DIR_NAME = 'spool';

export function spoolSettings(config: Pick<Config, 'dataDir' | 'SPOOL_MAX_MB' | 'SPOOL_FSYNC_INTERVAL_MS'>): IngestSpoolSettings {
  return {
    dir: path.join(config.dataDir, SPOOL_DIR_NAME),
    maxBytes: config.SPOOL_MAX_MB * 1024 * 1024,
    fsyncIntervalMs: config.SPOOL_FSYNC_INTERVAL_MS,
  };
}
