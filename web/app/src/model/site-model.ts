/**
 * The map's model of every site, built for tens of thousands of them: plain arrays indexed by site
 * (positions in Web Mercator, status, worst alert, fill colour, label value) that the canvas layer
 * reads directly, updated in place for the sites a live batch touched, plus a version counter and
 * listeners so React re-renders at the batch rate, never per message. In replay mode a second set
 * of visual arrays (a past frame) replaces the live one until the operator returns to live.
 */
import type { Alert } from '../../../../common/alerts.js';
import type { LatestValue, SiteSummary } from '../../../../common/api.js';
import { isMetricId, METRICS } from '../../../../common/metrics.js';
import { effectiveSiteStatus, SITE_KINDS, type SiteKind, type SiteStatus } from '../../../../common/sites.js';
import type { LiveSiteStatus } from '../../../../common/socket-events.js';
import { computeVnWqi } from '../../../../common/wqi.js';
import { AlertBook } from './alert-book.js';
import { CAMERA_FILL, NEUTRAL_FILL, STATUS_COLOR, salinityColor, wqiColor } from './colors.js';
import { DEFAULT_FILTERS, foldText, type MapFilters, matchesFilters } from './filters.js';

/** Displayed statuses by code (the `status` array holds indices into this list). */
export const STATUS_CODES: readonly SiteStatus[] = ['online', 'stale', 'offline', 'maintenance', 'unknown'];
const STATUS_INDEX = new Map<SiteStatus, number>(STATUS_CODES.map((status, index) => [status, index]));
export const statusCode = (status: SiteStatus): number => STATUS_INDEX.get(status) ?? 4;

/** A site as the model holds it: the REST summary's fixed parts plus live values. */
export interface SiteRecord {
  readonly id: string;
  readonly name: string;
  readonly kind: SiteKind;
  readonly lat: number;
  readonly lon: number;
  readonly province: { readonly former: string; readonly current: string };
  readonly reportingIntervalSec: number;
  readonly snapshotUrl: string | undefined;
  latest: Record<string, LatestValue>;
  reportedStatus: SiteSummary['reportedStatus'];
  lastSeen: number | null;
  /** VN_WQI (0–100, indicative) from the latest values (common/wqi.ts, as the server computes it); null when not computable. */
  wqi: number | null;
}

/** Per-site arrays the canvas draws from; index = the site's index in {@link SiteModel.sites}. */
export interface Visual {
  /** Index into {@link STATUS_CODES}. */
  readonly status: Uint8Array;
  /** Worst active alert: 0 none, 1 warning … 4 critical. */
  readonly severity: Uint8Array;
  readonly fill: string[];
  /** The number printed next to a marker (‰ for salinity, VN_WQI for water quality); NaN = none. */
  readonly label: Float64Array;
}

/** A live reading batch entry: values merged per site since the last flush. */
export interface PendingReading {
  ts: number;
  values: Record<string, number>;
}

export type ModelListener = (dirty: ReadonlySet<number> | null) => void;

/** Normalised Web Mercator x of a longitude, 0–1. */
export const mercatorX = (lon: number): number => (lon + 180) / 360;
/** Normalised Web Mercator y of a latitude, 0–1 (north at 0). */
export function mercatorY(lat: number): number {
  const clamped = Math.max(-85.0511, Math.min(85.0511, lat));
  const sin = Math.sin((clamped * Math.PI) / 180);
  return 0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI);
}

/** Fill and label of one site from its kind, displayed status and values. Pure. */
export function siteLook(
  kind: SiteKind,
  status: SiteStatus,
  salinity: number | undefined,
  wqi: number | null,
): { readonly fill: string; readonly label: number } {
  if (status === 'offline' || status === 'maintenance' || status === 'unknown') return { fill: STATUS_COLOR[status], label: Number.NaN };
  if (kind === 'salinity')
    return salinity === undefined ? { fill: NEUTRAL_FILL, label: Number.NaN } : { fill: salinityColor(salinity), label: salinity };
  if (kind === 'water-quality')
    return wqi === null ? { fill: NEUTRAL_FILL, label: Number.NaN } : { fill: wqiColor(wqi), label: Math.round(wqi) };
  return { fill: CAMERA_FILL, label: Number.NaN };
}

