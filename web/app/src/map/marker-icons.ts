/**
 * Site markers: one shape per kind (circle = water quality, diamond = salinity, rounded square =
 * camera), filled with the status colour, drawn as inline SVG so the app needs no image assets.
 * Each marker carries `data-site-id`, `data-kind` and `data-status` and a text name for screen
 * readers (and tests).
 */
import { type DivIcon, divIcon } from 'leaflet';
import type { SiteKind, SiteStatus } from '../../../../common/sites.js';
import { KIND_LABEL, STATUS_LABEL } from '../text.js';
import { MARKER_SIZE } from './marker-size.js';

/** Fill colour per displayed status (also used by the legend and the header counters). */
export const STATUS_COLOR: Readonly<Record<SiteStatus, string>> = {
  online: '#1f9d55',
  stale: '#e3a008',
  offline: '#d64541',
  maintenance: '#5a7fa6',
  unknown: '#8a9099',
};

const GLYPH: Readonly<Record<SiteKind, string>> = {
  // water drop
  'water-quality': '<path d="M12 6.2c-2.3 3-3.6 5.1-3.6 6.7a3.6 3.6 0 0 0 7.2 0c0-1.6-1.3-3.7-3.6-6.7z" fill="#fff"/>',
  // waves
  salinity:
    '<path d="M7.3 10.6c1.2-1 2.3-1 3.5 0s2.3 1 3.5 0 2.3-1 3.5 0M7.3 13.8c1.2-1 2.3-1 3.5 0s2.3 1 3.5 0 2.3-1 3.5 0" fill="none" stroke="#fff" stroke-width="1.6" stroke-linecap="round"/>',
  // camera body and lens
  camera:
    '<rect x="6.5" y="8.6" width="11" height="7.6" rx="1.4" fill="#fff"/><rect x="9.6" y="7.2" width="4.8" height="2" rx=".6" fill="#fff"/><circle cx="12" cy="12.4" r="2.2" fill="currentColor"/>',
};

const SHAPE: Readonly<Record<SiteKind, string>> = {
  'water-quality': '<circle cx="12" cy="12" r="9.5"/>',
  salinity: '<path d="M12 1.6 22.4 12 12 22.4 1.6 12z"/>',
  camera: '<rect x="2.6" y="2.6" width="18.8" height="18.8" rx="4"/>',
};

/** The marker's SVG (also used by the legend and the site list). */
export function markerSvg(kind: SiteKind, status: SiteStatus, size = MARKER_SIZE): string {
  const color = STATUS_COLOR[status];
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="${size}" height="${size}" aria-hidden="true" focusable="false" style="color:${color}">` +
    `<g fill="${color}" stroke="#fff" stroke-width="1.8">${SHAPE[kind]}</g>${GLYPH[kind]}</svg>`
  );
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

export interface MarkerIconOptions {
  readonly id: string;
  readonly name: string;
  readonly kind: SiteKind;
  readonly status: SiteStatus;
  /** Pixel offset that keeps the marker clear of its neighbours (see fan-out.ts), CSS px. */
  readonly offset: readonly [number, number];
}

/** A Leaflet icon for one site in its current status. */
export function siteIcon({ id, name, kind, status, offset }: MarkerIconOptions): DivIcon {
  const [dx, dy] = offset;
  const half = MARKER_SIZE / 2;
  const label = `${id} ${name} — ${KIND_LABEL[kind]}, ${STATUS_LABEL[status]}`;
  return divIcon({
    className: 'site-marker-icon',
    html:
      `<div class="site-marker status-${status}" data-site-id="${escapeHtml(id)}" data-kind="${kind}" data-status="${status}">` +
      `<span class="visually-hidden">${escapeHtml(label)}</span>${markerSvg(kind, status)}</div>`,
    iconSize: [MARKER_SIZE, MARKER_SIZE],
    iconAnchor: [half - dx, half - dy],
    popupAnchor: [dx, dy - half + 2],
  });
}
