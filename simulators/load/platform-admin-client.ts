/**
 * The few admin calls of the platform's REST API that load mode needs: log in, list sites,
 * register sites in bulk with their device tokens (`POST /api/sites`, at most
 * {@link MAX_SITES_PER_REGISTRATION} per request), remove sites (`DELETE /api/sites/{id}`). Every
 * failure becomes an {@link AppError} with the platform's error code and a message that says what
 * to do (wrong password, platform not running, …). Tokens are kept in memory only.
 */
import {
  MAX_SITES_PER_REGISTRATION,
  type RegisterSitesRequest,
  type RemoveSitesRequest,
  registerSitesResponseSchema,
  removeSitesResponseSchema,
  type SiteSummary,
  siteListResponseSchema,
} from '../../common/api.js';
import { API_ERROR_CODES, type ApiErrorCode, apiErrorBodySchema } from '../../common/errors.js';
import type { Site } from '../../common/sites.js';
import { SESSION_COOKIE } from '../../common/socket-events.js';
import { AppError } from '../../platform/errors.js';

export interface PlatformAdminClientOptions {
  /** Base URL of the web server, e.g. `http://127.0.0.1:8080`. */
  readonly apiUrl: string;
  readonly username: string;
  readonly password: string;
  /** Per-request timeout, ms; default 120,000 (registering 5,000 sites hashes 5,000 tokens). */
  readonly requestTimeoutMs?: number;
}

/** Progress of a bulk operation: done so far out of total. */
export type ProgressListener = (done: number, total: number) => void;

export class PlatformAdminClient {
  private cookie: string | undefined;
  private readonly base: string;

  constructor(private readonly options: PlatformAdminClientOptions) {
    this.base = options.apiUrl.replace(/\/$/, '');
  }

  /** Logs in as the admin; throws `invalid_credentials`, `rate_limited` or `unavailable`. */
  async login(): Promise<void> {
    const response = await this.send(
      'POST',
      '/api/auth/login',
      { username: this.options.username, password: this.options.password },
      false,
    );
    if (response.status === 401) {
      throw new AppError(
        'invalid_credentials',
        `the platform at ${this.base} refused admin "${this.options.username}": set ADMIN_PASSWORD (env or .env) or pass --admin-password`,
      );
    }
    await this.check(response, 'log in');
    const cookie = response.headers
      .getSetCookie()
      .map((header) => header.split(';')[0] ?? '')
      .find((pair) => pair.startsWith(`${SESSION_COOKIE}=`));
    if (!cookie) throw new AppError('unavailable', `the platform at ${this.base} answered the login without a session cookie`);
    this.cookie = cookie;
  }

  /** Every site of the deployment, with status and latest values. */
  async listSites(): Promise<SiteSummary[]> {
    const response = await this.send('GET', '/api/sites');
    await this.check(response, 'list sites');
    return siteListResponseSchema.parse(await response.json()).sites;
  }

  /**
   * Registers `sites` (all new ids) in batches of at most `batchSize` and returns each one's device
   * token. A batch that fails stops the registration (`conflict` when an id exists: nothing of that
   * batch was registered).
   */
  async registerSites(
    sites: readonly Site[],
    options: { batchSize?: number; onProgress?: ProgressListener } = {},
  ): Promise<Map<string, string>> {
    const batchSize = Math.min(MAX_SITES_PER_REGISTRATION, Math.max(1, options.batchSize ?? 2000));
    const tokens = new Map<string, string>();
    for (let i = 0; i < sites.length; i += batchSize) {
      const body: RegisterSitesRequest = { sites: sites.slice(i, i + batchSize), issueTokens: true };
      const response = await this.send('POST', '/api/sites', body);
      await this.check(response, 'register sites');
      const parsed = registerSitesResponseSchema.parse(await response.json());
      for (const issued of parsed.tokens ?? []) tokens.set(issued.siteId, issued.token);
      options.onProgress?.(Math.min(sites.length, i + batchSize), sites.length);
    }
    const missing = sites.filter((site) => !tokens.has(site.id));
    if (missing.length > 0)
      throw new AppError('unavailable', `the platform registered sites without returning tokens for ${missing.length} of them`);
    return tokens;
  }

  /**
   * Removes sites in batches of at most `batchSize` (`POST /api/sites/remove`); ids already gone
   * count as removed. Returns how many were removed.
   */
  async removeSites(ids: readonly string[], options: { batchSize?: number; onProgress?: ProgressListener } = {}): Promise<number> {
    const batchSize = Math.min(MAX_SITES_PER_REGISTRATION, Math.max(1, options.batchSize ?? MAX_SITES_PER_REGISTRATION));
    let done = 0;
    for (let i = 0; i < ids.length; i += batchSize) {
      const body: RemoveSitesRequest = { siteIds: ids.slice(i, i + batchSize) };
      const response = await this.send('POST', '/api/sites/remove', body);
      await this.check(response, 'remove sites');
      removeSitesResponseSchema.parse(await response.json());
      done = Math.min(ids.length, i + batchSize);
      options.onProgress?.(done, ids.length);
    }
    return done;
  }

  /** Ends the session (best effort). */
  async logout(): Promise<void> {
    if (!this.cookie) return;
    try {
      const response = await this.send('POST', '/api/auth/logout');
      await response.body?.cancel();
    } catch {
      // The session expires on its own.
    }
    this.cookie = undefined;
  }

  private async send(method: string, path: string, body?: unknown, authenticated = true): Promise<Response> {
    if (authenticated && !this.cookie) throw new AppError('unauthenticated', 'log in first');
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (authenticated && this.cookie) headers.cookie = this.cookie;
    try {
      return await fetch(`${this.base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 120_000),
      });
    } catch (error) {
      const reason = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
      throw new AppError('unavailable', `cannot reach the platform at ${this.base} (${reason}); is it running? (--api-url)`);
    }
  }

  private async check(response: Response, what: string): Promise<void> {
    if (response.ok) return;
    const text = await response.text();
    let code: ApiErrorCode = response.status >= 500 ? 'unavailable' : 'bad_request';
    let message = text.slice(0, 300);
    try {
      const parsed = apiErrorBodySchema.safeParse(JSON.parse(text));
      if (parsed.success) {
        code = parsed.data.error.code;
        message = parsed.data.error.message;
      }
    } catch {
      // not our error shape
    }
    if (!API_ERROR_CODES.includes(code)) code = 'internal';
    throw new AppError(code, `could not ${what}: HTTP ${response.status} ${code}: ${message}`);
  }
}