function emptyVisual(count: number): Visual {
  return {
    status: new Uint8Array(count).fill(4),
    severity: new Uint8Array(count),
    fill: new Array<string>(count).fill(NEUTRAL_FILL),
    label: new Float64Array(count).fill(Number.NaN),
  };
}

function recordOf(summary: SiteSummary): SiteRecord {
  return {
    id: summary.id,
    name: summary.name,
    kind: summary.kind,
    lat: summary.lat,
    lon: summary.lon,
    province: summary.province,
    reportingIntervalSec: summary.reportingIntervalSec,
    snapshotUrl: summary.snapshotUrl,
    latest: { ...summary.latest },
    reportedStatus: summary.reportedStatus,
    lastSeen: summary.lastSeen,
    wqi: null,
  };
}

export class SiteModel {
  sites: SiteRecord[] = [];
  readonly byId = new Map<string, number>();
  /** Normalised Web Mercator positions (0–1). */
  mx = new Float64Array(0);
  my = new Float64Array(0);
  foldedNames: string[] = [];
  readonly live: { visual: Visual } = { visual: emptyVisual(0) };
  /** The replayed frame's visual, or null in live mode. */
  replay: { readonly at: number; readonly visual: Visual } | null = null;
  /** 1 when the site passes the filters in the current visual. */
  visible = new Uint8Array(0);
  filters: MapFilters = DEFAULT_FILTERS;
  readonly alerts = new AlertBook();
  /** Increases on every change (React's useSyncExternalStore snapshot). */
  version = 0;
  /** Increases when the set of sites changes. */
  structureVersion = 0;
  private readonly listeners = new Set<ModelListener>();
  private countsCache: { version: number; counts: Record<SiteStatus, number> } | undefined;

  /** The visual the map shows: the replayed frame, or live. */
  get visual(): Visual {
    return this.replay?.visual ?? this.live.visual;
  }

