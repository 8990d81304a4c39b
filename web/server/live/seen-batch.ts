/**
 * "Last heard" of every site for every browser, whatever its viewport: readings go only to the
 * clients that show their site (viewport-rooms.ts), but the header's online / stale counts need
 * every site's last contact. The gateway records each reading here and broadcasts the batch every
 * {@link SEEN_INTERVAL_MS} as one compact `sites-seen` event (ids and times, newest per site).
 */
import type { SitesSeen } from '../../../common/socket-events.js';

/** How often the batch is broadcast, ms. */
export const SEEN_INTERVAL_MS = 5_000;

export class SeenBatch {
  private seen = new Map<string, number>();

  /** Records that `siteId` was heard at `ts` (epoch ms). */
  record(siteId: string, ts: number): void {
    const held = this.seen.get(siteId);
    if (held === undefined || ts > held) this.seen.set(siteId, ts);
  }

  /** The sites heard since the last drain, or undefined when none. */
  drain(): SitesSeen | undefined {
    if (this.seen.size === 0) return undefined;
    const batch: SitesSeen = { siteIds: [...this.seen.keys()], lastSeen: [...this.seen.values()] };
    this.seen = new Map();
    return batch;
  }
}
