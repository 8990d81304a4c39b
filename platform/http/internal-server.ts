/**
 * A small HTTP server for a service's internal endpoints: `GET /internal/health` (JSON, for
 * orchestrators and the other services), `GET /metrics` (Prometheus text) and mounted routers —
 * ingest mounts the internal data API here. Every answer is JSON; errors use the platform's
 * `{"error": {"code", "message"}}` shape.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler, type RequestHandler, type Router } from 'express';
import type { Health } from '../../common/api.js';
import type { ApiErrorBody } from '../../common/errors.js';
import { AppError } from '../errors.js';
import type { Component } from '../lifecycle.js';
import type { Logger } from '../logger.js';
import type { Registry } from '../observability.js';

/** Default JSON body limit, bytes: room for bulk writes through the data API. */
export const INTERNAL_BODY_LIMIT_BYTES = 16 * 1024 * 1024;

const DEFAULT_SHUTDOWN_GRACE_MS = 5_000;

export interface InternalHttpServerOptions {
  /** Component name in logs, e.g. `ingest-http`. */
  readonly name: string;
  /** Interface to bind, e.g. `127.0.0.1` or `0.0.0.0`. */
  readonly host: string;
  /** TCP port; 0 picks a free one (read it from {@link InternalHttpServer.port} after start). */
  readonly port: number;
  readonly logger: Logger;
  /** Served as Prometheus text at `GET /metrics`. */
  readonly metrics: Registry;
  /** Answer of `GET /internal/health`; HTTP 200 for `ok` and `degraded`, 503 when it throws. */
  readonly health: () => Promise<Health>;
  /** Routers mounted at their paths, e.g. the data API at `/internal/data`. */
  readonly routers?: readonly { readonly path: string; readonly router: Router }[];
  /** JSON body limit, bytes; default {@link INTERNAL_BODY_LIMIT_BYTES}. */
  readonly bodyLimitBytes?: number;
  /** How long stop() lets requests in flight finish before cutting their connections, ms; default 5,000. */
  readonly shutdownGraceMs?: number;
}

/** The internal HTTP server as a {@link Component}; `port` and `url` are valid after start(). */
export class InternalHttpServer implements Component {
  readonly name: string;
  private server: http.Server | undefined;
  private boundPort: number | undefined;
  private stopping = false;
  /** Responses not yet finished, so stop() can end their keep-alive connections after them. */
  private readonly inFlight = new Set<http.ServerResponse>();
  private readonly logger: Logger;

  constructor(private readonly options: InternalHttpServerOptions) {
    this.name = options.name;
    this.logger = options.logger;
  }

  /** The bound port; valid after start(). */
  get port(): number {
    if (this.boundPort === undefined) throw new Error(`${this.name} is not started`);
    return this.boundPort;
  }

  /** Base URL for clients on this host, e.g. `http://127.0.0.1:8081` (a wildcard host maps to loopback). */
  get url(): string {
    return `http://${urlHost(this.options.host)}:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = http.createServer(this.createApp());
    server.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
      this.inFlight.add(res);
      res.once('close', () => {
        this.inFlight.delete(res);
        // The connection turns idle after this tick; close it then (stop() already closed the others).
        if (this.stopping) setImmediate(() => server.closeIdleConnections());
      });
    });
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        server.off('listening', onListening);
        reject(
          error.code === 'EADDRINUSE'
            ? new Error(`${this.name}: port ${this.options.port} on ${this.options.host} is already in use`, { cause: error })
            : error,
        );
      };
      const onListening = () => {
        server.off('error', onError);
        resolve();
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(this.options.port, this.options.host);
    });
    server.on('error', (error) => this.logger.error({ err: error }, 'http server error'));
    this.server = server;
    this.boundPort = (server.address() as AddressInfo).port;
    this.logger.info({ url: this.url }, `${this.name} listening`);
  }

  /**
   * Stops accepting, closes idle keep-alive connections at once, lets requests in flight finish
   * (up to `shutdownGraceMs`, then cuts them) and resolves when every connection is gone. Idempotent.
   */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.boundPort = undefined;
    this.stopping = true;
    for (const res of this.inFlight) {
      if (!res.headersSent) res.setHeader('connection', 'close');
    }
    await new Promise<void>((resolve) => {
      const deadline = setTimeout(() => server.closeAllConnections(), this.options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS);
      server.close(() => {
        clearTimeout(deadline);
        this.stopping = false;
        resolve();
      });
      server.closeIdleConnections();
    });
  }

  private createApp(): express.Express {
    const { metrics, health, routers = [], bodyLimitBytes = INTERNAL_BODY_LIMIT_BYTES } = this.options;
    const app = express();
    app.disable('x-powered-by');
    app.set('etag', false);
    app.use(express.json({ limit: bodyLimitBytes }));
    app.get('/internal/health', async (_req, res) => {
      let answer: Health;
      try {
        answer = await health();
      } catch (error) {
        this.logger.warn({ err: error }, 'health check failed');
        throw new AppError('unavailable', `health check failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      res.status(200).json(answer);
    });
    app.get('/metrics', async (_req, res) => {
      const text = await metrics.metrics();
      res.type(metrics.contentType).send(text);
    });
    for (const { path, router } of routers) app.use(path, router);
    app.use(jsonNotFound);
    app.use(jsonErrorHandler(this.logger));
    return app;
  }
}

/** Answers any request that reached it with 404 `not_found` as JSON. */
export const jsonNotFound: RequestHandler = (req, res) => {
  const body: ApiErrorBody = { error: { code: 'not_found', message: `no route for ${req.method} ${req.path}` } };
  res.status(404).json(body);
};

/**
 * Maps errors to `{"error": {"code", "message"}}`: an {@link AppError} with its code and status,
 * body-parser failures (bad JSON, too large) as 400/413, anything else as 500 `internal` — logged,
 * with its message kept out of the answer.
 */
export function jsonErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const appError = toAppError(error);
    if (appError.httpStatus >= 500 && appError.code === 'internal') {
      logger.error({ err: error, method: req.method, path: req.path }, 'request failed');
    }
    const body: ApiErrorBody = {
      error: {
        code: appError.code,
        message: appError.message,
        ...(appError.details && appError.details.length > 0 ? { details: [...appError.details] } : {}),
      },
    };
    res.status(appError.httpStatus).json(body);
  };
}

/** Body-parser errors carry `type` and `status`; see body-parser's README. */
interface HttpLikeError {
  readonly type?: unknown;
  readonly status?: unknown;
  readonly message?: unknown;
}

function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const httpError = (typeof error === 'object' && error !== null ? error : {}) as HttpLikeError;
  if (httpError.type === 'entity.too.large') return new AppError('payload_too_large', 'request body is too large');
  if (httpError.type === 'entity.parse.failed') return new AppError('bad_request', 'request body is not valid JSON');
  if (typeof httpError.status === 'number' && httpError.status >= 400 && httpError.status < 500) {
    return new AppError('bad_request', typeof httpError.message === 'string' ? httpError.message : 'bad request');
  }
  return new AppError('internal', 'internal error');
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
