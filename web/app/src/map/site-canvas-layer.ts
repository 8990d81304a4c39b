/**
 * Every site on one canvas (a Leaflet layer), so 20,000 sites cost one draw per batch instead of
 * 20,000 DOM nodes. Each redraw projects the filtered sites on screen, clusters them
 * (cluster.ts), and paints clusters (worst alert as fill, health ring) and single markers (shape by
 * kind, fill by value or status, ring by worst alert, a value label for salinity and VN_WQI).
 * Redraws are coalesced to one per animation frame and skipped when no changed site is on screen.
 * During a zoom animation the last frame is scaled like Leaflet's own renderers do.
 */
import { DomUtil, Layer, type LeafletEvent, type Map as LeafletMap, type LeafletMouseEvent, Point, type ZoomAnimEvent } from 'leaflet';
import type { DrawStats } from '../../../../common/map-automation.js';
import type { Formatter } from '../i18n/format.js';
import { CLUSTER_FILL, SEVERITY_BY_RANK, SEVERITY_COLOR, SEVERITY_TEXT } from '../model/colors.js';
import type { SiteModel } from '../model/site-model.js';
import { type Cluster, clusterPoints, ringSteps } from './cluster.js';
import { type Sprite, SpriteCache } from './marker-sprites.js';

/** Radius of a single marker, CSS px. */
export const MARKER_RADIUS = 8;
/** Grid cell of the clustering, CSS px: coarse when many sites are on screen, marker-sized when few. */
const CELL_PX = 56;
const FEW_CELL_PX = 24;
/** Up to this many sites on screen, only overlapping markers are clustered. */
const FEW_SITES = 400;
/** From this zoom on, sites are never clustered (only overlapping ones are, into a pick list). */
const NO_CLUSTER_ZOOM = 15;
/** Value labels appear from this zoom on, or when few single markers are on screen. */
const LABEL_ZOOM = 10;
const LABEL_MAX_SINGLES = 400;
/** Least time between two redraws caused by live data (not by the user), ms. */
const DATA_REDRAW_MS = 400;
/** Extra canvas around the viewport, as a fraction of its size, so panning shows no blank edge. */
const PADDING = 0.1;
const STALE_CODE = 1;
const CLUSTER_FONT = '700 12px system-ui, "Segoe UI", Roboto, "Noto Sans", sans-serif';
const LABEL_FONT = '600 11px system-ui, "Segoe UI", Roboto, "Noto Sans", sans-serif';
const OFFLINE_CODES = new Set([2, 3, 4]);

/** What the pointer is over. */
export type HitTarget = { readonly type: 'site'; readonly index: number } | { readonly type: 'cluster'; readonly cluster: Cluster };

export interface SiteCanvasCallbacks {
  readonly onSiteClick: (index: number) => void;
  readonly onClusterClick: (cluster: Cluster) => void;
  /** The hovered target and its container point, or null when leaving it. */
  readonly onHover: (target: HitTarget | null, x: number, y: number) => void;
}

export class SiteCanvasLayer extends Layer {
  readonly stats: DrawStats = { draws: 0, lastDrawMs: 0, maxDrawMs: 0, singles: 0, clusters: 0 };
  private canvas: HTMLCanvasElement | undefined;
  private leaflet: LeafletMap | undefined;
  private frame = 0;
  private drawnCenter: ReturnType<LeafletMap['getCenter']> | undefined;
  private drawnZoom = 0;
  private topLeft = new Point(0, 0);
  private hits: HitTarget[] = [];
  private hitX: number[] = [];
  private hitY: number[] = [];
  private hitR: number[] = [];
  private hovered: HitTarget | null = null;
  private unsubscribe: (() => void) | undefined;
  private selected = -1;
  private dataTimer: ReturnType<typeof setTimeout> | undefined;
  private lastDrawAt = Number.NEGATIVE_INFINITY;
  private fmt: Formatter;
  private sprites: SpriteCache | undefined;

  constructor(
    private readonly model: SiteModel,
    formatter: Formatter,
    private readonly callbacks: SiteCanvasCallbacks,
  ) {
    super();
    this.fmt = formatter;
  }

