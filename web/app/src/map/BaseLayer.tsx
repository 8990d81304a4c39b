/**
 * The bundled offline base layer: land, provinces, borders and place labels from `GET /api/basemap`,
 * drawn in panes *beneath* the tile pane. With a reachable tile server the tiles cover it; without
 * one (IOC networks are often cut off) the map still shows the delta, its provinces and towns.
 */
import type { Feature, Geometry } from 'geojson';
import { divIcon, latLngBounds, type PathOptions } from 'leaflet';
import { memo, useEffect, useMemo, useState } from 'react';
import { GeoJSON, Marker, Pane, useMap, useMapEvent } from 'react-leaflet';
import { type Basemap, type BasemapLabel, type BasemapProperties, fetchBasemap, type LabelKind } from './basemap.js';

/** Attribution of the base-layer data (licences in docs/basemap.md). */
export const BASEMAP_ATTRIBUTION = 'Nền bản đồ: © OpenStreetMap contributors (ODbL), Natural Earth, GeoNames';

const LAND_FILL: Readonly<Record<string, string>> = { VN: '#f4f1e8', KH: '#e6e3da', TH: '#e6e3da' };

/** Gentle tints that tell the 2025 provinces apart. */
const PROVINCE_TINT: Readonly<Record<string, string>> = {
  'An Giang': '#f1ead2',
  'Cần Thơ': '#e9efd6',
  'Cà Mau': '#eee6d8',
  'Vĩnh Long': '#f0e9dc',
  'Đồng Tháp': '#e8ecdb',
  'Tây Ninh': '#efe8d6',
  'TP. Hồ Chí Minh': '#ece4e0',
  'Đồng Nai': '#e9eedb',
  'Lâm Đồng': '#eee9d8',
};

function areaStyle(properties: BasemapProperties | undefined): PathOptions {
  if (properties?.layer === 'province') {
    return { stroke: false, fill: true, fillColor: PROVINCE_TINT[properties.current] ?? '#efeadb', fillOpacity: 1 };
  }
  const country = properties?.layer === 'land' ? properties.country : '';
  return { color: '#7aa3bf', weight: 0.9, opacity: 1, fill: true, fillColor: LAND_FILL[country] ?? '#e6e3da', fillOpacity: 1 };
}

function borderStyle(properties: BasemapProperties | undefined): PathOptions {
  if (properties?.layer !== 'border') return { stroke: false };
  switch (properties.kind) {
    case 'country':
      return { color: '#8a6a88', weight: 2.2, opacity: 0.9, dashArray: '8 3 2 3', lineCap: 'butt' };
    case 'province':
      return { color: '#98879f', weight: 1.5, opacity: 0.95 };
    case 'former-province':
      return { color: '#b4a8bd', weight: 1, opacity: 0.9, dashArray: '3 4' };
  }
}

/** Lowest zoom at which each kind of label appears (keeps the overview legible). */
const MIN_ZOOM: Readonly<Record<LabelKind, number>> = {
  country: 0,
  sea: 0,
  province: 0,
  capital: 0,
  city: 8,
  'former-province': 9,
  town: 9,
};
/** Highest zoom for labels that only make sense at overview scale. */
const MAX_ZOOM: Partial<Record<LabelKind, number>> = { country: 10, sea: 11 };

function labelIcon(label: BasemapLabel) {
  const dot = label.kind === 'capital' || label.kind === 'city' || label.kind === 'town';
  const text = label.name.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return divIcon({
    className: `basemap-label basemap-label-${label.kind}`,
    html: dot ? `<span class="basemap-dot"></span><span class="basemap-text">${text}</span>` : `<span class="basemap-text">${text}</span>`,
    iconSize: [0, 0],
    iconAnchor: [0, 0],
  });
}

function Labels({ labels }: { labels: readonly BasemapLabel[] }) {
  const map = useMap();
  const [zoom, setZoom] = useState(() => map.getZoom());
  useMapEvent('zoomend', () => setZoom(map.getZoom()));
  const icons = useMemo(() => labels.map((label) => ({ label, icon: labelIcon(label) })), [labels]);
  return (
    <>
      {icons
        .filter(({ label }) => zoom >= MIN_ZOOM[label.kind] && zoom <= (MAX_ZOOM[label.kind] ?? Number.POSITIVE_INFINITY))
        .map(({ label, icon }) => (
          <Marker
            key={`${label.kind}:${label.name}:${label.position.join(',')}`}
            position={[label.position[0], label.position[1]]}
            icon={icon}
            interactive={false}
            keyboard={false}
          />
        ))}
    </>
  );
}

/**
 * Keeps the view on the area the base layer covers: panning stops at its edges and the map cannot
 * zoom out so far that the viewport shows past them (recomputed when the window resizes).
 */
function StayInside({ bounds }: { bounds: NonNullable<Basemap['bounds']> }) {
  const map = useMap();
  useEffect(() => {
    const box = latLngBounds([bounds[0][0], bounds[0][1]], [bounds[1][0], bounds[1][1]]);
    const limit = () => {
      const snap = map.options.zoomSnap || 1;
      map.setMinZoom(Math.max(MIN_ZOOM_FLOOR, Math.ceil(map.getBoundsZoom(box, true) / snap) * snap));
    };
    map.setMaxBounds(box);
    limit();
    map.on('resize', limit);
    return () => {
      map.off('resize', limit);
    };
  }, [map, bounds]);
  return null;
}

/** The map never zooms out further than this, whatever the base layer covers. */
const MIN_ZOOM_FLOOR = 6;

export interface BaseLayerProps {
  /** Called once the base layer has loaded (true) or failed (false). */
  readonly onStatus?: (loaded: boolean) => void;
}

/** Stable style functions: react-leaflet restyles every feature when the function changes. */
const styleArea = (feature: Feature<Geometry, BasemapProperties> | undefined) => areaStyle(feature?.properties);
const styleBorder = (feature: Feature<Geometry, BasemapProperties> | undefined) => borderStyle(feature?.properties);

/** Memoised: the map page re-renders with live data, the base layer never needs to. */
export const BaseLayer = memo(function BaseLayer({ onStatus }: BaseLayerProps) {
  const [basemap, setBasemap] = useState<Basemap | undefined>(undefined);
  useEffect(() => {
    const controller = new AbortController();
    fetchBasemap(controller.signal)
      .then((loaded) => {
        setBasemap(loaded);
        onStatus?.(true);
      })
      .catch(() => {
        if (!controller.signal.aborted) onStatus?.(false);
      });
    return () => controller.abort();
  }, [onStatus]);

  if (!basemap) return null;
  return (
    <>
      <Pane name="basemap" style={{ zIndex: 150 }}>
        <GeoJSON data={basemap.areas} style={styleArea} interactive={false} attribution={BASEMAP_ATTRIBUTION} />
        <GeoJSON data={basemap.borders} style={styleBorder} interactive={false} />
      </Pane>
      <Pane name="basemap-labels" style={{ zIndex: 160 }}>
        <Labels labels={basemap.labels} />
      </Pane>
      {basemap.bounds && <StayInside bounds={basemap.bounds} />}
    </>
  );
});
