/**
 * Renders a simulated camera frame as a self-contained SVG (no external assets, no scripts): the
 * scene in front of the camera at that local time of day, with exactly as many vehicles (or
 * people) as the camera's last analytics event reported, and an overlay with the site's name and
 * the frame's timestamp — so operators see the same number in the event list and in the picture.
 */
import type { CameraAnalytics } from '../models/camera.js';
import { LOCAL_UTC_OFFSET_HOURS, localHourOfDay, MS_PER_HOUR } from '../models/time.js';
import { deriveSeed, mulberry32, type Random } from '../random.js';

export interface CameraFrame {
  readonly siteId: string;
  readonly siteName: string;
  /** What the camera watches: a street (vehicles) or a waterfront (crowds, boats). */
  readonly analytics: 'vehicles' | 'crowd';
  /** When the frame is taken, epoch ms. */
  readonly tMs: number;
  /** The camera's last analytics and when they were reported; undefined before the first. */
  readonly observation?: { readonly analytics: CameraAnalytics; readonly ts: number } | undefined;
  /** The last intrusion the camera reported (epoch ms `ts`); drawn while recent. */
  readonly intrusion?: { readonly zone: string; readonly objects: number; readonly ts: number } | undefined;
}

/** How long after an intrusion event the frame still shows it, ms of simulated time. */
export const INTRUSION_SHOWN_MS = 15 * 60_000;

const WIDTH = 640;
const HEIGHT = 360;
const LANES = [238, 268, 298] as const;
const SLOTS_PER_LANE = 12;
/** Most vehicles drawn; the overlay still states the real count when there are more. */
export const MAX_DRAWN_VEHICLES = LANES.length * SLOTS_PER_LANE;
/** People drawn at a crowd level of 100 %. */
const PEOPLE_AT_FULL_CROWD = 40;

const VEHICLE_COLOURS = ['#d62828', '#f77f00', '#fcbf49', '#eae2b7', '#2a9d8f', '#457b9d', '#e5e5e5', '#6d597a'] as const;

/** Escapes text for XML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

/** `YYYY-MM-DD HH:MM:SS` in Vietnam local time (UTC+7). */
export function formatLocalTimestamp(tMs: number): string {
  return new Date(tMs + LOCAL_UTC_OFFSET_HOURS * MS_PER_HOUR).toISOString().slice(0, 19).replace('T', ' ');
}

function pick<T>(rng: Random, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length) % items.length] as T;
}

/** `count` distinct indices of `0…size-1`, in random order (partial Fisher–Yates). */
function distinctSlots(rng: Random, size: number, count: number): number[] {
  const slots = Array.from({ length: size }, (_, i) => i);
  const n = Math.min(count, size);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rng() * (size - i));
    [slots[i], slots[j]] = [slots[j] as number, slots[i] as number];
  }
  return slots.slice(0, n);
}

function skyColours(hour: number): { top: string; bottom: string; night: boolean } {
  if (hour < 5 || hour >= 19) return { top: '#07111f', bottom: '#1b2a41', night: true };
  if (hour < 6.5 || hour >= 17.5) return { top: '#3d5a80', bottom: '#f4a261', night: false };
  return { top: '#5fa8d3', bottom: '#cae9ff', night: false };
}

function background(rng: Random, hour: number): string {
  const sky = skyColours(hour);
  const parts = [
    `<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${sky.top}"/><stop offset="1" stop-color="${sky.bottom}"/></linearGradient></defs>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="url(#sky)"/>`,
  ];
  if (sky.night) parts.push('<circle cx="560" cy="50" r="16" fill="#f1faee"/>');
  else parts.push(`<circle cx="${80 + ((hour - 6) / 12) * 480}" cy="52" r="20" fill="#ffd166"/>`);
  let x = 0;
  while (x < WIDTH) {
    const w = 40 + Math.floor(rng() * 50);
    const h = 50 + Math.floor(rng() * 90);
    parts.push(`<rect x="${x}" y="${210 - h}" width="${w - 4}" height="${h}" fill="${sky.night ? '#22303c' : '#8d99ae'}"/>`);
    for (let wy = 210 - h + 10; wy < 200; wy += 18) {
      for (let wx = x + 6; wx < x + w - 12; wx += 14) {
        const lit = sky.night ? rng() < 0.45 : false;
        parts.push(`<rect x="${wx}" y="${wy}" width="6" height="8" fill="${lit ? '#ffe8a3' : '#5c677d'}"/>`);
      }
    }
    x += w;
  }
  return parts.join('');
}

