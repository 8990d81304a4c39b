/**
 * Access control middleware: `requireSession` admits requests with a live session cookie
 * (`401 unauthenticated` otherwise) and records the caller for the handler; `requireRole` then
 * checks the role (`403 forbidden`).
 */
import type { RequestHandler, Response } from 'express';
import { ROLES, type Role } from '../../../common/api.js';
import { AppError } from '../../../platform/errors.js';
import type { AuthInfo, SessionManager } from './session.js';
import { sessionIdOf } from './session-cookie.js';

const AUTH_LOCAL = 'auth';

/** The caller recorded by {@link requireSession}, if the request passed it. */
export function authOf(res: Response): AuthInfo | undefined {
  const auth: unknown = res.locals[AUTH_LOCAL];
  return auth === undefined ? undefined : (auth as AuthInfo);
}

/** Rejects requests without a valid session with `401 unauthenticated`. */
export function requireSession(sessions: SessionManager): RequestHandler {
  return async (req, res, next) => {
    const auth = await sessions.resolve(sessionIdOf(req));
    if (!auth) throw new AppError('unauthenticated', 'Log in first');
    res.locals[AUTH_LOCAL] = auth;
    next();
  };
}

/** True when `role` is at least `minimum` in {@link ROLES} order. */
export function hasRole(role: Role, minimum: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(minimum);
}

/** After {@link requireSession}: rejects callers below `minimum` with `403 forbidden`. */
export function requireRole(minimum: Role): RequestHandler {
  return (_req, res, next) => {
    const auth = authOf(res);
    if (!auth) throw new AppError('unauthenticated', 'Log in first');
    if (!hasRole(auth.user.role, minimum)) throw new AppError('forbidden', `This needs the ${minimum} role`);
    next();
  };
}
