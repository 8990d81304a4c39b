/**
 * The Leaflet map: the offline base layer (tiles over it when configured), every site on one
 * canvas layer, a hover card, a pick list for sites that overlap at the deepest zoom, and the
 * viewport reported to the live controller (the server streams readings only for it). Exposes
 * `window.__iocMap` for automation (end-to-end tests and the browser benchmark).
 */
import { type LatLngBoundsExpression, type Map as LeafletMap, latLngBounds } from 'leaflet';
import { memo, type RefObject, useCallback, useEffect, useRef, useState } from 'react';
import { MapContainer, ScaleControl, TileLayer, useMap, ZoomControl } from 'react-leaflet';
import type { AppConfig } from '../../../../common/api.js';
import type { MapAutomation } from '../../../../common/map-automation.js';
import { useI18n } from '../i18n/I18nProvider.js';
import type { LiveController } from '../live/live-controller.js';
import { useModelVersion } from '../live/use-model.js';
import { SEVERITY_BY_RANK } from '../model/colors.js';
import { type SiteModel, STATUS_CODES } from '../model/site-model.js';
import { BaseLayer } from './BaseLayer.js';
import type { Cluster } from './cluster.js';
import { type HitTarget, SiteCanvasLayer } from './site-canvas-layer.js';

/** The delta around the seeded sites. */
const DEFAULT_BOUNDS: LatLngBoundsExpression = [
  [9.0, 103.7],
  [10.9, 106.3],
];
const MAX_BOUNDS: LatLngBoundsExpression = [
  [6.0, 100.4],
  [14.2, 109.9],
];
const MAX_ZOOM = 16;
/** Zoom a jump-to lands on. */
export const JUMP_ZOOM = 14;

declare global {
  interface Window {
    __iocMap?: MapAutomation;
  }
}

export interface MapViewProps {
  readonly model: SiteModel;
  readonly controller: LiveController;
  readonly appConfig: AppConfig | undefined;
  readonly selectedId: string | null;
  readonly onSelect: (siteId: string) => void;
  readonly mapRef: RefObject<LeafletMap | null>;
  readonly onBasemapStatus: (loaded: boolean) => void;
  /** Called after every pan or zoom (the side list shows the sites in view). */
  readonly onViewChange?: () => void;
}

interface Hover {
  readonly target: HitTarget;
  readonly x: number;
  readonly y: number;
}

