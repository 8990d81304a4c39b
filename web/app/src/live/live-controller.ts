/**
 * Keeps the {@link SiteModel} current: the REST snapshots (`GET /api/sites`, the alert lists), then
 * socket.io `reading`, `site-status` and `alert` events. Readings are coalesced and applied every
 * {@link FLUSH_MS} (a few updates per site per second at most, one model change per flush however
 * large the burst), statuses are re-derived from the clock every second, and the server is told
 * which part of the map is on screen so it only streams readings for it. After a reconnect the
 * snapshots are reloaded to cover what was missed. Not React: the app and the benchmark drive it.
 */
import { io, type Socket } from 'socket.io-client';
import { z } from 'zod';
import type { Alert, AlertChange } from '../../../../common/alerts.js';
import {
  areaLatestResponseSchema,
  type KpiSnapshot,
  kpiSnapshotSchema,
  MAX_AREA_SITES,
  siteSummarySchema,
  userInfoSchema,
} from '../../../../common/api.js';
import type { ClientToServerEvents, ServerToClientEvents, ViewportSubscription } from '../../../../common/socket-events.js';
import { listPanelAlerts } from '../api/alerts-api.js';
import { ApiError, getJson } from '../api/http.js';
import type { SiteModel } from '../model/site-model.js';
import { LiveCoalescer } from './coalescer.js';

/** Live batches are applied this often, ms: at most 4 updates per site per second. */
export const FLUSH_MS = 250;
/** Displayed statuses are re-derived this often, ms. */
const TICK_MS = 1000;
/** KPIs are polled this often, ms. */
const KPI_MS = 5000;
/** A viewport change is sent to the server after it has settled this long, ms. */
const VIEWPORT_DEBOUNCE_MS = 150;
/** Delay before retrying a socket the server refused, ms. */
const RETRY_REFUSED_MS = 5_000;

const siteListSchema = z.object({ sites: z.array(siteSummarySchema) });

export type Connection = 'connecting' | 'live' | 'disconnected';
export type LoadState = { readonly kind: 'loading' } | { readonly kind: 'ready' } | { readonly kind: 'error'; readonly message: string };

export interface LiveControllerEvents {
  readonly onUnauthenticated: () => void;
  readonly onChange: () => void;
  /** A new critical alert (raised, or escalated to critical) that nobody acknowledged yet. */
  readonly onCritical?: (alert: Alert) => void;
}

export class LiveController {
  connection: Connection = 'connecting';
  load: LoadState = { kind: 'loading' };
  /** False while the alert routes are missing or failing. */
  alertsAvailable = true;
  kpis: KpiSnapshot | undefined;
  /** Live messages received (readings and statuses), for the benchmark. */
  messagesReceived = 0;
  private socket: Socket<ServerToClientEvents, ClientToServerEvents> | undefined;
  private readonly coalescer = new LiveCoalescer();
  private timers: ReturnType<typeof setInterval>[] = [];
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private viewportTimer: ReturnType<typeof setTimeout> | undefined;
  private viewport: ViewportSubscription = { bbox: null, sites: [] };
  private loaded = false;
  private aborter = new AbortController();
  private stopped = false;

