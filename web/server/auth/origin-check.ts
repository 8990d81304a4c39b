/**
 * Cross-site request forgery (CSRF) check on state-changing requests, a second wall behind the
 * SameSite=Strict session cookie (session-cookie.ts).
 *
 * Browsers attach `Origin` to every request whose method is not GET or HEAD (the Fetch standard),
 * and `Referer` unless a policy strips it. A non-GET `/api` request is refused with
 * `403 forbidden` when its `Origin` — or, without one, its `Referer` — names another origin than
 * this server: the origin of PUBLIC_URL (what people open, also behind a TLS proxy) or the host
 * the request was sent to (`Host`). `Origin: null` (sandboxed frames, `file:` pages, no-referrer
 * policies) is refused too. A request with neither header comes from a program, not from a
 * browser page a victim has open, so it is let through: CSRF needs a victim's browser.
 *
 * The socket.io handshake applies the same rule to its `Origin` (cross-site WebSocket hijacking).
 */
import type { RequestHandler } from 'express';
import { AppError } from '../../../platform/errors.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Where our own pages are served from. */
export interface OriginPolicy {
  /** PUBLIC_URL (its origin is used). */
  readonly publicUrl: string;
}

function originOf(url: string): URL | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** `host[:port]` of a Host header, normalised like URL.host (lower case, default port dropped), for `protocol`. */
function normalisedHost(host: string, protocol: string): string | undefined {
  try {
    return new URL(`${protocol}//${host}`).host;
  } catch {
    return undefined;
  }
}

/**
 * True when `source` (an Origin value or a Referer URL) belongs to this server: the origin of
 * `policy.publicUrl`, or the same host and port as the request's `Host` header.
 */
export function isOwnOrigin(source: string, hostHeader: string | undefined, policy: OriginPolicy): boolean {
  const parsed = originOf(source);
  if (!parsed) return false;
  if (parsed.origin === originOf(policy.publicUrl)?.origin) return true;
  if (hostHeader === undefined || hostHeader === '') return false;
  return normalisedHost(hostHeader, parsed.protocol) === parsed.host;
}

/** Why a request's origin headers are refused, or undefined when they are acceptable. */
export function foreignOriginProblem(
  headers: { readonly origin?: string | undefined; readonly referer?: string | undefined; readonly host?: string | undefined },
  policy: OriginPolicy,
): string | undefined {
  const { origin, referer, host } = headers;
  if (origin !== undefined) {
    return isOwnOrigin(origin, host, policy) ? undefined : `the request comes from another origin (${describe(origin)})`;
  }
  if (referer !== undefined) {
    return isOwnOrigin(referer, host, policy) ? undefined : `the request comes from another page (${describe(referer)})`;
  }
  return undefined;
}

/** At most 100 characters of a header, for an error message. */
function describe(value: string): string {
  const text = value.length > 100 ? `${value.slice(0, 100)}…` : value;
  return text.replace(/[^\x20-\x7e]/g, '?');
}

/**
 * Middleware for `/api`: refuses non-GET requests from another origin with `403 forbidden`
 * ("Cross-site request refused: …"); `onRefused` is told (metrics, log).
 */
export function crossSiteRequestGuard(
  policy: OriginPolicy,
  onRefused: (method: string, path: string, problem: string) => void,
): RequestHandler {
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method)) {
      next();
      return;
    }
    const problem = foreignOriginProblem({ origin: req.get('origin'), referer: req.get('referer'), host: req.get('host') }, policy);
    if (problem === undefined) {
      next();
      return;
    }
    onRefused(req.method, req.path, problem);
    next(new AppError('forbidden', `Cross-site request refused: ${problem}; use the IOC app at its own address`));
  };
}
