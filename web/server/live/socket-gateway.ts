/**
 * socket.io endpoint of the live map. The handshake is authenticated with the same session cookie
 * as REST (refused with connect_error `unauthenticated` otherwise) and refused (`forbidden`) when a
 * browser opens it from another origin (cross-site WebSocket hijacking); a socket is disconnected
 * when its session ends — logout, log out everywhere, an admin's revocation, a changed, disabled or
 * deleted user, expiry — and sessions are re-checked every minute, so one ended elsewhere ends too.
 * Implements {@link LiveSink}: every authenticated client receives `reading`, `site-status` and
 * `alert` events (typed by common/socket-events.ts).
 *
 * Incoming events follow client-event-policy.ts (known event, role, zod schema, rate); everything
 * else is dropped and counted. A client that stops reading is cut off once it has taken nothing
 * for `stallMs` with more than `maxQueuedPackets` events waiting (engine.io would otherwise buffer
 * without bound); the others are unaffected either way, since socket.io writes to each socket
 * independently.
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
import { foreignOriginProblem, type OriginPolicy } from '../auth/origin-check.js';
import { hasRole } from '../auth/require-auth.js';
import type { AuthInfo, SessionManager } from '../auth/session.js';
import { sessionIdFromCookieHeader } from '../auth/session-cookie.js';
import type { SecurityMetrics } from '../security-metrics.js';
import type { WebMetrics } from '../web-metrics.js';
import { clientEventPolicy, DEFAULT_CLIENT_EVENT_RATE, EventBudget, type EventRate } from './client-event-policy.js';
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
/** Error message of a handshake from another origin. */
export const FORBIDDEN_ORIGIN = 'forbidden';

/** Default cap of events waiting for one stalled client (see {@link SocketGatewayOptions.maxQueuedPackets}). */
export const DEFAULT_MAX_QUEUED_PACKETS = 2_000;
/** Default time a client's transport may take nothing before it counts as stalled, ms. */
export const DEFAULT_STALL_MS = 10_000;
/**
 * Events waiting for one client beyond which it is cut off at once, stalled or not: a memory bound
 * above the largest burst one tick can produce (a backfill of 10,000 readings fans out as 10,000
 * events before any transport gets a chance to take them).
 */
export const HARD_MAX_QUEUED_PACKETS = 50_000;
/** How often connected sessions are re-checked against the store, ms. */
const SESSION_RECHECK_MS = 60_000;

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
  /** Refuse handshakes whose `Origin` is not ours; without it any origin may connect (the cookie is still needed). */
  readonly originPolicy?: OriginPolicy;
  readonly securityMetrics?: Pick<SecurityMetrics, 'crossSiteRefused' | 'socketEventsDropped' | 'slowSocketsDisconnected'>;
  /**
   * A client whose transport has taken nothing for `stallMs` while more than `maxQueuedPackets`
   * events wait for it has stopped reading and is disconnected (defaults
   * {@link DEFAULT_MAX_QUEUED_PACKETS}, {@link DEFAULT_STALL_MS}); beyond
   * {@link HARD_MAX_QUEUED_PACKETS} waiting events it is disconnected at once.
   */
  readonly maxQueuedPackets?: number;
  /** See {@link maxQueuedPackets}, ms. */
  readonly stallMs?: number;
  /** Incoming events one socket may send (default {@link DEFAULT_CLIENT_EVENT_RATE}). */
  readonly clientEventRate?: EventRate;
  /** How often connected sessions are re-checked, ms (default 60,000). */
  readonly sessionRecheckMs?: number;
}

const sessionRoom = (sessionIdHash: string) => `session:${sessionIdHash}`;

