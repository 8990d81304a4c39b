/**
 * The session cookie (SESSION_COOKIE from common/socket-events.ts), shared by REST and the socket.io
 * handshake.
 *
 * SameSite=Strict: the browser never attaches the cookie to a request started by another site, so
 * no cross-site form, link or WebSocket can act with the user's session (CSRF) — without CSRF
 * tokens. It costs nothing here: the HTML shell is public and the app then calls the API from its
 * own origin, so a user arriving from a link (e.g. an alert e-mail) is still logged in.
 */

import { parseCookie } from 'cookie';
import type { CookieOptions, Request, Response } from 'express';
import { SESSION_COOKIE } from '../../../common/socket-events.js';

export interface SessionCookieSettings {
  /** Add `Secure` (only sent over HTTPS); enable behind a TLS-terminating proxy. */
  readonly secure: boolean;
  /** Cookie lifetime, ms (= session lifetime). */
  readonly maxAgeMs: number;
}

function baseOptions(settings: SessionCookieSettings): CookieOptions {
  return { httpOnly: true, sameSite: 'strict', secure: settings.secure, path: '/' };
}

/** Reads the session id from a raw `Cookie` header (REST requests and socket.io handshakes). */
export function sessionIdFromCookieHeader(header: string | undefined): string | undefined {
  if (!header) return undefined;
  try {
    return parseCookie(header)[SESSION_COOKIE];
  } catch {
    return undefined;
  }
}

/** The session id the request carries, if any. */
export function sessionIdOf(req: Request): string | undefined {
  return sessionIdFromCookieHeader(req.get('cookie'));
}

/** Sets the session cookie (httpOnly, SameSite=Strict, Path=/, Max-Age = session lifetime). */
export function setSessionCookie(res: Response, sessionId: string, settings: SessionCookieSettings): void {
  res.cookie(SESSION_COOKIE, sessionId, { ...baseOptions(settings), maxAge: settings.maxAgeMs });
}

/** Tells the browser to drop the session cookie. */
export function clearSessionCookie(res: Response, settings: SessionCookieSettings): void {
  res.clearCookie(SESSION_COOKIE, baseOptions(settings));
}
