/**
 * Every site as a marker: shape by kind, colour by displayed status, popup with live values.
 * Markers that would overlap at the current zoom are fanned out a few pixels so each stays
 * clickable. Marker instances are registered in `markers` so the site list can open a popup.
 */
import type { LatLngTuple, Marker as LeafletMarker } from 'leaflet';
import { memo, type RefObject, useCallback, useMemo, useState } from 'react';
import { Marker, Popup, useMap, useMapEvent } from 'react-leaflet';
import type { SiteSummary } from '../../../../common/api.js';
import type { SiteStatus } from '../../../../common/sites.js';
import { fanOutOffsets } from './fan-out.js';
import { siteIcon } from './marker-icons.js';
import { SitePopup } from './SitePopup.js';

interface SiteMarkerProps {
  readonly site: SiteSummary;
  readonly status: SiteStatus;
  readonly dx: number;
  readonly dy: number;
  readonly markers: RefObject<Map<string, LeafletMarker>>;
}

const SiteMarker = memo(function SiteMarker({ site, status, dx, dy, markers }: SiteMarkerProps) {
  const position = useMemo<LatLngTuple>(() => [site.lat, site.lon], [site.lat, site.lon]);
  const icon = useMemo(
    () => siteIcon({ id: site.id, name: site.name, kind: site.kind, status, offset: [dx, dy] }),
    [site.id, site.name, site.kind, status, dx, dy],
  );
  const register = useCallback(
    (marker: LeafletMarker | null) => {
      if (marker) markers.current.set(site.id, marker);
      else markers.current.delete(site.id);
    },
    [markers, site.id],
  );
  return (
    <Marker ref={register} position={position} icon={icon} title={`${site.id} — ${site.name}`} riseOnHover>
      <Popup minWidth={290} maxWidth={360} autoPanPadding={[48, 48]}>
        <SitePopup site={site} status={status} />
      </Popup>
    </Marker>
  );
});

export interface SiteMarkersProps {
  readonly sites: readonly SiteSummary[];
  readonly statuses: ReadonlyMap<string, SiteStatus>;
  readonly markers: RefObject<Map<string, LeafletMarker>>;
}

export function SiteMarkers({ sites, statuses, markers }: SiteMarkersProps) {
  const map = useMap();
  const [zoom, setZoom] = useState(() => map.getZoom());
  useMapEvent('zoomend', () => setZoom(map.getZoom()));
  // Positions change only when the site list does; recompute the fan-out per zoom level.
  const positionsKey = sites.map((site) => `${site.id}@${site.lat},${site.lon}`).join('|');
  // biome-ignore lint/correctness/useExhaustiveDependencies: positionsKey stands for the positions in `sites`
  const offsets = useMemo(
    () =>
      fanOutOffsets(
        sites.map((site) => {
          const point = map.project([site.lat, site.lon], zoom);
          return { id: site.id, x: point.x, y: point.y };
        }),
      ),
    [positionsKey, zoom, map],
  );
  return (
    <>
      {sites.map((site) => {
        const [dx, dy] = offsets.get(site.id) ?? [0, 0];
        return <SiteMarker key={site.id} site={site} status={statuses.get(site.id) ?? 'unknown'} dx={dx} dy={dy} markers={markers} />;
      })}
    </>
  );
}
