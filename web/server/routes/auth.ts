/**
 * Login, logout and "who am I". A failed login answers `401 invalid_credentials` with the same
 * message and about the same time whether the user is unknown, the password wrong or the account
 * disabled; failed attempts are braked by the login guard (auth/login-guard.ts). A successful login
 * replaces any session the browser had and is recorded in the audit log.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { loginRequestSchema, type UserInfo, userInfoSchema } from '../../../common/api.js';
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
      description:
        'Failed attempts are limited per account and client address (a lock-out that doubles with each repetition), per client address, ' +
        'and slowed down per account; over a limit the answer is 429 `rate_limited` with `Retry-After` (seconds). See docs/security.md.',
      tag: 'auth',
      access: 'public',
      body: loginRequestSchema,
      responses: {
        200: { description: 'Logged in; `Set-Cookie` carries the session', schema: userInfoSchema },
        ...errorResponses.validation,
        401: { description: '`invalid_credentials`: unknown user, wrong password or disabled account', schema: apiErrorBodySchema },
        ...errorResponses.rateLimited,
      },
      handle: async ({ body, req, res }) => {
        const verdict = ctx.loginGuard.begin(body.username, req.ip);
        if (!verdict.allowed) {
          const seconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
          ctx.securityMetrics.loginAttempts.inc({ outcome: `refused_${verdict.reason}` });
          log.warn(
            { username: body.username, ip: req.ip, reason: verdict.reason, retryAfterSec: seconds },
            'login refused: too many failures',
          );
          res.set('Retry-After', String(seconds));
          throw new AppError(
            'rate_limited',
            verdict.reason === 'address'
              ? `Too many failed logins from your address; try again in ${seconds} s`
              : `Too many failed logins for this account from your address; try again in ${seconds} s`,
          );
        }
        const { attempt } = verdict;
        if (attempt.delayMs > 0) await sleep(attempt.delayMs);
        let user: UserInfo | undefined;
        try {
          user = await ctx.credentials.check(body.username, body.password);
        } catch (error) {
          ctx.loginGuard.abandoned(attempt);
          throw error;
        }
        if (!user) {
          ctx.securityMetrics.loginAttempts.inc({ outcome: 'invalid' });
          const lock = ctx.loginGuard.failed(attempt);
          if (lock) {
            ctx.securityMetrics.loginLockouts.inc();
            log.warn(
              { username: body.username, ip: req.ip, lockedForMs: lock.lockedForMs },
              'login locked out for this account and address',
            );
            throw new AppError(
              'invalid_credentials',
              `Wrong username or password; after too many failures this account is locked for your address for ${Math.ceil(lock.lockedForMs / 1000)} s`,
            );
          }
          log.warn({ username: body.username, ip: req.ip }, 'login failed');
          throw new AppError('invalid_credentials', 'Wrong username or password');
        }
        ctx.loginGuard.succeeded(attempt);
        ctx.securityMetrics.loginAttempts.inc({ outcome: 'success' });
        await ctx.sessions.destroy(sessionIdOf(req));
        const { sessionId } = await ctx.sessions.create(user);
        setSessionCookie(res, sessionId, ctx.cookie);
        log.info({ username: user.username, ip: req.ip }, 'logged in');
        await ctx.audit.record(req, res, { action: 'auth.login', target: user.username }, user);
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