  subscribe(listener: ModelListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  site(id: string): SiteRecord | undefined {
    const index = this.byId.get(id);
    return index === undefined ? undefined : this.sites[index];
  }

  /**
   * Takes a REST snapshot (first load or after a reconnect) without losing newer live values: per
   * metric the newer value wins, `lastSeen` never moves back. Sites no longer listed are dropped.
   */
  load(summaries: readonly SiteSummary[], nowMs: number): void {
    const sites = summaries.map((summary) => {
      const fresh = recordOf(summary);
      const known = this.site(summary.id);
      if (!known) return fresh;
      for (const [metric, value] of Object.entries(known.latest)) {
        const other = fresh.latest[metric];
        if (!other || other.ts < value.ts) fresh.latest[metric] = value;
      }
      if (known.lastSeen !== null) fresh.lastSeen = Math.max(known.lastSeen, fresh.lastSeen ?? 0);
      return fresh;
    });
    const structural = sites.length !== this.sites.length || sites.some((site, index) => this.sites[index]?.id !== site.id);
    this.sites = sites;
    this.byId.clear();
    for (const [index, site] of sites.entries()) this.byId.set(site.id, index);
    const count = sites.length;
    this.mx = new Float64Array(count);
    this.my = new Float64Array(count);
    sites.forEach((site, index) => {
      this.mx[index] = mercatorX(site.lon);
      this.my[index] = mercatorY(site.lat);
    });
    this.foldedNames = sites.map((site) => foldText(`${site.name} ${site.province.current} ${site.province.former}`));
    for (const site of sites) if (site.kind === 'water-quality') site.wqi = computeVnWqi(site.latest)?.value ?? null;
    this.live.visual = emptyVisual(count);
    this.visible = new Uint8Array(count);
    for (let i = 0; i < count; i++) this.refreshSite(i, nowMs);
    if (structural) this.structureVersion += 1;
    this.emit(null);
  }

  /**
   * Merges fresher summaries of some sites (an area the map moved to, an opened site): per metric
   * the newer value wins, `lastSeen` never moves back, the device status comes from the server.
   */
  mergeSummaries(summaries: readonly SiteSummary[], nowMs: number): void {
    const dirty = new Set<number>();
    for (const summary of summaries) {
      const index = this.byId.get(summary.id);
      const site = index === undefined ? undefined : this.sites[index];
      if (index === undefined || !site) continue;
      let changed = site.reportedStatus !== summary.reportedStatus;
      site.reportedStatus = summary.reportedStatus;
      for (const [metric, value] of Object.entries(summary.latest)) {
        const held = site.latest[metric];
        if (held && held.ts >= value.ts) continue;
        site.latest[metric] = value;
        changed = true;
      }
      if (summary.lastSeen !== null && summary.lastSeen > (site.lastSeen ?? 0)) {
        site.lastSeen = summary.lastSeen;
        changed = true;
      }
      if (!changed) continue;
      if (site.kind === 'water-quality') site.wqi = computeVnWqi(site.latest)?.value ?? null;
      this.refreshSite(index, nowMs);
      dirty.add(index);
    }
    if (dirty.size > 0) this.emit(dirty);
  }

  /** Applies one coalesced batch of live readings and status changes; listeners get the touched sites. */
  applyBatch(
    readings: ReadonlyMap<string, PendingReading>,
    statuses: readonly LiveSiteStatus[],
    nowMs: number,
    seen: ReadonlyMap<string, number> = new Map(),
  ): void {
    const dirty = new Set<number>();
    // Last contact of sites off screen (no readings streamed for them): only the status can change.
    for (const [siteId, ts] of seen) {
      const index = this.byId.get(siteId);
      const site = index === undefined ? undefined : this.sites[index];
      if (index === undefined || !site || readings.has(siteId)) continue;
      const lastSeen = Math.max(site.lastSeen ?? 0, Math.min(ts, nowMs));
      if (lastSeen === site.lastSeen) continue;
      site.lastSeen = lastSeen;
      if (this.refreshStatus(index, nowMs)) dirty.add(index);
    }
    for (const [siteId, reading] of readings) {
      const index = this.byId.get(siteId);
      const site = index === undefined ? undefined : this.sites[index];
      if (index === undefined || !site) continue;
      for (const [metric, value] of Object.entries(reading.values)) {
        const current = site.latest[metric];
        if (current && current.ts > reading.ts) continue;
        site.latest[metric] = { value, ts: reading.ts, unit: isMetricId(metric) ? METRICS[metric].unit : (current?.unit ?? '') };
      }
      site.lastSeen = Math.max(site.lastSeen ?? 0, Math.min(reading.ts, nowMs));
      if (site.kind === 'water-quality') site.wqi = computeVnWqi(site.latest)?.value ?? null;
      dirty.add(index);
    }
    for (const status of statuses) {
      const index = this.byId.get(status.siteId);
      const site = index === undefined ? undefined : this.sites[index];
      if (index === undefined || !site) continue;
      site.reportedStatus = status.status;
      site.lastSeen = Math.max(site.lastSeen ?? 0, Math.min(status.lastSeen, nowMs));
      dirty.add(index);
    }
    if (dirty.size === 0) return;
    for (const index of dirty) this.refreshSite(index, nowMs);
    this.emit(dirty);
  }

  /** Re-derives every displayed status from the clock, so silent sites turn stale without a message. */
  tick(nowMs: number): void {
    const dirty = new Set<number>();
    const { status } = this.live.visual;
    for (let i = 0; i < this.sites.length; i++) {
      const site = this.sites[i];
      if (!site) continue;
      const code = statusCode(
        effectiveSiteStatus(site.reportedStatus ?? undefined, site.lastSeen ?? undefined, site.reportingIntervalSec, nowMs),
      );
      if (code !== status[i]) {
        this.refreshSite(i, nowMs);
        dirty.add(i);
      }
    }
    if (dirty.size > 0) this.emit(dirty);
  }

  /** Applies alert changes (REST list or live); the worst severity of the touched sites is re-derived. */
  applyAlerts(alerts: readonly Alert[], replaceAll: boolean, nowMs: number): void {
    const before = this.alerts.worstBySite();
    const touched = new Set<string>(replaceAll ? before.keys() : []);
    if (replaceAll) this.alerts.replaceAll(alerts);
    for (const alert of alerts) {
      if (!replaceAll) this.alerts.apply(alert);
      touched.add(alert.siteId);
    }
    const dirty = new Set<number>();
    for (const siteId of touched) {
      const index = this.byId.get(siteId);
      if (index !== undefined) {
        this.refreshSite(index, nowMs);
        dirty.add(index);
      }
    }
    this.emit(dirty);
  }

  setFilters(filters: MapFilters): void {
    this.filters = filters;
    this.refilter();
    this.emit(null);
  }

  /** Shows a replayed frame (or live again with null). */
  setReplay(replay: { readonly at: number; readonly visual: Visual } | null): void {
    this.replay = replay;
    this.refilter();
    this.emit(null);
  }

  /** Indices of the sites that pass the filters, optionally only inside a lat/lon box. */
  visibleIndices(bounds?: { south: number; west: number; north: number; east: number }): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.sites.length; i++) {
      if (this.visible[i] !== 1) continue;
      if (bounds) {
        const site = this.sites[i];
        if (!site || site.lat < bounds.south || site.lat > bounds.north || site.lon < bounds.west || site.lon > bounds.east) continue;
      }
      out.push(i);
    }
    return out;
  }

  /** Sites per displayed status (live or replayed), for the header. */
  statusCounts(): Record<SiteStatus, number> {
    if (this.countsCache?.version === this.version) return this.countsCache.counts;
    const counts: Record<SiteStatus, number> = { online: 0, stale: 0, offline: 0, maintenance: 0, unknown: 0 };
    const { status } = this.visual;
    for (let i = 0; i < this.sites.length; i++) {
      const name = STATUS_CODES[status[i] ?? 4] ?? 'unknown';
      counts[name] += 1;
    }
    this.countsCache = { version: this.version, counts };
    return counts;
  }

  /** Sites per kind. */
  kindCounts(): Record<SiteKind, number> {
    const counts = Object.fromEntries(SITE_KINDS.map((kind) => [kind, 0])) as Record<SiteKind, number>;
    for (const site of this.sites) counts[site.kind] += 1;
    return counts;
  }

  private refreshSite(index: number, nowMs: number): void {
    const site = this.sites[index];
    if (!site) return;
    const visual = this.live.visual;
    const status = effectiveSiteStatus(site.reportedStatus ?? undefined, site.lastSeen ?? undefined, site.reportingIntervalSec, nowMs);
    const look = siteLook(site.kind, status, site.latest.salinity?.value, site.wqi);
    visual.status[index] = statusCode(status);
    visual.severity[index] = this.alerts.worstBySite().get(site.id) ?? 0;
    visual.fill[index] = look.fill;
    visual.label[index] = look.label;
    if (!this.replay) this.visible[index] = this.passes(index) ? 1 : 0;
  }

  /** Re-derives one site's status and look (not its VN_WQI); returns true when its status changed. */
  private refreshStatus(index: number, nowMs: number): boolean {
    const before = this.live.visual.status[index];
    this.refreshSite(index, nowMs);
    return this.live.visual.status[index] !== before;
  }

  private passes(index: number): boolean {
    const site = this.sites[index];
    if (!site) return false;
    const visual = this.visual;
    return matchesFilters(site, STATUS_CODES[visual.status[index] ?? 4] ?? 'unknown', visual.severity[index] ?? 0, this.filters);
  }

  private refilter(): void {
    for (let i = 0; i < this.sites.length; i++) this.visible[i] = this.passes(i) ? 1 : 0;
  }

  private emit(dirty: ReadonlySet<number> | null): void {
    this.version += 1;
    for (const listener of this.listeners) listener(dirty);
  }
}
