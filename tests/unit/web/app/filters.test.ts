import { describe, expect, it } from 'vitest';
import { DEFAULT_FILTERS, foldText, isFiltering, matchesFilters, searchSites } from '../../../../web/app/src/model/filters.js';

const site = { kind: 'salinity' as const, province: { former: 'Kiên Giang', current: 'An Giang' } };

describe('map filters', () => {
  it('filters by kind, current or former province, status and worst alert', () => {
    expect(matchesFilters(site, 'online', 0, DEFAULT_FILTERS)).toBe(true);
    expect(isFiltering(DEFAULT_FILTERS)).toBe(false);
    expect(matchesFilters(site, 'online', 0, { ...DEFAULT_FILTERS, kinds: new Set(['camera']) })).toBe(false);
    expect(matchesFilters(site, 'online', 0, { ...DEFAULT_FILTERS, province: { by: 'former', name: 'Kiên Giang' } })).toBe(true);
    expect(matchesFilters(site, 'online', 0, { ...DEFAULT_FILTERS, province: { by: 'current', name: 'Kiên Giang' } })).toBe(false);
    expect(matchesFilters(site, 'online', 0, { ...DEFAULT_FILTERS, province: { by: 'current', name: 'An Giang' } })).toBe(true);
    expect(matchesFilters(site, 'stale', 0, { ...DEFAULT_FILTERS, statuses: new Set(['online']) })).toBe(false);
    const criticalOnly = { ...DEFAULT_FILTERS, severityRanks: new Set([4]) };
    expect(matchesFilters(site, 'online', 4, criticalOnly)).toBe(true);
    expect(matchesFilters(site, 'online', 3, criticalOnly)).toBe(false);
    expect(isFiltering(criticalOnly)).toBe(true);
  });

  it('searches ids and names without case or diacritics, best matches first', () => {
    const sites = [
      { id: 'KG-SAL-01', name: 'Cái Lớn–Cái Bé sluices' },
      { id: 'KG-SAL-02', name: 'Xẻo Rô, lower Cái Lớn' },
      { id: 'HG-WQ-01', name: 'Vị Thanh, Xà No canal' },
      { id: 'KG-WQ-01', name: 'Rạch Giá estuary' },
    ];
    const folded = sites.map((s) => foldText(s.name));
    expect(foldText('Đồng Tháp')).toBe('dong thap');
    expect(searchSites(sites, folded, 'cai lon')).toEqual([0, 1]);
    expect(searchSites(sites, folded, 'kg-sal-02')).toEqual([1]);
    expect(searchSites(sites, folded, 'KG-')).toEqual([0, 1, 3]);
    expect(searchSites(sites, folded, 'rach gia')).toEqual([3]);
    expect(searchSites(sites, folded, '  ')).toEqual([]);
    expect(searchSites(sites, folded, 'nothing')).toEqual([]);
  });
});
