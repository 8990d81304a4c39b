/**
 * Application errors with a stable `code` (see common/errors.ts) and the HTTP status they map to.
 * Thrown anywhere on the server; the web error middleware turns them into `{error:{code,message}}`.
 */
import type { ApiErrorCode } from '../common/errors.js';

const STATUS_BY_CODE: Readonly<Record<ApiErrorCode, number>> = {
  bad_request: 400,
  validation_failed: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

export interface ErrorDetail {
  readonly path: string;
  readonly message: string;
}

export class AppError extends Error {
  readonly httpStatus: number;

  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: readonly ErrorDetail[],
  ) {
    super(message);
    this.name = 'AppError';
    this.httpStatus = STATUS_BY_CODE[code];
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found`);