function street(rng: Random, count: number, night: boolean): string {
  const parts = [
    `<rect y="210" width="${WIDTH}" height="${HEIGHT - 210}" fill="#3a3a3a"/>`,
    `<rect y="318" width="${WIDTH}" height="${HEIGHT - 318}" fill="#6b705c"/>`,
  ];
  for (const y of [253, 283]) {
    for (let x = 10; x < WIDTH; x += 60) parts.push(`<rect x="${x}" y="${y}" width="30" height="3" fill="#f1faee"/>`);
  }
  for (const slot of distinctSlots(rng, MAX_DRAWN_VEHICLES, count)) {
    const lane = LANES[Math.floor(slot / SLOTS_PER_LANE)] ?? LANES[0];
    const x = 8 + (slot % SLOTS_PER_LANE) * (WIDTH / SLOTS_PER_LANE) + Math.floor(rng() * 10);
    const colour = pick(rng, VEHICLE_COLOURS);
    const motorbike = rng() < 0.6;
    const body = motorbike
      ? `<rect x="${x}" y="${lane - 14}" width="22" height="9" rx="3" fill="${colour}"/><circle cx="${x + 4}" cy="${lane - 3}" r="4" fill="#111"/><circle cx="${x + 18}" cy="${lane - 3}" r="4" fill="#111"/><circle cx="${x + 12}" cy="${lane - 20}" r="4" fill="#f1c27d"/>`
      : `<rect x="${x}" y="${lane - 20}" width="40" height="16" rx="4" fill="${colour}"/><rect x="${x + 8}" y="${lane - 27}" width="22" height="9" rx="3" fill="${colour}"/><circle cx="${x + 9}" cy="${lane - 3}" r="4" fill="#111"/><circle cx="${x + 31}" cy="${lane - 3}" r="4" fill="#111"/>`;
    const lights = night ? `<circle cx="${x + (motorbike ? 22 : 40)}" cy="${lane - 12}" r="3" fill="#fff3b0"/>` : '';
    parts.push(`<g class="vehicle">${body}${lights}</g>`);
  }
  return parts.join('');
}

function waterfront(rng: Random, people: number): string {
  const parts = [
    `<rect y="210" width="${WIDTH}" height="70" fill="#4a7c8c"/>`,
    `<rect y="280" width="${WIDTH}" height="${HEIGHT - 280}" fill="#a68a64"/>`,
  ];
  const boats = 2 + Math.floor(rng() * 4);
  for (let i = 0; i < boats; i++) {
    const x = 20 + Math.floor(rng() * (WIDTH - 100));
    const y = 230 + Math.floor(rng() * 35);
    parts.push(
      `<path d="M${x} ${y} h70 l-12 12 h-46 z" fill="#6f4518"/><rect x="${x + 25}" y="${y - 14}" width="16" height="14" fill="${pick(rng, VEHICLE_COLOURS)}"/>`,
    );
  }
  for (let i = 0; i < people; i++) {
    const x = 10 + Math.floor(rng() * (WIDTH - 20));
    const y = 300 + Math.floor(rng() * 45);
    parts.push(
      `<g class="person"><circle cx="${x}" cy="${y - 12}" r="4" fill="#f1c27d"/><rect x="${x - 4}" y="${y - 8}" width="8" height="14" rx="2" fill="${pick(rng, VEHICLE_COLOURS)}"/></g>`,
    );
  }
  return parts.join('');
}

