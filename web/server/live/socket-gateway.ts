/**
 * socket.io endpoint of the live map. The handshake is authenticated with the same session cookie
 * as REST (refused with connect_error `unauthenticated` otherwise); a socket is disconnected when
 * its session ends by logout or expires. Implements {@link LiveSink}: every authenticated client
 * receives `reading` and `site-status` events (typed by common/socket-events.ts).
 */
import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { ClientToServerEvents, LiveReading, LiveSiteStatus, ServerToClientEvents } from '../../../common/socket-events.js';
import type { Logger } from '../../../platform/logger.js';
import type { AuthInfo, SessionManager } from '../auth/session.js';
import { sessionIdFromCookieHeader } from '../auth/session-cookie.js';
import type { WebMetrics } from '../web-metrics.js';
import type { LiveSink } from './live-stream.js';

interface SocketData {
  auth: AuthInfo;
}

type GatewayServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type GatewaySocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** Error message of a refused handshake (the client's `connect_error`). */
export const UNAUTHENTICATED = 'unauthenticated';

/** Longest delay setTimeout accepts, ms; longer sessions are re-checked when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface SocketGatewayOptions {
  readonly sessions: SessionManager;
  readonly logger: Logger;
  readonly metrics: Pick<WebMetrics, 'socketClients'>;
  /** Epoch ms. */
  readonly clock: () => number;
}

const sessionRoom = (sessionIdHash: string) => `session:${sessionIdHash}`;

export class SocketGateway implements LiveSink {
  private io: GatewayServer | undefined;
  private readonly log: Logger;
  private unsubscribeSessionEnd: (() => void) | undefined;

  constructor(private readonly options: SocketGatewayOptions) {
    this.log = options.logger.child({ module: 'socket-gateway' });
  }

  /** Attaches socket.io (path `/socket.io`) to the HTTP server. */
  attach(httpServer: HttpServer): void {
    if (this.io) throw new Error('socket gateway already attached');
    const io: GatewayServer = new Server(httpServer, {
      serveClient: false,
      maxHttpBufferSize: 16 * 1024,
      connectTimeout: 10_000,
    });
    io.use((socket, next) => {
      this.options.sessions.resolve(sessionIdFromCookieHeader(socket.request.headers.cookie)).then(
        (auth) => {
          if (!auth) {
            next(new Error(UNAUTHENTICATED));
            return;
          }
          socket.data.auth = auth;
          next();
        },
        (error: unknown) => {
          this.log.error({ err: error }, 'socket handshake: session lookup failed');
          next(new Error('unavailable'));
        },
      );
    });
    io.on('connection', (socket) => this.onConnection(socket));
    this.unsubscribeSessionEnd = this.options.sessions.onEnd((sessionIdHash) => {
      io.in(sessionRoom(sessionIdHash)).disconnectSockets(true);
    });
    this.io = io;
  }

  reading(reading: LiveReading): void {
    this.io?.emit('reading', reading);
  }

  siteStatus(status: LiveSiteStatus): void {
    this.io?.emit('site-status', status);
  }

  /** Disconnects every client and detaches from the HTTP server (which it closes). Idempotent. */
  async close(): Promise<void> {
    const io = this.io;
    this.io = undefined;
    this.unsubscribeSessionEnd?.();
    this.unsubscribeSessionEnd = undefined;
    if (!io) return;
    io.disconnectSockets(true);
    await new Promise<void>((resolve) => {
      io.close(() => resolve());
    });
  }

  private onConnection(socket: GatewaySocket): void {
    const { auth } = socket.data;
    this.options.metrics.socketClients.inc();
    void socket.join(sessionRoom(auth.sessionIdHash));
    const remaining = auth.expiresAt - this.options.clock();
    const expiry = setTimeout(() => socket.disconnect(true), Math.min(Math.max(remaining, 0), MAX_TIMER_MS));
    expiry.unref();
    socket.once('disconnect', () => {
      clearTimeout(expiry);
      this.options.metrics.socketClients.dec();
    });
    this.log.debug({ username: auth.user.username, socketId: socket.id }, 'socket connected');
  }
}
