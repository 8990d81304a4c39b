/**
 * The deployment's sites: those in seeds/ (applied to the registry at every start, so editing the
 * file updates them) plus those admins register through the API (the simulators' load mode
 * registers thousands). Every process keeps the list in memory for the hot path (ingest checks the
 * site of every message); a process that meets an id it does not know re-reads the registry —
 * at most once per {@link SiteDirectoryOptions.missRefreshMs} — so a site registered through
 * another process is known by the time its device publishes.
 *
 * Admins can disable a site ({@link SiteDirectory.setEnabled}): the broker then refuses its device
 * and ingest rejects its data. In the process that owns the registry (all-in-one, or ingest in
 * split mode) the directory follows the store's change notifications, so a site disabled through
 * the data API by another process (web) is known here before that call returns.
 */
import type { Site } from '../../common/sites.js';
import { AppError } from '../errors.js';
import type { Component } from '../lifecycle.js';
import type { Logger } from '../logger.js';
import type { RegisteredSite, RegistryStore, SiteSource, SitesChange } from '../store/types.js';
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
  private unsubscribe: (() => void) | undefined;
  /** Disabled sites → epoch ms of the disable. Kept apart from `byId` so a registry read that raced a change cannot undo it. */
  private disabled = new Map<string, number>();
  /** Bumped on every enable/disable applied here; a registry read started before a bump keeps `disabled` as it is. */
  private accessVersion = 0;

  constructor(private readonly options: SiteDirectoryOptions) {
    this.clock = options.clock ?? Date.now;
    this.replace(options.seeds.map((site) => ({ site, source: 'seed', createdAt: 0 })));
  }

  async start(): Promise<void> {
    this.unsubscribe ??= this.options.registry.onSitesChanged?.((change) => this.follow(change));
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
    this.unsubscribe?.();
    this.unsubscribe = undefined;
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

  /** True while the site is disabled (see {@link setEnabled}). */
  isDisabled(siteId: string): boolean {
    return this.disabled.has(siteId);
  }

  /** Epoch ms since when the site is disabled, or undefined while it is enabled (or unknown). */
  disabledAt(siteId: string): number | undefined {
    return this.disabled.get(siteId);
  }

  /**
   * Disables or re-enables a site (admin). Disabled: the broker disconnects its device within its
   * access poll (≤ 1 s) and refuses reconnects with CONNACK 5; ingest rejects its messages
   * (`site_disabled`). Its token and data are kept. Fails with `not_found` for an unknown site.
   */
  async setEnabled(siteId: string, enabled: boolean): Promise<RegisteredSite> {
    if (!(await this.resolve(siteId))) throw new AppError('not_found', `Site ${siteId} not found`);
    const now = this.clock();
    await this.options.registry.setSiteEnabled(siteId, enabled, now);
    this.applyAccess(siteId, enabled, now);
    const entry = this.byId.get(siteId);
    if (!entry) throw new AppError('not_found', `Site ${siteId} not found`);
    const disabledAt = this.disabled.get(siteId);
    return disabledAt === undefined ? entry : { ...entry, disabledAt };
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
    if (this.refreshing) return this.refreshing;
    const version = this.accessVersion;
    this.refreshing = this.options.registry
      .listSites()
      .then((entries) => {
        this.replace(entries);
        if (this.accessVersion === version) {
          this.disabled = new Map(entries.flatMap((entry) => (entry.disabledAt === undefined ? [] : [[entry.site.id, entry.disabledAt]])));
        }
      })
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }

  /** Applies a change committed by the store (possibly on behalf of another process). */
  private follow(change: SitesChange): void {
    switch (change.kind) {
      case 'enabled':
      case 'disabled':
        for (const id of change.siteIds) this.applyAccess(id, change.kind === 'enabled', change.at);
        return;
      case 'deleted': {
        const gone = new Set(change.siteIds);
        this.replace([...this.byId.values()].filter((entry) => !gone.has(entry.site.id)));
        return;
      }
      case 'saved':
        // The change names the ids only: read the sites back (concurrent refreshes share one read).
        this.refresh().catch((error: unknown) => this.options.logger.warn({ err: error }, 'could not re-read the site registry'));
        return;
    }
  }

  /** A second disable keeps the first time, as the store does. */
  private applyAccess(siteId: string, enabled: boolean, at: number): void {
    this.accessVersion++;
    if (enabled) this.disabled.delete(siteId);
    else if (!this.disabled.has(siteId)) this.disabled.set(siteId, at);
  }

  private replace(entries: readonly RegisteredSite[]): void {
    this.byId = new Map(entries.map((entry) => [entry.site.id, entry]));
    this.ordered = [...this.byId.values()].map((entry) => entry.site).sort((a, b) => a.id.localeCompare(b.id));
  }
}
