/**
 * Request ids: every answer carries `X-Request-Id` (a sane incoming one from a proxy is kept), and
 * error logs cite it, so an operator can match a user's report to the server log.
 */
import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';

const HEADER = 'X-Request-Id';
const SAFE_ID = /^[A-Za-z0-9._-]{8,128}$/;

/** Assigns the request id and echoes it in the response header. */
export function requestId(): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get(HEADER);
    const id = incoming !== undefined && SAFE_ID.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = id;
    res.set(HEADER, id);
    next();
  };
}

/** The id assigned by {@link requestId}, or `-` before it ran. */
export function requestIdOf(res: Response): string {
  const id: unknown = res.locals.requestId;
  return typeof id === 'string' ? id : '-';
}
