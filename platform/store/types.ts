/**
 * Store interfaces. Telemetry (readings, device events) and the registry (credentials, users,
 * sessions, device status, dead letters) are separate interfaces because they scale differently:
 * telemetry may move to InfluxDB while the registry stays in the embedded database.
 *
 * Implementations: DuckDB (embedded, owned by one process) and a remote client that reaches the
 * owning process over its internal data API when services run as separate processes.
 */

import type { Preset, RuleDefinitionInput, RuleRecord } from '../../common/alert-rules.js';
import type { Alert, AlertSeverity, AlertState } from '../../common/alerts.js';
import type { HistorySeries, Rejection, Role } from '../../common/api.js';
import type { AuditAction, AuditDetail } from '../../common/audit.js';
import type { MetricId } from '../../common/metrics.js';
import type {
  ChannelStatus,
  Delivery,
  DeliveryListResponse,
  DeliveryStatus,
  FeedResponse,
  Subscription,
  SubscriptionInput,
} from '../../common/notifications.js';
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

/**
 * A map-wide snapshot request (time-travel replay): per site and metric, the newest reading in
 * (`at` − `lookbackMs`, `at`]. Times epoch ms.
 */
export interface SnapshotRequest {
  readonly at: number;
  /** How far back a value still counts as current at `at`, ms. */
  readonly lookbackMs: number;
  /** Metrics to include; an empty list yields nothing. */
  readonly metrics: readonly MetricId[];
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
  /**
   * The map as it was at `request.at`: per site, the newest value of each requested metric within
   * the lookback window (sites with none are left out). Serves the web app's time-travel replay.
   */
  snapshotAt(request: SnapshotRequest): Promise<SiteLatest[]>;
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
  /**
   * Rotation grace: hash of the token this one replaced, still accepted until
   * {@link previousValidUntil}. Set by the store when a credential is saved with
   * `keepPreviousUntil`; ignored on input.
   */
  readonly previousTokenHash?: string | undefined;
  /** Epoch ms until which {@link previousTokenHash} is accepted (exclusive). */
  readonly previousValidUntil?: number | undefined;
  /**
   * Epoch ms since when an admin has disabled the site: its device may not connect. Absent while
   * the site is enabled. Read from the site's enablement (see {@link RegistryStore.setSiteEnabled}); ignored on input.
   */
  readonly siteDisabledAt?: number | undefined;
}

/** Options of {@link RegistryStore.saveDeviceCredential}. */
export interface SaveDeviceCredentialOptions {
  /**
   * Epoch ms until which the token being replaced stays valid (token rotation without downtime).
   * Absent: the replaced token stops working at once.
   */
  readonly keepPreviousUntil?: number | undefined;
}

/** What changed in device access, polled by the broker to act on connected devices. */
export interface DeviceAccessChanges {
  /** Every site disabled right now. */
  readonly disabledSiteIds: string[];
  /** Sites removed at or after the requested time (and not registered again since). */
  readonly removedSiteIds: string[];
  /** Credentials issued at or after the requested time, with their rotation grace. */
  readonly credentials: DeviceCredential[];
}

/** A change to registered sites, reported by a store that owns them (see {@link RegistryStore.onSitesChanged}). */
export interface SitesChange {
  /** `saved`/`deleted`: sites registered, replaced or removed; `enabled`/`disabled`: their device access. */
  readonly kind: 'saved' | 'deleted' | 'enabled' | 'disabled';
  readonly siteIds: readonly string[];
  /** Epoch ms of a disable. */
  readonly at: number;
}

export interface UserRecord {
  readonly username: string;
  /** Encoded scrypt hash. */
  readonly passwordHash: string;
  readonly role: Role;
  /** Epoch ms. */
  readonly createdAt: number;
  /** Epoch ms since when an admin has disabled the account (no login, no session); absent while enabled. */
  readonly disabledAt?: number | undefined;
}

/** One audit log entry as stored (see common/audit.ts); never carries a secret. */
export interface AuditRecord {
  readonly id: string;
  /** Epoch ms. */
  readonly ts: number;
  readonly actor: string;
  readonly actorRole: string;
  readonly action: AuditAction;
  readonly target: string | null;
  readonly ip: string;
  readonly userAgent: string;
  readonly requestId: string;
  readonly detail: AuditDetail;
}

