/**
 * Store interfaces. Telemetry (readings, device events) and the registry (credentials, users,
 * sessions, device status, dead letters) are separate interfaces because they scale differently:
 * telemetry may move to InfluxDB while the registry stays in the embedded database.
 *
 * Implementations: DuckDB (embedded, owned by one process) and a remote client that reaches the
 * owning process over its internal data API when services run as separate processes.
 */
import type { HistorySeries, Rejection, Role } from '../../common/api.js';
import type { MetricId } from '../../common/metrics.js';
import type { Reading } from '../../common/payloads.js';
import type { DeviceStatus, Site } from '../../common/sites.js';
import type { Component } from '../lifecycle.js';

/** A history request; `from`/`to` are epoch ms (inclusive/exclusive), `maxPoints` caps the buckets. */
export interface HistoryRequest {
  readonly siteId: string;
  readonly metric: MetricId;
  readonly from: number;
  readonly to: number;
  readonly maxPoints: number;
}

/** Latest value per metric of one site; `ts` epoch ms. */
export interface SiteLatest {
  readonly siteId: string;
  readonly values: Readonly<Record<string, { readonly value: number; readonly ts: number }>>;
}

/** A device or camera-analytics event as stored. */
export interface SiteEvent {
  readonly siteId: string;
  /** Epoch ms. */
  readonly ts: number;
  readonly type: string;
  readonly severity: 'info' | 'warning' | 'critical';
  readonly message?: string | undefined;
  readonly data?: Readonly<Record<string, string | number | boolean>> | undefined;
}

export interface TelemetryStore {
  /**
   * Stores readings. Idempotent: a second write of the same site, metric and timestamp replaces
   * the first (the InfluxDB series+timestamp semantics), so replays after a crash are safe.
   */
  writeReadings(readings: readonly Reading[]): Promise<void>;
  /** Downsampled history of one metric: at most `maxPoints` buckets with min/avg/max. */
  queryHistory(request: HistoryRequest): Promise<HistorySeries>;
  /** Latest value of every metric of every site that ever reported (warm-starts live caches). */
  latestValues(): Promise<SiteLatest[]>;
  writeEvents(events: readonly SiteEvent[]): Promise<void>;
  /** Newest first. */
  listEvents(siteId: string, limit: number): Promise<SiteEvent[]>;
  /** Deletes readings and events older than `beforeMs` (retention). */
  purgeBefore(beforeMs: number): Promise<void>;
}

/** scrypt-hashed MQTT password of a site's device. */
export interface DeviceCredential {
  readonly siteId: string;
  /** Encoded scrypt hash (see platform/security/secret-hash.ts); never the token itself. */
  readonly tokenHash: string;
  /** Epoch ms. */
  readonly issuedAt: number;
}

export interface UserRecord {
  readonly username: string;
  /** Encoded scrypt hash. */
  readonly passwordHash: string;
  readonly role: Role;
  /** Epoch ms. */
  readonly createdAt: number;
}

export interface SessionRecord {
  /** SHA-256 of the session cookie value, hex; the cookie itself is never stored. */
  readonly idHash: string;
  readonly username: string;
  /** Epoch ms. */
  readonly createdAt: number;
  /** Epoch ms. */
  readonly expiresAt: number;
}

/** Last status a device reported. */
export interface SiteStatusRecord {
  readonly siteId: string;
  readonly status: DeviceStatus;
  /** Epoch ms of the status message. */
  readonly ts: number;
  /** V. */
  readonly battery?: number | undefined;
  /** dBm. */
  readonly rssi?: number | undefined;
}

/** Where a registered site came from: seeds/ (re-applied at every start) or the admin API. */
export const SITE_SOURCES = ['seed', 'api'] as const;
export type SiteSource = (typeof SITE_SOURCES)[number];

/** A site as kept in the registry. */
export interface RegisteredSite {
  readonly site: Site;
  readonly source: SiteSource;
  /** Epoch ms of the first registration. */
  readonly createdAt: number;
}

export interface RegistryStore {
  /** Every registered site, ordered by id. */
  listSites(): Promise<RegisteredSite[]>;
  /** Creates or replaces sites (keeping the first `createdAt` of a replaced one). */
  saveSites(sites: readonly RegisteredSite[]): Promise<void>;
  /** Removes sites and their device credentials; unknown ids are ignored. */
  deleteSites(siteIds: readonly string[]): Promise<void>;
  getDeviceCredential(siteId: string): Promise<DeviceCredential | undefined>;
  /** Creates or replaces the site's credential. */
  saveDeviceCredential(credential: DeviceCredential): Promise<void>;
  findUser(username: string): Promise<UserRecord | undefined>;
  /** Creates or replaces a user. */
  saveUser(user: UserRecord): Promise<void>;
  countUsers(): Promise<number>;
  saveSession(session: SessionRecord): Promise<void>;
  findSession(idHash: string): Promise<SessionRecord | undefined>;
  deleteSession(idHash: string): Promise<void>;
  deleteExpiredSessions(nowMs: number): Promise<void>;
  /** Creates or replaces the site's last status. */
  saveSiteStatus(status: SiteStatusRecord): Promise<void>;
  listSiteStatuses(): Promise<SiteStatusRecord[]>;
  /** Appends to the dead-letter log, which keeps only the newest {@link DEAD_LETTER_CAPACITY} entries. */
  addRejections(rejections: readonly Rejection[]): Promise<void>;
  /** Newest first. */
  listRejections(limit: number): Promise<Rejection[]>;
  /** Rejections ever recorded, per reason (kept even when the log has dropped the entries). */
  rejectionTotals(): Promise<Record<string, number>>;
}

/** Entries the dead-letter log keeps; older ones are dropped (their counts stay in metrics). */
export const DEAD_LETTER_CAPACITY = 10_000;

/** Both stores of a deployment, as one lifecycle component. */
export interface DataStores extends Component {
  readonly telemetry: TelemetryStore;
  readonly registry: RegistryStore;
}
