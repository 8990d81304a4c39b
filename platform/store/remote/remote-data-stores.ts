/**
 * Client side of the internal data API: {@link DataStores} for processes that do not own the
 * embedded database (web and broker in split mode, the CLIs while the platform runs). Each call is
 * one HTTP POST to the owner (ingest) with a timeout; the owner's errors come back as
 * {@link AppError}s with the same code, and an owner that cannot be reached as `unavailable`.
 */
import type { z } from 'zod';
import type { RuleDefinitionInput } from '../../../common/alert-rules.js';
import type { Rejection } from '../../../common/api.js';
import { apiErrorBodySchema } from '../../../common/errors.js';
import type { SubscriptionInput } from '../../../common/notifications.js';
import type { Reading } from '../../../common/payloads.js';
import { AppError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type {
  AlertingApi,
  AlertQuery,
  AuditRecord,
  AuditRecordQuery,
  DataStores,
  DeliveryQuery,
  DeviceCredential,
  HistoryRequest,
  NotificationStore,
  RegisteredSite,
  RegistryStore,
  SaveDeviceCredentialOptions,
  SessionRecord,
  SiteEvent,
  SiteStatusRecord,
  SnapshotRequest,
  TelemetryStore,
  UserRecord,
} from '../types.js';
import { DATA_API, DATA_API_PATH, type DataApiTarget } from './data-api-contract.js';

export interface RemoteDataStoresOptions {
  /** Base URL of the store owner's internal HTTP server (INGEST_URL), e.g. `http://127.0.0.1:8081`. */
  readonly baseUrl: string;
  /** Shared service secret, sent as `Authorization: Bearer …`. */
  readonly serviceToken: string;
  readonly logger: Logger;
  /** Longest a call may take, ms (default 15,000); then it fails with `unavailable`. */
  readonly timeoutMs?: number;
  /** Longest the reachability check in start() waits, ms (default 2,000). */
  readonly probeTimeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_PROBE_TIMEOUT_MS = 2_000;

/** {@link DataStores} over the internal data API; see the module comment. */
export class RemoteDataStores implements DataStores {
  readonly name = 'store';
  readonly telemetry: TelemetryStore;
  readonly registry: RegistryStore;
  readonly notifications: NotificationStore;
  readonly alerts: AlertingApi;
  private readonly baseUrl: string;
  private readonly logger: Logger;
  private running = false;

  constructor(private readonly options: RemoteDataStoresOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.logger = options.logger;
    const t = DATA_API.telemetry;
    const r = DATA_API.registry;
    this.telemetry = {
      writeReadings: (readings: readonly Reading[]) => this.call('telemetry', 'writeReadings', [readings], t.writeReadings.result),
      queryHistory: (request: HistoryRequest) => this.call('telemetry', 'queryHistory', [request], t.queryHistory.result),
      latestValues: () => this.call('telemetry', 'latestValues', [], t.latestValues.result),
      snapshotAt: (request: SnapshotRequest) => this.call('telemetry', 'snapshotAt', [request], t.snapshotAt.result),
      writeEvents: (events: readonly SiteEvent[]) => this.call('telemetry', 'writeEvents', [events], t.writeEvents.result),
      listEvents: (siteId: string, limit: number) => this.call('telemetry', 'listEvents', [siteId, limit], t.listEvents.result),
      purgeBefore: (beforeMs: number) => this.call('telemetry', 'purgeBefore', [beforeMs], t.purgeBefore.result),
    };
    this.registry = {
      listSites: () => this.call('registry', 'listSites', [], r.listSites.result),
      saveSites: (sites: readonly RegisteredSite[]) => this.call('registry', 'saveSites', [sites], r.saveSites.result),
      deleteSites: (siteIds: readonly string[]) => this.call('registry', 'deleteSites', [siteIds], r.deleteSites.result),
      getDeviceCredential: (siteId: string) => this.call('registry', 'getDeviceCredential', [siteId], r.getDeviceCredential.result),
      saveDeviceCredential: (credential: DeviceCredential, options?: SaveDeviceCredentialOptions) =>
        this.call(
          'registry',
          'saveDeviceCredential',
          // Only the stored fields: the read-only ones (previous hash, disabled) are the store's to set.
          [{ siteId: credential.siteId, tokenHash: credential.tokenHash, issuedAt: credential.issuedAt }, ...(options ? [options] : [])],
          r.saveDeviceCredential.result,
        ),
      saveDeviceCredentials: (credentials: readonly DeviceCredential[]) =>
        this.call(
          'registry',
          'saveDeviceCredentials',
          [
            credentials.map((credential) => ({
              siteId: credential.siteId,
              tokenHash: credential.tokenHash,
              issuedAt: credential.issuedAt,
            })),
          ],
          r.saveDeviceCredentials.result,
        ),
      setSiteEnabled: (siteId: string, enabled: boolean, atMs: number) =>
        this.call('registry', 'setSiteEnabled', [siteId, enabled, atMs], r.setSiteEnabled.result),
      deviceAccessChanges: (sinceMs: number) => this.call('registry', 'deviceAccessChanges', [sinceMs], r.deviceAccessChanges.result),
      findUser: (username: string) => this.call('registry', 'findUser', [username], r.findUser.result),
      listUsers: () => this.call('registry', 'listUsers', [], r.listUsers.result),
      saveUser: (user: UserRecord) => this.call('registry', 'saveUser', [user], r.saveUser.result),
      deleteUser: (username: string) => this.call('registry', 'deleteUser', [username], r.deleteUser.result),
      countUsers: () => this.call('registry', 'countUsers', [], r.countUsers.result),
      saveSession: (session: SessionRecord) => this.call('registry', 'saveSession', [session], r.saveSession.result),
      findSession: (idHash: string) => this.call('registry', 'findSession', [idHash], r.findSession.result),
      deleteSession: (idHash: string) => this.call('registry', 'deleteSession', [idHash], r.deleteSession.result),
      deleteUserSessions: (username: string) => this.call('registry', 'deleteUserSessions', [username], r.deleteUserSessions.result),
      deleteExpiredSessions: (nowMs: number) => this.call('registry', 'deleteExpiredSessions', [nowMs], r.deleteExpiredSessions.result),
      appendAudit: (entries: readonly AuditRecord[]) => this.call('registry', 'appendAudit', [entries], r.appendAudit.result),
      listAudit: (query: AuditRecordQuery) => this.call('registry', 'listAudit', [query], r.listAudit.result),
      purgeAuditBefore: (beforeMs: number) => this.call('registry', 'purgeAuditBefore', [beforeMs], r.purgeAuditBefore.result),
      saveSiteStatus: (status: SiteStatusRecord) => this.call('registry', 'saveSiteStatus', [status], r.saveSiteStatus.result),
      listSiteStatuses: () => this.call('registry', 'listSiteStatuses', [], r.listSiteStatuses.result),
      addRejections: (rejections: readonly Rejection[]) => this.call('registry', 'addRejections', [rejections], r.addRejections.result),
      listRejections: (limit: number) => this.call('registry', 'listRejections', [limit], r.listRejections.result),
      rejectionTotals: () => this.call('registry', 'rejectionTotals', [], r.rejectionTotals.result),
    };
    const n = DATA_API.notifications;
    this.notifications = {
      listSubscriptions: (username: string | null) =>
        this.call('notifications', 'listSubscriptions', [username], n.listSubscriptions.result),
      getSubscription: (id: string) => this.call('notifications', 'getSubscription', [id], n.getSubscription.result),
      createSubscription: (username: string, input: SubscriptionInput) =>
        this.call('notifications', 'createSubscription', [username, input], n.createSubscription.result),
      updateSubscription: (id: string, input: SubscriptionInput) =>
        this.call('notifications', 'updateSubscription', [id, input], n.updateSubscription.result),
      deleteSubscription: (id: string) => this.call('notifications', 'deleteSubscription', [id], n.deleteSubscription.result),
      listFeed: (username: string, limit: number, unreadOnly: boolean) =>
        this.call('notifications', 'listFeed', [username, limit, unreadOnly], n.listFeed.result),
      markFeedRead: (username: string, ids: readonly string[] | null) =>
        this.call('notifications', 'markFeedRead', [username, ids], n.markFeedRead.result),
      listDeliveries: (query: DeliveryQuery) => this.call('notifications', 'listDeliveries', [query], n.listDeliveries.result),
      retryDelivery: (id: string) => this.call('notifications', 'retryDelivery', [id], n.retryDelivery.result),
      channelStatus: () => this.call('notifications', 'channelStatus', [], n.channelStatus.result),
    };
    const a = DATA_API.alerts;
    this.alerts = {
      listAlerts: (query: AlertQuery) => this.call('alerts', 'listAlerts', [query], a.listAlerts.result),
      getAlert: (id: string) => this.call('alerts', 'getAlert', [id], a.getAlert.result),
      acknowledge: (id: string, by: string, comment?: string) =>
        this.call('alerts', 'acknowledge', [id, by, comment ?? null], a.acknowledge.result),
      comment: (id: string, by: string, text: string) => this.call('alerts', 'comment', [id, by, text], a.comment.result),
      listRules: () => this.call('alerts', 'listRules', [], a.listRules.result),
      createRule: (rule: RuleDefinitionInput, by: string) => this.call('alerts', 'createRule', [rule, by], a.createRule.result),
      updateRule: (id: string, rule: RuleDefinitionInput, by: string) =>
        this.call('alerts', 'updateRule', [id, rule, by], a.updateRule.result),
      deleteRule: (id: string, by: string) => this.call('alerts', 'deleteRule', [id, by], a.deleteRule.result),
      listPresets: () => this.call('alerts', 'listPresets', [], a.listPresets.result),
    };
  }

  /**
   * Checks that the data API answers, but never fails: the owner (ingest) may start later, and
   * calls fail with `unavailable` until it is up.
   */
  async start(): Promise<void> {
    this.running = true;
    const url = `${this.baseUrl}/internal/health`;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(this.options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS) });
      await response.body?.cancel();
      if (response.ok) this.logger.info({ url: this.baseUrl }, 'data API reachable');
      else
        this.logger.warn({ url: this.baseUrl, status: response.status }, 'data API health check answered an error; store calls may fail');
    } catch (error) {
      this.logger.warn(
        { url: this.baseUrl, reason: describeFetchFailure(error) },
        'data API not reachable yet; store calls fail with "unavailable" until ingest is up',
      );
    }
  }

  async stop(): Promise<void> {
    this.running = false;
  }

  private async call<R extends z.ZodType>(
    target: DataApiTarget,
    method: string,
    args: readonly unknown[],
    result: R,
  ): Promise<z.output<R>> {
    if (!this.running) throw new AppError('unavailable', 'data API client is not started');
    const url = `${this.baseUrl}${DATA_API_PATH}/${target}/${method}`;
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.options.serviceToken}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ args }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      const reason = isTimeout(error) ? `no answer within ${timeoutMs} ms` : describeFetchFailure(error);
      throw new AppError('unavailable', `data API at ${this.baseUrl} is unreachable (${reason}); is ingest running?`);
    }
    const body = parseJson(text);
    if (!response.ok) throw this.errorFrom(response, body, `${target}/${method}`);
    const parsed = result.safeParse(typeof body === 'object' && body !== null && 'result' in body ? body.result : undefined);
    if (!parsed.success) {
      throw new AppError(
        'internal',
        `data API at ${this.baseUrl} returned an unexpected result for ${target}/${method}: ${parsed.error.message}`,
      );
    }
    return parsed.data;
  }

  private errorFrom(response: Response, body: unknown, call: string): AppError {
    const parsed = apiErrorBodySchema.safeParse(body);
    if (parsed.success) {
      const { code, message, details } = parsed.data.error;
      return new AppError(code, message, details);
    }
    return new AppError(
      'unavailable',
      `data API at ${this.baseUrl} answered ${call} with HTTP ${response.status} and no error body; does INGEST_URL point to ingest?`,
    );
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/** `ECONNREFUSED`, `ENOTFOUND`… from undici's `fetch failed` error, else its message. */
function describeFetchFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (isTimeout(error)) return 'timed out';
  const cause: unknown = error.cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code ? `${code}: ${cause.message}` : cause.message;
  }
  return error.message;
}