/** Which audit entries to list; every given filter applies; newest first. */
export interface AuditRecordQuery {
  /** Epoch ms, inclusive. */
  readonly from?: number | undefined;
  /** Epoch ms, exclusive. */
  readonly to?: number | undefined;
  readonly actor?: string | undefined;
  readonly actions?: readonly AuditAction[] | undefined;
  readonly limit: number;
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
  /** Epoch ms since when the site is disabled (device refused, data rejected); absent while enabled. Ignored on input. */
  readonly disabledAt?: number | undefined;
}

export interface RegistryStore {
  /** Every registered site, ordered by id. */
  listSites(): Promise<RegisteredSite[]>;
  /** Creates or replaces sites (keeping the first `createdAt` of a replaced one). */
  saveSites(sites: readonly RegisteredSite[]): Promise<void>;
  /** Removes sites and their device credentials; unknown ids are ignored. */
  deleteSites(siteIds: readonly string[]): Promise<void>;
  /** The site's credential with its rotation grace and whether the site is disabled. */
  getDeviceCredential(siteId: string): Promise<DeviceCredential | undefined>;
  /**
   * Creates or replaces the site's credential. With `options.keepPreviousUntil` the replaced hash
   * is kept as the previous token, valid until then; otherwise it stops working at once.
   */
  saveDeviceCredential(credential: DeviceCredential, options?: SaveDeviceCredentialOptions): Promise<void>;
  /**
   * Creates or replaces many sites' credentials in one transaction, each replaced token stopping at
   * once (bulk registration issues thousands: one statement each would take minutes).
   */
  saveDeviceCredentials(credentials: readonly DeviceCredential[]): Promise<void>;
  /**
   * Disables (the device is refused, its data rejected) or re-enables a site; `atMs` is the epoch
   * ms of a disable. Disabling a disabled site keeps its first `disabledAt`. Credentials are kept.
   */
  setSiteEnabled(siteId: string, enabled: boolean, atMs: number): Promise<void>;
  /** Disabled sites and the credentials issued at or after `sinceMs` (epoch ms), for the broker's poll. */
  deviceAccessChanges(sinceMs: number): Promise<DeviceAccessChanges>;
  /**
   * Optional, only on stores that own the registry (not on remote clients): calls `listener` after
   * every committed change to sites or their enablement, whichever process asked for it (the data
   * API runs in the owner's process), so caches there follow at once. Returns the unsubscribe.
   */
  onSitesChanged?(listener: (change: SitesChange) => void): () => void;
  findUser(username: string): Promise<UserRecord | undefined>;
  /** Every user, ordered by username (admin user management). */
  listUsers(): Promise<UserRecord[]>;
  /** Creates or replaces a user. */
  saveUser(user: UserRecord): Promise<void>;
  /** Deletes a user and all their sessions; true when the user existed. */
  deleteUser(username: string): Promise<boolean>;
  countUsers(): Promise<number>;
  saveSession(session: SessionRecord): Promise<void>;
  findSession(idHash: string): Promise<SessionRecord | undefined>;
  deleteSession(idHash: string): Promise<void>;
  /** Ends every session of `username`; returns the id hashes of the sessions deleted. */
  deleteUserSessions(username: string): Promise<string[]>;
  deleteExpiredSessions(nowMs: number): Promise<void>;
  /** Appends entries to the audit log. */
  appendAudit(entries: readonly AuditRecord[]): Promise<void>;
  /** Audit entries matching `query`, newest first. */
  listAudit(query: AuditRecordQuery): Promise<AuditRecord[]>;
  /** Deletes audit entries older than `beforeMs` (epoch ms, retention). */
  purgeAuditBefore(beforeMs: number): Promise<void>;
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

/** Which outbox deliveries to list; newest first. */
export interface DeliveryQuery {
  readonly status?: DeliveryStatus | undefined;
  readonly username?: string | undefined;
  readonly limit: number;
}

/**
 * Notification subscriptions, the in-app feed and the outbox, as the REST API manages them. Held by
 * the process that owns the database and sends the notifications (ingest, or the all-in-one
 * process); web reaches it in split mode through the data API's `notifications` target. The owner
 * validates inputs against the sites it knows and the channels it has configured.
 */
export interface NotificationStore {
  /** Subscriptions of `username`, or of everyone when null; ordered by creation. */
  listSubscriptions(username: string | null): Promise<Subscription[]>;
  getSubscription(id: string): Promise<Subscription | undefined>;
  /** Fails with `validation_failed` for unknown sites or provinces and `conflict` for channels that are not configured. */
  createSubscription(username: string, input: SubscriptionInput): Promise<Subscription>;
  /** Replaces the editable part; `not_found` when there is no such subscription. */
  updateSubscription(id: string, input: SubscriptionInput): Promise<Subscription>;
  /** True when it existed. */
  deleteSubscription(id: string): Promise<boolean>;
  /** The user's in-app feed, newest first, with the number of unread entries. */
  listFeed(username: string, limit: number, unreadOnly: boolean): Promise<FeedResponse>;
  /** Marks the given entries of the user (all of them when `ids` is null) read; returns how many changed. */
  markFeedRead(username: string, ids: readonly string[] | null): Promise<number>;
  listDeliveries(query: DeliveryQuery): Promise<DeliveryListResponse>;
  /** Puts a dead delivery back in the queue for a fresh series of attempts; `not_found`, or `conflict` when it is not dead. */
  retryDelivery(id: string): Promise<Delivery>;
  /** Which channels the sending process has configured. */
  channelStatus(): Promise<ChannelStatus[]>;
}

/** Which alerts to list; every given filter applies; times epoch ms. */
export interface AlertQuery {
  readonly states?: readonly AlertState[] | undefined;
  readonly siteId?: string | undefined;
  readonly severities?: readonly AlertSeverity[] | undefined;
  /** Alerts not cleared before this time. */
  readonly from?: number | undefined;
  /** Alerts raised before this time. */
  readonly to?: number | undefined;
  /** At most this many, newest first by `raisedAt`. */
  readonly limit: number;
}

/**
 * The alert engine as REST needs it: alerts (list, acknowledge, comment) and rules (list, edit).
 * The engine runs in the process that owns the database (ingest, or the all-in-one process) and
 * owns the alerts' state and timers, so acknowledgements and rule edits always go through it; web
 * reaches it in split mode through the data API's `alerts` target. Errors are AppErrors:
 * `not_found`, `conflict` (already acknowledged, seeded rule deleted, id taken), `validation_failed`.
 */
export interface AlertingApi {
  listAlerts(query: AlertQuery): Promise<Alert[]>;
  getAlert(id: string): Promise<Alert | undefined>;
  /** Records `by` (username) and the time; an optional comment is added as well. */
  acknowledge(id: string, by: string, comment?: string): Promise<Alert>;
  comment(id: string, by: string, text: string): Promise<Alert>;
  listRules(): Promise<RuleRecord[]>;
  createRule(rule: RuleDefinitionInput, by: string): Promise<RuleRecord>;
  /** Replaces the rule `id` (`rule.id` must equal it); a seeded rule becomes admin-owned. */
  updateRule(id: string, rule: RuleDefinitionInput, by: string): Promise<RuleRecord>;
  /** Seeded rules cannot be deleted (`conflict`): disable them instead. */
  deleteRule(id: string, by: string): Promise<void>;
  listPresets(): Promise<Preset[]>;
}

/** Both stores of a deployment, as one lifecycle component. */
export interface DataStores extends Component {
  readonly telemetry: TelemetryStore;
  readonly registry: RegistryStore;
  /**
   * Notification management, where this deployment has it: the remote client always (the owner
   * answers `unavailable` when it runs no notifier); the embedded stores never (the notifier in the
   * same process is handed to the web server directly).
   */
  readonly notifications?: NotificationStore;
  /**
   * The alert engine, where this deployment reaches it through the store: the remote client always
   * (the owner answers `unavailable` when it runs no engine); the embedded stores never (the engine
   * in the same process is handed to the web server directly).
   */
  readonly alerts?: AlertingApi;
  /**
   * Health of a telemetry server reached over the network (InfluxDB with STORE=influx): `down`
   * with the reason while it does not answer. Absent when telemetry is embedded.
   */
  telemetryHealth?(): { readonly status: 'ok' | 'degraded' | 'down'; readonly detail?: string };
}
