/**
 * Warnings about a misbehaving client, at most one per client per interval. A device stuck in a
 * loop publishing on a forbidden topic would otherwise write a log line per message and fill the
 * disk of an edge server; the counters still count every event, and the next line logged for the
 * client says how many were left out.
 */
import type { Client } from 'aedes';
import { LogThrottle } from '../platform/log-throttle.js';
import type { Logger } from '../platform/logger.js';

export class ThrottledWarnings {
  private readonly throttle: LogThrottle;

  /**
   * @param intervalMs minimum time between two warnings about the same client, ms.
   * @param now clock, epoch ms (injectable for tests).
   */
  constructor(
    private readonly logger: Logger,
    intervalMs: number,
    now: () => number = Date.now,
  ) {
    this.throttle = new LogThrottle({ burst: 1, windowMs: intervalMs, clock: now });
  }

  warn(client: Client | null, fields: Record<string, unknown>, message: string): void {
    if (client === null) {
      this.logger.warn(fields, message);
      return;
    }
    const decision = this.throttle.take(client.id);
    if (!decision.log) return;
    this.logger.warn(decision.suppressed > 0 ? { ...fields, suppressedSinceLastWarning: decision.suppressed } : fields, message);
  }
}
