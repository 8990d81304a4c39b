/**
 * The registry (registered sites, device credentials, users, sessions, device status, dead-letter log, audit log) in the
 * embedded DuckDB database. Small keyed tables with upserts; the dead-letter log is numbered in
 * append order and trimmed to {@link DEAD_LETTER_CAPACITY} with one range delete per batch.
 */
import type { DuckDBValue } from '@duckdb/node-api';
import { type Rejection, ROLES } from '../../../common/api.js';
import { AUDIT_ACTIONS, auditDetailSchema, MAX_AUDIT_LIST_LIMIT, MAX_AUDIT_USER_AGENT_CHARS } from '../../../common/audit.js';
import { REJECTION_REASONS } from '../../../common/rejections.js';
import { DEVICE_STATUSES, siteSchema } from '../../../common/sites.js';
import { AppError } from '../../errors.js';
import {
  type AuditRecord,
  type AuditRecordQuery,
  DEAD_LETTER_CAPACITY,
  type DeviceAccessChanges,
  type DeviceCredential,
  type RegisteredSite,
  type RegistryStore,
  type SaveDeviceCredentialOptions,
  type SessionRecord,
  SITE_SOURCES,
  type SiteStatusRecord,
  type SitesChange,
  type UserRecord,
} from '../types.js';
import type { DuckDbDatabase } from './duckdb-database.js';
import { enumColumn, numberColumn, optionalNumberColumn, optionalStringColumn, type Row, stringColumn } from './row-values.js';
import type { ConnectionSession } from './serial-connection.js';

/** Rows bound into one multi-row statement (bulk site registration). */
const ROWS_PER_STATEMENT = 500;

/** Splits `items` into consecutive slices of at most `size`. */
function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

/** `($1, $2), ($3, $4)` for `rows` rows of `columns` parameters. */
function placeholders(rows: number, columns: number): string {
  return Array.from(
    { length: rows },
    (_, row) => `(${Array.from({ length: columns }, (_, col) => `$${row * columns + col + 1}`).join(', ')})`,
  ).join(', ');
}

/** `($1, $2, …)` with `count` parameters, for `IN`. */
function inList(count: number): string {
  return `(${Array.from({ length: count }, (_, i) => `$${i + 1}`).join(', ')})`;
}

/** Most audit entries one query returns. */
const MAX_AUDIT_QUERY_LIMIT = MAX_AUDIT_LIST_LIMIT;

/** The dead-letter log keeps at most this much of an offending payload (see common/api.ts). */
const MAX_PAYLOAD_EXCERPT_CHARS = 512;

/** {@link RegistryStore} on the embedded database; `now` (epoch ms) decides which sessions have expired. */
export class DuckDbRegistryStore implements RegistryStore {
  /** Sequence number of the newest dead letter (0 when none was ever written). */
  private lastDeadLetterSeq = 0;
  private readonly sitesListeners = new Set<(change: SitesChange) => void>();

  /**
   * In-process only, so an instance property rather than a method: the prototype's methods are
   * exactly the internal data API (checked by tests/integration/platform/store/remote-data-stores.test.ts).
   */
  readonly onSitesChanged = (listener: (change: SitesChange) => void): (() => void) => {
    this.sitesListeners.add(listener);
    return () => this.sitesListeners.delete(listener);
  };

  /** Tells the listeners; a failing listener never fails the write that has already committed. */
  private readonly sitesChanged = (change: SitesChange): void => {
    for (const listener of this.sitesListeners) {
      try {
        listener(change);
      } catch {
        // The listener's owner logs its own failures; the change is committed regardless.
      }
    }
  };

  constructor(
    private readonly db: DuckDbDatabase,
    private readonly now: () => number,
  ) {}

  /** Loads the dead-letter sequence; runs at open on the write connection. */
  async initialise(session: ConnectionSession): Promise<void> {
    const [row] = await session.query('SELECT coalesce(max(seq), 0) AS seq FROM dead_letters');
    this.lastDeadLetterSeq = row ? numberColumn(row, 'seq') : 0;
  }