  override onAdd(map: LeafletMap): this {
    this.leaflet = map;
    const canvas = DomUtil.create('canvas', 'site-canvas leaflet-zoom-animated');
    canvas.setAttribute('aria-hidden', 'true');
    this.canvas = canvas;
    let pane = map.getPane('sitesPane');
    if (!pane) {
      pane = map.createPane('sitesPane');
      pane.style.zIndex = '450';
    }
    pane.appendChild(canvas);
    map.on('moveend zoomend resize viewreset', this.reset, this);
    map.on('zoomanim', this.animateZoom, this);
    map.on('click', this.onClick, this);
    map.on('mousemove', this.onMove, this);
    map.on('mouseout movestart zoomstart', this.onOut, this);
    this.unsubscribe = this.model.subscribe((dirty) => {
      if (dirty === null) this.requestRedraw();
      else if (this.anyOnScreen(dirty)) this.requestDataRedraw();
    });
    this.reset();
    return this;
  }

  override onRemove(map: LeafletMap): this {
    map.off('moveend zoomend resize viewreset', this.reset, this);
    map.off('zoomanim', this.animateZoom, this);
    map.off('click', this.onClick, this);
    map.off('mousemove', this.onMove, this);
    map.off('mouseout movestart zoomstart', this.onOut, this);
    this.unsubscribe?.();
    clearTimeout(this.dataTimer);
    this.dataTimer = undefined;
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.canvas?.remove();
    this.canvas = undefined;
    this.leaflet = undefined;
    return this;
  }

  setFormatter(formatter: Formatter): void {
    this.fmt = formatter;
    this.requestRedraw();
  }

  setSelected(index: number): void {
    if (index === this.selected) return;
    this.selected = index;
    this.requestRedraw();
  }

  /** Container point (CSS px) of a site, or undefined when the layer is not on a map. */
  containerPointOf(index: number): { x: number; y: number } | undefined {
    const map = this.leaflet;
    if (!map) return undefined;
    const scale = 256 * 2 ** map.getZoom();
    const origin = map.getPixelOrigin();
    const pane = DomUtil.getPosition(map.getPane('mapPane') ?? map.getContainer());
    return {
      x: (this.model.mx[index] ?? 0) * scale - origin.x + pane.x,
      y: (this.model.my[index] ?? 0) * scale - origin.y + pane.y,
    };
  }

  /** A redraw for changed values: at most one per {@link DATA_REDRAW_MS}, so a stream of data never saturates the main thread. */
  private requestDataRedraw(): void {
    if (this.dataTimer !== undefined) return;
    const wait = Math.max(0, this.lastDrawAt + DATA_REDRAW_MS - performance.now());
    this.dataTimer = setTimeout(() => {
      this.dataTimer = undefined;
      this.requestRedraw();
    }, wait);
  }

  /** Schedules one redraw on the next animation frame. */
  requestRedraw(): void {
    if (this.frame !== 0 || !this.leaflet) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private reset(): void {
    const map = this.leaflet;
    const canvas = this.canvas;
    if (!map || !canvas) return;
    const size = map.getSize();
    const pad = size.multiplyBy(PADDING).round();
    this.topLeft = map.containerPointToLayerPoint(pad.multiplyBy(-1)).round();
    DomUtil.setPosition(canvas, this.topLeft);
    const width = size.x + 2 * pad.x;
    const height = size.y + 2 * pad.y;
    const ratio = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
      canvas.style.width = `${width}px`;
      canvas.style.height = `${height}px`;
    }
    this.drawnCenter = map.getCenter();
    this.drawnZoom = map.getZoom();
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.draw();
  }

  /** Same transform as Leaflet's Renderer._updateTransform, with public API only. */
  private animateZoom(event: LeafletEvent): void {
    const map = this.leaflet;
    const canvas = this.canvas;
    if (!map || !canvas || !this.drawnCenter) return;
    const { zoom, center } = event as ZoomAnimEvent;
    const scale = map.getZoomScale(zoom, this.drawnZoom);
    const size = map.getSize();
    const viewHalf = size.multiplyBy(0.5 + PADDING);
    const currentCenterPoint = map.project(this.drawnCenter, zoom);
    const panePos = DomUtil.getPosition(map.getPane('mapPane') ?? map.getContainer());
    const newPixelOrigin = map.project(center, zoom).subtract(size.multiplyBy(0.5)).add(panePos).round();
    const offset = viewHalf.multiplyBy(-scale).add(currentCenterPoint).subtract(newPixelOrigin);
    DomUtil.setTransform(canvas, offset, scale);
  }

  private anyOnScreen(dirty: ReadonlySet<number>): boolean {
    const map = this.leaflet;
    if (!map) return false;
    const bounds = map.getBounds().pad(PADDING);
    const south = bounds.getSouth();
    const north = bounds.getNorth();
    const west = bounds.getWest();
    const east = bounds.getEast();
    for (const index of dirty) {
      const site = this.model.sites[index];
      if (site && site.lat >= south && site.lat <= north && site.lon >= west && site.lon <= east) return true;
    }
    return false;
  }

