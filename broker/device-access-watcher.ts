/**
 * Makes changes to device access reach connections that are already open, in every deployment:
 * the broker polls the registry (the embedded store, or ingest's data API when the broker runs as
 * its own process) every `pollMs` for the sites disabled right now and the credentials issued
 * lately, then
 * - closes the connections of disabled sites (and keeps the set, so a device of a disabled site is
 *   refused even while the registry cannot be read);
 * - hands new credentials to the sessions (grace deadlines for the replaced token, closing older
 *   ones) and to the token cache;
 * - closes connections whose rotation grace is over.
 *
 * Why polling rather than a control message: it needs no extra channel, survives restarts of any
 * process (the registry is the truth, nothing is lost in transit), and one small query per second
 * is cheap. The cost is latency: a change reaches open connections within one poll interval.
 */
import type { Logger } from '../platform/logger.js';
import type { DeviceAccessChanges, RegistryStore } from '../platform/store/types.js';
import type { DeviceSessions } from './device-sessions.js';
import type { VerifiedTokenCache } from './verified-token-cache.js';

/**
 * Credentials issued this long before the previous poll are asked for again, ms, so a credential
 * is not missed when the issuing process's clock is a little behind the broker's.
 */
export const CREDENTIAL_LOOKBACK_MS = 60_000;

/** Least time between two warnings about a failing poll, ms. */
const WARNING_INTERVAL_MS = 60_000;

export interface DeviceAccessWatcherOptions {
  readonly source: Pick<RegistryStore, 'deviceAccessChanges'>;
  readonly sessions: DeviceSessions;
  readonly cache: VerifiedTokenCache;
  /** Time between polls, ms. */
  readonly pollMs: number;
  readonly logger: Logger;
  /** Epoch ms. */
  readonly clock: () => number;
}

export class DeviceAccessWatcher {
  private disabled: ReadonlySet<string> = new Set();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private running = false;
  private lastPollAt: number | undefined;
  private lastWarningAt = Number.NEGATIVE_INFINITY;
  private failing = false;

  constructor(private readonly options: DeviceAccessWatcherOptions) {
    if (!Number.isFinite(options.pollMs) || options.pollMs < 1) throw new RangeError(`pollMs must be at least 1, got ${options.pollMs}`);
  }

  /** True when the last successful poll found the site disabled. */
  isDisabled(siteId: string): boolean {
    return this.disabled.has(siteId);
  }

  /** Polls at once, then every `pollMs`. Never fails: a failing poll is logged and retried. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Stops polling; waits for a poll in flight. Idempotent. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.polling;
  }

  /** One poll now (also used by tests to avoid waiting for the timer). */
  poll(): Promise<void> {
    this.polling ??= this.pollOnce().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.poll().finally(() => this.schedule(this.options.pollMs));
    }, delayMs);
    this.timer.unref();
  }

  private async pollOnce(): Promise<void> {
    const { source, sessions, cache, clock, logger } = this.options;
    const startedAt = clock();
    const since = (this.lastPollAt ?? startedAt) - CREDENTIAL_LOOKBACK_MS;
    let changes: DeviceAccessChanges;
    try {
      changes = await source.deviceAccessChanges(since);
    } catch (error) {
      this.failing = true;
      if (startedAt - this.lastWarningAt >= WARNING_INTERVAL_MS) {
        this.lastWarningAt = startedAt;
        logger.warn({ err: error }, 'cannot read device access changes; open connections keep their last known access');
      }
      sessions.expire(startedAt);
      return;
    }
    if (this.failing) logger.info('device access changes readable again');
    this.failing = false;
    this.lastPollAt = startedAt;
    const disabled = new Set(changes.disabledSiteIds);
    // Every poll, not only when a site becomes disabled: a device admitted on a lookup that raced
    // the disable is closed by the next one. Each close is logged and counted by the sessions.
    for (const siteId of disabled) sessions.disconnectSite(siteId, 'site_disabled');
    this.disabled = disabled;
    for (const siteId of changes.removedSiteIds) {
      sessions.disconnectSite(siteId, 'site_removed');
      cache.forget(siteId);
    }
    for (const credential of changes.credentials) {
      cache.applyCredential(credential);
      sessions.applyCredential(credential);
    }
    sessions.expire(clock());
  }
}
