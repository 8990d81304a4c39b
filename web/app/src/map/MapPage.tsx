/**
 * The operations map: header with status counters, live-feed state, clock and logout; the site
 * list; the Leaflet map with the offline base layer (and tiles when configured), site markers and
 * the legend. Displayed statuses are recomputed every second so silent sites turn stale.
 */
import type { LatLngBoundsExpression, Map as LeafletMap, Marker as LeafletMarker } from 'leaflet';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { MapContainer, ScaleControl, TileLayer, useMap, ZoomControl } from 'react-leaflet';
import type { AppConfig, SiteSummary, UserInfo } from '../../../../common/api.js';
import type { SiteStatus } from '../../../../common/sites.js';
import { formatClock } from '../format.js';
import { countByStatus, displayStatus } from '../live/site-state.js';
import { useLiveSites } from '../live/use-live-sites.js';
import { useNow } from '../live/use-now.js';
import { STATUS_LABEL, TEXT } from '../text.js';
import { BaseLayer } from './BaseLayer.js';
import { Legend } from './Legend.js';
import { STATUS_COLOR } from './marker-icons.js';
import { SiteList } from './SiteList.js';
import { SiteMarkers } from './SiteMarkers.js';

/** The delta around the seeded sites; the map cannot be panned far beyond the base layer. */
const DEFAULT_BOUNDS: LatLngBoundsExpression = [
  [9.0, 103.7],
  [10.9, 106.3],
];
const MAX_BOUNDS: LatLngBoundsExpression = [
  [7.6, 102.4],
  [12.2, 107.9],
];
const STATUS_ORDER: readonly SiteStatus[] = ['online', 'stale', 'offline', 'maintenance', 'unknown'];

/** Fits the map to the sites the first time they arrive. */
function FitToSites({ sites }: { sites: readonly SiteSummary[] }) {
  const map = useMap();
  const fitted = useRef(false);
  useEffect(() => {
    if (fitted.current || sites.length === 0) return;
    fitted.current = true;
    const lats = sites.map((site) => site.lat);
    const lons = sites.map((site) => site.lon);
    map.fitBounds(
      [
        [Math.min(...lats), Math.min(...lons)],
        [Math.max(...lats), Math.max(...lons)],
      ],
      { padding: [60, 60], maxZoom: 12, animate: false },
    );
  }, [map, sites]);
  return null;
}

export interface MapPageProps {
  readonly user: UserInfo | undefined;
  readonly appConfig: AppConfig | undefined;
  readonly onLogout: () => void;
  readonly onUnauthenticated: () => void;
}

export function MapPage({ user, appConfig, onLogout, onUnauthenticated }: MapPageProps) {
  const { sites, load, connection, reload } = useLiveSites(onUnauthenticated);
  const now = useNow(1000);
  const [basemapLoaded, setBasemapLoaded] = useState<boolean | undefined>(undefined);
  const markers = useRef(new Map<string, LeafletMarker>());
  const mapRef = useRef<LeafletMap | null>(null);

  const siteList = useMemo(() => [...sites.values()], [sites]);
  // Statuses as strings keyed by id: markers re-render only when their own status changes.
  const statuses = useMemo(() => new Map(siteList.map((site) => [site.id, displayStatus(site, now)])), [siteList, now]);
  const counts = useMemo(() => countByStatus(statuses.values()), [statuses]);

  const select = useCallback((siteId: string) => {
    const marker = markers.current.get(siteId);
    const map = mapRef.current;
    if (!marker || !map) return;
    if (map.getZoom() < 10) map.setView(marker.getLatLng(), 10, { animate: false });
    marker.openPopup();
  }, []);

  return (
    <div className="app-shell">
      <header className="app-header">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          <div>
            <div className="brand-name">{TEXT.appName}</div>
            <div className="brand-sub">
              {TEXT.appSubtitle} · {TEXT.mapTitle}
            </div>
          </div>
        </div>
        <ul className="status-counters" aria-label={TEXT.status}>
          {STATUS_ORDER.map((status) => (
            <li key={status} className={`counter counter-${status}`} data-status={status}>
              <span className="counter-dot" style={{ background: STATUS_COLOR[status] }} />
              <span className="counter-label">{STATUS_LABEL[status]}</span>
              <span className="counter-value">{counts[status]}</span>
            </li>
          ))}
        </ul>
        <div className="header-right">
          <span className={`live-state live-${connection}`} role="status" data-connection={connection}>
            <span className="live-dot" />
            {connection === 'live' ? TEXT.liveConnected : connection === 'connecting' ? TEXT.liveConnecting : TEXT.liveDisconnected}
          </span>
          <span className="clock" title="Giờ Việt Nam (UTC+7)">
            {formatClock(now)}
          </span>
          {user && <span className="user">{user.username}</span>}
          <button type="button" className="logout" onClick={onLogout}>
            {TEXT.logout}
          </button>
        </div>
      </header>
      <div className="app-body">
        <SiteList sites={siteList} statuses={statuses} now={now} onSelect={select} />
        <main className="map-area">
          <MapContainer
            ref={mapRef}
            className="map"
            bounds={DEFAULT_BOUNDS}
            maxBounds={MAX_BOUNDS}
            maxBoundsViscosity={0.8}
            minZoom={6}
            maxZoom={16}
            zoomControl={false}
            zoomSnap={0.5}
          >
            <BaseLayer onStatus={setBasemapLoaded} />
            {appConfig?.mapTileUrl && <TileLayer url={appConfig.mapTileUrl} attribution={appConfig.mapTileAttribution ?? ''} />}
            <ZoomControl position="topright" />
            <ScaleControl position="bottomleft" imperial={false} />
            <SiteMarkers sites={siteList} statuses={statuses} markers={markers} />
            <FitToSites sites={siteList} />
          </MapContainer>
          <Legend />
          {load.kind === 'loading' && <div className="map-banner">{TEXT.loading}</div>}
          {load.kind === 'error' && (
            <div className="map-banner map-banner-error" role="alert">
              {TEXT.loadFailed}: {load.message}{' '}
              <button type="button" onClick={reload}>
                {TEXT.retry}
              </button>
            </div>
          )}
          {basemapLoaded === false && <div className="map-banner map-banner-warning">{TEXT.basemapUnavailable}</div>}
        </main>
      </div>
    </div>
  );
}
