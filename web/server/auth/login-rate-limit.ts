/**
 * Brute-force brake on `POST /api/auth/login`: at most `limit` failed attempts per client IP per
 * window (default 10 per minute). Successful logins do not count, so an office behind one NAT
 * address is not locked out by its own users. Over the limit: `429 rate_limited` in our error shape
 * with `Retry-After`.
 */
import type { RequestHandler } from 'express';
import { MemoryStore, rateLimit } from 'express-rate-limit';
import { AppError } from '../../../platform/errors.js';
import type { Logger } from '../../../platform/logger.js';

export interface LoginRateLimitSettings {
  /** Failed attempts allowed per IP and window. */
  readonly limit: number;
  /** Window length, ms. */
  readonly windowMs: number;
}

export const DEFAULT_LOGIN_RATE_LIMIT: LoginRateLimitSettings = { limit: 10, windowMs: 60_000 };

/** The limiter middleware and a `close()` that stops its store's timer. */
export function createLoginRateLimit(settings: LoginRateLimitSettings, logger: Logger): { middleware: RequestHandler; close: () => void } {
  const store = new MemoryStore();
  const middleware = rateLimit({
    windowMs: settings.windowMs,
    limit: settings.limit,
    store,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    logger: {
      error: (err, message) => logger.error({ err }, message ?? 'login rate limiter error'),
      warn: (err, message) => logger.warn({ err }, message ?? 'login rate limiter warning'),
    },
    handler: (req, _res, next) => {
      logger.warn({ ip: req.ip }, 'login rate limit reached');
      next(new AppError('rate_limited', 'Too many failed logins; try again in a minute'));
    },
  });
  return { middleware, close: () => store.shutdown() };
}