function SitesLayer({
  model,
  controller,
  selectedId,
  onSelect,
  onHover,
  onPick,
  onViewChange,
}: {
  model: SiteModel;
  controller: LiveController;
  selectedId: string | null;
  onSelect: (siteId: string) => void;
  onHover: (hover: Hover | null) => void;
  onPick: (pick: { cluster: Cluster; x: number; y: number } | null) => void;
  onViewChange: (() => void) | undefined;
}) {
  const map = useMap();
  const { fmt } = useI18n();
  const layerRef = useRef<SiteCanvasLayer | null>(null);
  const handlers = useRef({ onSelect, onHover, onPick, onViewChange });
  handlers.current = { onSelect, onHover, onPick, onViewChange };
  const selectedRef = useRef(selectedId);
  selectedRef.current = selectedId;
  // The layer is created once per map; a language change only swaps its formatter (effect below).
  const fmtRef = useRef(fmt);
  fmtRef.current = fmt;

  useEffect(() => {
    const layer = new SiteCanvasLayer(model, fmtRef.current, {
      onSiteClick: (index) => {
        const site = model.sites[index];
        if (site) handlers.current.onSelect(site.id);
      },
      onClusterClick: (cluster) => {
        const bounds = latLngBounds(
          cluster.members.map((index) => [model.sites[index]?.lat ?? 0, model.sites[index]?.lon ?? 0] as [number, number]),
        );
        const target = map.getBoundsZoom(bounds, false, [80, 80] as never);
        if (map.getZoom() >= MAX_ZOOM - 0.5 || target <= map.getZoom() + 0.25) {
          const point = map.latLngToContainerPoint([
            cluster.members.length ? (model.sites[cluster.members[0] ?? 0]?.lat ?? 0) : 0,
            model.sites[cluster.members[0] ?? 0]?.lon ?? 0,
          ]);
          handlers.current.onPick({ cluster, x: point.x, y: point.y });
          return;
        }
        map.fitBounds(bounds, { padding: [80, 80], maxZoom: MAX_ZOOM });
      },
      onHover: (target, x, y) => handlers.current.onHover(target ? { target, x, y } : null),
    });
    layerRef.current = layer;
    layer.addTo(map);
    const report = () => {
      const bounds = map.getBounds().pad(0.1);
      const followed = selectedRef.current ? [selectedRef.current] : [];
      controller.setViewport(
        [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()].map((v, k) =>
          Math.max(k % 2 ? -90 : -180, Math.min(k % 2 ? 90 : 180, v)),
        ) as [number, number, number, number],
        followed,
      );
      handlers.current.onPick(null);
      handlers.current.onViewChange?.();
    };
    map.on('moveend', report);
    report();
    window.__iocMap = {
      pointOf: (siteId) => {
        const index = model.byId.get(siteId);
        if (index === undefined) return undefined;
        const point = layer.containerPointOf(index);
        if (!point) return undefined;
        const rect = map.getContainer().getBoundingClientRect();
        return { x: rect.left + point.x, y: rect.top + point.y };
      },
      stats: () => ({ ...layer.stats }),
      resetStats: () => {
        layer.stats.maxDrawMs = 0;
      },
      setView: (lat, lon, zoom) => map.setView([lat, lon], zoom, { animate: false }),
      fitAll: () => {
        if (model.sites.length === 0) return;
        map.fitBounds(latLngBounds(model.sites.map((site) => [site.lat, site.lon] as [number, number])), {
          padding: [40, 40],
          animate: false,
        });
      },
      messagesReceived: () => controller.messagesReceived,
    };
    return () => {
      map.off('moveend', report);
      layer.remove();
      layerRef.current = null;
      delete window.__iocMap;
    };
  }, [map, model, controller]);

  useEffect(() => layerRef.current?.setFormatter(fmt), [fmt]);
  useEffect(() => {
    layerRef.current?.setSelected(selectedId === null ? -1 : (model.byId.get(selectedId) ?? -1));
    const bounds = map.getBounds().pad(0.1);
    controller.setViewport([bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()], selectedId ? [selectedId] : []);
  }, [selectedId, model, map, controller]);
  return null;
}

/** Fits the map to the sites the first time they arrive. */
function FitToSites({ model }: { model: SiteModel }) {
  const map = useMap();
  useEffect(() => {
    let fitted = false;
    const fitOnce = () => {
      if (fitted || model.sites.length === 0) return;
      fitted = true;
      const bounds = latLngBounds(model.sites.map((site) => [site.lat, site.lon] as [number, number]));
      map.fitBounds(bounds, { padding: [50, 50], maxZoom: 12, animate: false });
    };
    fitOnce();
    return model.subscribe(fitOnce);
  }, [map, model]);
  return null;
}

