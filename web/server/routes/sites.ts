/**
 * Site routes: the list and detail the map shows (catalog + live state), the downsampled history of
 * one metric, recent device events, and the admin-only registration, removal, disabling and
 * enabling, and device token issue/rotation (with a grace period for the replaced token).
 */
import { z } from 'zod';
import {
  deviceTokenQuerySchema,
  deviceTokenResponseSchema,
  eventsQuerySchema,
  historySeriesSchema,
  MAX_HISTORY_POINTS,
  MAX_SITES_PER_REGISTRATION,
  readingsQuerySchema,
  registerSitesRequestSchema,
  registerSitesResponseSchema,
  removeSitesRequestSchema,
  removeSitesResponseSchema,
  siteAccessResponseSchema,
  siteEventListResponseSchema,
  siteListResponseSchema,
  siteSummarySchema,
} from '../../../common/api.js';
import type { Site } from '../../../common/sites.js';
import { siteIdSchema } from '../../../common/sites.js';
import { notFound } from '../../../platform/errors.js';
import { issueDeviceToken, issueDeviceTokens } from '../../../platform/security/device-tokens.js';
import type { WebContext } from '../context.js';
import { resolveHistoryRange } from '../readings-range.js';
import { siteSummary } from '../site-summary.js';
import { errorResponses } from './common-responses.js';
import { type ApiRoute, defineRoute, sendJson } from './route-spec.js';

const siteParams = z.object({ id: siteIdSchema });

const DAY_MS = 24 * 3600 * 1000;
const MINUTE_MS = 60_000;

