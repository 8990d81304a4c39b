/**
 * The stores a data-owning process (all-in-one or ingest) opens for its configuration: STORE=embedded
 * keeps everything in DuckDB under DATA_DIR; STORE=influx puts readings on the InfluxDB-compatible
 * server and keeps the rest in DuckDB (docs/storage.md).
 */
import type { Config } from '../config/config.js';
import type { Logger } from '../logger.js';
import type { Registry } from '../observability.js';
import type { SiteLookup } from '../sites/site-lookup.js';
import { DuckDbDataStores } from './duckdb/duckdb-data-stores.js';
import { embeddedDatabasePath } from './embedded-location.js';
import { InfluxDataStores } from './influx/influx-data-stores.js';
import type { SiteTags } from './influx/influx-schema.js';

export interface SelectDataStoresOptions {
  readonly config: Pick<Config, 'STORE' | 'INFLUX_URL' | 'INFLUX_TOKEN' | 'INFLUX_ORG' | 'INFLUX_BUCKET' | 'dataDir'>;
  /** The deployment's sites, read when readings are tagged (may be created after the stores). */
  readonly sites: () => Pick<SiteLookup, 'get'>;
  readonly logger: Logger;
  readonly metrics: Registry;
}

/** The configured stores, not started. */
export function selectDataStores(options: SelectDataStoresOptions): DuckDbDataStores | InfluxDataStores {
  const { config, logger, metrics } = options;
  const file = embeddedDatabasePath(config.dataDir);
  if (config.STORE === 'embedded') return new DuckDbDataStores({ file, logger, metrics });
  if (config.INFLUX_URL === undefined) throw new Error('STORE=influx needs INFLUX_URL (checked by loadConfig)');
  return new InfluxDataStores({
    influx: { url: config.INFLUX_URL, token: config.INFLUX_TOKEN, org: config.INFLUX_ORG, bucket: config.INFLUX_BUCKET },
    file,
    siteTags: (siteId) => siteTagsOf(options.sites(), siteId),
    logger,
    metrics,
  });
}

/** Kind and current province of a registered site, as tagged on its readings. */
export function siteTagsOf(sites: Pick<SiteLookup, 'get'>, siteId: string): SiteTags | undefined {
  const site = sites.get(siteId);
  return site ? { kind: site.kind, province: site.province.current } : undefined;
}
