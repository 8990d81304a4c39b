/**
 * Coalesces the live stream between two flushes: per site one merged reading (per metric the newest
 * value), and the status changes in order. However many messages a burst brings, a flush touches
 * each site once, so the map updates a site at most once per flush interval. Pure (no timers).
 */
import type { LiveReading, LiveSiteStatus, SitesSeen } from '../../../../common/socket-events.js';
import type { PendingReading } from '../model/site-model.js';

export class LiveCoalescer {
  private readings = new Map<string, PendingReading>();
  private statuses: LiveSiteStatus[] = [];
  private seen = new Map<string, number>();
  /** Messages received since the last drain (for the benchmark's counters). */
  received = 0;

  /** Merges a reading: newer values replace, older ones only fill metrics not yet pending. */
  addReading(reading: LiveReading): void {
    this.received += 1;
    const pending = this.readings.get(reading.siteId);
    if (!pending) {
      this.readings.set(reading.siteId, { ts: reading.ts, values: { ...reading.values } });
      return;
    }
    if (reading.ts >= pending.ts) {
      Object.assign(pending.values, reading.values);
      pending.ts = reading.ts;
    } else {
      for (const [metric, value] of Object.entries(reading.values)) if (!(metric in pending.values)) pending.values[metric] = value;
    }
  }

  addStatus(status: LiveSiteStatus): void {
    this.received += 1;
    this.statuses.push(status);
  }

  /** Merges a `sites-seen` batch: newest last contact per site. */
  addSeen(batch: SitesSeen): void {
    batch.siteIds.forEach((siteId, k) => {
      const ts = batch.lastSeen[k];
      if (ts === undefined) return;
      const held = this.seen.get(siteId);
      if (held === undefined || ts > held) this.seen.set(siteId, ts);
    });
  }

  /** Sites with pending readings. */
  get pendingSites(): number {
    return this.readings.size;
  }

  get isEmpty(): boolean {
    return this.readings.size === 0 && this.statuses.length === 0 && this.seen.size === 0;
  }

  /** Takes everything pending and starts over. */
  drain(): { readings: Map<string, PendingReading>; statuses: LiveSiteStatus[]; seen: Map<string, number> } {
    const drained = { readings: this.readings, statuses: this.statuses, seen: this.seen };
    this.readings = new Map();
    this.statuses = [];
    this.seen = new Map();
    return drained;
  }
}
