/**
 * The web server component: Express REST API, socket.io live stream, and the built browser app on
 * one HTTP port. `start()` warms the live site state from the store, listens, and connects to the
 * broker in the background (the server is usable, and health says `degraded`, while the broker is
 * away); `stop()` closes sockets, the HTTP port, the MQTT client and every timer.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Site } from '../../common/sites.js';
import type { Config } from '../../platform/config/config.js';
import type { Component } from '../../platform/lifecycle.js';
import type { Logger } from '../../platform/logger.js';
import type { Registry } from '../../platform/observability.js';
import type { SiteDirectory } from '../../platform/sites/site-directory.js';
import type { AlertingApi, DataStores, NotificationStore } from '../../platform/store/types.js';
import { createWebApp } from './app.js';
import { AuditLog } from './audit-log.js';
import { CredentialChecker } from './auth/credentials.js';
import { LoginGuard, type LoginGuardOverrides, type LoginRateLimitSettings, loginGuardSettings } from './auth/login-guard.js';
import { SessionManager } from './auth/session.js';
import type { WebContext } from './context.js';
import { checkHealth } from './health.js';
import { LiveStream } from './live/live-stream.js';
import { ReadingRate } from './live/reading-rate.js';
import { SiteStateCache } from './live/site-state-cache.js';
import { SocketGateway } from './live/socket-gateway.js';
import { routeTable } from './routes/index.js';
import type { ApiRoute } from './routes/route-spec.js';
import { type SecurityMetrics, securityMetrics } from './security-metrics.js';
import { type WebMetrics, webMetrics } from './web-metrics.js';

export interface WebServerOptions {
  /** Uses HTTP_HOST, HTTP_PORT (0 = any free port), PUBLIC_URL, SESSION_TTL_HOURS, COOKIE_SECURE, TRUST_PROXY, AUDIT_RETENTION_DAYS, MAP_TILE_*, seedsDir, RETENTION_DAYS. */
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Registry;
  readonly stores: DataStores;
  readonly sites: SiteDirectory;
  /** Broker URL, read at start (the broker may have bound port 0). */
  readonly mqttUrl: () => string;
  /** Password of the internal `svc:web` MQTT user. */
  readonly serviceToken: string;
  /** Directory of the built browser app (`dist/app`). */
  readonly appDir: string;
  /** Platform version, shown in health, app-config and the OpenAPI document. */
  readonly version: string;
  /** Epoch ms; injectable for tests. */
  readonly clock?: () => number;
  /** Failed logins allowed per client address and window (default 20 per 15 minutes); shorthand for `loginGuard.ip`. */
  readonly loginRateLimit?: LoginRateLimitSettings;
  /** Login lock-out and slow-down settings (auth/login-guard.ts); defaults otherwise. */
  readonly loginGuard?: LoginGuardOverrides;
  /** Socket.io events that may wait for a client that stopped reading before it is cut off (default 2,000; socket-gateway.ts). */
  readonly maxQueuedSocketPackets?: number;
  /** How long a client's transport may take nothing before it counts as stalled, ms (default 10,000; socket-gateway.ts). */
  readonly socketStallMs?: number;
  /** How long a resolved session is trusted without asking the store, ms (default 5,000). */
  readonly sessionCacheMs?: number;
  /** Delay between MQTT reconnect attempts, ms (default 1,000). */
  readonly mqttReconnectPeriodMs?: number;
  /** Notification management of the notifier in this process; default `stores.notifications` (the data API in split mode). */
  readonly notifications?: NotificationStore;
  /** The alert engine in this process; default `stores.alerts` (the data API in split mode). */
  readonly alerts?: AlertingApi;
}

/** Expired sessions are purged this often, ms. */
const SESSION_PURGE_INTERVAL_MS = 15 * 60 * 1000;
/** In-flight requests get this long to finish at stop before their connections are cut, ms. */
const SHUTDOWN_GRACE_MS = 2_000;

interface Running {
  readonly server: http.Server;
  readonly gateway: SocketGateway;
  readonly live: LiveStream;
  readonly purgeTimer: NodeJS.Timeout;
  readonly routes: readonly ApiRoute[];
  readonly app: Express;
}

export class WebServer implements Component {
  readonly name = 'web';
  private readonly log: Logger;
  private readonly clock: () => number;
  private readonly metricSet: WebMetrics;
  private readonly securityMetricSet: SecurityMetrics;
  private running: Running | undefined;

  constructor(private readonly options: WebServerOptions) {
    this.log = options.logger;
    this.clock = options.clock ?? Date.now;
    this.metricSet = webMetrics(options.metrics);
    this.securityMetricSet = securityMetrics(options.metrics);
  }

  /** The bound port (useful with HTTP_PORT=0). Throws before start. */
  get port(): number {
    const address = this.running?.server.address();
    if (!address || typeof address === 'string') throw new Error('web server is not listening');
    return (address as AddressInfo).port;
  }

  /** Base URL to reach this server from the same host, e.g. `http://127.0.0.1:8080`. Throws before start. */
  get url(): string {
    const host = this.options.config.HTTP_HOST;
    const reachable = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
    return `http://${reachable}:${this.port}`;
  }

  /** The REST route table (for tests and tooling). Throws before start. */
  get routes(): readonly ApiRoute[] {
    if (!this.running) throw new Error('web server is not running');
    return this.running.routes;
  }

