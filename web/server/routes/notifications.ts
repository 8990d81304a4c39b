/**
 * The caller's in-app notification feed (`GET /api/notifications`, `POST /api/notifications/read`),
 * which channels the server can send on, and — for admins — the outbox: every message with its
 * delivery state, attempts and last error, and a retry for dead ones.
 */
import { z } from 'zod';
import {
  channelStatusListResponseSchema,
  deliveryListQuerySchema,
  deliveryListResponseSchema,
  deliverySchema,
  feedQuerySchema,
  feedResponseSchema,
  markReadRequestSchema,
  markReadResponseSchema,
} from '../../../common/notifications.js';
import type { WebContext } from '../context.js';
import { errorResponses } from './common-responses.js';
import { callerOf, notificationsOf, notifierUnavailable } from './notification-access.js';
import { type ApiRoute, defineRoute, sendJson } from './route-spec.js';

export function notificationRoutes(ctx: WebContext): ApiRoute[] {
  const log = ctx.logger.child({ module: 'notifications' });
  return [
    defineRoute({
      method: 'get',
      path: '/api/notifications',
      operationId: 'listNotifications',
      summary: 'The caller’s in-app notifications, newest first, with the unread count',
      tag: 'notifications',
      access: 'session',
      query: feedQuerySchema,
      responses: {
        200: { description: 'The feed', schema: feedResponseSchema },
        ...errorResponses.validation,
        ...errorResponses.unauthenticated,
        ...notifierUnavailable,
      },
      handle: async ({ query, auth, res }) => {
        const feed = await notificationsOf(ctx).listFeed(callerOf(auth).user.username, query.limit, query.unread);
        sendJson(res, 200, feedResponseSchema, feed);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/notifications/read',
      operationId: 'markNotificationsRead',
      summary: 'Mark some (`{ids}`) or all (`{all: true}`) of the caller’s notifications read',
      tag: 'notifications',
      access: 'session',
      body: markReadRequestSchema,
      responses: {
        200: { description: 'How many were marked', schema: markReadResponseSchema },
        ...errorResponses.validation,
        ...errorResponses.unauthenticated,
        ...notifierUnavailable,
      },
      handle: async ({ body, auth, res }) => {
        const marked = await notificationsOf(ctx).markFeedRead(callerOf(auth).user.username, 'ids' in body ? body.ids : null);
        sendJson(res, 200, markReadResponseSchema, { marked });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/notifications/channels',
      operationId: 'listNotificationChannels',
      summary: 'Which notification channels the server has configured',
      tag: 'notifications',
      access: 'session',
      responses: {
        200: { description: 'Channels', schema: channelStatusListResponseSchema },
        ...errorResponses.unauthenticated,
        ...notifierUnavailable,
      },
      handle: async ({ res }) => {
        sendJson(res, 200, channelStatusListResponseSchema, { channels: await notificationsOf(ctx).channelStatus() });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/notifications/outbox',
      operationId: 'listNotificationDeliveries',
      summary: 'Outbox deliveries with their state, attempts and last error, newest first — admin only',
      tag: 'notifications',
      access: 'admin',
      query: deliveryListQuerySchema,
      responses: {
        200: { description: 'Deliveries and the outbox size per status', schema: deliveryListResponseSchema },
        ...errorResponses.validation,
        ...errorResponses.unauthenticated,
        ...errorResponses.forbidden,
        ...notifierUnavailable,
      },
      handle: async ({ query, res }) => {
        const result = await notificationsOf(ctx).listDeliveries({ status: query.status, username: query.user, limit: query.limit });
        sendJson(res, 200, deliveryListResponseSchema, result);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/notifications/outbox/:id/retry',
      operationId: 'retryNotificationDelivery',
      summary: 'Send a dead delivery again with a fresh set of attempts — admin only',
      tag: 'notifications',
      access: 'admin',
      params: z.object({ id: z.uuid() }),
      responses: {
        200: { description: 'The delivery, pending again', schema: deliverySchema },
        ...errorResponses.validation,
        ...errorResponses.unauthenticated,
        ...errorResponses.forbidden,
        ...errorResponses.notFound,
        409: { description: '`conflict`: the delivery is not dead', schema: errorResponses.conflict[409].schema },
        ...notifierUnavailable,
      },
      handle: async ({ params, auth, req, res }) => {
        const delivery = await notificationsOf(ctx).retryDelivery(params.id);
        log.info({ deliveryId: delivery.id, by: auth?.user.username }, 'dead notification re-queued');
        await ctx.audit.record(req, res, {
          action: 'outbox.retry',
          target: delivery.id,
          detail: { owner: delivery.username, channel: delivery.channel, alertId: delivery.alertId },
        });
        sendJson(res, 200, deliverySchema, delivery);
      },
    }),
  ];
}
