/**
 * What the routes need, gathered once by the web server: configuration, stores, the site catalog,
 * the live site state, sessions and a clock. Routes receive this instead of reaching for globals.
 */
import type { Health } from '../../common/api.js';
import type { Config } from '../../platform/config/config.js';
import type { Logger } from '../../platform/logger.js';
import type { Registry } from '../../platform/observability.js';
import type { SiteDirectory } from '../../platform/sites/site-directory.js';
import type { AlertingApi, DataStores, NotificationStore } from '../../platform/store/types.js';
import type { AuditLog } from './audit-log.js';
import type { CredentialChecker } from './auth/credentials.js';
import type { LoginGuard } from './auth/login-guard.js';
import type { SessionManager } from './auth/session.js';
import type { SessionCookieSettings } from './auth/session-cookie.js';
import type { ReadingRate } from './live/reading-rate.js';
import type { SiteStateCache } from './live/site-state-cache.js';
import type { SecurityMetrics } from './security-metrics.js';

export interface WebContext {
  readonly config: Config;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly stores: DataStores;
  readonly sites: SiteDirectory;
  readonly siteState: SiteStateCache;
  readonly sessions: SessionManager;
  readonly credentials: CredentialChecker;
  readonly cookie: SessionCookieSettings;
  /** Brute-force brakes of the login route: lock-outs per (account, address), per address, slow-down per account. */
  readonly loginGuard: LoginGuard;
  /** Where routes record administrative actions (who, what, when, from where). */
  readonly audit: AuditLog;
  readonly securityMetrics: SecurityMetrics;
  readonly health: () => Promise<Health>;
  readonly version: string;
  /** Epoch ms. */
  readonly clock: () => number;
  /** Readings received from ingest's fan-out, per minute (the header's KPI). */
  readonly readingRate?: ReadingRate;
  /** Subscriptions, feed and outbox of the notifier (in this process, or over the data API); absent: those routes answer 503. */
  readonly notifications?: NotificationStore | undefined;
  /** The alert engine (in this process, or over the data API); absent: alert and rule routes answer 503. */
  readonly alerts?: AlertingApi | undefined;
}