  async listSites(): Promise<RegisteredSite[]> {
    const rows = await this.db.read('list_sites', (s) =>
      s.query(
        `SELECT s.id, s.definition, s.source, s.created_at, d.disabled_at
         FROM sites s LEFT JOIN disabled_sites d ON d.site_id = s.id ORDER BY s.id`,
      ),
    );
    return rows.map((row) => {
      const disabledAt = optionalNumberColumn(row, 'disabled_at');
      return {
        site: siteSchema.parse(JSON.parse(stringColumn(row, 'definition'))),
        source: enumColumn(row, 'source', SITE_SOURCES),
        createdAt: numberColumn(row, 'created_at'),
        ...(disabledAt === undefined ? {} : { disabledAt }),
      };
    });
  }

  async saveSites(sites: readonly RegisteredSite[]): Promise<void> {
    const checked = sites.map((entry, index) => {
      const parsed = siteSchema.safeParse(entry.site);
      if (!parsed.success) throw new AppError('bad_request', `site ${index}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      if (!SITE_SOURCES.includes(entry.source)) throw new AppError('bad_request', `site ${index}: source must be seed or api`);
      requireEpochMs(entry.createdAt, 'createdAt');
      return { ...entry, site: parsed.data };
    });
    if (checked.length === 0) return;
    await this.db.write('save_sites', (s) =>
      s.transaction(async () => {
        for (const chunk of chunks(checked, ROWS_PER_STATEMENT)) {
          await s.execute(
            `INSERT INTO sites VALUES ${placeholders(chunk.length, 4)}
             ON CONFLICT (id) DO UPDATE SET definition = excluded.definition, source = excluded.source`,
            chunk.flatMap((entry) => [entry.site.id, JSON.stringify(entry.site), entry.source, BigInt(entry.createdAt)]),
          );
          await s.execute(
            `DELETE FROM removed_sites WHERE site_id IN ${inList(chunk.length)}`,
            chunk.map((entry) => entry.site.id),
          );
        }
      }),
    );
    this.sitesChanged({ kind: 'saved', siteIds: checked.map((entry) => entry.site.id), at: this.now() });
  }

  async deleteSites(siteIds: readonly string[]): Promise<void> {
    for (const id of siteIds) requireText(id, 'siteId');
    if (siteIds.length === 0) return;
    const removedAt = this.now();
    await this.db.write('delete_sites', (s) =>
      s.transaction(async () => {
        for (const chunk of chunks(siteIds, ROWS_PER_STATEMENT)) {
          const list = inList(chunk.length);
          await s.execute(`DELETE FROM device_credentials WHERE site_id IN ${list}`, [...chunk]);
          await s.execute(`DELETE FROM disabled_sites WHERE site_id IN ${list}`, [...chunk]);
          await s.execute(`DELETE FROM sites WHERE id IN ${list}`, [...chunk]);
          await s.execute(
            `INSERT INTO removed_sites VALUES ${placeholders(chunk.length, 2)}
             ON CONFLICT (site_id) DO UPDATE SET removed_at = excluded.removed_at`,
            chunk.flatMap((id) => [id, BigInt(removedAt)]),
          );
        }
      }),
    );
    this.sitesChanged({ kind: 'deleted', siteIds: [...siteIds], at: this.now() });
  }

  async getDeviceCredential(siteId: string): Promise<DeviceCredential | undefined> {
    const [row] = await this.db.read('get_device_credential', (s) =>
      s.query(
        `SELECT c.*, d.disabled_at FROM device_credentials c LEFT JOIN disabled_sites d ON d.site_id = c.site_id
         WHERE c.site_id = $1`,
        [siteId],
      ),
    );
    return row && toDeviceCredential(row);
  }

  /**
   * One upsert: with `keepPreviousUntil` the stored hash moves to `previous_token_hash` in the same
   * statement, so two rotations racing each other cannot lose a hash or resurrect an old one.
   */
  async saveDeviceCredential(credential: DeviceCredential, options: SaveDeviceCredentialOptions = {}): Promise<void> {
    requireText(credential.siteId, 'siteId');
    requireText(credential.tokenHash, 'tokenHash');
    requireEpochMs(credential.issuedAt, 'issuedAt');
    const keepUntil = options.keepPreviousUntil;
    if (keepUntil !== undefined) requireEpochMs(keepUntil, 'keepPreviousUntil');
    const previous =
      keepUntil === undefined
        ? 'previous_token_hash = NULL, previous_valid_until = NULL'
        : 'previous_token_hash = device_credentials.token_hash, previous_valid_until = $4';
    await this.db.write('save_device_credential', (s) =>
      s.execute(
        `INSERT INTO device_credentials (site_id, token_hash, issued_at) VALUES ($1, $2, $3)
         ON CONFLICT (site_id) DO UPDATE SET ${previous}, token_hash = excluded.token_hash, issued_at = excluded.issued_at`,
        [credential.siteId, credential.tokenHash, BigInt(credential.issuedAt), ...(keepUntil === undefined ? [] : [BigInt(keepUntil)])],
      ),
    );
  }

  async saveDeviceCredentials(credentials: readonly DeviceCredential[]): Promise<void> {
    for (const credential of credentials) {
      requireText(credential.siteId, 'siteId');
      requireText(credential.tokenHash, 'tokenHash');
      requireEpochMs(credential.issuedAt, 'issuedAt');
    }
    if (credentials.length === 0) return;
    await this.db.write('save_device_credentials', (s) =>
      s.transaction(async () => {
        for (const chunk of chunks(credentials, ROWS_PER_STATEMENT)) {
          await s.execute(
            `INSERT INTO device_credentials (site_id, token_hash, issued_at) VALUES ${placeholders(chunk.length, 3)}
             ON CONFLICT (site_id) DO UPDATE SET previous_token_hash = NULL, previous_valid_until = NULL,
               token_hash = excluded.token_hash, issued_at = excluded.issued_at`,
            chunk.flatMap((credential) => [credential.siteId, credential.tokenHash, BigInt(credential.issuedAt)]),
          );
        }
      }),
    );
  }

  async setSiteEnabled(siteId: string, enabled: boolean, atMs: number): Promise<void> {
    requireText(siteId, 'siteId');
    requireEpochMs(atMs, 'atMs');
    await this.db.write('set_site_enabled', (s) =>
      enabled
        ? s.execute('DELETE FROM disabled_sites WHERE site_id = $1', [siteId])
        : s.execute('INSERT INTO disabled_sites VALUES ($1, $2) ON CONFLICT (site_id) DO NOTHING', [siteId, BigInt(atMs)]),
    );
    this.sitesChanged({ kind: enabled ? 'enabled' : 'disabled', siteIds: [siteId], at: atMs });
  }

  async deviceAccessChanges(sinceMs: number): Promise<DeviceAccessChanges> {
    if (typeof sinceMs !== 'number' || !Number.isSafeInteger(sinceMs)) throw new AppError('bad_request', 'sinceMs must be epoch ms');
    return this.db.read('device_access_changes', async (s) => {
      const disabled = await s.query('SELECT site_id FROM disabled_sites ORDER BY site_id');
      const removed = await s.query('SELECT site_id FROM removed_sites WHERE removed_at >= $1 ORDER BY site_id', [BigInt(sinceMs)]);
      const issued = await s.query(
        `SELECT c.*, d.disabled_at FROM device_credentials c LEFT JOIN disabled_sites d ON d.site_id = c.site_id
         WHERE c.issued_at >= $1 ORDER BY c.issued_at`,
        [BigInt(sinceMs)],
      );
      return {
        disabledSiteIds: disabled.map((row) => stringColumn(row, 'site_id')),
        removedSiteIds: removed.map((row) => stringColumn(row, 'site_id')),
        credentials: issued.map(toDeviceCredential),
      };
    });
  }

  async findUser(username: string): Promise<UserRecord | undefined> {
    const [row] = await this.db.read('find_user', (s) => s.query('SELECT * FROM users WHERE username = $1', [username]));
    return row && toUserRecord(row);
  }

  async listUsers(): Promise<UserRecord[]> {
    const rows = await this.db.read('list_users', (s) => s.query('SELECT * FROM users ORDER BY username'));
    return rows.map(toUserRecord);
  }

  async saveUser(user: UserRecord): Promise<void> {
    requireText(user.username, 'username');
    requireText(user.passwordHash, 'passwordHash');
    if (!ROLES.includes(user.role)) throw new AppError('bad_request', `role must be one of ${ROLES.join(', ')}`);
    requireEpochMs(user.createdAt, 'createdAt');
    if (user.disabledAt !== undefined) requireEpochMs(user.disabledAt, 'disabledAt');
    await this.db.write('save_user', (s) =>
      s.execute(
        `INSERT INTO users (username, password_hash, role, created_at, disabled_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash, role = excluded.role,
           created_at = excluded.created_at, disabled_at = excluded.disabled_at`,
        [
          user.username,
          user.passwordHash,
          user.role,
          BigInt(user.createdAt),
          user.disabledAt === undefined ? null : BigInt(user.disabledAt),
        ],
      ),
    );
  }

  /** One transaction: the user and every session of theirs. */
  async deleteUser(username: string): Promise<boolean> {
    requireText(username, 'username');
    return this.db.write('delete_user', (s) =>
      s.transaction(async () => {
        await s.execute('DELETE FROM sessions WHERE username = $1', [username]);
        const deleted = await s.query('DELETE FROM users WHERE username = $1 RETURNING username', [username]);
        return deleted.length > 0;
      }),
    );
  }

  async countUsers(): Promise<number> {
    const [row] = await this.db.read('count_users', (s) => s.query('SELECT count(*) AS n FROM users'));
    return row ? numberColumn(row, 'n') : 0;
  }

  async saveSession(session: SessionRecord): Promise<void> {
    requireText(session.idHash, 'idHash');
    requireText(session.username, 'username');
    requireEpochMs(session.createdAt, 'createdAt');
    requireEpochMs(session.expiresAt, 'expiresAt');
    await this.db.write('save_session', (s) =>
      s.execute(
        `INSERT INTO sessions VALUES ($1, $2, $3, $4)
         ON CONFLICT (id_hash) DO UPDATE SET username = excluded.username, created_at = excluded.created_at, expires_at = excluded.expires_at`,
        [session.idHash, session.username, BigInt(session.createdAt), BigInt(session.expiresAt)],
      ),
    );
  }

  /** The session, unless it has expired (`expiresAt` ≤ now) — expired rows may linger until purged. */
  async findSession(idHash: string): Promise<SessionRecord | undefined> {
    const [row] = await this.db.read('find_session', (s) =>
      s.query('SELECT * FROM sessions WHERE id_hash = $1 AND expires_at > $2', [idHash, BigInt(Math.floor(this.now()))]),
    );
    return (
      row && {
        idHash: stringColumn(row, 'id_hash'),
        username: stringColumn(row, 'username'),
        createdAt: numberColumn(row, 'created_at'),
        expiresAt: numberColumn(row, 'expires_at'),
      }
    );
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.db.write('delete_session', (s) => s.execute('DELETE FROM sessions WHERE id_hash = $1', [idHash]));
  }

  async deleteUserSessions(username: string): Promise<string[]> {
    requireText(username, 'username');
    const rows = await this.db.write('delete_user_sessions', (s) =>
      s.query('DELETE FROM sessions WHERE username = $1 RETURNING id_hash', [username]),
    );
    return rows.map((row) => stringColumn(row, 'id_hash'));
  }

  async deleteExpiredSessions(nowMs: number): Promise<void> {
    requireEpochMs(nowMs, 'nowMs');
    await this.db.write('delete_expired_sessions', (s) => s.execute('DELETE FROM sessions WHERE expires_at <= $1', [BigInt(nowMs)]));
  }

  async appendAudit(entries: readonly AuditRecord[]): Promise<void> {
    const checked = entries.map(validateAuditRecord);
    if (checked.length === 0) return;
    await this.db.write('append_audit', (s) =>
      s.transaction(async () => {
        for (const chunk of chunks(checked, ROWS_PER_STATEMENT)) {
          await s.execute(
            `INSERT INTO audit_log (id, ts, actor, actor_role, action, target, ip, user_agent, request_id, detail)
             VALUES ${placeholders(chunk.length, 10)}`,
            chunk.flatMap((entry) => [
              entry.id,
              BigInt(entry.ts),
              entry.actor,
              entry.actorRole,
              entry.action,
              entry.target,
              entry.ip,
              entry.userAgent,
              entry.requestId,
              JSON.stringify(entry.detail),
            ]),
          );
        }
      }),
    );
  }

  async listAudit(query: AuditRecordQuery): Promise<AuditRecord[]> {
    if (!Number.isSafeInteger(query.limit) || query.limit < 1) throw new AppError('bad_request', 'limit must be a positive integer');
    const conditions: string[] = [];
    const params: DuckDBValue[] = [];
    const bind = (value: DuckDBValue) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (query.from !== undefined) conditions.push(`ts >= ${bind(BigInt(Math.floor(query.from)))}`);
    if (query.to !== undefined) conditions.push(`ts < ${bind(BigInt(Math.ceil(query.to)))}`);
    if (query.actor !== undefined) conditions.push(`actor = ${bind(query.actor)}`);
    if (query.actions !== undefined && query.actions.length > 0) {
      conditions.push(`action IN (${query.actions.map((action) => bind(action)).join(', ')})`);
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const limit = bind(Math.min(query.limit, MAX_AUDIT_QUERY_LIMIT));
    const rows = await this.db.read('list_audit', (s) =>
      s.query(`SELECT * FROM audit_log ${where} ORDER BY ts DESC, id DESC LIMIT ${limit}`, params),
    );
    return rows.map(toAuditRecord);
  }

  async purgeAuditBefore(beforeMs: number): Promise<void> {
    requireEpochMs(beforeMs, 'beforeMs');
    await this.db.write('purge_audit', (s) => s.execute('DELETE FROM audit_log WHERE ts < $1', [BigInt(beforeMs)]));
  }

  async saveSiteStatus(status: SiteStatusRecord): Promise<void> {
    requireText(status.siteId, 'siteId');
    if (!DEVICE_STATUSES.includes(status.status)) throw new AppError('bad_request', `status must be one of ${DEVICE_STATUSES.join(', ')}`);
    requireEpochMs(status.ts, 'ts');
    requireOptionalNumber(status.battery, 'battery');
    requireOptionalNumber(status.rssi, 'rssi');
    await this.db.write('save_site_status', (s) =>
      s.execute(
        `INSERT INTO site_status VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (site_id) DO UPDATE SET status = excluded.status, ts = excluded.ts, battery = excluded.battery, rssi = excluded.rssi`,
        [status.siteId, status.status, BigInt(status.ts), status.battery ?? null, status.rssi ?? null],
      ),
    );
  }

  async listSiteStatuses(): Promise<SiteStatusRecord[]> {
    const rows = await this.db.read('list_site_statuses', (s) => s.query('SELECT * FROM site_status ORDER BY site_id'));
    return rows.map((row) => {
      const battery = optionalNumberColumn(row, 'battery');
      const rssi = optionalNumberColumn(row, 'rssi');
      return {
        siteId: stringColumn(row, 'site_id'),
        status: enumColumn(row, 'status', DEVICE_STATUSES),
        ts: numberColumn(row, 'ts'),
        ...(battery === undefined ? {} : { battery }),
        ...(rssi === undefined ? {} : { rssi }),
      };
    });
  }

  async addRejections(rejections: readonly Rejection[]): Promise<void> {
    rejections.forEach(validateRejection);
    if (rejections.length === 0) return;
    const totals = new Map<string, number>();
    for (const rejection of rejections) totals.set(rejection.reason, (totals.get(rejection.reason) ?? 0) + 1);
    // Entries beyond the capacity would be trimmed at once: skip them, but count them.
    const kept = rejections.slice(-DEAD_LETTER_CAPACITY);
    await this.db.write('add_rejections', async (s) => {
      const firstSeq = this.lastDeadLetterSeq + 1 + (rejections.length - kept.length);
      const lastSeq = this.lastDeadLetterSeq + rejections.length;
      await s.transaction(async () => {
        const appender = await s.appender('dead_letters');
        try {
          kept.forEach((rejection, index) => {
            appender.appendBigInt(BigInt(firstSeq + index));
            appender.appendBigInt(BigInt(rejection.ts));
            appender.appendVarchar(rejection.reason);
            appender.appendVarchar(rejection.topic);
            if (rejection.siteId === null) appender.appendNull();
            else appender.appendVarchar(rejection.siteId);
            appender.appendVarchar(rejection.detail);
            appender.appendVarchar(rejection.payloadExcerpt.slice(0, MAX_PAYLOAD_EXCERPT_CHARS));
            appender.endRow();
          });
        } catch (error) {
          appender.clear();
          appender.closeSync();
          throw error;
        }
        appender.closeSync();
        if (lastSeq > DEAD_LETTER_CAPACITY) {
          await s.execute('DELETE FROM dead_letters WHERE seq <= $1', [BigInt(lastSeq - DEAD_LETTER_CAPACITY)]);
        }
        const entries = [...totals];
        await s.execute(
          `INSERT INTO rejection_totals VALUES ${entries.map((_, i) => `($${2 * i + 1}, $${2 * i + 2})`).join(', ')}
           ON CONFLICT (reason) DO UPDATE SET total = rejection_totals.total + excluded.total`,
          entries.flatMap(([reason, count]) => [reason, BigInt(count)]),
        );
      });
      this.lastDeadLetterSeq = lastSeq;
    });
  }

  async listRejections(limit: number): Promise<Rejection[]> {
    if (!Number.isSafeInteger(limit) || limit < 0) throw new AppError('bad_request', 'limit must be a non-negative integer');
    const rows = await this.db.read('list_rejections', (s) =>
      s.query('SELECT * FROM dead_letters ORDER BY seq DESC LIMIT $1', [Math.min(limit, DEAD_LETTER_CAPACITY)]),
    );
    return rows.map(toRejection);
  }

  async rejectionTotals(): Promise<Record<string, number>> {
    const rows = await this.db.read('rejection_totals', (s) => s.query('SELECT reason, total FROM rejection_totals ORDER BY reason'));
    return Object.fromEntries(rows.map((row) => [stringColumn(row, 'reason'), numberColumn(row, 'total')]));
  }
}

function toDeviceCredential(row: Row): DeviceCredential {
  const previousTokenHash = optionalStringColumn(row, 'previous_token_hash');
  const previousValidUntil = optionalNumberColumn(row, 'previous_valid_until');
  const siteDisabledAt = optionalNumberColumn(row, 'disabled_at');
  return {
    siteId: stringColumn(row, 'site_id'),
    tokenHash: stringColumn(row, 'token_hash'),
    issuedAt: numberColumn(row, 'issued_at'),
    ...(previousTokenHash === undefined || previousValidUntil === undefined ? {} : { previousTokenHash, previousValidUntil }),
    ...(siteDisabledAt === undefined ? {} : { siteDisabledAt }),
  };
}

function toUserRecord(row: Row): UserRecord {
  const disabledAt = optionalNumberColumn(row, 'disabled_at');
  return {
    username: stringColumn(row, 'username'),
    passwordHash: stringColumn(row, 'password_hash'),
    role: enumColumn(row, 'role', ROLES),
    createdAt: numberColumn(row, 'created_at'),
    ...(disabledAt === undefined ? {} : { disabledAt }),
  };
}

function toAuditRecord(row: Row): AuditRecord {
  const detail = auditDetailSchema.safeParse(JSON.parse(stringColumn(row, 'detail')));
  return {
    id: stringColumn(row, 'id'),
    ts: numberColumn(row, 'ts'),
    actor: stringColumn(row, 'actor'),
    actorRole: stringColumn(row, 'actor_role'),
    action: enumColumn(row, 'action', AUDIT_ACTIONS),
    target: optionalStringColumn(row, 'target') ?? null,
    ip: stringColumn(row, 'ip'),
    userAgent: stringColumn(row, 'user_agent'),
    requestId: stringColumn(row, 'request_id'),
    detail: detail.success ? detail.data : {},
  };
}

function validateAuditRecord(entry: AuditRecord, index: number): AuditRecord {
  const problem = !AUDIT_ACTIONS.includes(entry.action)
    ? `action must be one of ${AUDIT_ACTIONS.join(', ')}`
    : typeof entry.ts !== 'number' || !Number.isSafeInteger(entry.ts) || entry.ts < 0
      ? 'ts must be epoch ms'
      : [entry.id, entry.actor, entry.actorRole].some((value) => typeof value !== 'string' || value.length === 0)
        ? 'id, actor and actorRole must be non-empty strings'
        : [entry.ip, entry.userAgent, entry.requestId].some((value) => typeof value !== 'string')
          ? 'ip, userAgent and requestId must be strings'
          : entry.target !== null && typeof entry.target !== 'string'
            ? 'target must be a string or null'
            : !auditDetailSchema.safeParse(entry.detail).success
              ? 'detail must map short keys to short strings, numbers, booleans or null'
              : undefined;
  if (problem) throw new AppError('bad_request', `audit entry ${index}: ${problem}`);
  return { ...entry, userAgent: entry.userAgent.slice(0, MAX_AUDIT_USER_AGENT_CHARS) };
}

function toRejection(row: Row): Rejection {
  return {
    ts: numberColumn(row, 'ts'),
    reason: enumColumn(row, 'reason', REJECTION_REASONS),
    topic: stringColumn(row, 'topic'),
    siteId: optionalStringColumn(row, 'site_id') ?? null,
    detail: stringColumn(row, 'detail'),
    payloadExcerpt: stringColumn(row, 'payload_excerpt'),
  };
}

function requireText(value: unknown, field: string): void {
  if (typeof value !== 'string' || value.length === 0) throw new AppError('bad_request', `${field} must be a non-empty string`);
}

function requireEpochMs(value: unknown, field: string): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw new AppError('bad_request', `${field} must be epoch ms`);
}

function requireOptionalNumber(value: unknown, field: string): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
    throw new AppError('bad_request', `${field} must be a finite number when present`);
  }
}

function validateRejection(rejection: Rejection, index: number): void {
  const problem = !REJECTION_REASONS.includes(rejection.reason)
    ? `reason must be one of ${REJECTION_REASONS.join(', ')}`
    : typeof rejection.ts !== 'number' || !Number.isSafeInteger(rejection.ts) || rejection.ts < 0
      ? 'ts must be epoch ms'
      : typeof rejection.topic !== 'string' || typeof rejection.detail !== 'string' || typeof rejection.payloadExcerpt !== 'string'
        ? 'topic, detail and payloadExcerpt must be strings'
        : rejection.siteId !== null && typeof rejection.siteId !== 'string'
          ? 'siteId must be a string or null'
          : undefined;
  if (problem) throw new AppError('bad_request', `rejection ${index}: ${problem}`);
}
