/**
 * The deployment's sites: those in seeds/ (applied to the registry at every start, so editing the
 * file updates them) plus those admins register through the API (the simulators' load mode
 * registers thousands). Every process keeps the list in memory for the hot path (ingest checks the
 * site of every message); a process that meets an id it does not know re-reads the registry —
 * at most once per {@link SiteDirectoryOptions.missRefreshMs} — so a site registered through
 * another process is known by the time its device publishes.
 */
import type { Site } from '../../common/sites.js';
import { AppError } from '../errors.js';
import type { Component } from '../lifecycle.js';
import type { Logger } from '../logger.js';
import type { RegisteredSite, RegistryStore, SiteSource } from '../store/types.js';
import type { SiteLookup } from './site-lookup.js';

export interface SiteDirectoryOptions {
  readonly registry: RegistryStore;
  /** Sites from seeds/; written to the registry at start when `applySeeds` is true. */
  readonly seeds: readonly Site[];
  /** Only the process that owns the registry applies the seeds (all-in-one or ingest). */
  readonly applySeeds: boolean;
  readonly logger: Logger;
  /** Minimum time between two registry reads triggered by unknown ids, ms (default 1000). */
  readonly missRefreshMs?: number;
  /** Epoch ms. */
  readonly clock?: () => number;
}

export class SiteDirectory implements Component, SiteLookup {
  readonly name = 'sites';
  private byId = new Map<string, RegisteredSite>();
  private ordered: readonly Site[] = [];
  private refreshing: Promise<void> | undefined;
  private lastMissRefresh = Number.NEGATIVE_INFINITY;
  private readonly clock: () => number;

  constructor(private readonly options: SiteDirectoryOptions) {
    this.clock = options.clock ?? Date.now;
    this.replace(options.seeds.map((site) => ({ site, source: 'seed', createdAt: 0 })));
  }

  async start(): Promise<void> {
    if (this.options.applySeeds) {
      const now = this.clock();
      await this.options.registry.saveSites(this.options.seeds.map((site) => ({ site, source: 'seed', createdAt: now })));
    }
    try {
      await this.refresh();
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'unavailable')) throw error;
      this.options.logger.warn('registry unavailable; serving the seeded sites until it answers');
    }
  }

  async stop(): Promise<void> {
    await this.refreshing?.catch(() => undefined);
  }

  /** Every site, ordered by id. */
  get sites(): readonly Site[] {
    return this.ordered;
  }

  get(siteId: string): Site | undefined {
    return this.byId.get(siteId)?.site;
  }

  has(siteId: string): boolean {
    return this.byId.has(siteId);
  }

  sourceOf(siteId: string): SiteSource | undefined {
    return this.byId.get(siteId)?.source;
  }

  /**
   * The site, re-reading the registry first when the id is unknown here (rate-limited), so sites
   * registered by another process are found. Resolves undefined when the site does not exist.
   */
  async resolve(siteId: string): Promise<Site | undefined> {
    const known = this.get(siteId);
    if (known) return known;
    const now = this.clock();
    if (now - this.lastMissRefresh >= (this.options.missRefreshMs ?? 1000) || this.refreshing) {
      if (!this.refreshing) this.lastMissRefresh = now;
      await this.refresh().catch((error: unknown) => this.options.logger.warn({ err: error }, 'could not re-read the site registry'));
    }
    return this.get(siteId);
  }

  /** Registers new sites through the admin API; fails with `conflict` when an id already exists. */
  async register(sites: readonly Site[]): Promise<void> {
    const seen = new Set<string>();
    const clashing = new Set<string>();
    for (const site of sites) {
      if (this.has(site.id) || seen.has(site.id)) clashing.add(site.id);
      seen.add(site.id);
    }
    if (clashing.size > 0) {
      const ids = [...clashing];
      throw new AppError('conflict', `site id already registered: ${ids.slice(0, 10).join(', ')}${ids.length > 10 ? ', …' : ''}`);
    }
    const now = this.clock();
    const entries = sites.map((site): RegisteredSite => ({ site, source: 'api', createdAt: now }));
    await this.options.registry.saveSites(entries);
    this.replace([...this.byId.values(), ...entries]);
  }

  /** Removes sites registered through the API; seeded sites are removed by editing seeds/. */
  async remove(siteIds: readonly string[]): Promise<void> {
    const seeded = siteIds.filter((id) => this.sourceOf(id) === 'seed');
    if (seeded.length > 0) throw new AppError('conflict', `seeded sites are removed by editing seeds/sites.json: ${seeded.join(', ')}`);
    await this.options.registry.deleteSites(siteIds);
    const gone = new Set(siteIds);
    this.replace([...this.byId.values()].filter((entry) => !gone.has(entry.site.id)));
  }

  /** Re-reads the registry (concurrent calls share one read). */
  refresh(): Promise<void> {
    this.refreshing ??= this.options.registry
      .listSites()
      .then((entries) => this.replace(entries))
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }

  private replace(entries: readonly RegisteredSite[]): void {
    this.byId = new Map(entries.map((entry) => [entry.site.id, entry]));
    this.ordered = [...this.byId.values()].map((entry) => entry.site).sort((a, b) => a.id.localeCompare(b.id));
  }
}
