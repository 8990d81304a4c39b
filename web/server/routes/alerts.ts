/**
 * Alert routes: list and read alerts (any logged-in user), acknowledge and comment (operators and
 * admins). Every call goes to the alert engine — in this process, or in ingest over the data API —
 * which owns the alerts' state and timers; acknowledgements and comments answer once stored.
 */
import { z } from 'zod';
import {
  acknowledgeAlertRequestSchema,
  alertListQuerySchema,
  alertListResponseSchema,
  alertSchema,
  commentAlertRequestSchema,
} from '../../../common/alerts.js';
import { apiErrorBodySchema } from '../../../common/errors.js';
import { AppError, notFound } from '../../../platform/errors.js';
import type { AlertingApi } from '../../../platform/store/types.js';
import type { AuthInfo } from '../auth/session.js';
import type { WebContext } from '../context.js';
import { errorResponses } from './common-responses.js';
import { type ApiRoute, defineRoute, sendJson } from './route-spec.js';

const alertParams = z.object({ id: z.uuid() });

/** 503 while the alert engine cannot be reached (split mode with ingest down, or none configured). */
export const alertingUnavailable = {
  503: { description: '`unavailable`: the alert engine (in ingest) cannot be reached', schema: apiErrorBodySchema },
} as const;

/** The alert engine, or `unavailable`. */
export function alertsOf(ctx: WebContext): AlertingApi {
  if (!ctx.alerts) throw new AppError('unavailable', 'alerting is not available in this deployment');
  return ctx.alerts;
}

/** The caller's username (routes behind an access check always have one). */
export function usernameOf(auth: AuthInfo | undefined): string {
  if (!auth) throw new AppError('unauthenticated', 'Log in first');
  return auth.user.username;
}

/** Epoch ms from a query time (epoch ms or ISO-8601). */
function epochOf(value: number | string | undefined): number | undefined {
  return typeof value === 'string' ? Date.parse(value) : value;
}

export function alertRoutes(ctx: WebContext): ApiRoute[] {
  const log = ctx.logger.child({ module: 'alerts' });
  return [
    defineRoute({
      method: 'get',
      path: '/api/alerts',
      operationId: 'listAlerts',
      summary: 'Alerts, newest first, filtered by state, site, severity and time',
      description:
        '`state` and `severity` take comma-separated lists. `from`/`to` (epoch ms or ISO-8601) select alerts open at some moment of [from, to): raised before `to` and not cleared before `from`.',
      tag: 'alerts',
      access: 'session',
      query: alertListQuerySchema,
      responses: {
        200: { description: 'Matching alerts, newest first', schema: alertListResponseSchema },
        ...errorResponses.validation,
        ...errorResponses.unauthenticated,
        ...alertingUnavailable,
      },
      handle: async ({ query, res }) => {
        const from = epochOf(query.from);
        const to = epochOf(query.to);
        if (from !== undefined && to !== undefined && from >= to) {
          throw new AppError('validation_failed', '`from` must be before `to`', [{ path: 'query.from', message: 'must be before to' }]);
        }
        const alerts = await alertsOf(ctx).listAlerts({
          states: query.state,
          siteId: query.site,
          severities: query.severity,
          from,
          to,
          limit: query.limit,
        });
        sendJson(res, 200, alertListResponseSchema, { alerts });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/alerts/:id',
      operationId: 'getAlert',
      summary: 'One alert with its acknowledgement and comments',
      tag: 'alerts',
      access: 'session',
      params: alertParams,
      responses: {
        200: { description: 'The alert', schema: alertSchema },
        ...errorResponses.validation,
        ...errorResponses.unauthenticated,
        ...errorResponses.notFound,
        ...alertingUnavailable,
      },
      handle: async ({ params, res }) => {
        const alert = await alertsOf(ctx).getAlert(params.id);
        if (!alert) throw notFound(`Alert ${params.id}`);
        sendJson(res, 200, alertSchema, alert);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/alerts/:id/ack',
      operationId: 'acknowledgeAlert',
      summary: 'Acknowledge an alert, optionally with a comment — operators and admins',
      description:
        'ACTIVE_UNACK becomes ACTIVE_ACK, CLEARED_UNACK becomes CLEARED; who and when are recorded. An alert already acknowledged answers 409 `conflict`.',
      tag: 'alerts',
      access: 'operator',
      params: alertParams,
      body: acknowledgeAlertRequestSchema,
      responses: {
        200: { description: 'The acknowledged alert', schema: alertSchema },
        ...errorResponses.validation,
        ...errorResponses.unauthenticated,
        ...errorResponses.forbidden,
        ...errorResponses.notFound,
        ...errorResponses.conflict,
        ...alertingUnavailable,
      },
      handle: async ({ params, body, auth, req, res }) => {
        const by = usernameOf(auth);
        const alert = await alertsOf(ctx).acknowledge(params.id, by, body.comment);
        log.info({ alertId: alert.id, siteId: alert.siteId, by }, 'alert acknowledged');
        await ctx.audit.record(req, res, {
          action: 'alert.acknowledge',
          target: alert.id,
          detail: { siteId: alert.siteId, ruleId: alert.ruleId, withComment: body.comment !== undefined },
        });
        sendJson(res, 200, alertSchema, alert);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/alerts/:id/comment',
      operationId: 'commentAlert',
      summary: 'Add a comment to an alert — operators and admins',
      tag: 'alerts',
      access: 'operator',
      params: alertParams,
      body: commentAlertRequestSchema,
      responses: {
        200: { description: 'The alert with the comment', schema: alertSchema },
        ...errorResponses.validation,
        ...errorResponses.unauthenticated,
        ...errorResponses.forbidden,
        ...errorResponses.notFound,
        ...errorResponses.conflict,
        ...alertingUnavailable,
      },
      handle: async ({ params, body, auth, req, res }) => {
        const alert = await alertsOf(ctx).comment(params.id, usernameOf(auth), body.text);
        await ctx.audit.record(req, res, {
          action: 'alert.comment',
          target: alert.id,
          detail: { siteId: alert.siteId, ruleId: alert.ruleId },
        });
        sendJson(res, 200, alertSchema, alert);
      },
    }),
  ];
}
