/**
 * What the web server knows about each site right now: latest value per metric, last reported
 * device status and when the site was last heard from. Warm-started from the store, then kept
 * current from the platform's MQTT fan-out. Updates are merged newest-wins by timestamp, so a
 * late warm-up snapshot or a backfilled batch never overwrites newer values.
 */
import { isMetricId, type MetricId } from '../../../common/metrics.js';
import type { DeviceStatus } from '../../../common/sites.js';
import type { SiteLookup } from '../../../platform/sites/site-lookup.js';
import type { SiteLatest, SiteStatusRecord } from '../../../platform/store/types.js';

/** Latest value of one metric; `ts` epoch ms. */
export interface CachedValue {
  readonly value: number;
  readonly ts: number;
}

/** Read-only view of one site's state. */
export interface SiteState {
  readonly latest: ReadonlyMap<MetricId, CachedValue>;
  readonly reportedStatus: DeviceStatus | undefined;
  /** Epoch ms of the status message that set `reportedStatus`. */
  readonly statusTs: number | undefined;
  /** Epoch ms of the newest message of any kind (reading or status). */
  readonly lastSeen: number | undefined;
}

interface MutableSiteState {
  readonly latest: Map<MetricId, CachedValue>;
  reportedStatus: DeviceStatus | undefined;
  statusTs: number | undefined;
  lastSeen: number | undefined;
}

const EMPTY: SiteState = { latest: new Map(), reportedStatus: undefined, statusTs: undefined, lastSeen: undefined };

export class SiteStateCache {
  private readonly states = new Map<string, MutableSiteState>();

  constructor(private readonly sites: Pick<SiteLookup, 'has'>) {}

  /**
   * Merges one reading (values in catalog units, `ts` epoch ms). Returns false, changing nothing,
   * for a site not in the catalog; metrics not in the catalog are ignored.
   */
  applyReading(siteId: string, ts: number, values: Readonly<Record<string, number>>): boolean {
    const state = this.stateOf(siteId);
    if (!state) return false;
    for (const [metric, value] of Object.entries(values)) {
      if (!isMetricId(metric) || !Number.isFinite(value)) continue;
      const current = state.latest.get(metric);
      if (current === undefined || ts >= current.ts) state.latest.set(metric, { value, ts });
    }
    state.lastSeen = Math.max(state.lastSeen ?? ts, ts);
    return true;
  }

  /**
   * Merges a device status. Returns true when it became the site's reported status (false for an
   * unknown site or a status older than the one already known).
   */
  applyStatus(record: Pick<SiteStatusRecord, 'siteId' | 'status' | 'ts'>): boolean {
    const state = this.stateOf(record.siteId);
    if (!state) return false;
    state.lastSeen = Math.max(state.lastSeen ?? record.ts, record.ts);
    if (state.statusTs !== undefined && record.ts < state.statusTs) return false;
    state.reportedStatus = record.status;
    state.statusTs = record.ts;
    return true;
  }

  /** Merges a snapshot from the store (start-up, or after the MQTT connection came back). */
  warm(latest: readonly SiteLatest[], statuses: readonly SiteStatusRecord[]): void {
    for (const site of latest) {
      for (const [metric, { value, ts }] of Object.entries(site.values)) {
        this.applyReading(site.siteId, ts, { [metric]: value });
      }
    }
    for (const status of statuses) this.applyStatus(status);
  }

  /** The site's state; empty for a catalog site never heard from, undefined for unknown sites. */
  get(siteId: string): SiteState | undefined {
    if (!this.sites.has(siteId)) return undefined;
    return this.states.get(siteId) ?? EMPTY;
  }

  private stateOf(siteId: string): MutableSiteState | undefined {
    if (!this.sites.has(siteId)) return undefined;
    let state = this.states.get(siteId);
    if (!state) {
      state = { latest: new Map(), reportedStatus: undefined, statusTs: undefined, lastSeen: undefined };
      this.states.set(siteId, state);
    }
    return state;
  }
}