/** Red boxes around the intruders and a banner, while the intrusion is recent. */
function intrusionOverlay(rng: Random, intrusion: NonNullable<CameraFrame['intrusion']>): string {
  const parts = [
    `<g class="intrusion"><rect x="150" y="64" width="340" height="30" rx="4" fill="#b00020" fill-opacity="0.85"/>`,
    `<text x="320" y="84" text-anchor="middle" font-family="sans-serif" font-size="15" font-weight="bold" fill="#fff">INTRUSION · ${escapeXml(intrusion.zone)}</text>`,
  ];
  for (let i = 0; i < Math.min(intrusion.objects, 12); i++) {
    const x = 40 + Math.floor(rng() * (WIDTH - 80));
    const y = 230 + Math.floor(rng() * 90);
    parts.push(
      `<circle cx="${x}" cy="${y - 12}" r="4" fill="#2b2d42"/><rect x="${x - 4}" y="${y - 8}" width="8" height="14" rx="2" fill="#2b2d42"/><rect x="${x - 10}" y="${y - 22}" width="20" height="32" fill="none" stroke="#ff1744" stroke-width="2"/>`,
    );
  }
  parts.push('</g>');
  return parts.join('');
}

function overlay(frame: CameraFrame, caption: string): string {
  return [
    '<rect x="8" y="8" width="380" height="44" rx="4" fill="#000" fill-opacity="0.55"/>',
    `<text x="18" y="27" font-family="sans-serif" font-size="15" fill="#fff">${escapeXml(frame.siteName)}</text>`,
    `<text x="18" y="45" font-family="monospace" font-size="12" fill="#ddd">${escapeXml(frame.siteId)} · ${escapeXml(caption)}</text>`,
    '<circle cx="590" cy="24" r="6" fill="#e63946"/><text x="602" y="29" font-family="sans-serif" font-size="13" fill="#fff">REC</text>',
    `<rect x="8" y="${HEIGHT - 30}" width="250" height="22" rx="4" fill="#000" fill-opacity="0.55"/>`,
    `<text x="16" y="${HEIGHT - 14}" font-family="monospace" font-size="13" fill="#fff">${formatLocalTimestamp(frame.tMs)} UTC+7</text>`,
  ].join('');
}

/**
 * The SVG document of a camera frame. The root carries `data-analytics`, `data-value` and
 * `data-observed-at` (epoch ms) so clients and tests can relate the picture to the event it shows.
 * The scene is laid out from a seed of the site and the observation, so it changes with each event.
 */
export function renderCameraFrameSvg(frame: CameraFrame): string {
  const hour = localHourOfDay(frame.tMs);
  const observation = frame.observation;
  const rng = mulberry32(deriveSeed(0, frame.siteId, observation?.ts ?? 'none'));
  const night = skyColours(hour).night;
  let scene: string;
  let caption: string;
  if (frame.analytics === 'crowd') {
    const level = observation?.analytics.value ?? 0;
    scene = waterfront(rng, Math.round((level / 100) * PEOPLE_AT_FULL_CROWD));
    caption = observation ? `crowd level ${level} %` : 'no analytics yet';
  } else {
    const count = observation?.analytics.value ?? 0;
    scene = street(rng, count, night);
    caption = observation ? `${count} vehicle${count === 1 ? '' : 's'} in view` : 'no analytics yet';
  }
  const data = observation
    ? ` data-analytics="${observation.analytics.metric}" data-value="${observation.analytics.value}" data-observed-at="${observation.ts}"`
    : '';
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" data-site-id="${escapeXml(frame.siteId)}"${data}>`,
    `<title>${escapeXml(`${frame.siteName} — ${caption} — ${formatLocalTimestamp(frame.tMs)} UTC+7`)}</title>`,
    background(rng, hour),
    scene,
    frame.intrusion && frame.tMs - frame.intrusion.ts >= 0 && frame.tMs - frame.intrusion.ts < INTRUSION_SHOWN_MS
      ? intrusionOverlay(mulberry32(deriveSeed(1, frame.siteId, frame.intrusion.ts)), frame.intrusion)
      : '',
    overlay(frame, caption),
    '</svg>',
  ].join('');
}
