/** Read access to the deployment's sites, as the hot paths (ingest routing, web summaries) need it. */
import type { Site } from '../../common/sites.js';

export interface SiteLookup {
  /** Every site, ordered by id. */
  readonly sites: readonly Site[];
  get(siteId: string): Site | undefined;
  has(siteId: string): boolean;
  /** Like {@link get}, but may consult the registry for a site registered by another process. */
  resolve(siteId: string): Promise<Site | undefined>;
  /**
   * True while an admin has disabled the site: its device is refused and ingest rejects its data
   * (`site_disabled`). Optional: lookups without enablement (a seed catalog) treat every site as enabled.
   */
  isDisabled?(siteId: string): boolean;
}
