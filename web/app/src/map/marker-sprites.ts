/**
 * Markers and clusters painted once into small bitmaps (sprites) and stamped onto the map canvas
 * with `drawImage`. Without a GPU, Chromium rasterises a 2D canvas on the page's main thread when
 * the frame commits; anti-aliased arcs over a full-screen canvas cost ~45 ms for 500 clusters,
 * while the same clusters as sprites cost ~6 ms (measured in headless Chromium, --disable-gpu). The
 * looks come from a small set (kind × fill × severity × status; radius × fill × ring shares), so a
 * bounded cache keeps every sprite in use.
 */
import type { SiteKind } from '../../../../common/sites.js';
import { STATUS_COLOR } from '../model/colors.js';
import { RING_STEPS } from './cluster.js';

/** Sprites kept; the least recently used one goes first. */
const CAPACITY = 600;
/** Room around a shape for its outline and anti-aliasing, CSS px. */
const MARGIN = 3;

/** What a single marker looks like. */
export interface MarkerLook {
  readonly kind: SiteKind;
  readonly fill: string;
  /** Colour of the worst active alert's halo, or null without one. */
  readonly halo: string | null;
  /** Stale: drawn faded. */
  readonly faded: boolean;
  /** Offline, in maintenance or unknown: a cross instead of the kind's glyph. */
  readonly crossed: boolean;
}

/** What a cluster looks like. */
export interface ClusterLook {
  /** Radius of the disc, CSS px (whole pixels). */
  readonly radius: number;
  readonly fill: string;
  /** Health ring from {@link ringSteps}. */
  readonly ring: readonly [number, number, number];
}

/** A sprite and the offset of its centre, CSS px. */
export interface Sprite {
  readonly image: HTMLCanvasElement;
  /** Size in CSS px (the bitmap is `size × ratio`). */
  readonly size: number;
  readonly half: number;
}

/** Sprites for one device pixel ratio. */
export class SpriteCache {
  private readonly sprites = new Map<string, Sprite>();

  constructor(readonly ratio: number) {}

  /** Sprites currently kept. */
  get size(): number {
    return this.sprites.size;
  }

  /** The sprite of a single marker of radius `radius` (CSS px). */
  marker(look: MarkerLook, radius: number): Sprite {
    const key = `m|${look.kind}|${look.fill}|${look.halo ?? ''}|${look.faded ? 1 : 0}|${look.crossed ? 1 : 0}|${radius}`;
    return this.get(key, (radius + 4.5) * 1.22 + MARGIN, (context, c) => paintMarker(context, look, c, c, radius));
  }

  /** The sprite of a cluster disc with its health ring (the count is drawn on top as text). */
  cluster(look: ClusterLook): Sprite {
    const key = `c|${look.radius}|${look.fill}|${look.ring.join(',')}`;
    return this.get(key, look.radius + 4.5 + MARGIN, (context, c) => paintCluster(context, look, c, c));
  }

  private get(key: string, half: number, paint: (context: CanvasRenderingContext2D, centre: number) => void): Sprite {
    const kept = this.sprites.get(key);
    if (kept) {
      this.sprites.delete(key);
      this.sprites.set(key, kept);
      return kept;
    }
    const size = Math.ceil(half) * 2;
    const image = document.createElement('canvas');
    image.width = Math.ceil(size * this.ratio);
    image.height = image.width;
    const context = image.getContext('2d');
    if (context) {
      context.setTransform(this.ratio, 0, 0, this.ratio, 0, 0);
      paint(context, size / 2);
    }
    const sprite = { image, size, half: size / 2 };
    this.sprites.set(key, sprite);
    if (this.sprites.size > CAPACITY) {
      const oldest = this.sprites.keys().next().value;
      if (oldest !== undefined) this.sprites.delete(oldest);
    }
    return sprite;
  }
}

