/**
 * Login, logout and "who am I". A failed login answers `401 invalid_credentials` with the same
 * message and about the same time whether the user is unknown or the password wrong; failed
 * attempts are rate limited per IP. A successful login replaces any session the browser had.
 */
import { loginRequestSchema, userInfoSchema } from '../../../common/api.js';
import { apiErrorBodySchema } from '../../../common/errors.js';
import { AppError } from '../../../platform/errors.js';
import { clearSessionCookie, sessionIdOf, setSessionCookie } from '../auth/session-cookie.js';
import type { WebContext } from '../context.js';
import { errorResponses } from './common-responses.js';
import { type ApiRoute, defineRoute, sendJson } from './route-spec.js';

export function authRoutes(ctx: WebContext): ApiRoute[] {
  const log = ctx.logger.child({ module: 'auth' });
  return [
    defineRoute({
      method: 'post',
      path: '/api/auth/login',
      operationId: 'login',
      summary: 'Log in; sets the httpOnly session cookie',
      tag: 'auth',
      access: 'public',
      body: loginRequestSchema,
      before: [ctx.loginRateLimit],
      responses: {
        200: { description: 'Logged in; `Set-Cookie` carries the session', schema: userInfoSchema },
        ...errorResponses.validation,
        401: { description: '`invalid_credentials`: unknown user or wrong password', schema: apiErrorBodySchema },
        ...errorResponses.rateLimited,
      },
      handle: async ({ body, req, res }) => {
        const user = await ctx.credentials.check(body.username, body.password);
        if (!user) {
          log.warn({ username: body.username, ip: req.ip }, 'login failed');
          throw new AppError('invalid_credentials', 'Wrong username or password');
        }
        await ctx.sessions.destroy(sessionIdOf(req));
        const { sessionId } = await ctx.sessions.create(user);
        setSessionCookie(res, sessionId, ctx.cookie);
        log.info({ username: user.username, ip: req.ip }, 'logged in');
        sendJson(res, 200, userInfoSchema, user);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/auth/logout',
      operationId: 'logout',
      summary: 'Log out; ends the session and clears the cookie',
      description: 'Idempotent: without a valid session it still clears the cookie and answers 204.',
      tag: 'auth',
      access: 'public',
      responses: { 204: { description: 'Logged out' } },
      handle: async ({ req, res }) => {
        await ctx.sessions.destroy(sessionIdOf(req));
        clearSessionCookie(res, ctx.cookie);
        res.status(204).end();
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/auth/me',
      operationId: 'getCurrentUser',
      summary: 'The logged-in user',
      tag: 'auth',
      access: 'session',
      responses: { 200: { description: 'The session’s user', schema: userInfoSchema }, ...errorResponses.unauthenticated },
      handle: ({ auth, res }) => {
        if (!auth) throw new AppError('unauthenticated', 'Log in first');
        sendJson(res, 200, userInfoSchema, auth.user);
      },
    }),
  ];
}
