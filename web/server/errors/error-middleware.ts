/**
 * The one place where errors become HTTP answers. Every failure leaves as
 * `{"error": {"code", "message", "details"?}}` (common/errors.ts): AppErrors with their own status,
 * body-parser failures as 400/413, anything unexpected as `500 internal` — logged with the request
 * id, its message never sent to the client.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { ApiErrorBody } from '../../../common/errors.js';
import { AppError } from '../../../platform/errors.js';
import type { Logger } from '../../../platform/logger.js';
import { requestIdOf } from '../request-id.js';

/** Shape of the errors thrown by express.json() (body-parser, via http-errors). */
interface HttpLikeError {
  readonly status?: unknown;
  readonly statusCode?: unknown;
  readonly type?: unknown;
  readonly expose?: unknown;
}

function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, statusCode } = error as HttpLikeError;
  const value = typeof status === 'number' ? status : statusCode;
  return typeof value === 'number' && value >= 400 && value < 600 ? value : undefined;
}

/** Maps client errors raised by express/body-parser to our codes; undefined for anything else. */
function fromHttpError(error: unknown): AppError | undefined {
  const status = httpStatusOf(error);
  if (status === undefined || status >= 500 || (error as HttpLikeError).expose !== true) return undefined;
  const type = (error as HttpLikeError).type;
  if (status === 413) return new AppError('payload_too_large', 'Request body is too large');
  if (type === 'entity.parse.failed') return new AppError('bad_request', 'Request body is not valid JSON');
  if (status === 415) return new AppError('bad_request', 'Unsupported request body encoding or charset');
  return new AppError('bad_request', 'Bad request');
}

/** Builds the JSON body of an error answer. */
export function errorBody(error: AppError): ApiErrorBody {
  const details = error.details && error.details.length > 0 ? { details: error.details.map((d) => ({ ...d })) } : {};
  return { error: { code: error.code, message: error.message, ...details } };
}

/** Final error handler of the express app. */
export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const appError =
      error instanceof AppError ? error : (fromHttpError(error) ?? new AppError('internal', 'Internal server error; see the server log'));
    if (appError.code === 'internal') {
      logger.error({ err: error, requestId: requestIdOf(res), method: req.method, path: req.path }, 'request failed');
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.status(appError.httpStatus).set('Cache-Control', 'no-store').json(errorBody(appError));
  };
}

/** Terminal handler for `/api/*` paths no route matched: `404 not_found` in our error shape. */
export function apiNotFound(): RequestHandler {
  return (req, _res, next) => {
    next(new AppError('not_found', `No API route ${req.method} ${req.baseUrl}${req.path}`));
  };
}
