import { describe, expect, it } from 'vitest';
import type { Site } from '../../../common/sites.js';
import { SiteCatalog } from '../../../platform/seeds.js';
import { SiteStateCache } from '../../../web/server/live/site-state-cache.js';

const site = (id: string): Site => ({
  id,
  name: id,
  kind: 'water-quality',
  lat: 10,
  lon: 105,
  province: { former: 'Kiên Giang', current: 'An Giang' },
  reportingIntervalSec: 5,
});

const catalog = new SiteCatalog([site('KG-WQ-01'), site('KG-WQ-02')]);

describe('SiteStateCache', () => {
  it('keeps the newest value per metric, whatever order readings arrive in', () => {
    const cache = new SiteStateCache(catalog);
    cache.applyReading('KG-WQ-01', 2_000, { do: 5.1, ph: 7.9 });
    cache.applyReading('KG-WQ-01', 1_000, { do: 3.0, temperature: 29 });
    const state = cache.get('KG-WQ-01');
    expect(state?.latest.get('do')).toEqual({ value: 5.1, ts: 2_000 });
    expect(state?.latest.get('ph')).toEqual({ value: 7.9, ts: 2_000 });
    expect(state?.latest.get('temperature')).toEqual({ value: 29, ts: 1_000 });
    expect(state?.lastSeen).toBe(2_000);
  });

  it('ignores unknown sites and metrics outside the catalog', () => {
    const cache = new SiteStateCache(catalog);
    expect(cache.applyReading('XX-00', 1_000, { do: 5 })).toBe(false);
    expect(cache.get('XX-00')).toBeUndefined();
    cache.applyReading('KG-WQ-01', 1_000, { bogus: 1, do: Number.NaN, ph: 7 });
    expect([...(cache.get('KG-WQ-01')?.latest.keys() ?? [])]).toEqual(['ph']);
  });

  it('returns an empty state for a catalog site never heard from', () => {
    const state = new SiteStateCache(catalog).get('KG-WQ-02');
    expect(state?.latest.size).toBe(0);
    expect(state?.reportedStatus).toBeUndefined();
    expect(state?.lastSeen).toBeUndefined();
  });

  it('applies a status only when it is not older than the known one, but always advances lastSeen', () => {
    const cache = new SiteStateCache(catalog);
    expect(cache.applyStatus({ siteId: 'KG-WQ-01', status: 'online', ts: 5_000 })).toBe(true);
    expect(cache.applyStatus({ siteId: 'KG-WQ-01', status: 'offline', ts: 4_000 })).toBe(false);
    expect(cache.get('KG-WQ-01')?.reportedStatus).toBe('online');
    expect(cache.applyStatus({ siteId: 'KG-WQ-01', status: 'maintenance', ts: 6_000 })).toBe(true);
    expect(cache.get('KG-WQ-01')).toMatchObject({ reportedStatus: 'maintenance', statusTs: 6_000, lastSeen: 6_000 });
    expect(cache.applyStatus({ siteId: 'XX-00', status: 'online', ts: 1 })).toBe(false);
  });

  it('merges a warm-up snapshot without overwriting newer live data', () => {
    const cache = new SiteStateCache(catalog);
    cache.applyReading('KG-WQ-01', 9_000, { do: 6.5 });
    cache.applyStatus({ siteId: 'KG-WQ-01', status: 'online', ts: 9_000 });
    cache.warm(
      [
        { siteId: 'KG-WQ-01', values: { do: { value: 4.0, ts: 8_000 }, ph: { value: 7.5, ts: 8_000 } } },
        { siteId: 'KG-WQ-02', values: { salinity: { value: 1.2, ts: 7_000 } } },
        { siteId: 'GONE-01', values: { do: { value: 1, ts: 1 } } },
      ],
      [
        { siteId: 'KG-WQ-01', status: 'offline', ts: 8_500 },
        { siteId: 'KG-WQ-02', status: 'offline', ts: 7_500 },
      ],
    );
    expect(cache.get('KG-WQ-01')?.latest.get('do')).toEqual({ value: 6.5, ts: 9_000 });
    expect(cache.get('KG-WQ-01')?.latest.get('ph')).toEqual({ value: 7.5, ts: 8_000 });
    expect(cache.get('KG-WQ-01')?.reportedStatus).toBe('online');
    expect(cache.get('KG-WQ-02')).toMatchObject({ reportedStatus: 'offline', lastSeen: 7_500 });
  });
});
