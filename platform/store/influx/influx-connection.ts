/**
 * The platform's connection to an InfluxDB-compatible server:
 * - writes with @influxdata/influxdb-client's WriteApi — line protocol to `/api/v2/write`, ms
 *   precision, gzip — one WriteApi per batch with the client's own retries and timers off: the
 *   caller (ingest's spool drainer) retries from its durable spool. (The client's retry buffer
 *   lives in memory, `flush()` rejects even for lines it queued for a retry and `close()` discards
 *   them, so it cannot be what makes a write durable.) A write resolves only when the server
 *   answered 204/201 for every line.
 * - reads with InfluxQL over the v1-compatible `/query` endpoint (InfluxDB 1.x; 2.x through the
 *   bucket's DBRP mapping; 3.x), never Flux.
 * It remembers whether the server answered last time, for health, and logs each change once.
 */
import { HttpError, InfluxDB, type Point, setLogger } from '@influxdata/influxdb-client';
import { z } from 'zod';
import type { Health } from '../../../common/api.js';
import { AppError } from '../../errors.js';
import type { Logger } from '../../logger.js';

export interface InfluxSettings {
  /** Base URL, e.g. `http://influxdb:8086`. */
  readonly url: string;
  /** Sent as `Authorization: Token …`; omitted when undefined. */
  readonly token?: string | undefined;
  /** Organisation (InfluxDB 2.x). */
  readonly org: string;
  /** Bucket (2.x) or database (1.x, 3.x); the `db` of InfluxQL queries. */
  readonly bucket: string;
  /** Per-request timeout, ms; default 10,000. */
  readonly timeoutMs?: number;
}

type ComponentHealth = Health['components'][string];

const seriesSchema = z.object({
  name: z.string().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  columns: z.array(z.string()),
  values: z.array(z.array(z.unknown())).optional(),
});
export type InfluxQlSeries = z.infer<typeof seriesSchema>;

const responseSchema = z.object({
  results: z.array(z.object({ series: z.array(seriesSchema).optional(), error: z.string().optional() })).optional(),
  error: z.string().optional(),
});

/** Quotes an InfluxQL identifier (measurement, field, tag key). */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Quotes an InfluxQL string literal (a tag value). */
export function quoteString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The server did not answer (network error, timeout, HTTP 5xx): it is down, not merely refusing a request. */
export class InfluxUnreachableError extends AppError {
  constructor(message: string) {
    super('unavailable', message);
    this.name = 'InfluxUnreachableError';
  }
}

let clientLogRouted = false;

export class InfluxConnection {
  private readonly influx: InfluxDB;
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  /** null before the first request, undefined after a success, the reason after a failure. */
  private lastProblem: string | undefined | null = null;

  constructor(
    private readonly settings: InfluxSettings,
    private readonly logger: Logger,
  ) {
    this.baseUrl = settings.url.replace(/\/+$/, '');
    this.timeoutMs = settings.timeoutMs ?? 10_000;
    this.influx = new InfluxDB({ url: this.baseUrl, token: settings.token, timeout: this.timeoutMs });
    if (!clientLogRouted) {
      // The client logs each failed write on the console; the callers log (throttled) instead.
      clientLogRouted = true;
      setLogger({ error: () => undefined, warn: () => undefined });
    }
  }

  /** The server's URL, for logs. */
  get url(): string {
    return this.baseUrl;
  }

  /** `ok` after the last request succeeded, `down` with the reason after it failed. */
  health(): ComponentHealth {
    if (this.lastProblem === null) return { status: 'degraded', detail: `InfluxDB at ${this.baseUrl} not contacted yet` };
    return this.lastProblem === undefined ? { status: 'ok' } : { status: 'down', detail: this.lastProblem };
  }

  /** GET /ping: resolves when the server answers, rejects with AppError `unavailable` otherwise. */
  async ping(): Promise<void> {
    await this.track(isNotRefusedData, async () => {
      const response = await this.fetch(`${this.baseUrl}/ping`);
      await response.arrayBuffer();
      if (!response.ok) throw new AppError('unavailable', `InfluxDB at ${this.baseUrl} answered /ping with HTTP ${response.status}`);
    });
  }

  /**
   * Writes the points in one request. Rejects with AppError `bad_request` when the server refused
   * the data itself (HTTP 400/413/422: retrying the same batch cannot help), `unavailable` otherwise.
   */
  async write(points: readonly Point[]): Promise<void> {
    if (points.length === 0) return;
    await this.track(isNotRefusedData, async () => {
      const api = this.influx.getWriteApi(this.settings.org, this.settings.bucket, 'ms', {
        batchSize: points.length + 1,
        maxBatchBytes: Number.MAX_SAFE_INTEGER,
        flushInterval: 0,
        maxRetries: 0,
        gzipThreshold: 1000,
      });
      try {
        api.writePoints(points);
        await api.flush();
      } catch (error) {
        throw this.describeWriteError(error);
      } finally {
        api.dispose();
      }
    });
  }