  constructor(
    private readonly model: SiteModel,
    private readonly events: LiveControllerEvents,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Starts (or restarts after {@link stop}: React's StrictMode mounts effects twice in development). */
  start(): void {
    this.stopped = false;
    this.aborter = new AbortController();
    void this.reload();
    this.connect();
    this.timers.push(setInterval(() => this.flush(), FLUSH_MS));
    this.timers.push(setInterval(() => this.model.tick(this.clock()), TICK_MS));
    this.timers.push(setInterval(() => void this.pollKpis(), KPI_MS));
    void this.pollKpis();
  }

  stop(): void {
    this.stopped = true;
    this.aborter.abort();
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    clearTimeout(this.retryTimer);
    clearTimeout(this.viewportTimer);
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = undefined;
  }

  /** Loads (or reloads) the site and alert snapshots. */
  async reload(): Promise<void> {
    const signal = this.aborter.signal;
    try {
      const [sites] = await Promise.all([getJson('/api/sites', siteListSchema, signal), this.reloadAlerts(signal)]);
      this.model.load(sites.sites, this.clock());
      this.loaded = true;
      this.load = { kind: 'ready' };
      this.flush();
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof ApiError && error.unauthenticated) {
        this.events.onUnauthenticated();
        return;
      }
      this.load = { kind: 'error', message: error instanceof Error ? error.message : String(error) };
    }
    this.events.onChange();
  }

  /**
   * Tells the server what is on screen: `bbox` [west, south, east, north] degrees (null = everything)
   * and the sites followed off-screen (an open drawer). Debounced.
   */
  setViewport(bbox: [number, number, number, number] | null, followed: readonly string[]): void {
    this.viewport = { bbox, sites: [...followed] };
    clearTimeout(this.viewportTimer);
    this.viewportTimer = setTimeout(() => {
      this.socket?.emit('viewport', this.viewport);
      if (bbox) void this.refreshArea(bbox);
    }, VIEWPORT_DEBOUNCE_MS);
  }

  /**
   * Reloads the current state of the sites in `bbox` (readings are streamed only for what is on
   * screen, so sites that come into view may hold old values). Skipped for areas with more sites
   * than the server answers at once: then the stream covers them within a reporting interval.
   */
  async refreshArea(bbox: readonly [number, number, number, number]): Promise<void> {
    if (!this.loaded) return;
    const [west, south, east, north] = bbox;
    if (this.model.visibleIndices({ west, south, east, north }).length > MAX_AREA_SITES) return;
    try {
      const body = await getJson(
        `/api/map/latest?bbox=${bbox.map((v) => v.toFixed(5)).join(',')}`,
        areaLatestResponseSchema,
        this.aborter.signal,
      );
      this.model.mergeSummaries(body.sites, this.clock());
    } catch {
      // The stream keeps the area current anyway.
    }
  }

  /** Reloads one site's state (a drawer opened on it). */
  async refreshSite(siteId: string): Promise<void> {
    try {
      const summary = await getJson(`/api/sites/${encodeURIComponent(siteId)}`, siteSummarySchema, this.aborter.signal);
      this.model.mergeSummaries([summary], this.clock());
    } catch {
      // The stream follows the open site from now on.
    }
  }

  /** Applies an alert the app changed itself (ack, comment) without waiting for the stream. */
  applyAlert(alert: Alert): void {
    this.model.applyAlerts([alert], false, this.clock());
  }

  /** Applies the coalesced live events now. */
  flush(): void {
    if (!this.loaded || this.coalescer.isEmpty) return;
    const { readings, statuses, seen } = this.coalescer.drain();
    this.model.applyBatch(readings, statuses, this.clock(), seen);
  }

  private async reloadAlerts(signal: AbortSignal): Promise<void> {
    try {
      const alerts = await listPanelAlerts(signal);
      this.alertsAvailable = true;
      this.model.applyAlerts(alerts, true, this.clock());
    } catch (error) {
      if (error instanceof ApiError && error.unauthenticated) throw error;
      // Without the alert engine (404) or while it fails, the map still works.
      this.alertsAvailable = false;
    }
  }

  private async pollKpis(): Promise<void> {
    try {
      this.kpis = await getJson('/api/kpis', kpiSnapshotSchema, this.aborter.signal);
      this.events.onChange();
    } catch {
      // The header shows "—" until the next poll succeeds.
    }
  }

  private connect(): void {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({ withCredentials: true });
    this.socket = socket;
    let connectedBefore = false;
    socket.on('connect', () => {
      this.connection = 'live';
      socket.emit('viewport', this.viewport);
      if (connectedBefore) void this.reload();
      connectedBefore = true;
      this.events.onChange();
    });
    socket.on('disconnect', () => {
      this.connection = 'disconnected';
      this.events.onChange();
    });
    socket.on('connect_error', () => {
      this.connection = 'disconnected';
      this.events.onChange();
      // A refused handshake (no or expired session) is not retried by socket.io itself.
      if (socket.active || this.stopped) return;
      getJson('/api/auth/me', userInfoSchema)
        .then(() => {
          this.retryTimer = setTimeout(() => socket.connect(), RETRY_REFUSED_MS);
        })
        .catch((error: unknown) => {
          if (error instanceof ApiError && error.unauthenticated) this.events.onUnauthenticated();
          else this.retryTimer = setTimeout(() => socket.connect(), RETRY_REFUSED_MS);
        });
    });
    socket.on('reading', (reading) => {
      this.messagesReceived += 1;
      this.coalescer.addReading(reading);
    });
    socket.on('site-status', (status) => {
      this.messagesReceived += 1;
      this.coalescer.addStatus(status);
    });
    socket.on('sites-seen', (batch) => this.coalescer.addSeen(batch));
    socket.on('alert', (change: AlertChange) => this.onAlert(change));
  }

  private onAlert(change: AlertChange): void {
    const { alert } = change;
    this.model.applyAlerts([alert], false, this.clock());
    const escalated = change.change === 'raised' || change.change === 'severity_changed';
    if (escalated && alert.severity === 'critical' && alert.state === 'ACTIVE_UNACK') this.events.onCritical?.(alert);
  }
}
