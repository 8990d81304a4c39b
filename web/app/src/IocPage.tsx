/**
 * The operations screen: header KPIs; filters, search and the sites in view on the left; the map
 * with its legend, the timeline and the site drawer in the middle; live alerts on the right. On a
 * phone the three become tabs (map, list, alerts). Owns the site model and the live controller.
 */
import type { Map as LeafletMap } from 'leaflet';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Alert, AlertSeverity } from '../../../common/alerts.js';
import type { AppConfig, UserInfo } from '../../../common/api.js';
import { SiteDrawer } from './drawer/SiteDrawer.js';
import { useI18n } from './i18n/I18nProvider.js';
import { Alarm } from './live/alarm.js';
import { LiveController } from './live/live-controller.js';
import { useModelVersion } from './live/use-model.js';
import { Legend } from './map/Legend.js';
import { JUMP_ZOOM, MapView } from './map/MapView.js';
import { DEFAULT_FILTERS, type MapFilters } from './model/filters.js';
import { SiteModel } from './model/site-model.js';
import { AlertHistory } from './panels/AlertHistory.js';
import { AlertsPanel } from './panels/AlertsPanel.js';
import { FilterPanel } from './panels/FilterPanel.js';
import { Header } from './panels/Header.js';
import { countActiveAt } from './replay/replay-visual.js';
import { Timeline } from './replay/Timeline.js';
import { useReplay } from './replay/use-replay.js';

type Tab = 'map' | 'list' | 'alerts';

export interface IocPageProps {
  readonly user: UserInfo | undefined;
  readonly appConfig: AppConfig | undefined;
  readonly onLogout: () => void;
  readonly onUnauthenticated: () => void;
}

