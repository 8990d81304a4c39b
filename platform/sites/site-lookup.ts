/** Read access to the deployment's sites, as the hot paths (ingest routing, web summaries) need it. */
import type { Site } from '../../common/sites.js';

export interface SiteLookup {
  /** Every site, ordered by id. */
  readonly sites: readonly Site[];
  get(siteId: string): Site | undefined;
  has(siteId: string): boolean;
  /** Like {@link get}, but may consult the registry for a site registered by another process. */
  resolve(siteId: string): Promise<Site | undefined>;
}
