/**
 * Site enablement in the SiteDirectory: an admin's disable is visible at once, a change committed by
 * the store on behalf of another process is followed, and a registry read that raced a change
 * cannot undo it.
 */
import { describe, expect, it } from 'vitest';
import type { Site } from '../../../common/sites.js';
import { silentLogger } from '../../../platform/logger.js';
import { SiteDirectory } from '../../../platform/sites/site-directory.js';
import type { RegisteredSite, RegistryStore, SitesChange } from '../../../platform/store/types.js';

const site = (id: string): Site => ({
  id,
  name: id,
  kind: 'salinity',
  lat: 10,
  lon: 105,
  province: { former: 'Kiên Giang', current: 'An Giang' },
  reportingIntervalSec: 60,
});

/** A registry whose `listSites` answers only when told to, and that reports changes like the DuckDB store. */
class ControlledRegistry {
  sites: RegisteredSite[] = [{ site: site('KG-SAL-01'), source: 'seed', createdAt: 1 }];
  private readonly listeners = new Set<(change: SitesChange) => void>();
  private pending: (() => void)[] = [];
  hold = false;

  listSites(): Promise<RegisteredSite[]> {
    const snapshot = this.sites.map((entry) => ({ ...entry }));
    if (!this.hold) return Promise.resolve(snapshot);
    return new Promise((resolve) => this.pending.push(() => resolve(snapshot)));
  }

  release(): void {
    for (const answer of this.pending.splice(0)) answer();
  }

  async setSiteEnabled(siteId: string, enabled: boolean, atMs: number): Promise<void> {
    this.sites = this.sites.map((entry) => {
      if (entry.site.id !== siteId) return entry;
      const { disabledAt: _old, ...rest } = entry;
      return enabled ? rest : { ...rest, disabledAt: entry.disabledAt ?? atMs };
    });
    for (const listener of this.listeners) listener({ kind: enabled ? 'enabled' : 'disabled', siteIds: [siteId], at: atMs });
  }

  onSitesChanged = (listener: (change: SitesChange) => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  async saveSites(): Promise<void> {}
}

function directoryOver(registry: ControlledRegistry, clock = () => 5_000): SiteDirectory {
  return new SiteDirectory({
    registry: registry as unknown as RegistryStore,
    seeds: [site('KG-SAL-01')],
    applySeeds: false,
    logger: silentLogger(),
    clock,
  });
}

describe('SiteDirectory enablement', () => {
  it('disables and enables a site, keeping the first disable time', async () => {
    const registry = new ControlledRegistry();
    let now = 5_000;
    const sites = directoryOver(registry, () => now);
    await sites.start();
    expect((await sites.setEnabled('KG-SAL-01', false)).disabledAt).toBe(5_000);
    now = 9_000;
    expect((await sites.setEnabled('KG-SAL-01', false)).disabledAt).toBe(5_000);
    expect(sites.isDisabled('KG-SAL-01')).toBe(true);
    expect((await sites.setEnabled('KG-SAL-01', true)).disabledAt).toBeUndefined();
    expect(sites.isDisabled('KG-SAL-01')).toBe(false);
    await expect(sites.setEnabled('NO-SUCH', false)).rejects.toMatchObject({ code: 'not_found' });
    await sites.stop();
  });

  it('follows changes the store commits for another process, until stopped', async () => {
    const registry = new ControlledRegistry();
    const sites = directoryOver(registry);
    await sites.start();
    await registry.setSiteEnabled('KG-SAL-01', false, 7_000);
    expect(sites.disabledAt('KG-SAL-01')).toBe(7_000);
    await sites.stop();
    await registry.setSiteEnabled('KG-SAL-01', true, 8_000);
    expect(sites.isDisabled('KG-SAL-01')).toBe(true);
  });

  it('does not let a registry read that started before a disable undo it', async () => {
    const registry = new ControlledRegistry();
    const sites = directoryOver(registry);
    await sites.start();
    registry.hold = true;
    const staleRead = sites.refresh(); // reads the registry before the disable
    await registry.setSiteEnabled('KG-SAL-01', false, 7_000);
    registry.release();
    await staleRead;
    expect(sites.isDisabled('KG-SAL-01')).toBe(true);
    registry.hold = false;
    await sites.refresh(); // a fresh read agrees
    expect(sites.isDisabled('KG-SAL-01')).toBe(true);
    await sites.stop();
  });
});
