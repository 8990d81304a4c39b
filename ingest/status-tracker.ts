/**
 * Decides whether a decoded device status is news. The broker redelivers a site's retained status
 * every time ingest subscribes (each restart), and QoS 1 can redeliver after a reconnect; storing
 * those again would move `lastSeen` of long-silent sites to "now". So a retained status equal to
 * the last one stored is ignored, and a status older than the last one stored is ignored.
 */
import type { SiteStatusRecord } from '../platform/store/types.js';

export class StatusTracker {
  private readonly last = new Map<string, SiteStatusRecord>();

  /** Seeds the tracker with the statuses already in the store. */
  load(statuses: readonly SiteStatusRecord[]): void {
    for (const status of statuses) this.last.set(status.siteId, status);
  }

  /**
   * True when `status` should be stored and fanned out; records it as the site's latest.
   * `retained` is the MQTT retain flag of the delivery (a replay of older state).
   */
  accept(status: SiteStatusRecord, retained: boolean, deviceSentTs: boolean): boolean {
    const previous = this.last.get(status.siteId);
    if (previous) {
      if (retained && previous.status === status.status && (!deviceSentTs || status.ts <= previous.ts)) return false;
      if (deviceSentTs && status.ts < previous.ts) return false;
    }
    this.last.set(status.siteId, status);
    return true;
  }
}