export class SocketGateway implements LiveSink {
  private io: GatewayServer | undefined;
  private readonly log: Logger;
  private unsubscribeSessionEnd: (() => void) | undefined;
  private readonly seen = new SeenBatch();
  private seenTimer: NodeJS.Timeout | undefined;
  private recheckTimer: NodeJS.Timeout | undefined;
  private rechecking = false;

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
      const { originPolicy } = this.options;
      const { origin, host } = socket.request.headers;
      const problem = originPolicy && foreignOriginProblem({ origin, host }, originPolicy);
      if (problem) {
        this.options.securityMetrics?.crossSiteRefused.inc({ channel: 'socket' });
        this.log.warn({ problem }, 'socket handshake from another origin refused');
        next(new Error(FORBIDDEN_ORIGIN));
        return;
      }
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
    this.recheckTimer = setInterval(() => void this.recheckSessions(io), this.options.sessionRecheckMs ?? SESSION_RECHECK_MS);
    this.recheckTimer.unref();
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
    clearInterval(this.recheckTimer);
    this.recheckTimer = undefined;
    this.unsubscribeSessionEnd?.();
    this.unsubscribeSessionEnd = undefined;
    if (!io) return;
    io.disconnectSockets(true);
    await new Promise<void>((resolve) => {
      io.close(() => resolve());
    });
  }

  /**
   * Disconnects the sockets of sessions that ended or whose user changed (disabled, deleted, other
   * role) where this process did not see it happen. A store error keeps them (an outage is not a revocation).
   */
  private async recheckSessions(io: GatewayServer): Promise<void> {
    if (this.rechecking) return;
    this.rechecking = true;
    try {
      const sessions = new Map<string, AuthInfo>();
      for (const socket of io.sockets.sockets.values()) sessions.set(socket.data.auth.sessionIdHash, socket.data.auth);
      let failure: unknown;
      for (const [idHash, known] of sessions) {
        const current = await this.options.sessions.resolveHash(idHash).catch((error: unknown) => {
          failure = error;
          return known;
        });
        if (!current || current.user.role !== known.user.role) io.in(sessionRoom(idHash)).disconnectSockets(true);
      }
      if (failure !== undefined) this.log.warn({ err: failure }, 'socket session re-check failed; keeping the sockets it could not check');
    } finally {
      this.rechecking = false;
    }
  }

  /** Applies the client event policy to every incoming event: unknown, forbidden, invalid and excess events are dropped. */
  private guardIncoming(socket: GatewaySocket): void {
    const budget = new EventBudget(this.options.clientEventRate ?? DEFAULT_CLIENT_EVENT_RATE, this.options.clock);
    const drop = (reason: 'unknown_event' | 'forbidden' | 'invalid' | 'rate_limited', event: unknown) => {
      this.options.securityMetrics?.socketEventsDropped.inc({ reason });
      this.log.debug(
        { socketId: socket.id, event: typeof event === 'string' ? event.slice(0, 64) : typeof event, reason },
        'dropped a client event',
      );
    };
    socket.use(([event, payload], next) => {
      if (!budget.take()) return drop('rate_limited', event);
      const policy = clientEventPolicy(event);
      if (!policy) return drop('unknown_event', event);
      if (!hasRole(socket.data.auth.user.role, policy.minimumRole)) return drop('forbidden', event);
      if (!policy.schema.safeParse(payload).success) return drop('invalid', event);
      next();
    });
  }

  /**
   * Backpressure: counts the packets engine.io queues for this client since its transport last
   * took them (engine.io's `flush`). A client that stops reading cannot take them: once more than
   * `maxQueuedPackets` wait and nothing was taken for `stallMs` — or, whatever the time, more than
   * {@link HARD_MAX_QUEUED_PACKETS} wait — it is disconnected and its queue discarded, instead of
   * growing the server's memory. A healthy client only ever has one tick's burst waiting.
   */
  private boundQueue(socket: GatewaySocket): void {
    const max = this.options.maxQueuedPackets ?? DEFAULT_MAX_QUEUED_PACKETS;
    const stallMs = this.options.stallMs ?? DEFAULT_STALL_MS;
    const { clock } = this.options;
    const conn = socket.conn;
    let queued = 0;
    let lastTakenAt = clock();
    let cutOff = false;
    conn.on('flush', () => {
      queued = 0;
      lastTakenAt = clock();
    });
    conn.on('packetCreate', () => {
      queued += 1;
      if (cutOff || queued <= max) return;
      if (queued <= HARD_MAX_QUEUED_PACKETS && clock() - lastTakenAt < stallMs) return;
      cutOff = true;
      this.options.securityMetrics?.slowSocketsDisconnected.inc();
      this.log.warn(
        { username: socket.data.auth.user.username, socketId: socket.id, queued },
        'disconnecting a socket that stopped reading',
      );
      // After the emit loop that is filling the queue: closing mid-broadcast would change the room being iterated.
      queueMicrotask(() => conn.close(true));
    });
  }

  private onConnection(socket: GatewaySocket): void {
    const { auth } = socket.data;
    this.options.metrics.socketClients.inc();
    this.guardIncoming(socket);
    this.boundQueue(socket);
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
