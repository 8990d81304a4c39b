/** `GET /api/audit`: the audit log for admins — who changed what, when and from where. */
import { auditListResponseSchema, auditQuerySchema } from '../../../common/audit.js';
import { AppError } from '../../../platform/errors.js';
import type { WebContext } from '../context.js';
import { errorResponses } from './common-responses.js';
import { type ApiRoute, defineRoute, sendJson } from './route-spec.js';

/** Epoch ms from a query time (epoch ms or ISO-8601). */
function epochOf(value: number | string | undefined): number | undefined {
  return typeof value === 'string' ? Date.parse(value) : value;
}

export function auditRoutes(ctx: WebContext): ApiRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/audit',
      operationId: 'listAuditEntries',
      summary: 'The audit log, newest first, filtered by time, actor and action — admin only',
      description:
        'Administrative changes (sites, device tokens, rules, users and sessions, subscriptions of others, outbox retries), alert ' +
        'acknowledgements and comments, and logins, with who, when, the client address and user agent. `from` (inclusive) and `to` ' +
        '(exclusive) take epoch ms or ISO-8601; `action` a comma-separated list. Kept AUDIT_RETENTION_DAYS; never holds secrets.',
      tag: 'audit',
      access: 'admin',
      query: auditQuerySchema,
      responses: {
        200: { description: 'Matching entries, newest first', schema: auditListResponseSchema },
        ...errorResponses.validation,
        ...errorResponses.unauthenticated,
        ...errorResponses.forbidden,
      },
      handle: async ({ query, res }) => {
        const from = epochOf(query.from);
        const to = epochOf(query.to);
        if (from !== undefined && to !== undefined && from >= to) {
          throw new AppError('validation_failed', '`from` must be before `to`', [{ path: 'query.from', message: 'must be before to' }]);
        }
        const entries = await ctx.stores.registry.listAudit({ from, to, actor: query.actor, actions: query.action, limit: query.limit });
        sendJson(res, 200, auditListResponseSchema, { entries });
      },
    }),
  ];
}
