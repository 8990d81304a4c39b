/**
 * Admin user management: list accounts and create more (officers, operators) beyond the first
 * admin. Passwords are hashed with scrypt (PASSWORD_COST) before they reach the store and never
 * logged or returned.
 */
import { createUserRequestSchema, userListResponseSchema, userSummarySchema } from '../../../common/api.js';
import { AppError } from '../../../platform/errors.js';
import { hashSecret, PASSWORD_COST } from '../../../platform/security/secret-hash.js';
import type { WebContext } from '../context.js';
import { userSummary } from './accounts.js';
import { errorResponses } from './common-responses.js';
import { type ApiRoute, defineRoute, sendJson } from './route-spec.js';

export function userRoutes(ctx: WebContext): ApiRoute[] {
  const log = ctx.logger.child({ module: 'users' });
  return [
    defineRoute({
      method: 'get',
      path: '/api/users',
      operationId: 'listUsers',
      summary: 'Every user with their role and whether the account is disabled — admin only',
      tag: 'users',
      access: 'admin',
      responses: {
        200: { description: 'Users by name', schema: userListResponseSchema },
        ...errorResponses.unauthenticated,
        ...errorResponses.forbidden,
      },
      handle: async ({ res }) => {
        const users = await ctx.stores.registry.listUsers();
        sendJson(res, 200, userListResponseSchema, { users: users.map(userSummary) });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/users',
      operationId: 'createUser',
      summary: 'Create a user (viewer, operator or admin) — admin only',
      description: 'The password (10–256 characters) is stored only as a scrypt hash. An existing name answers 409 `conflict`.',
      tag: 'users',
      access: 'admin',
      body: createUserRequestSchema,
      responses: {
        201: { description: 'The new user', schema: userSummarySchema },
        ...errorResponses.validation,
        ...errorResponses.unauthenticated,
        ...errorResponses.forbidden,
        ...errorResponses.conflict,
      },
      handle: async ({ body, auth, req, res }) => {
        const { registry } = ctx.stores;
        if (await registry.findUser(body.username)) throw new AppError('conflict', `user ${body.username} already exists`);
        const user = {
          username: body.username,
          role: body.role,
          passwordHash: await hashSecret(body.password, PASSWORD_COST),
          createdAt: ctx.clock(),
        };
        await registry.saveUser(user);
        log.info({ username: user.username, role: user.role, by: auth?.user.username }, 'user created');
        await ctx.audit.record(req, res, { action: 'user.create', target: user.username, detail: { role: user.role } });
        sendJson(res, 201, userSummarySchema, { username: user.username, role: user.role, createdAt: user.createdAt });
      },
    }),
  ];
}
