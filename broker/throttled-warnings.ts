/**
 * Warnings about a misbehaving client, at most one per client per interval. A device stuck in a
 * loop publishing on a forbidden topic would otherwise write a log line per message and fill the
 * disk of an edge server; the counters still count every event, and the next line logged for the
 * client says how many were left out.
 */
import type { Client } from 'aedes';
import type { Logger } from '../platform/logger.js';

interface ClientLogState {
  /** Epoch ms before which further warnings about this client are only counted. */
  nextAt: number;
  suppressed: number;
}

export class ThrottledWarnings {
  private readonly state = new WeakMap<Client, ClientLogState>();

  /**
   * @param intervalMs minimum time between two warnings about the same client, ms.
   * @param now clock, epoch ms (injectable for tests).
   */
  constructor(
    private readonly logger: Logger,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  warn(client: Client | null, fields: Record<string, unknown>, message: string): void {
    if (client === null) {
      this.logger.warn(fields, message);
      return;
    }
    const now = this.now();
    const state = this.state.get(client);
    if (state !== undefined && now < state.nextAt) {
      state.suppressed++;
      return;
    }
    const suppressed = state?.suppressed ?? 0;
    this.state.set(client, { nextAt: now + this.intervalMs, suppressed: 0 });
    this.logger.warn(suppressed > 0 ? { ...fields, suppressedSinceLastWarning: suppressed } : fields, message);
  }
}