  /**
   * Runs InfluxQL statements (joined with `;`) in one request; one result per statement, in order.
   * Only an unreachable server marks the store down: a refused query (a server without InfluxQL,
   * a missing database) does not stop readings from being stored.
   */
  async query(statements: readonly string[]): Promise<InfluxQlSeries[][]> {
    return this.track(
      (error) => error instanceof InfluxUnreachableError,
      async () => {
        const params = new URLSearchParams({ db: this.settings.bucket, epoch: 'ms', q: statements.join(';\n') });
        const response = await this.fetch(`${this.baseUrl}/query?${params}`);
        const text = await response.text();
        if (response.status >= 500) {
          throw new InfluxUnreachableError(
            `InfluxDB at ${this.baseUrl} answered /query with HTTP ${response.status}: ${text.slice(0, 200)}`,
          );
        }
        if (response.status === 401 || response.status === 403) {
          throw new AppError('unavailable', `InfluxDB at ${this.baseUrl} refused the query (HTTP ${response.status}); check INFLUX_TOKEN`);
        }
        let body: z.infer<typeof responseSchema>;
        try {
          body = responseSchema.parse(JSON.parse(text));
        } catch {
          throw new AppError(
            'unavailable',
            `InfluxDB at ${this.baseUrl} answered /query with HTTP ${response.status}: ${text.slice(0, 200)}`,
          );
        }
        const failed = body.error ?? body.results?.find((result) => result.error)?.error;
        if (failed !== undefined || !response.ok) {
          throw new AppError(
            'unavailable',
            `InfluxQL query failed on ${this.baseUrl} (HTTP ${response.status}): ${failed ?? text.slice(0, 200)}`,
          );
        }
        return statements.map((_statement, index) => body.results?.[index]?.series ?? []);
      },
    );
  }

  private async fetch(url: string): Promise<Response> {
    try {
      return await fetch(url, {
        headers: this.settings.token ? { authorization: `Token ${this.settings.token}` } : {},
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
      throw new InfluxUnreachableError(`InfluxDB at ${this.baseUrl} is unreachable: ${reason}`);
    }
  }

  private describeWriteError(error: unknown): AppError {
    if (error instanceof HttpError) {
      const body = (error.body ?? '').slice(0, 300);
      const status = error.statusCode;
      if (status === 400 || status === 413 || status === 422) {
        return new AppError('bad_request', `InfluxDB at ${this.baseUrl} refused the data (HTTP ${status}): ${body}`);
      }
      if (status >= 500) return new InfluxUnreachableError(`InfluxDB at ${this.baseUrl} failed the write (HTTP ${status}): ${body}`);
      const hint =
        status === 401 || status === 403
          ? '; check INFLUX_TOKEN'
          : status === 404
            ? `; check INFLUX_ORG (${this.settings.org}) and INFLUX_BUCKET (${this.settings.bucket})`
            : '';
      return new AppError('unavailable', `InfluxDB at ${this.baseUrl} refused the write (HTTP ${status})${hint}: ${body}`);
    }
    if (error instanceof AppError) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new InfluxUnreachableError(`InfluxDB at ${this.baseUrl} is unreachable: ${message}`);
  }

  /** Runs a request and records (and logs once per change) whether the store works; `counts` picks the failures that say it does not. */
  private async track<T>(counts: (error: unknown) => boolean, request: () => Promise<T>): Promise<T> {
    try {
      const result = await request();
      this.recordOutcome(undefined);
      return result;
    } catch (error) {
      if (counts(error)) this.recordOutcome(error instanceof Error ? error.message : String(error));
      throw error;
    }
  }

  /** Logs changes between working and failing; the first outcome is left to the caller (see InfluxDataStores.start). */
  private recordOutcome(problem: string | undefined): void {
    const previous = this.lastProblem;
    this.lastProblem = problem;
    if (problem === undefined && typeof previous === 'string') {
      this.logger.info({ influx: this.baseUrl }, 'InfluxDB answers again');
    } else if (problem !== undefined && previous === undefined) {
      this.logger.error({ influx: this.baseUrl, problem }, "InfluxDB stopped answering; readings wait in ingest's spool until it is back");
    }
  }
}

/** A refused batch means the server works and the data does not; any other write or ping failure means readings cannot be stored. */
function isNotRefusedData(error: unknown): boolean {
  return !(error instanceof AppError && error.code === 'bad_request');
}
