/**
 * The audit log: who (user and role) did what (action, target, a few secret-free facts), when, and
 * from where (client address, user agent, request id). Routes call {@link AuditLog.record} after an
 * action succeeded; the entry is stored in the registry (DuckDB, or ingest's over the data API)
 * before the answer leaves, and admins read it with `GET /api/audit`.
 *
 * Storing never fails the action that already happened: a failed write is counted
 * (`ioc_web_audit_write_failures_total`) and the whole entry goes to the server log at error level,
 * so the trail survives there. Entries are kept AUDIT_RETENTION_DAYS.
 *
 * Secrets never enter it: details hold only short strings, numbers and booleans, and a detail
 * whose key names a secret (password, token, secret, cookie, session id, credential) may only be a boolean
 * ("passwordChanged": true) — anything else is a programming error and throws.
 */
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import type { UserInfo } from '../../common/api.js';
import { type AuditAction, type AuditDetail, MAX_AUDIT_USER_AGENT_CHARS } from '../../common/audit.js';
import type { Logger } from '../../platform/logger.js';
import type { AuditRecord, RegistryStore } from '../../platform/store/types.js';
import { authOf } from './auth/require-auth.js';
import { requestIdOf } from './request-id.js';
import type { SecurityMetrics } from './security-metrics.js';

/** What a route tells the audit log. */
export interface AuditEvent {
  readonly action: AuditAction;
  /** What was acted on (site id, rule id, username, …); null or absent when nothing in particular. */
  readonly target?: string | null;
  readonly detail?: AuditDetail;
}

export interface AuditLogOptions {
  readonly registry: Pick<RegistryStore, 'appendAudit' | 'purgeAuditBefore'>;
  readonly logger: Logger;
  /** Epoch ms. */
  readonly clock: () => number;
  readonly metrics: Pick<SecurityMetrics, 'auditWriteFailures'>;
}

const SECRET_KEY = /password|passwd|token|secret|cookie|session_?id|credential/i;

/** Throws when a detail could carry a secret (see the module comment). */
export function assertSecretFree(detail: AuditDetail): void {
  for (const [key, value] of Object.entries(detail)) {
    if (SECRET_KEY.test(key) && typeof value !== 'boolean') {
      throw new Error(`audit detail "${key}" looks like a secret; only a boolean may be recorded under that name`);
    }
  }
}

export class AuditLog {
  private readonly log: Logger;

  constructor(private readonly options: AuditLogOptions) {
    this.log = options.logger.child({ module: 'audit' });
  }

  /**
   * Records `event` by the request's caller (or `actor`, e.g. the user who just logged in). Resolves
   * once stored; never rejects.
   */
  async record(req: Request, res: Response, event: AuditEvent, actor?: UserInfo): Promise<void> {
    const detail = event.detail ?? {};
    assertSecretFree(detail);
    const who = actor ?? authOf(res)?.user;
    const entry: AuditRecord = {
      id: randomUUID(),
      ts: this.options.clock(),
      actor: who?.username ?? '-',
      actorRole: who?.role ?? '-',
      action: event.action,
      target: event.target ?? null,
      ip: req.ip ?? req.socket.remoteAddress ?? '',
      userAgent: (req.get('user-agent') ?? '').slice(0, MAX_AUDIT_USER_AGENT_CHARS),
      requestId: requestIdOf(res),
      detail,
    };
    try {
      await this.options.registry.appendAudit([entry]);
    } catch (error) {
      this.options.metrics.auditWriteFailures.inc();
      this.log.error({ err: error, audit: entry }, 'could not store an audit entry; it is kept in this log line');
    }
  }

  /** Deletes entries older than `retentionMs`; a failure is logged. */
  async purge(retentionMs: number): Promise<void> {
    try {
      await this.options.registry.purgeAuditBefore(Math.max(0, this.options.clock() - retentionMs));
    } catch (error) {
      this.log.warn({ err: error }, 'purging old audit entries failed');
    }
  }
}
