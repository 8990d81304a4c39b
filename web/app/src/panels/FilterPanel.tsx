/**
 * The left panel: search, layer toggles per kind, province (2025 or former name), status and
 * worst-alert filters, and the list of filtered sites in view (virtualised: only the rows on
 * screen exist, so 20,000 sites cost nothing). Every control is a native input or button, so the
 * panel is fully keyboard-usable.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { ALERT_SEVERITIES } from '../../../../common/alerts.js';
import { SITE_KINDS, type SiteStatus } from '../../../../common/sites.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { SiteIcon } from '../map/SiteIcon.js';
import { NEUTRAL_FILL, SEVERITY_BY_RANK, SEVERITY_COLOR, STATUS_COLOR } from '../model/colors.js';
import { DEFAULT_FILTERS, isFiltering, type MapFilters } from '../model/filters.js';
import { type SiteModel, STATUS_CODES } from '../model/site-model.js';
import { SearchBox } from './SearchBox.js';

const STATUSES: readonly SiteStatus[] = ['online', 'stale', 'offline', 'maintenance', 'unknown'];
const ROW_PX = 44;
const OVERSCAN = 6;

export interface FilterPanelProps {
  readonly model: SiteModel;
  readonly version: number;
  readonly filters: MapFilters;
  readonly onFilters: (filters: MapFilters) => void;
  readonly inView: readonly number[];
  readonly selectedId: string | null;
  readonly onJump: (siteId: string) => void;
}

function toggled<T>(set: ReadonlySet<T>, value: T): Set<T> {
  const next = new Set(set);
  if (next.has(value)) next.delete(value);
  else next.add(value);
  return next;
}

export function FilterPanel({ model, version, filters, onFilters, inView, selectedId, onJump }: FilterPanelProps) {
  const { t, fmt, kindLabel, statusLabel, severityLabel } = useI18n();
  // biome-ignore lint/correctness/useExhaustiveDependencies: recomputed when the site list changes
  const provinces = useMemo(() => {
    const current = new Set<string>();
    const former = new Set<string>();
    for (const site of model.sites) {
      current.add(site.province.current);
      if (site.province.former !== site.province.current) former.add(site.province.former);
    }
    const sort = (set: Set<string>) => [...set].sort((a, b) => a.localeCompare(b, 'vi'));
    return { current: sort(current), former: sort(former) };
  }, [model, model.structureVersion]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: version signals new data
  const kindCounts = useMemo(() => model.kindCounts(), [model, model.structureVersion]);
  const provinceValue = filters.province ? `${filters.province.by}:${filters.province.name}` : '';

  return (
    <aside className="side-panel filter-panel" aria-label={t('filters')}>
      <SearchBox model={model} structureVersion={model.structureVersion} onJump={onJump} />
      <fieldset className="filter-group">
        <legend>{t('layers')}</legend>
        {SITE_KINDS.map((kind) => (
          <label key={kind} className="layer-toggle">
            <input
              type="checkbox"
              checked={filters.kinds.has(kind)}
              onChange={() => onFilters({ ...filters, kinds: toggled(filters.kinds, kind) })}
              data-kind={kind}
            />
            <SiteIcon kind={kind} fill={NEUTRAL_FILL} />
            <span>{kindLabel[kind]}</span>
            <span className="count">{fmt.count(kindCounts[kind])}</span>
          </label>
        ))}
      </fieldset>
      <div className="filter-group">
        <label htmlFor="filter-province" className="filter-label">
          {t('province')}
        </label>
        <select
          id="filter-province"
          value={provinceValue}
          onChange={(event) => {
            const [by, ...rest] = event.target.value.split(':');
            onFilters({ ...filters, province: by === 'current' || by === 'former' ? { by, name: rest.join(':') } : null });
          }}
        >
          <option value="">{t('allProvinces')}</option>
          <optgroup label={t('province')}>
            {provinces.current.map((name) => (
              <option key={name} value={`current:${name}`}>
                {name}
              </option>
            ))}
          </optgroup>
          <optgroup label={t('formerProvince')}>
            {provinces.former.map((name) => (
              <option key={name} value={`former:${name}`}>
                {name} {t('formerSuffix')}
              </option>
            ))}
          </optgroup>
        </select>
      </div>
      <fieldset className="filter-group">
        <legend>{t('status')}</legend>
        <div className="chips">
          {STATUSES.map((status) => (
            <button
              key={status}
              type="button"
              className="chip"
              aria-pressed={filters.statuses.has(status)}
              data-status={status}
              onClick={() => onFilters({ ...filters, statuses: toggled(filters.statuses, status) })}
            >
              <span className="chip-dot" style={{ background: STATUS_COLOR[status] }} />
              {statusLabel[status]}
            </button>
          ))}
        </div>
      </fieldset>
      <fieldset className="filter-group">
        <legend>{t('severity')}</legend>
        <div className="chips">
          {ALERT_SEVERITIES.map((severity, position) => {
            const rank = ALERT_SEVERITIES.length - position;
            return (
              <button
                key={severity}
                type="button"
                className="chip"
                aria-pressed={filters.severityRanks.has(rank)}
                data-severity={severity}
                onClick={() => onFilters({ ...filters, severityRanks: toggled(filters.severityRanks, rank) })}
              >
                <span className="chip-dot ring" style={{ borderColor: SEVERITY_COLOR[severity] }} />
                {severityLabel[severity]}
              </button>
            );
          })}
        </div>
      </fieldset>
      {isFiltering(filters) && (
        <button type="button" className="link-button" onClick={() => onFilters(DEFAULT_FILTERS)}>
          {t('clearFilters')}
        </button>
      )}
      <SitesInView model={model} version={version} inView={inView} selectedId={selectedId} onJump={onJump} />
    </aside>
  );
}

function SitesInView({
  model,
  version,
  inView,
  selectedId,
  onJump,
}: {
  model: SiteModel;
  version: number;
  inView: readonly number[];
  selectedId: string | null;
  onJump: (siteId: string) => void;
}) {
  const { t, fmt, statusLabel } = useI18n();
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(400);
  const box = useRef<HTMLDivElement>(null);
  const visual = model.visual;
  // biome-ignore lint/correctness/useExhaustiveDependencies: version signals values changed in place
  const sorted = useMemo(
    // Sites are indexed in id order, so the index breaks ties; numbers only (localeCompare is far too slow for 20,000).
    () => [...inView].sort((a, b) => (visual.severity[b] ?? 0) - (visual.severity[a] ?? 0) || a - b),
    [inView, visual, version],
  );
  // The list's height, measured on resize only (reading it on every render would force a layout).
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setHeight(element.clientHeight || 400));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  const first = Math.max(0, Math.floor(scrollTop / ROW_PX) - OVERSCAN);
  const last = Math.min(sorted.length, Math.ceil((scrollTop + height) / ROW_PX) + OVERSCAN);
  return (
    <section className="in-view" aria-label={t('sitesInView')}>
      <h2>
        {t('sitesInView')}{' '}
        <span className="muted">{t('sitesShown', { shown: fmt.count(inView.length), total: fmt.count(model.sites.length) })}</span>
      </h2>
      <div className="in-view-scroll" ref={box} onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}>
        {sorted.length === 0 && <p className="muted empty">{t('noMatch')}</p>}
        <ul style={{ height: sorted.length * ROW_PX }}>
          {sorted.slice(first, last).map((index, offset) => {
            const site = model.sites[index];
            if (!site) return null;
            const status = STATUS_CODES[visual.status[index] ?? 4] ?? 'unknown';
            const severity = SEVERITY_BY_RANK[visual.severity[index] ?? 0] ?? null;
            const label = visual.label[index] ?? Number.NaN;
            return (
              <li key={site.id} style={{ top: (first + offset) * ROW_PX }}>
                <button
                  type="button"
                  className={`site-row ${selectedId === site.id ? 'selected' : ''}`}
                  data-site-id={site.id}
                  aria-current={selectedId === site.id}
                  onClick={() => onJump(site.id)}
                >
                  <SiteIcon kind={site.kind} fill={visual.fill[index] ?? NEUTRAL_FILL} severity={severity} faded={status === 'stale'} />
                  <span className="site-row-text">
                    <span className="site-row-name">{site.name}</span>
                    <span className="site-row-meta">
                      {site.id} · {statusLabel[status]}
                    </span>
                  </span>
                  {Number.isFinite(label) && (
                    <span className="site-row-value">{site.kind === 'salinity' ? `${fmt.number(label, 1)} ‰` : `WQI ${label}`}</span>
                  )}
                </button>
              </li>
            );
          })}
        </ul>
      </div>
    </section>
  );
}
