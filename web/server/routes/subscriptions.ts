/**
 * Notification subscriptions: every user manages their own (`GET/POST /api/subscriptions`,
 * `GET/PUT/DELETE /api/subscriptions/{id}`); admins also those of others (`?user=name`, `?user=*`
 * for everyone, `username` in the body). The notifier checks sites, provinces and channels.
 */
import { z } from 'zod';
import {
  createSubscriptionRequestSchema,
  subscriptionInputSchema,
  subscriptionListQuerySchema,
  subscriptionListResponseSchema,
  subscriptionSchema,
} from '../../../common/notifications.js';
import { AppError, notFound } from '../../../platform/errors.js';
import type { WebContext } from '../context.js';
import { errorResponses } from './common-responses.js';
import { callerOf, isAdmin, notificationsOf, notifierUnavailable, ownedSubscription, requireWebhookRole } from './notification-access.js';
import { type ApiRoute, defineRoute, sendJson } from './route-spec.js';

const subscriptionParams = z.object({ id: z.uuid() });

export function subscriptionRoutes(ctx: WebContext): ApiRoute[] {
  const log = ctx.logger.child({ module: 'subscriptions' });
  return [
    defineRoute({
      method: 'get',
      path: '/api/subscriptions',
      operationId: 'listSubscriptions',
      summary: 'Notification subscriptions of the caller (admins: `?user=name`, or `?user=*` for everyone)',
      tag: 'notifications',
      access: 'session',
      query: subscriptionListQuerySchema,
      responses: {
        200: { description: 'Subscriptions, oldest first', schema: subscriptionListResponseSchema },
        ...errorResponses.validation,
        ...errorResponses.unauthenticated,
        ...errorResponses.forbidden,
        ...notifierUnavailable,
      },
      handle: async ({ query, auth, res }) => {
        const caller = callerOf(auth);
        const user = query.user ?? caller.user.username;
        if (user !== caller.user.username && !isAdmin(caller))
          throw new AppError('forbidden', 'Only admins see the subscriptions of others');
        const subscriptions = await notificationsOf(ctx).listSubscriptions(user === '*' ? null : user);
        sendJson(res, 200, subscriptionListResponseSchema, { subscriptions });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/subscriptions',
      operationId: 'createSubscription',
      summary: 'Subscribe to alerts of some sites, a province (current or former name) or a map rectangle',
      description:
        'Channels must be configured on the server (`GET /api/notifications/channels`); webhook channels need the operator role. ' +
        'Admins may create a subscription for another user with `username`. Quiet hours are local time (Asia/Ho_Chi_Minh) and hold back all but critical alerts on external channels.',
      tag: 'notifications',
      access: 'session',
      body: createSubscriptionRequestSchema,
      responses: {
        201: { description: 'The subscription', schema: subscriptionSchema },
        ...errorResponses.validation,
        ...errorResponses.unauthenticated,
        ...errorResponses.forbidden,
        ...errorResponses.conflict,
        ...notifierUnavailable,
      },
      handle: async ({ body, auth, req, res }) => {
        const caller = callerOf(auth);
        const { username, ...input } = body;
        const owner = username ?? caller.user.username;
        if (owner !== caller.user.username) {
          if (!isAdmin(caller)) throw new AppError('forbidden', 'Only admins create subscriptions for others');
          if (!(await ctx.stores.registry.findUser(owner))) {
            throw new AppError('validation_failed', 'Invalid request body', [{ path: 'username', message: `unknown user ${owner}` }]);
          }
        }
        requireWebhookRole(input.channels, caller);
        const subscription = await notificationsOf(ctx).createSubscription(owner, input);
        log.info({ id: subscription.id, owner, by: caller.user.username, scope: subscription.scope.type }, 'subscription created');
        if (owner !== caller.user.username) {
          await ctx.audit.record(req, res, { action: 'subscription.create', target: subscription.id, detail: { owner } });
        }
        sendJson(res, 201, subscriptionSchema, subscription);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/subscriptions/:id',
      operationId: 'getSubscription',
      summary: 'One subscription (its owner or an admin)',
      tag: 'notifications',
      access: 'session',
      params: subscriptionParams,
      responses: {
        200: { description: 'The subscription', schema: subscriptionSchema },
        ...errorResponses.validation,
        ...errorResponses.unauthenticated,
        ...errorResponses.notFound,
        ...notifierUnavailable,
      },
      handle: async ({ params, auth, res }) => {
        sendJson(res, 200, subscriptionSchema, await ownedSubscription(notificationsOf(ctx), params.id, callerOf(auth)));
      },
    }),
    defineRoute({
      method: 'put',
      path: '/api/subscriptions/:id',
      operationId: 'updateSubscription',
      summary: 'Replace a subscription’s settings (its owner or an admin); omitted fields take their defaults',
      tag: 'notifications',
      access: 'session',
      params: subscriptionParams,
      body: subscriptionInputSchema,
      responses: {
        200: { description: 'The updated subscription', schema: subscriptionSchema },
        ...errorResponses.validation,
        ...errorResponses.unauthenticated,
        ...errorResponses.forbidden,
        ...errorResponses.notFound,
        ...notifierUnavailable,
      },
      handle: async ({ params, body, auth, req, res }) => {
        const caller = callerOf(auth);
        const store = notificationsOf(ctx);
        await ownedSubscription(store, params.id, caller);
        requireWebhookRole(body.channels, caller);
        const subscription = await store.updateSubscription(params.id, body);
        log.info({ id: subscription.id, owner: subscription.username, by: caller.user.username }, 'subscription updated');
        if (subscription.username !== caller.user.username) {
          await ctx.audit.record(req, res, {
            action: 'subscription.update',
            target: subscription.id,
            detail: { owner: subscription.username },
          });
        }
        sendJson(res, 200, subscriptionSchema, subscription);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/subscriptions/:id',
      operationId: 'deleteSubscription',
      summary: 'Delete a subscription (its owner or an admin)',
      tag: 'notifications',
      access: 'session',
      params: subscriptionParams,
      responses: {
        204: { description: 'Deleted' },
        ...errorResponses.validation,
        ...errorResponses.unauthenticated,
        ...errorResponses.notFound,
        ...notifierUnavailable,
      },
      handle: async ({ params, auth, req, res }) => {
        const caller = callerOf(auth);
        const store = notificationsOf(ctx);
        const subscription = await ownedSubscription(store, params.id, caller);
        if (!(await store.deleteSubscription(params.id))) throw notFound(`Subscription ${params.id}`);
        log.info({ id: subscription.id, owner: subscription.username, by: caller.user.username }, 'subscription deleted');
        if (subscription.username !== caller.user.username) {
          await ctx.audit.record(req, res, {
            action: 'subscription.delete',
            target: subscription.id,
            detail: { owner: subscription.username },
          });
        }
        res.status(204).end();
      },
    }),
  ];
}