export function IocPage({ user, appConfig, onLogout, onUnauthenticated }: IocPageProps) {
  const { t, severityLabel, language } = useI18n();
  const model = useMemo(() => new SiteModel(), []);
  const alarm = useMemo(() => new Alarm(), []);
  const [muted, setMuted] = useState(alarm.muted);
  const [, setTick] = useState(0);
  const unauthenticated = useRef(onUnauthenticated);
  unauthenticated.current = onUnauthenticated;
  // The alert itself, not a rendered string: the banner follows a language switch.
  const [notice, setNotice] = useState<Pick<Alert, 'siteId' | 'ruleName'> | undefined>(undefined);
  const controller = useMemo(
    () =>
      new LiveController(model, {
        onUnauthenticated: () => unauthenticated.current(),
        onChange: () => setTick((n) => n + 1),
        onCritical: (alert) => {
          alarm.play();
          setNotice({ siteId: alert.siteId, ruleName: alert.ruleName });
        },
      }),
    [model, alarm],
  );
  const version = useModelVersion(model);
  const [filters, setFilters] = useState<MapFilters>(DEFAULT_FILTERS);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [inView, setInView] = useState<number[]>([]);
  const [tab, setTab] = useState<Tab>('map');
  const [historyOpen, setHistoryOpen] = useState(false);
  const [severityFilter, setSeverityFilter] = useState<AlertSeverity | null>(null);
  const [basemapLoaded, setBasemapLoaded] = useState<boolean | undefined>(undefined);
  const mapRef = useRef<LeafletMap | null>(null);
  const replay = useReplay(model);

  useEffect(() => {
    controller.start();
    return () => controller.stop();
  }, [controller]);

  useEffect(() => model.setFilters(filters), [model, filters]);
  useEffect(() => {
    if (selectedId) void controller.refreshSite(selectedId);
  }, [controller, selectedId]);

  // Sites in view for the side list, refreshed when the map moves and at most once a second otherwise.
  const refreshInView = useCallback(() => {
    const map = mapRef.current;
    if (!map) return;
    const bounds = map.getBounds();
    const next = model.visibleIndices({
      south: bounds.getSouth(),
      west: bounds.getWest(),
      north: bounds.getNorth(),
      east: bounds.getEast(),
    });
    // Same sites as before: keep the array, so the list does not re-render for nothing.
    setInView((previous) => (previous.length === next.length && previous.every((index, k) => index === next[k]) ? previous : next));
  }, [model]);
  useEffect(() => {
    const timer = setInterval(refreshInView, 1000);
    refreshInView();
    return () => clearInterval(timer);
  }, [refreshInView]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a filter or replay change re-filters at once
  useEffect(refreshInView, [filters, replay.at, model.structureVersion]);

  const jump = useCallback(
    (siteId: string) => {
      const site = model.site(siteId);
      const map = mapRef.current;
      if (!site || !map) return;
      // A filtered-out site is shown anyway: clear the filters that hide it.
      const index = model.byId.get(siteId) ?? -1;
      if (model.visible[index] !== 1) setFilters(DEFAULT_FILTERS);
      map.setView([site.lat, site.lon], Math.max(map.getZoom(), JUMP_ZOOM), { animate: false });
      // Keep the site clear of the drawer that opens on the right (unless the drawer covers the map).
      const drawerWidth = Math.min(460, map.getSize().x);
      if (map.getSize().x > drawerWidth * 1.6) map.panBy([drawerWidth / 2, 0], { animate: false });
      setSelectedId(siteId);
      setTab('map');
    },
    [model],
  );
  const onAlertChanged = useCallback((alert: Alert) => controller.applyAlert(alert), [controller]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && !historyOpen && selectedId && !(event.target as HTMLElement | null)?.closest('textarea, input, select'))
        setSelectedId(null);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [historyOpen, selectedId]);

  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(undefined), 8000);
    return () => clearTimeout(timer);
  }, [notice]);

  const statusCounts = model.statusCounts();
  const alertCounts = replay.at === null ? model.alerts.counts() : countActiveAt(replay.alerts, replay.at);
  const load = controller.load;

  return (
    <div className={`app-shell tab-${tab} ${replay.at !== null ? 'replay-mode' : ''}`} data-version={version}>
      <a className="skip-link" href="#alerts-panel">
        {t('activeAlerts')}
      </a>
      <Header
        user={user}
        statusCounts={statusCounts}
        alertCounts={alertCounts}
        readingsPerMinute={controller.kpis?.readingsPerMinute}
        connection={controller.connection}
        replayAt={replay.at}
        muted={muted}
        onToggleSound={() => {
          alarm.setMuted(!muted);
          setMuted(!muted);
        }}
        onAlertsClick={(severity) => {
          setSeverityFilter(severity);
          setTab('alerts');
        }}
        onLogout={onLogout}
      />
      <div className="app-body">
        <FilterPanel
          model={model}
          version={version}
          filters={filters}
          onFilters={setFilters}
          inView={inView}
          selectedId={selectedId}
          onJump={jump}
        />
        <main className="map-area">
          <MapView
            model={model}
            controller={controller}
            appConfig={appConfig}
            selectedId={selectedId}
            onSelect={setSelectedId}
            mapRef={mapRef}
            onBasemapStatus={setBasemapLoaded}
            onViewChange={refreshInView}
          />
          <Legend />
          <Timeline replay={replay} />
          {load.kind === 'loading' && <div className="map-banner">{t('loading')}</div>}
          {load.kind === 'error' && (
            <div className="map-banner map-banner-error" role="alert">
              {t('loadFailed')}: {load.message}{' '}
              <button type="button" onClick={() => void controller.reload()}>
                {t('retry')}
              </button>
            </div>
          )}
          {basemapLoaded === false && <div className="map-banner map-banner-warning">{t('basemapUnavailable')}</div>}
          {notice && (
            <div className="map-banner map-banner-critical" role="alert">
              {severityLabel.critical}: {notice.siteId} — {notice.ruleName[language]}
            </div>
          )}
          {selectedId && (
            <SiteDrawer
              model={model}
              version={version}
              siteId={selectedId}
              replayAt={replay.at}
              onClose={() => setSelectedId(null)}
              onAlertChanged={onAlertChanged}
            />
          )}
        </main>
        <div id="alerts-panel" className="alerts-slot">
          <AlertsPanel
            model={model}
            version={version}
            available={controller.alertsAvailable}
            severityFilter={severityFilter}
            onSeverityFilter={setSeverityFilter}
            onJump={jump}
            onChanged={onAlertChanged}
            onHistory={() => setHistoryOpen(true)}
          />
        </div>
      </div>
      <nav className="phone-tabs" aria-label={t('menu')}>
        {(['map', 'list', 'alerts'] as const).map((name) => (
          <button key={name} type="button" aria-pressed={tab === name} onClick={() => setTab(name)}>
            {name === 'map' ? t('tabMap') : name === 'list' ? t('tabList') : `${t('tabAlerts')} (${model.alerts.panel().length})`}
          </button>
        ))}
      </nav>
      {historyOpen && (
        <AlertHistory
          onClose={() => setHistoryOpen(false)}
          onJump={(siteId) => {
            setHistoryOpen(false);
            jump(siteId);
          }}
          siteName={(id) => model.site(id)?.name}
        />
      )}
    </div>
  );
}