function HoverCard({ hover, model }: { hover: Hover; model: SiteModel }) {
  const { t, fmt, kindLabel, statusLabel, severityLabel } = useI18n();
  useModelVersion(model); // values change under the pointer
  const style = { left: hover.x + 14, top: hover.y + 14 };
  if (hover.target.type === 'cluster') {
    const { cluster } = hover.target;
    const severity = SEVERITY_BY_RANK[cluster.worst] ?? null;
    return (
      <div className="hover-card" style={style} role="tooltip">
        <strong>{t('cluster', { count: fmt.count(cluster.count) })}</strong>
        {severity && <div className={`sev-text sev-${severity}`}>{severityLabel[severity]}</div>}
        <div className="muted">
          {statusLabel.online} {fmt.count(cluster.health[0])} · {statusLabel.stale} {fmt.count(cluster.health[1])} ·{' '}
          {fmt.count(cluster.health[2])} ⨯
        </div>
        <div className="muted small">{t('clusterHint')}</div>
      </div>
    );
  }
  const index = hover.target.index;
  const site = model.sites[index];
  if (!site) return null;
  const visual = model.visual;
  const status = STATUS_CODES[visual.status[index] ?? 4] ?? 'unknown';
  const severity = SEVERITY_BY_RANK[visual.severity[index] ?? 0] ?? null;
  const headline = site.kind === 'salinity' ? site.latest.salinity : site.kind === 'water-quality' ? site.latest.do : undefined;
  const label = visual.label[index] ?? Number.NaN;
  return (
    <div className="hover-card" style={style} role="tooltip">
      <strong>{site.name}</strong>
      <div className="muted">
        <code>{site.id}</code> · {kindLabel[site.kind]} · {statusLabel[status]}
      </div>
      {model.replay === null && headline && (
        <div>
          {fmt.metricLabel(site.kind === 'salinity' ? 'salinity' : 'do')}:{' '}
          <strong>{fmt.metric(site.kind === 'salinity' ? 'salinity' : 'do', headline.value).value}</strong> {headline.unit}
        </div>
      )}
      {model.replay !== null && Number.isFinite(label) && (
        <div>{site.kind === 'salinity' ? `${fmt.number(label, 2)} ‰` : `VN_WQI ${label}`}</div>
      )}
      {site.kind === 'water-quality' && site.wqi !== null && model.replay === null && <div>VN_WQI {Math.round(site.wqi)}</div>}
      {severity && <div className={`sev-text sev-${severity}`}>{severityLabel[severity]}</div>}
    </div>
  );
}

function PickList({
  pick,
  model,
  onSelect,
  onClose,
}: {
  pick: { cluster: Cluster; x: number; y: number };
  model: SiteModel;
  onSelect: (siteId: string) => void;
  onClose: () => void;
}) {
  const { t, kindLabel } = useI18n();
  return (
    <div
      className="pick-list"
      style={{ left: pick.x + 16, top: pick.y - 16 }}
      role="dialog"
      aria-label={t('cluster', { count: pick.cluster.count })}
    >
      <button type="button" className="icon-button pick-close" onClick={onClose} aria-label={t('close')}>
        ×
      </button>
      <ul>
        {pick.cluster.members.slice(0, 30).map((index) => {
          const site = model.sites[index];
          if (!site) return null;
          return (
            <li key={site.id}>
              <button type="button" onClick={() => onSelect(site.id)}>
                <code>{site.id}</code> {site.name} <span className="muted">· {kindLabel[site.kind]}</span>
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

/** Memoised: its props change only with the selection, not with live data (the canvas follows the model itself). */
export const MapView = memo(function MapView({
  model,
  controller,
  appConfig,
  selectedId,
  onSelect,
  mapRef,
  onBasemapStatus,
  onViewChange,
}: MapViewProps) {
  const [hover, setHover] = useState<Hover | null>(null);
  const [pick, setPick] = useState<{ cluster: Cluster; x: number; y: number } | null>(null);
  const select = useCallback(
    (siteId: string) => {
      setPick(null);
      onSelect(siteId);
    },
    [onSelect],
  );
  return (
    <div className="map-wrap">
      <MapContainer
        ref={mapRef}
        className="map"
        bounds={DEFAULT_BOUNDS}
        maxBounds={MAX_BOUNDS}
        maxBoundsViscosity={0.8}
        minZoom={6}
        maxZoom={MAX_ZOOM}
        zoomControl={false}
        zoomSnap={0.5}
        keyboardPanDelta={120}
      >
        <BaseLayer onStatus={onBasemapStatus} />
        {appConfig?.mapTileUrl && <TileLayer url={appConfig.mapTileUrl} attribution={appConfig.mapTileAttribution ?? ''} />}
        <ZoomControl position="topright" />
        <ScaleControl position="bottomleft" imperial={false} />
        <SitesLayer
          model={model}
          controller={controller}
          selectedId={selectedId}
          onSelect={select}
          onHover={setHover}
          onPick={setPick}
          onViewChange={onViewChange}
        />
        <FitToSites model={model} />
      </MapContainer>
      {hover && <HoverCard hover={hover} model={model} />}
      {pick && <PickList pick={pick} model={model} onSelect={select} onClose={() => setPick(null)} />}
    </div>
  );
});
