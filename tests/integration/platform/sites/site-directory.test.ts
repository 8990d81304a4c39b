/**
 * The site directory on a real DuckDB registry: seeds are applied, admins register and remove
 * sites, and a second directory over the same registry (another process) finds a site registered
 * through the first when it meets its id.
 */
import path from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Site } from '../../../../common/sites.js';
import { silentLogger } from '../../../../platform/logger.js';
import { loadSiteSeeds } from '../../../../platform/seeds.js';
import { SiteDirectory } from '../../../../platform/sites/site-directory.js';
import { DuckDbDataStores } from '../../../../platform/store/duckdb/duckdb-data-stores.js';
import type { RegistryStore } from '../../../../platform/store/types.js';
import { makeTempDir } from '../../../support/test-config.js';

const temp = makeTempDir();
let stores: DuckDbDataStores;
let seeds: Site[];
let now = 1_000_000;

const loadSite = (id: string): Site => ({
  id,
  name: `Load site ${id}`,
  kind: 'salinity',
  lat: 9.9,
  lon: 105.1,
  province: { former: 'Kiên Giang', current: 'An Giang' },
  reportingIntervalSec: 60,
});

const directory = (applySeeds: boolean) =>
  new SiteDirectory({ registry: stores.registry, seeds, applySeeds, logger: silentLogger(), missRefreshMs: 1000, clock: () => now });

/**
 * A directory in a process that reaches the registry through the data API: it hears of no change
 * (only the store's own process gets `onSitesChanged`), so it relies on re-reading when it meets an id.
 */
const remoteDirectory = () =>
  new SiteDirectory({
    registry: Object.create(stores.registry, { onSitesChanged: { value: undefined } }) as RegistryStore,
    seeds,
    applySeeds: false,
    logger: silentLogger(),
    missRefreshMs: 1000,
    clock: () => now,
  });

beforeAll(async () => {
  stores = new DuckDbDataStores({ file: path.join(temp.dir, 'sites.duckdb'), logger: silentLogger(), metrics: new Registry() });
  await stores.start();
  seeds = await loadSiteSeeds(path.resolve('seeds'));
});

afterAll(async () => {
  await stores.stop();
  temp.cleanup();
});

describe('SiteDirectory', () => {
  it('applies the seeds to the registry at start', async () => {
    const owner = directory(true);
    await owner.start();
    expect(owner.sites).toHaveLength(seeds.length);
    expect((await stores.registry.listSites()).every((entry) => entry.source === 'seed')).toBe(true);
  });

  it('registers sites, refuses taken or repeated ids without registering anything, and removes API sites', async () => {
    const owner = directory(true);
    await owner.start();
    await owner.register([loadSite('LOAD-00001'), loadSite('LOAD-00002')]);
    expect(owner.get('LOAD-00001')?.name).toBe('Load site LOAD-00001');
    await expect(owner.register([loadSite('LOAD-00003'), loadSite('KG-WQ-01')])).rejects.toMatchObject({ code: 'conflict' });
    await expect(owner.register([loadSite('LOAD-00004'), loadSite('LOAD-00004')])).rejects.toMatchObject({ code: 'conflict' });
    expect(owner.has('LOAD-00003')).toBe(false);
    await expect(owner.remove(['KG-WQ-01'])).rejects.toMatchObject({ code: 'conflict' });
    await owner.remove(['LOAD-00002']);
    expect(owner.has('LOAD-00002')).toBe(false);
    expect((await stores.registry.listSites()).map((entry) => entry.site.id)).toContain('LOAD-00001');
    expect((await stores.registry.listSites()).map((entry) => entry.site.id)).not.toContain('LOAD-00002');
  });

  it('finds a site registered by another process when it meets the id, re-reading at most once a second', async () => {
    const web = directory(false);
    const ingest = remoteDirectory();
    await Promise.all([web.start(), ingest.start()]);
    await web.register([loadSite('LOAD-00010')]);
    expect(ingest.has('LOAD-00010')).toBe(false);
    expect((await ingest.resolve('LOAD-00010'))?.id).toBe('LOAD-00010');

    await web.register([loadSite('LOAD-00011')]);
    expect(await ingest.resolve('NO-SUCH-SITE')).toBeUndefined();
    expect(await ingest.resolve('LOAD-00011')).toBeUndefined();
    now += 1000;
    expect((await ingest.resolve('LOAD-00011'))?.id).toBe('LOAD-00011');
  });

  it('follows changes committed by its own store at once, whoever asked for them', async () => {
    const owner = directory(false);
    const other = directory(false);
    await Promise.all([owner.start(), other.start()]);
    await other.register([loadSite('LOAD-00020')]);
    await owner.refresh(); // the change notification re-reads in the background; wait for it here
    expect(owner.has('LOAD-00020')).toBe(true);
    await other.setEnabled('LOAD-00020', false);
    expect(owner.isDisabled('LOAD-00020')).toBe(true);
    await other.remove(['LOAD-00020']);
    expect(owner.has('LOAD-00020')).toBe(false);
    await Promise.all([owner.stop(), other.stop()]);
  });

  it('keeps seeds authoritative: a restart re-applies an edited seed', async () => {
    const edited = seeds.map((site) => (site.id === 'KG-WQ-01' ? { ...site, name: 'Rạch Giá estuary (moved)' } : site));
    const owner = new SiteDirectory({ registry: stores.registry, seeds: edited, applySeeds: true, logger: silentLogger() });
    await owner.start();
    expect(owner.get('KG-WQ-01')?.name).toBe('Rạch Giá estuary (moved)');
    expect(owner.has('LOAD-00001')).toBe(true);
  });
});