export function siteRoutes(ctx: WebContext): ApiRoute[] {
  const log = ctx.logger.child({ module: 'sites' });

  const siteOr404 = (id: string): Site => {
    const site = ctx.sites.get(id);
    if (!site) throw notFound(`Site ${id}`);
    return site;
  };

  const summaryOf = (site: Site, now: number) => {
    const state = ctx.siteState.get(site.id);
    if (!state) throw notFound(`Site ${site.id}`);
    return siteSummary(site, state, now);
  };

  return [
    defineRoute({
      method: 'get',
      path: '/api/sites',
      operationId: 'listSites',
      summary: 'Every site with its status, last contact and latest values',
      tag: 'sites',
      access: 'session',
      responses: { 200: { description: 'All sites of the deployment', schema: siteListResponseSchema }, ...errorResponses.unauthenticated },
      handle: ({ res }) => {
        const now = ctx.clock();
        sendJson(res, 200, siteListResponseSchema, { sites: ctx.sites.sites.map((site) => summaryOf(site, now)) });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/sites',
      operationId: 'registerSites',
      summary: 'Register one site, or many at once with their device tokens — admin only',
      description: `Body: a site, or \`{sites: [...], issueTokens?: boolean}\` with at most ${MAX_SITES_PER_REGISTRATION} sites. Ids must be new (409 \`conflict\` otherwise; nothing is registered then).`,
      tag: 'sites',
      access: 'admin',
      body: registerSitesRequestSchema,
      responses: {
        201: { description: 'The registered ids, and the device tokens when requested', schema: registerSitesResponseSchema },
        ...errorResponses.validation,
        ...errorResponses.unauthenticated,
        ...errorResponses.forbidden,
        ...errorResponses.conflict,
      },
      handle: async ({ body, auth, req, res }) => {
        const request = 'sites' in body ? body : { sites: [body], issueTokens: false };
        await ctx.sites.register(request.sites);
        const ids = request.sites.map((site) => site.id);
        log.info({ count: ids.length, first: ids[0], by: auth?.user.username }, 'sites registered');
        const tokens = request.issueTokens ? await issueDeviceTokens(ctx.stores.registry, ids, ctx.clock()) : undefined;
        await ctx.audit.record(req, res, {
          action: 'site.register',
          target: ids.length === 1 ? (ids[0] ?? null) : null,
          detail: { count: ids.length, first: ids[0] ?? null, last: ids.at(-1) ?? null, tokensIssued: tokens !== undefined },
        });
        sendJson(res, 201, registerSitesResponseSchema, { registered: ids, ...(tokens ? { tokens } : {}) });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/sites/remove',
      operationId: 'removeSites',
      summary: 'Remove many sites registered through the API, with their device tokens — admin only',
      description: `Body: \`{siteIds: [...]}\`, at most ${MAX_SITES_PER_REGISTRATION}. Ids not registered are listed in \`notFound\`. A seeded id answers 409 \`conflict\` and nothing is removed. Open MQTT connections of the removed sites are closed within a second; stored readings are kept until retention.`,
      tag: 'sites',
      access: 'admin',
      body: removeSitesRequestSchema,
      responses: {
        200: { description: 'What was removed and what was not registered', schema: removeSitesResponseSchema },
        ...errorResponses.validation,
        ...errorResponses.unauthenticated,
        ...errorResponses.forbidden,
        ...errorResponses.conflict,
      },
      handle: async ({ body, auth, req, res }) => {
        const requested = [...new Set(body.siteIds)];
        const removed = requested.filter((id) => ctx.sites.get(id) !== undefined);
        const notFound = requested.filter((id) => ctx.sites.get(id) === undefined);
        if (removed.length > 0) await ctx.sites.remove(removed);
        log.info({ count: removed.length, first: removed[0], by: auth?.user.username }, 'sites removed');
        await ctx.audit.record(req, res, {
          action: 'site.remove',
          target: removed.length === 1 ? (removed[0] ?? null) : null,
          detail: { count: removed.length, first: removed[0] ?? null, last: removed.at(-1) ?? null },
        });
        sendJson(res, 200, removeSitesResponseSchema, { removed, notFound });
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/sites/:id',
      operationId: 'removeSite',
      summary: 'Remove a site registered through the API, with its device token — admin only',
      description:
        'Seeded sites are removed by editing seeds/sites.json (409 `conflict`). The device token stops working and an open MQTT connection of the site is closed within a second. Stored readings are kept until retention.',
      tag: 'sites',
      access: 'admin',
      params: siteParams,
      responses: {
        204: { description: 'Removed' },
        ...errorResponses.validation,
        ...errorResponses.unauthenticated,
        ...errorResponses.forbidden,
        ...errorResponses.notFound,
        ...errorResponses.conflict,
      },
      handle: async ({ params, auth, req, res }) => {
        const site = siteOr404(params.id);
        await ctx.sites.remove([site.id]);
        log.info({ siteId: site.id, by: auth?.user.username }, 'site removed');
        await ctx.audit.record(req, res, { action: 'site.remove', target: site.id, detail: { name: site.name.slice(0, 200) } });
        res.status(204).end();
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/sites/:id',
      operationId: 'getSite',
      summary: 'One site with its status, last contact and latest values',
      tag: 'sites',
      access: 'session',
      params: siteParams,
      responses: {
        200: { description: 'The site', schema: siteSummarySchema },
        ...errorResponses.validation,
        ...errorResponses.unauthenticated,
        ...errorResponses.notFound,
      },
      handle: ({ params, res }) => sendJson(res, 200, siteSummarySchema, summaryOf(siteOr404(params.id), ctx.clock())),
    }),
    defineRoute({
      method: 'get',
      path: '/api/sites/:id/readings',
      operationId: 'getSiteReadings',
      summary: 'History of one metric, downsampled to at most `maxPoints` buckets with min/avg/max',
      description: `\`from\`/\`to\` are epoch ms or ISO-8601; default: the last 24 h. Ranges longer than the retention (RETENTION_DAYS) are cut to the newest part. At most ${MAX_HISTORY_POINTS} points.`,
      tag: 'sites',
      access: 'session',
      params: siteParams,
      query: readingsQuerySchema,
      responses: {
        200: { description: 'The downsampled series', schema: historySeriesSchema },
        ...errorResponses.validation,
        ...errorResponses.unauthenticated,
        ...errorResponses.notFound,
      },
      handle: async ({ params, query, res }) => {
        const site = siteOr404(params.id);
        const { from, to } = resolveHistoryRange(query, ctx.clock(), ctx.config.RETENTION_DAYS * DAY_MS);
        const series = await ctx.stores.telemetry.queryHistory({
          siteId: site.id,
          metric: query.metric,
          from,
          to,
          maxPoints: query.maxPoints ?? MAX_HISTORY_POINTS,
        });
        sendJson(res, 200, historySeriesSchema, series);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/sites/:id/events',
      operationId: 'getSiteEvents',
      summary: 'Newest device and camera-analytics events of a site',
      tag: 'sites',
      access: 'session',
      params: siteParams,
      query: eventsQuerySchema,
      responses: {
        200: { description: 'Events, newest first', schema: siteEventListResponseSchema },
        ...errorResponses.validation,
        ...errorResponses.unauthenticated,
        ...errorResponses.notFound,
      },
      handle: async ({ params, query, res }) => {
        const site = siteOr404(params.id);
        const events = await ctx.stores.telemetry.listEvents(site.id, query.limit);
        sendJson(res, 200, siteEventListResponseSchema, {
          events: events.map((event) => ({
            siteId: event.siteId,
            ts: event.ts,
            type: event.type,
            severity: event.severity,
            ...(event.message === undefined ? {} : { message: event.message }),
            ...(event.data === undefined ? {} : { data: { ...event.data } }),
          })),
        });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/sites/:id/token',
      operationId: 'issueDeviceToken',
      summary: 'Issue or rotate the device token (MQTT password) of a site — admin only',
      description:
        'The token is returned once; only its scrypt hash is stored. The previous token keeps working for `graceMinutes` ' +
        '(default DEVICE_TOKEN_GRACE_MINUTES) so the device can be reconfigured without downtime, then the broker refuses it ' +
        'and closes connections still using it; `graceMinutes=0` revokes it at once (a leaked token).',
      tag: 'sites',
      access: 'admin',
      params: siteParams,
      query: deviceTokenQuerySchema,
      responses: {
        201: { description: 'The new token', schema: deviceTokenResponseSchema },
        ...errorResponses.validation,
        ...errorResponses.unauthenticated,
        ...errorResponses.forbidden,
        ...errorResponses.notFound,
      },
      handle: async ({ params, query, auth, req, res }) => {
        const site = siteOr404(params.id);
        const graceMinutes = query.graceMinutes ?? ctx.config.DEVICE_TOKEN_GRACE_MINUTES;
        const issued = await issueDeviceToken(ctx.stores.registry, site.id, ctx.clock(), { graceMs: graceMinutes * MINUTE_MS });
        log.info({ siteId: site.id, graceMinutes, by: auth?.user.username }, 'device token issued');
        await ctx.audit.record(req, res, { action: 'site.token_issue', target: site.id, detail: { graceMinutes } });
        sendJson(res, 201, deviceTokenResponseSchema, issued);
      },
    }),
    ...(['disable', 'enable'] as const).map((action) =>
      defineRoute({
        method: 'post',
        path: `/api/sites/:id/${action}`,
        operationId: action === 'disable' ? 'disableSite' : 'enableSite',
        summary:
          action === 'disable'
            ? 'Disable a site: its device is disconnected and refused, its data rejected — admin only'
            : 'Enable a disabled site again — admin only',
        description:
          action === 'disable'
            ? 'The broker closes the device connection within its access poll (about 1 s) and answers reconnects with CONNACK 5; ' +
              'ingest rejects the site’s messages (`site_disabled`). Token and stored data are kept. Idempotent.'
            : 'The device may connect again with its token. Idempotent.',
        tag: 'sites',
        access: 'admin',
        params: siteParams,
        responses: {
          200: { description: 'The site’s access now', schema: siteAccessResponseSchema },
          ...errorResponses.validation,
          ...errorResponses.unauthenticated,
          ...errorResponses.forbidden,
          ...errorResponses.notFound,
        },
        handle: async ({ params, auth, req, res }) => {
          const site = siteOr404(params.id);
          const entry = await ctx.sites.setEnabled(site.id, action === 'enable');
          log.info({ siteId: site.id, by: auth?.user.username }, action === 'enable' ? 'site enabled' : 'site disabled');
          await ctx.audit.record(req, res, { action: action === 'enable' ? 'site.enable' : 'site.disable', target: site.id });
          sendJson(res, 200, siteAccessResponseSchema, {
            siteId: site.id,
            enabled: entry.disabledAt === undefined,
            disabledAt: entry.disabledAt ?? null,
          });
        },
      }),
    ),
  ];
}
