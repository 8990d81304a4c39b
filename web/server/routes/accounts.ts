/**
 * Account lifecycle beyond creation (users.ts): admins change a user's role, disable or re-enable
 * the account, set a new password, delete it, or end all of its sessions; every user can log out
 * everywhere. Any change to a user ends all of their sessions and disconnects their sockets, so new
 * rights apply at once and nobody keeps a session the admin took away. A disabled user's
 * notification subscriptions are switched off, a deleted user's removed: neither keeps receiving
 * alerts. The last enabled admin cannot be disabled, demoted or deleted. Every action is audited.
 */
import {
  sessionRevocationResponseSchema,
  type UserSummary,
  updateUserRequestSchema,
  usernameParamsSchema,
  userSummarySchema,
} from '../../../common/api.js';
import type { Subscription } from '../../../common/notifications.js';
import { AppError, notFound } from '../../../platform/errors.js';
import { hashSecret, PASSWORD_COST } from '../../../platform/security/secret-hash.js';
import type { UserRecord } from '../../../platform/store/types.js';
import { clearSessionCookie } from '../auth/session-cookie.js';
import type { WebContext } from '../context.js';
import { errorResponses } from './common-responses.js';
import { callerOf } from './notification-access.js';
import { type ApiRoute, defineRoute, sendJson } from './route-spec.js';

/** A user as admins see it. */
export function userSummary(user: UserRecord): UserSummary {
  return {
    username: user.username,
    role: user.role,
    createdAt: user.createdAt,
    ...(user.disabledAt === undefined ? {} : { disabledAt: user.disabledAt }),
  };
}

const isEnabledAdmin = (user: UserRecord) => user.role === 'admin' && user.disabledAt === undefined;

