/**
 * Same-origin JSON calls to the platform's REST API. The session is the httpOnly cookie the
 * browser sends by itself; answers are validated with the shared zod schemas so a server/app
 * mismatch shows up as a clear error instead of a blank map. Failures become {@link ApiError}
 * carrying the server's `{"error":{"code","message"}}`.
 */
import type { z } from 'zod';
import { type ApiErrorCode, apiErrorBodySchema } from '../../../../common/errors.js';

/** Why a call failed: a server error code, `network` (no answer) or `bad_response` (unexpected body). */
export type ApiFailure = ApiErrorCode | 'network' | 'bad_response';

export class ApiError extends Error {
  constructor(
    /** HTTP status, 0 when the server could not be reached. */
    readonly status: number,
    readonly code: ApiFailure,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** True when the session is missing or expired: the app goes back to the login page. */
  get unauthenticated(): boolean {
    return this.status === 401 && this.code !== 'invalid_credentials';
  }
}

async function errorFrom(response: Response): Promise<ApiError> {
  try {
    const parsed = apiErrorBodySchema.safeParse(await response.json());
    if (parsed.success) return new ApiError(response.status, parsed.data.error.code, parsed.data.error.message);
  } catch {
    // Not JSON (a proxy's error page): fall through to the status line.
  }
  return new ApiError(
    response.status,
    response.status === 401 ? 'unauthenticated' : 'bad_response',
    `HTTP ${response.status} ${response.statusText}`,
  );
}

async function send(path: string, init: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, { credentials: 'same-origin', ...init, headers: { Accept: 'application/json', ...init.headers } });
  } catch (error) {
    throw new ApiError(0, 'network', error instanceof Error ? error.message : String(error));
  }
  if (!response.ok) throw await errorFrom(response);
  return response;
}

/** GETs `path` and validates the JSON answer with `schema`. */
export async function getJson<S extends z.ZodType>(path: string, schema: S, signal?: AbortSignal): Promise<z.output<S>> {
  const response = await send(path, signal ? { signal } : {});
  const parsed = schema.safeParse(await response.json().catch(() => undefined));
  if (!parsed.success) throw new ApiError(response.status, 'bad_response', `Unexpected answer from ${path}: ${parsed.error.message}`);
  return parsed.data;
}

/** POSTs `body` as JSON; validates the answer with `schema` when given (204 answers have none). */
export async function postJson<S extends z.ZodType>(path: string, body: unknown, schema: S): Promise<z.output<S>>;
export async function postJson(path: string, body: unknown): Promise<void>;
export async function postJson<S extends z.ZodType>(path: string, body: unknown, schema?: S): Promise<z.output<S> | undefined> {
  const response = await send(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  if (!schema) return undefined;
  const parsed = schema.safeParse(await response.json().catch(() => undefined));
  if (!parsed.success) throw new ApiError(response.status, 'bad_response', `Unexpected answer from ${path}: ${parsed.error.message}`);
  return parsed.data;
}