function paintCluster(context: CanvasRenderingContext2D, look: ClusterLook, x: number, y: number): void {
  const colors = [STATUS_COLOR.online, STATUS_COLOR.stale, STATUS_COLOR.offline];
  const ringRadius = look.radius + 2.5;
  context.lineWidth = 4;
  let start = -Math.PI / 2;
  look.ring.forEach((steps, k) => {
    if (steps <= 0) return;
    const end = start + (steps / RING_STEPS) * Math.PI * 2;
    context.beginPath();
    context.arc(x, y, ringRadius, start, end);
    context.strokeStyle = colors[k] ?? STATUS_COLOR.offline;
    context.stroke();
    start = end;
  });
  context.beginPath();
  context.arc(x, y, look.radius, 0, Math.PI * 2);
  context.fillStyle = look.fill;
  context.fill();
  context.lineWidth = 1.5;
  context.strokeStyle = '#ffffff';
  context.stroke();
}

function paintMarker(context: CanvasRenderingContext2D, look: MarkerLook, x: number, y: number, r: number): void {
  if (look.halo) {
    context.beginPath();
    shapePath(context, look.kind, x, y, r + 4.5);
    context.fillStyle = look.halo;
    context.fill();
    context.lineWidth = 1;
    context.strokeStyle = 'rgba(20, 20, 20, 0.55)';
    context.stroke();
  }
  context.globalAlpha = look.faded ? 0.55 : 1;
  context.beginPath();
  shapePath(context, look.kind, x, y, r);
  context.fillStyle = look.fill;
  context.fill();
  context.lineWidth = 1.6;
  context.strokeStyle = '#ffffff';
  context.stroke();
  glyph(context, look.kind, x, y, look.crossed);
  context.globalAlpha = 1;
}

/** The outline of a marker: circle = water quality, diamond = salinity, rounded square = camera. */
export function shapePath(context: CanvasRenderingContext2D | Path2D, kind: SiteKind, x: number, y: number, r: number): void {
  if (kind === 'water-quality') {
    context.moveTo(x + r, y);
    context.arc(x, y, r, 0, Math.PI * 2);
  } else if (kind === 'salinity') {
    const d = r * 1.22;
    context.moveTo(x, y - d);
    context.lineTo(x + d, y);
    context.lineTo(x, y + d);
    context.lineTo(x - d, y);
    context.closePath();
  } else {
    const s = r * 0.92;
    context.roundRect(x - s, y - s, 2 * s, 2 * s, 3);
  }
}

/** A tiny white glyph inside the marker (drop, waves, lens); a cross when the device is offline. */
function glyph(context: CanvasRenderingContext2D, kind: SiteKind, x: number, y: number, crossed: boolean): void {
  context.strokeStyle = '#ffffff';
  context.fillStyle = '#ffffff';
  context.lineWidth = 1.4;
  context.beginPath();
  if (crossed) {
    context.moveTo(x - 3, y - 3);
    context.lineTo(x + 3, y + 3);
    context.moveTo(x + 3, y - 3);
    context.lineTo(x - 3, y + 3);
    context.stroke();
    return;
  }
  if (kind === 'water-quality') {
    context.moveTo(x, y - 4.2);
    context.bezierCurveTo(x + 3.6, y - 0.5, x + 3.2, y + 3.6, x, y + 3.6);
    context.bezierCurveTo(x - 3.2, y + 3.6, x - 3.6, y - 0.5, x, y - 4.2);
    context.fill();
  } else if (kind === 'salinity') {
    for (const dy of [-1.8, 1.8]) {
      context.moveTo(x - 4, y + dy);
      context.quadraticCurveTo(x - 2, y + dy - 1.8, x, y + dy);
      context.quadraticCurveTo(x + 2, y + dy + 1.8, x + 4, y + dy);
    }
    context.stroke();
  } else {
    context.arc(x, y, 2.6, 0, Math.PI * 2);
    context.stroke();
  }
}