export function accountRoutes(ctx: WebContext): ApiRoute[] {
  const log = ctx.logger.child({ module: 'users' });
  const registry = () => ctx.stores.registry;

  const userOr404 = async (username: string): Promise<UserRecord> => {
    const user = await registry().findUser(username);
    if (!user) throw notFound(`User ${username}`);
    return user;
  };

  /** Refuses a change that would leave no enabled admin. */
  const keepAnAdmin = async (before: UserRecord, after: UserRecord | undefined): Promise<void> => {
    if (!isEnabledAdmin(before) || (after && isEnabledAdmin(after))) return;
    const others = (await registry().listUsers()).filter((user) => user.username !== before.username && isEnabledAdmin(user));
    if (others.length === 0) throw new AppError('conflict', 'the last enabled admin cannot be disabled, demoted or deleted');
  };

  /** Applies `change` to every subscription of `username`; best effort (the notifier may be away), returns how many. */
  const eachSubscription = async (username: string, change: (subscription: Subscription) => Promise<unknown>): Promise<number> => {
    if (!ctx.notifications) return 0;
    try {
      const subscriptions = await ctx.notifications.listSubscriptions(username);
      for (const subscription of subscriptions) await change(subscription);
      return subscriptions.length;
    } catch (error) {
      log.error(
        { err: error, username },
        'could not update the notification subscriptions of a changed user; check them with GET /api/subscriptions?user=',
      );
      return 0;
    }
  };

  return [
    defineRoute({
      method: 'put',
      path: '/api/users/:username',
      operationId: 'updateUser',
      summary: 'Change a user’s role, disable or re-enable the account, or set a new password — admin only',
      description:
        'Any change ends all of the user’s sessions (their sockets are disconnected); they log in again with the new rights. ' +
        'Disabling switches the user’s notification subscriptions off. The last enabled admin cannot be disabled or demoted (409 `conflict`).',
      tag: 'users',
      access: 'admin',
      params: usernameParamsSchema,
      body: updateUserRequestSchema,
      responses: {
        200: { description: 'The user now', schema: userSummarySchema },
        ...errorResponses.validation,
        ...errorResponses.unauthenticated,
        ...errorResponses.forbidden,
        ...errorResponses.notFound,
        ...errorResponses.conflict,
      },
      handle: async ({ params, body, auth, req, res }) => {
        const before = await userOr404(params.username);
        const disabledAt = body.disabled === undefined ? before.disabledAt : body.disabled ? (before.disabledAt ?? ctx.clock()) : undefined;
        const after: UserRecord = {
          username: before.username,
          role: body.role ?? before.role,
          passwordHash: body.password === undefined ? before.passwordHash : await hashSecret(body.password, PASSWORD_COST),
          createdAt: before.createdAt,
          ...(disabledAt === undefined ? {} : { disabledAt }),
        };
        await keepAnAdmin(before, after);
        await registry().saveUser(after);
        const sessionsEnded = await ctx.sessions.revokeUser(after.username);
        const newlyDisabled = before.disabledAt === undefined && after.disabledAt !== undefined;
        const subscriptionsDisabled = newlyDisabled
          ? await eachSubscription(after.username, (subscription) => {
              if (!subscription.enabled || !ctx.notifications) return Promise.resolve();
              const { id, username: _owner, createdAt: _created, updatedAt: _updated, ...input } = subscription;
              return ctx.notifications.updateSubscription(id, { ...input, enabled: false });
            })
          : 0;
        log.info(
          { username: after.username, role: after.role, disabled: disabledAt !== undefined, by: callerOf(auth).user.username },
          'user updated',
        );
        await ctx.audit.record(req, res, {
          action: 'user.update',
          target: after.username,
          detail: {
            role: after.role,
            previousRole: before.role,
            disabled: after.disabledAt !== undefined,
            passwordChanged: body.password !== undefined,
            sessionsEnded,
            subscriptionsDisabled,
          },
        });
        sendJson(res, 200, userSummarySchema, userSummary(after));
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/users/:username',
      operationId: 'deleteUser',
      summary: 'Delete a user with their sessions and notification subscriptions — admin only',
      description: 'The last enabled admin cannot be deleted (409 `conflict`). Their audit entries stay.',
      tag: 'users',
      access: 'admin',
      params: usernameParamsSchema,
      responses: {
        204: { description: 'Deleted' },
        ...errorResponses.validation,
        ...errorResponses.unauthenticated,
        ...errorResponses.forbidden,
        ...errorResponses.notFound,
        ...errorResponses.conflict,
      },
      handle: async ({ params, auth, req, res }) => {
        const user = await userOr404(params.username);
        await keepAnAdmin(user, undefined);
        const sessionsEnded = await ctx.sessions.revokeUser(user.username);
        if (!(await registry().deleteUser(user.username))) throw notFound(`User ${user.username}`);
        const subscriptionsDeleted = await eachSubscription(user.username, (subscription) =>
          ctx.notifications ? ctx.notifications.deleteSubscription(subscription.id) : Promise.resolve(),
        );
        log.info({ username: user.username, by: callerOf(auth).user.username }, 'user deleted');
        await ctx.audit.record(req, res, {
          action: 'user.delete',
          target: user.username,
          detail: { role: user.role, sessionsEnded, subscriptionsDeleted },
        });
        res.status(204).end();
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/users/:username/sessions',
      operationId: 'revokeUserSessions',
      summary: 'End every session of a user and disconnect their sockets — admin only',
      description: 'For a lost laptop or a suspected stolen session; the user can log in again (disable the account to prevent that).',
      tag: 'users',
      access: 'admin',
      params: usernameParamsSchema,
      responses: {
        200: { description: 'How many sessions were ended', schema: sessionRevocationResponseSchema },
        ...errorResponses.validation,
        ...errorResponses.unauthenticated,
        ...errorResponses.forbidden,
        ...errorResponses.notFound,
      },
      handle: async ({ params, auth, req, res }) => {
        const user = await userOr404(params.username);
        const revoked = await ctx.sessions.revokeUser(user.username);
        log.info({ username: user.username, revoked, by: callerOf(auth).user.username }, 'sessions revoked');
        await ctx.audit.record(req, res, { action: 'user.sessions_revoke', target: user.username, detail: { sessionsEnded: revoked } });
        sendJson(res, 200, sessionRevocationResponseSchema, { revoked });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/logout-all',
      operationId: 'logoutEverywhere',
      summary: 'Log out everywhere: end every session of the caller (all browsers and devices) and clear the cookie',
      tag: 'users',
      access: 'session',
      responses: {
        200: { description: 'How many sessions were ended', schema: sessionRevocationResponseSchema },
        ...errorResponses.unauthenticated,
      },
      handle: async ({ auth, req, res }) => {
        const caller = callerOf(auth);
        const revoked = await ctx.sessions.revokeUser(caller.user.username);
        clearSessionCookie(res, ctx.cookie);
        log.info({ username: caller.user.username, revoked }, 'logged out everywhere');
        await ctx.audit.record(req, res, { action: 'auth.logout_all', target: caller.user.username, detail: { sessionsEnded: revoked } });
        sendJson(res, 200, sessionRevocationResponseSchema, { revoked });
      },
    }),
  ];
}
