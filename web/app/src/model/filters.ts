/**
 * Map filters and site search. Pure: the site model applies {@link matchesFilters} to every site
 * when a filter changes and to changed sites on each live batch; search ranks sites by id and name,
 * ignoring case and Vietnamese diacritics (`ca lon` finds `Cái Lớn`).
 */
import { SITE_KINDS, type SiteKind, type SiteStatus } from '../../../../common/sites.js';

/** A province choice: by its 2025 name or its pre-merger name. */
export type ProvinceFilter = { readonly by: 'current' | 'former'; readonly name: string } | null;

export interface MapFilters {
  /** Kinds shown (layer toggles). */
  readonly kinds: ReadonlySet<SiteKind>;
  readonly province: ProvinceFilter;
  /** Statuses shown; empty = all. */
  readonly statuses: ReadonlySet<SiteStatus>;
  /** Worst-severity ranks shown (0 = no alert, 1 = warning … 4 = critical); empty = all. */
  readonly severityRanks: ReadonlySet<number>;
}

export const DEFAULT_FILTERS: MapFilters = {
  kinds: new Set(SITE_KINDS),
  province: null,
  statuses: new Set(),
  severityRanks: new Set(),
};

export interface FilterableSite {
  readonly kind: SiteKind;
  readonly province: { readonly former: string; readonly current: string };
}

/** True when a site with this kind, province, displayed status and worst-alert rank passes the filters. */
export function matchesFilters(site: FilterableSite, status: SiteStatus, severityRank: number, filters: MapFilters): boolean {
  if (!filters.kinds.has(site.kind)) return false;
  if (filters.province && site.province[filters.province.by] !== filters.province.name) return false;
  if (filters.statuses.size > 0 && !filters.statuses.has(status)) return false;
  if (filters.severityRanks.size > 0 && !filters.severityRanks.has(severityRank)) return false;
  return true;
}

/** True when any filter narrows the map beyond the defaults. */
export function isFiltering(filters: MapFilters): boolean {
  return filters.kinds.size < SITE_KINDS.length || filters.province !== null || filters.statuses.size > 0 || filters.severityRanks.size > 0;
}

/** Lower-case text without diacritics (đ → d), for matching what operators type. */
export function foldText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .replace(/đ/gi, 'd')
    .toLowerCase();
}

export interface SearchableSite {
  readonly id: string;
  readonly name: string;
}

/**
 * Sites matching `query`, best first: exact id, id prefix, name prefix, then id or name containing
 * every word of the query. At most `limit` results (indices into `sites`).
 */
export function searchSites(sites: readonly SearchableSite[], foldedNames: readonly string[], query: string, limit = 10): number[] {
  const q = foldText(query.trim());
  if (q.length === 0) return [];
  const words = q.split(/\s+/);
  const scored: Array<[number, number]> = [];
  for (let i = 0; i < sites.length; i++) {
    const site = sites[i];
    const name = foldedNames[i];
    if (!site || name === undefined) continue;
    const id = site.id.toLowerCase();
    let score: number;
    if (id === q) score = 0;
    else if (id.startsWith(q)) score = 1;
    else if (name.startsWith(q)) score = 2;
    else if (words.every((word) => id.includes(word) || name.includes(word))) score = 3;
    else continue;
    scored.push([score, i]);
  }
  scored.sort((a, b) => a[0] - b[0] || (sites[a[1]]?.id ?? '').localeCompare(sites[b[1]]?.id ?? ''));
  return scored.slice(0, limit).map(([, index]) => index);
}
