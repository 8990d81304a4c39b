/**
 * socket.io endpoint of the live map. The handshake is authenticated with the same session cookie
 * as REST (refused with connect_error `unauthenticated` otherwise); a socket is disconnected when
 * its session ends by logout or expires. Implements {@link LiveSink}: every authenticated client
 * receives `reading`, `site-status` and `alert` events (typed by common/socket-events.ts).
 */
import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { AlertChange } from '../../../common/alerts.js';
import {
  type ClientToServerEvents,
  type LiveReading,
  type LiveSiteStatus,
  type ServerToClientEvents,
  viewportSubscriptionSchema,
} from '../../../common/socket-events.js';
import type { Logger } from '../../../platform/logger.js';
import type { AuthInfo, SessionManager } from '../auth/session.js';
import { sessionIdFromCookieHeader } from '../auth/session-cookie.js';
import type { WebMetrics } from '../web-metrics.js';
import type { LiveSink } from './live-stream.js';
import { SEEN_INTERVAL_MS, SeenBatch } from './seen-batch.js';
import { ALL_SITES_ROOM, isViewportRoom, roomsForSite, roomsForViewport } from './viewport-rooms.js';

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
  /**
   * Where a site is (WGS84 degrees), so readings go only to clients whose viewport shows it (see
   * viewport-rooms.ts). Without it every client receives every reading.
   */
  readonly siteLocation?: (siteId: string) => { readonly lat: number; readonly lon: number } | undefined;
}

const sessionRoom = (sessionIdHash: string) => `session:${sessionIdHash}`;

export class SocketGateway implements LiveSink {
  private io: GatewayServer | undefined;
  private readonly log: Logger;
  private unsubscribeSessionEnd: (() => void) | undefined;
  private readonly seen = new SeenBatch();
  private seenTimer: NodeJS.Timeout | undefined;

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
    this.seenTimer = setInterval(() => {
      const batch = this.seen.drain();
      if (batch) io.emit('sites-seen', batch);
    }, SEEN_INTERVAL_MS);
    this.seenTimer.unref();
  }

  reading(reading: LiveReading): void {
    const io = this.io;
    if (!io) return;
    this.seen.record(reading.siteId, reading.ts);
    const location = this.options.siteLocation?.(reading.siteId);
    if (location) io.to(roomsForSite(reading.siteId, location.lat, location.lon)).emit('reading', reading);
    else io.emit('reading', reading);
  }

  siteStatus(status: LiveSiteStatus): void {
    this.io?.emit('site-status', status);
  }

  /** Every authenticated client receives every alert change, whatever its viewport. */
  alert(change: AlertChange): void {
    this.io?.emit('alert', change);
  }

  /** Disconnects every client and detaches from the HTTP server (which it closes). Idempotent. */
  async close(): Promise<void> {
    const io = this.io;
    this.io = undefined;
    clearInterval(this.seenTimer);
    this.seenTimer = undefined;
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
    void socket.join([sessionRoom(auth.sessionIdHash), ALL_SITES_ROOM]);
    socket.on('viewport', (raw: unknown) => {
      const parsed = viewportSubscriptionSchema.safeParse(raw);
      if (!parsed.success) {
        this.log.debug({ socketId: socket.id }, 'ignored an invalid viewport subscription');
        return;
      }
      const wanted = new Set(roomsForViewport(parsed.data));
      for (const room of socket.rooms) if (isViewportRoom(room) && !wanted.has(room)) void socket.leave(room);
      void socket.join([...wanted]);
    });
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