  /** The express application (tests inspect its router against the OpenAPI document). Throws before start. */
  get app(): Express {
    if (!this.running) throw new Error('web server is not running');
    return this.running.app;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const { config, stores, sites } = this.options;
    const startedAt = this.clock();
    const siteState = new SiteStateCache(sites);
    const sessions = new SessionManager({
      registry: stores.registry,
      ttlMs: config.SESSION_TTL_HOURS * 3600 * 1000,
      clock: this.clock,
      ...(this.options.sessionCacheMs === undefined ? {} : { cacheTtlMs: this.options.sessionCacheMs }),
    });
    const credentials = new CredentialChecker(stores.registry);
    await credentials.prepare();
    await this.warm(siteState);

    const gateway = new SocketGateway({
      sessions,
      logger: this.log,
      metrics: this.metricSet,
      clock: this.clock,
      siteLocation: (siteId) => sites.get(siteId),
      originPolicy: { publicUrl: config.PUBLIC_URL },
      securityMetrics: this.securityMetricSet,
      ...(this.options.maxQueuedSocketPackets === undefined ? {} : { maxQueuedPackets: this.options.maxQueuedSocketPackets }),
      ...(this.options.socketStallMs === undefined ? {} : { stallMs: this.options.socketStallMs }),
    });
    const readingRate = new ReadingRate(this.clock);
    const live = new LiveStream({
      mqttUrl: this.options.mqttUrl,
      serviceToken: this.options.serviceToken,
      logger: this.log,
      cache: siteState,
      sink: {
        reading: (reading) => {
          readingRate.record();
          gateway.reading(reading);
        },
        siteStatus: (status) => gateway.siteStatus(status),
        alert: (change) => gateway.alert(change),
      },
      metrics: this.metricSet,
      onSubscribed: () => {
        if (this.running) void this.warm(siteState);
      },
      ...(this.options.mqttReconnectPeriodMs === undefined ? {} : { reconnectPeriodMs: this.options.mqttReconnectPeriodMs }),
    });
    const loginGuard = new LoginGuard(
      loginGuardSettings({ ...this.options.loginGuard, ip: { ...this.options.loginRateLimit, ...this.options.loginGuard?.ip } }),
      this.clock,
    );
    const audit = new AuditLog({ registry: stores.registry, logger: this.log, clock: this.clock, metrics: this.securityMetricSet });
    const ctx: WebContext = {
      config,
      logger: this.log,
      registry: this.options.metrics,
      stores,
      sites,
      siteState,
      sessions,
      credentials,
      cookie: { secure: config.COOKIE_SECURE, maxAgeMs: sessions.ttlMs },
      loginGuard,
      audit,
      securityMetrics: this.securityMetricSet,
      health: () =>
        checkHealth({ stores, mqttConnected: () => live.connected, version: this.options.version, startedAt, clock: this.clock }),
      version: this.options.version,
      clock: this.clock,
      readingRate,
      notifications: this.options.notifications ?? stores.notifications,
      alerts: this.options.alerts ?? stores.alerts,
    };
    const routes = routeTable(ctx);
    const app = createWebApp({
      ctx,
      routes,
      metrics: this.metricSet,
      appDir: this.options.appDir,
      csp: {
        mapTileUrl: config.MAP_TILE_URL,
        snapshotUrls: sites.sites.flatMap((site) => (site.snapshotUrl ? [site.snapshotUrl] : [])),
        currentSnapshotUrls: snapshotUrlsOf(sites),
        https: config.PUBLIC_URL.startsWith('https:'),
      },
    });
    const server = http.createServer(app);
    server.on('clientError', (error, socket) => {
      this.log.debug({ err: error }, 'malformed HTTP request');
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    gateway.attach(server);
    try {
      await listen(server, config.HTTP_PORT, config.HTTP_HOST);
    } catch (error) {
      await gateway.close();
      throw error;
    }
    live.start();
    const auditRetentionMs = config.AUDIT_RETENTION_DAYS * 24 * 3600 * 1000;
    const purgeTimer = setInterval(() => {
      sessions.purgeExpired().catch((error: unknown) => this.log.warn({ err: error }, 'purging expired sessions failed'));
      void audit.purge(auditRetentionMs);
    }, SESSION_PURGE_INTERVAL_MS);
    purgeTimer.unref();
    this.running = { server, gateway, live, purgeTimer, routes, app };
    this.log.info({ url: this.url, publicUrl: config.PUBLIC_URL }, 'web server listening');
  }

  async stop(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    if (!running) return;
    clearInterval(running.purgeTimer);
    await running.live.stop();
    const grace = setTimeout(() => running.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    grace.unref();
    try {
      await running.gateway.close();
    } finally {
      clearTimeout(grace);
      running.server.closeAllConnections();
    }
  }

  /** Merges the store's latest values and statuses into the cache; a failure is logged, not thrown. */
  private async warm(siteState: SiteStateCache): Promise<void> {
    try {
      const [latest, statuses] = await Promise.all([
        this.options.stores.telemetry.latestValues(),
        this.options.stores.registry.listSiteStatuses(),
      ]);
      siteState.warm(latest, statuses);
    } catch (error) {
      this.log.warn({ err: error }, 'could not load the latest site state from the store; serving live data only');
    }
  }
}

/** The snapshot URLs of the directory's sites, as the same array until the site list changes. */
function snapshotUrlsOf(sites: SiteDirectory): () => readonly string[] {
  let memo: { sites: readonly Site[]; urls: readonly string[] } | undefined;
  return () => {
    const current = sites.sites;
    if (memo?.sites !== current) memo = { sites: current, urls: current.flatMap((site) => (site.snapshotUrl ? [site.snapshotUrl] : [])) };
    return memo.urls;
  };
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
