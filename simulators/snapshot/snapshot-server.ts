/**
 * HTTP server of simulated camera snapshots: `GET /snapshots/<siteId>.svg` answers the camera's
 * current frame (see {@link renderCameraFrameSvg}); anything else answers a JSON error in the
 * platform's `{"error": {"code", "message"}}` form. Camera images never travel over MQTT; the
 * seeds' `snapshotUrl` points here (default http://127.0.0.1:8083).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiErrorBody, ApiErrorCode } from '../../common/errors.js';
import { AppError } from '../../platform/errors.js';
import type { Component } from '../../platform/lifecycle.js';
import type { Logger } from '../../platform/logger.js';
import { type CameraFrame, renderCameraFrameSvg } from './camera-frame-svg.js';

/** Where snapshots are served unless configured otherwise (matches the seeds' snapshotUrl). */
export const DEFAULT_SNAPSHOT_SERVER = { host: '127.0.0.1', port: 8083 } as const;

const SNAPSHOT_PATH = /^\/snapshots\/([A-Z0-9][A-Z0-9-]{1,63})\.svg$/;

export interface SnapshotServerOptions {
  readonly host: string;
  /** TCP port; 0 picks a free one (see {@link SnapshotServer.port}). */
  readonly port: number;
  /** The current frame of a camera, or undefined when `siteId` is not a simulated camera. */
  readonly frame: (siteId: string) => CameraFrame | undefined;
  readonly logger: Logger;
}

export class SnapshotServer implements Component {
  readonly name = 'snapshot-server';
  private server: http.Server | undefined;
  private boundPort: number | undefined;

  constructor(private readonly options: SnapshotServerOptions) {}

  /** The bound port once started. */
  get port(): number | undefined {
    return this.boundPort;
  }

  /** The URL of a camera's snapshot on this server, once started. */
  snapshotUrl(siteId: string): string | undefined {
    if (this.boundPort === undefined) return undefined;
    const host = this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host;
    return `http://${host}:${this.boundPort}/snapshots/${encodeURIComponent(siteId)}.svg`;
  }

  /** Listens; fails with an `unavailable` AppError naming the address when the port is taken. */
  async start(): Promise<void> {
    if (this.server) return;
    const server = http.createServer((request, response) => this.handle(request, response));
    server.keepAliveTimeout = 5_000;
    server.headersTimeout = 10_000;
    server.requestTimeout = 10_000;
    const { host, port } = this.options;
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        reject(
          new AppError(
            'unavailable',
            `snapshot server cannot listen on ${host}:${port} (${error.code ?? error.message}); free the port or disable snapshots`,
          ),
        );
      };
      server.once('error', onError);
      server.listen(port, host, () => {
        server.off('error', onError);
        resolve();
      });
    });
    server.on('error', (error) => this.options.logger.error({ err: error }, 'snapshot server error'));
    this.server = server;
    this.boundPort = (server.address() as AddressInfo).port;
    this.options.logger.info({ url: `http://${host}:${this.boundPort}/snapshots/` }, 'camera snapshots served');
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.boundPort = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    try {
      const path = new URL(request.url ?? '/', 'http://snapshot.invalid').pathname;
      const match = SNAPSHOT_PATH.exec(path);
      const siteId = match?.[1];
      if (siteId === undefined) {
        sendError(response, 404, 'not_found', 'no such resource; snapshots are at /snapshots/<siteId>.svg');
        return;
      }
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.setHeader('Allow', 'GET, HEAD');
        sendError(response, 405, 'bad_request', `method ${request.method ?? '?'} not allowed; use GET`);
        return;
      }
      const frame = this.options.frame(siteId);
      if (!frame) {
        sendError(response, 404, 'not_found', `camera ${siteId} not found`);
        return;
      }
      const body = renderCameraFrameSvg(frame);
      response.writeHead(200, {
        'Content-Type': 'image/svg+xml; charset=utf-8',
        'Content-Length': Buffer.byteLength(body),
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
        'Cross-Origin-Resource-Policy': 'cross-origin',
      });
      response.end(request.method === 'HEAD' ? undefined : body);
    } catch (error) {
      this.options.logger.error({ err: error, url: request.url }, 'snapshot request failed');
      if (!response.headersSent) sendError(response, 500, 'internal', 'snapshot rendering failed');
      else response.destroy();
    }
  }
}

function sendError(response: http.ServerResponse, status: number, code: ApiErrorCode, message: string): void {
  const body = JSON.stringify({ error: { code, message } } satisfies ApiErrorBody);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  response.end(body);
}
