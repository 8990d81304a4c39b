/**
 * Side panel: every site grouped by province (2025 name, with the former province), with its
 * status and headline value; a filter box; choosing a site opens its popup on the map.
 */
import { useMemo, useState } from 'react';
import type { SiteSummary } from '../../../../common/api.js';
import type { MetricId } from '../../../../common/metrics.js';
import type { SiteKind, SiteStatus } from '../../../../common/sites.js';
import { describeMetric, formatAgo } from '../format.js';
import { STATUS_LABEL, TEXT } from '../text.js';
import { markerSvg } from './marker-icons.js';

/** The value worth a glance for each kind; cameras (and sites without it) show how long ago they reported. */
const HEADLINE: Readonly<Record<SiteKind, MetricId | undefined>> = {
  'water-quality': 'do',
  salinity: 'salinity',
  camera: undefined,
};

function headline(site: SiteSummary, nowMs: number): string {
  const metric = HEADLINE[site.kind];
  const latest = metric ? site.latest[metric] : undefined;
  if (metric && latest) {
    const shown = describeMetric(metric, latest.value, latest.unit);
    return `${shown.value} ${shown.unit}`.trim();
  }
  return site.lastSeen === null ? '—' : formatAgo(site.lastSeen, nowMs);
}

const normalise = (text: string) =>
  text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .replace(/đ/gi, 'd')
    .toLowerCase();

export interface SiteListProps {
  readonly sites: readonly SiteSummary[];
  readonly statuses: ReadonlyMap<string, SiteStatus>;
  readonly now: number;
  readonly onSelect: (siteId: string) => void;
}

export function SiteList({ sites, statuses, now, onSelect }: SiteListProps) {
  const [filter, setFilter] = useState('');
  const groups = useMemo(() => {
    const needle = normalise(filter.trim());
    const byProvince = new Map<string, SiteSummary[]>();
    for (const site of sites) {
      const haystack = normalise(`${site.id} ${site.name} ${site.province.current} ${site.province.former}`);
      if (needle && !haystack.includes(needle)) continue;
      const key = `${site.province.current}|${site.province.former}`;
      const group = byProvince.get(key);
      if (group) group.push(site);
      else byProvince.set(key, [site]);
    }
    return [...byProvince.entries()].map(([key, members]) => {
      const [current = '', former = ''] = key.split('|');
      return { key, current, former, members };
    });
  }, [sites, filter]);

  return (
    <aside className="site-list" aria-label={TEXT.siteList}>
      <div className="site-list-head">
        <h2>
          {TEXT.siteList} <span className="muted">({sites.length})</span>
        </h2>
        <input
          type="search"
          value={filter}
          onChange={(event) => setFilter(event.target.value)}
          placeholder={TEXT.filterPlaceholder}
          aria-label={TEXT.filterPlaceholder}
        />
      </div>
      <div className="site-list-body">
        {groups.length === 0 && <p className="muted site-list-empty">{TEXT.noMatch}</p>}
        {groups.map((group) => (
          <section key={group.key} className="site-group">
            <h3>
              {group.current}
              {group.former !== group.current && <span className="muted"> · {group.former} cũ</span>}
            </h3>
            <ul>
              {group.members.map((site) => {
                const status = statuses.get(site.id) ?? 'unknown';
                return (
                  <li key={site.id}>
                    <button type="button" className="site-row" onClick={() => onSelect(site.id)} title={STATUS_LABEL[status]}>
                      {/* biome-ignore lint/security/noDangerouslySetInnerHtml: static SVG built from enums */}
                      <span className="site-row-icon" dangerouslySetInnerHTML={{ __html: markerSvg(site.kind, status, 16) }} />
                      <span className="site-row-id">{site.id}</span>
                      <span className="site-row-name">{site.name}</span>
                      <span className="site-row-value">{headline(site, now)}</span>
                    </button>
                  </li>
                );
              })}
            </ul>
          </section>
        ))}
      </div>
    </aside>
  );
}