  private draw(): void {
    const map = this.leaflet;
    const canvas = this.canvas;
    if (!map || !canvas) return;
    const started = performance.now();
    this.lastDrawAt = started;
    const ratio = window.devicePixelRatio || 1;
    const context = canvas.getContext('2d');
    if (!context) return;
    const width = canvas.width / ratio;
    const height = canvas.height / ratio;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, height);

    // Project the filtered sites inside the canvas (CSS px relative to its top-left).
    const zoom = map.getZoom();
    const scale = 256 * 2 ** zoom;
    const origin = map.getPixelOrigin();
    const offsetX = origin.x + this.topLeft.x;
    const offsetY = origin.y + this.topLeft.y;
    const { mx, my, visible } = this.model;
    const visual = this.model.visual;
    const indices: number[] = [];
    const xs: number[] = [];
    const ys: number[] = [];
    const margin = MARKER_RADIUS * 2;
    for (let i = 0; i < visible.length; i++) {
      if (visible[i] !== 1) continue;
      const x = (mx[i] ?? 0) * scale - offsetX;
      const y = (my[i] ?? 0) * scale - offsetY;
      if (x < -margin || y < -margin || x > width + margin || y > height + margin) continue;
      indices.push(i);
      xs.push(x);
      ys.push(y);
    }
    const { singles, clusters } = clusterPoints({
      indices,
      xs,
      ys,
      severityOf: (index) => visual.severity[index] ?? 0,
      healthOf: (index) => {
        const code = visual.status[index] ?? 4;
        return code === 0 ? 0 : code === STALE_CODE ? 1 : 2;
      },
      cellPx: indices.length <= FEW_SITES ? FEW_CELL_PX : CELL_PX,
      minSeparationPx: MARKER_RADIUS * 2 + 4,
      originX: offsetX,
      originY: offsetY,
      enabled: zoom < NO_CLUSTER_ZOOM,
    });

