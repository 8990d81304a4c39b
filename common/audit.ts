/**
 * The audit log contract: who did what, when and from where. The web server records every
 * administrative change (sites, device tokens, rules, users and their sessions, subscriptions of
 * other users, outbox retries), alert acknowledgements and comments, and logins; admins read it with
 * `GET /api/audit`. Entries never carry secrets (tokens, passwords, session ids).
 */
import { z } from 'zod';

/** Every recorded action, `<object>.<verb>`. */
export const AUDIT_ACTIONS = [
  'auth.login',
  'auth.logout_all',
  'user.create',
  'user.update',
  'user.delete',
  'user.sessions_revoke',
  'site.register',
  'site.remove',
  'site.disable',
  'site.enable',
  'site.token_issue',
  'rule.create',
  'rule.update',
  'rule.delete',
  'subscription.create',
  'subscription.update',
  'subscription.delete',
  'outbox.retry',
  'alert.acknowledge',
  'alert.comment',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Longest user agent kept, characters (the rest is cut). */
export const MAX_AUDIT_USER_AGENT_CHARS = 256;
/** Most entries one `GET /api/audit` returns. */
export const MAX_AUDIT_LIST_LIMIT = 1000;

/** Small, secret-free facts about an action (e.g. `{"role":"operator"}`, `{"count":500}`). */
export const auditDetailSchema = z.record(z.string().max(64), z.union([z.string().max(512), z.number(), z.boolean(), z.null()]));
export type AuditDetail = z.infer<typeof auditDetailSchema>;

export const auditEntrySchema = z.object({
  id: z.string(),
  /** Epoch ms. */
  ts: z.number(),
  /** Username of whoever acted. */
  actor: z.string(),
  /** Their role at the time. */
  actorRole: z.string(),
  action: z.enum(AUDIT_ACTIONS),
  /** What was acted on: a site id, rule id, username, subscription, delivery or alert id; null when nothing in particular. */
  target: z.string().nullable(),
  /** Client address as the web server saw it (see TRUST_PROXY). */
  ip: z.string(),
  /** The client's User-Agent, cut to {@link MAX_AUDIT_USER_AGENT_CHARS}. */
  userAgent: z.string(),
  /** The request's X-Request-Id, to find it in the server log. */
  requestId: z.string(),
  detail: auditDetailSchema,
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

const timeParam = z.union([z.coerce.number().int().nonnegative(), z.iso.datetime({ offset: true })]);

/** `GET /api/audit?from=&to=&actor=&action=&limit=`: newest first. */
export const auditQuerySchema = z.object({
  /** Entries at or after this time (epoch ms or ISO-8601). */
  from: timeParam.optional(),
  /** Entries before this time (epoch ms or ISO-8601). */
  to: timeParam.optional(),
  /** One username. */
  actor: z.string().min(1).max(64).optional(),
  /** Comma-separated actions, e.g. `site.disable,site.enable`; default all. */
  action: z
    .string()
    .max(1000)
    .transform((text, ctx) => {
      const actions = [...new Set(text.split(','))];
      const unknown = actions.filter((action) => !(AUDIT_ACTIONS as readonly string[]).includes(action));
      if (unknown.length > 0) {
        ctx.addIssue({ code: 'custom', message: `unknown action ${unknown[0]}; use ${AUDIT_ACTIONS.join(', ')}` });
        return z.NEVER;
      }
      return actions as AuditAction[];
    })
    .optional(),
  /** At most this many entries (1–1000, default 100). */
  limit: z.coerce.number().int().min(1).max(MAX_AUDIT_LIST_LIMIT).default(100),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;

export const auditListResponseSchema = z.object({
  /** Newest first. */
  entries: z.array(auditEntrySchema),
});
export type AuditListResponse = z.infer<typeof auditListResponseSchema>;