    this.hits = [];
    this.hitX = [];
    this.hitY = [];
    this.hitR = [];
    // Font and alignment once per pass: setting them per item costs more than drawing.
    context.font = CLUSTER_FONT;
    context.textAlign = 'center';
    context.textBaseline = 'middle';
    if (this.sprites?.ratio !== ratio) this.sprites = new SpriteCache(ratio);
    const sprites = this.sprites;
    this.drawClusters(context, sprites, clusters);
    context.font = LABEL_FONT;
    context.textAlign = 'left';
    // Alerts on top: draw singles from least to most severe.
    singles.sort((a, b) => (visual.severity[a.index] ?? 0) - (visual.severity[b.index] ?? 0));
    const labels = zoom >= LABEL_ZOOM || singles.length <= LABEL_MAX_SINGLES;
    for (const single of singles) this.drawSite(context, sprites, single.index, single.x, single.y, labels);
    const selected = this.selected;
    if (selected >= 0 && visible[selected] === 1) {
      const x = (mx[selected] ?? 0) * scale - offsetX;
      const y = (my[selected] ?? 0) * scale - offsetY;
      context.lineWidth = 3;
      context.strokeStyle = '#0b3d91';
      context.beginPath();
      context.arc(x, y, MARKER_RADIUS + 8, 0, Math.PI * 2);
      context.stroke();
      context.lineWidth = 1.5;
      context.strokeStyle = '#ffffff';
      context.beginPath();
      context.arc(x, y, MARKER_RADIUS + 10, 0, Math.PI * 2);
      context.stroke();
    }
    const elapsed = performance.now() - started;
    this.stats.draws += 1;
    this.stats.lastDrawMs = elapsed;
    this.stats.maxDrawMs = Math.max(this.stats.maxDrawMs, elapsed);
    this.stats.singles = singles.length;
    this.stats.clusters = clusters.length;
  }

  /**
   * Stamps every cluster's sprite (disc by worst alert, health ring), then writes the counts, one
   * text colour at a time.
   */
  private drawClusters(context: CanvasRenderingContext2D, sprites: SpriteCache, clusters: readonly Cluster[]): void {
    for (const cluster of clusters) {
      const radius = Math.round(Math.min(30, 13 + 4.2 * Math.log10(cluster.count)));
      const severity = SEVERITY_BY_RANK[cluster.worst] ?? null;
      const sprite = sprites.cluster({
        radius,
        fill: severity ? SEVERITY_COLOR[severity] : CLUSTER_FILL,
        ring: ringSteps(cluster.health, cluster.count),
      });
      stamp(context, sprite, cluster.x, cluster.y);
      this.addHit({ type: 'cluster', cluster }, cluster.x, cluster.y, radius + 4);
    }
    for (let rank = 0; rank < SEVERITY_BY_RANK.length; rank++) {
      const severity = SEVERITY_BY_RANK[rank] ?? null;
      context.fillStyle = severity ? SEVERITY_TEXT[severity] : '#ffffff';
      for (const cluster of clusters) {
        if (cluster.worst !== rank) continue;
        context.fillText(this.clusterCount(cluster.count), cluster.x, cluster.y + 0.5);
      }
    }
  }

  private clusterCount(count: number): string {
    if (count >= 10_000) return `${Math.round(count / 1000)}k`;
    if (count >= 1000) return `${this.fmt.number(count / 1000, 1)}k`;
    return String(count);
  }

  private drawSite(context: CanvasRenderingContext2D, sprites: SpriteCache, index: number, x: number, y: number, withLabel: boolean): void {
    const site = this.model.sites[index];
    if (!site) return;
    const visual = this.model.visual;
    const status = visual.status[index] ?? 4;
    const severity = SEVERITY_BY_RANK[visual.severity[index] ?? 0] ?? null;
    const r = MARKER_RADIUS;
    const sprite = sprites.marker(
      {
        kind: site.kind,
        fill: visual.fill[index] ?? CLUSTER_FILL,
        halo: severity ? SEVERITY_COLOR[severity] : null,
        faded: status === STALE_CODE,
        crossed: OFFLINE_CODES.has(status),
      },
      r,
    );
    stamp(context, sprite, x, y);
    const value = visual.label[index] ?? Number.NaN;
    if (withLabel && Number.isFinite(value)) {
      const text = site.kind === 'salinity' ? `${this.fmt.number(value, 1)} ‰` : `WQI ${Math.round(value)}`;
      const width = text.length * 6.3 + 8;
      const left = x + r + (severity ? 6 : 3);
      context.fillStyle = 'rgba(255, 255, 255, 0.92)';
      context.strokeStyle = visual.fill[index] ?? '#555';
      context.lineWidth = 1.2;
      context.beginPath();
      context.roundRect(left, y - 8, width, 16, 4);
      context.fill();
      context.stroke();
      context.fillStyle = '#13202e';
      context.fillText(text, left + 4, y + 0.5);
    }
    this.addHit({ type: 'site', index }, x, y, r + 4);
  }

  private addHit(target: HitTarget, x: number, y: number, r: number): void {
    this.hits.push(target);
    this.hitX.push(x);
    this.hitY.push(y);
    this.hitR.push(r);
  }

  /** The topmost target under a container point. */
  private hitAt(containerX: number, containerY: number): HitTarget | null {
    const map = this.leaflet;
    if (!map) return null;
    const canvasOrigin = map.layerPointToContainerPoint(this.topLeft);
    const x = containerX - canvasOrigin.x;
    const y = containerY - canvasOrigin.y;
    for (let k = this.hits.length - 1; k >= 0; k--) {
      const dx = x - (this.hitX[k] ?? 0);
      const dy = y - (this.hitY[k] ?? 0);
      const r = this.hitR[k] ?? 0;
      if (dx * dx + dy * dy <= r * r) return this.hits[k] ?? null;
    }
    return null;
  }

  private onClick(event: LeafletMouseEvent): void {
    const target = this.hitAt(event.containerPoint.x, event.containerPoint.y);
    if (!target) return;
    if (target.type === 'site') this.callbacks.onSiteClick(target.index);
    else this.callbacks.onClusterClick(target.cluster);
  }

  private onMove(event: LeafletMouseEvent): void {
    const target = this.hitAt(event.containerPoint.x, event.containerPoint.y);
    const container = this.leaflet?.getContainer();
    if (container) container.style.cursor = target ? 'pointer' : '';
    if (target === null && this.hovered === null) return;
    this.hovered = target;
    this.callbacks.onHover(target, event.containerPoint.x, event.containerPoint.y);
  }

  private onOut(): void {
    if (this.hovered === null) return;
    this.hovered = null;
    this.callbacks.onHover(null, 0, 0);
  }
}

/** Draws a sprite centred on (x, y), on whole pixels so it stays crisp. */
function stamp(context: CanvasRenderingContext2D, sprite: Sprite, x: number, y: number): void {
  context.drawImage(sprite.image, Math.round(x - sprite.half), Math.round(y - sprite.half), sprite.size, sprite.size);
}
