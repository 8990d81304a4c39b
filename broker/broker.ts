/**
 * The platform's MQTT broker: Aedes over TCP with device and service authentication, a per-site
 * ACL, a payload size limit and Prometheus metrics. Each concern has its own handler file
 * (authenticate.ts, authorize-publish.ts, authorize-subscribe.ts); this file wires them to Aedes and
 * a TCP server and owns their lifecycle.
 *
 * Hardening against hostile devices (docs/security.md): a packet size cap before buffering
 * (packet-size-guard.ts), per-site publish rate limits (publish-rate-limiter.ts), a cap on device
 * connections and on TCP sockets, token rotation with a grace period, and disabled sites, whose
 * open connections the access poll closes (device-access-watcher.ts, device-sessions.ts).
 */
import type { EventEmitter } from 'node:events';
import net from 'node:net';
import type { Client } from 'aedes';
import { AppError } from '../platform/errors.js';
import type { Component } from '../platform/lifecycle.js';
import type { Logger } from '../platform/logger.js';
import type { Registry } from '../platform/observability.js';
import type { RegistryStore } from '../platform/store/types.js';
import { AckAndDropAedes } from './ack-and-drop-aedes.js';
import { Acl } from './acl.js';
import { createAuthenticate } from './authenticate.js';
import { createAuthorizePublish } from './authorize-publish.js';
import { createAuthorizeSubscribe } from './authorize-subscribe.js';
import { BrokerMetrics } from './broker-metrics.js';
import { ClientIdGuard } from './client-id-guard.js';
import { ClientIdentities } from './client-identity.js';
import { DeviceAccessWatcher } from './device-access-watcher.js';
import { DeviceSessions } from './device-sessions.js';
import { InflightReadGate } from './inflight-read-gate.js';
import { effectiveConnectionCap, FILE_DESCRIPTOR_RESERVE, openFileSoftLimit } from './open-file-limit.js';
import { guardPacketSize, maxPacketBytes } from './packet-size-guard.js';
import { PublishRateLimiter } from './publish-rate-limiter.js';
import { ThrottledWarnings } from './throttled-warnings.js';
import { sha256, VerifiedTokenCache } from './verified-token-cache.js';

export interface IocBrokerOptions {
  /** Interface to listen on, e.g. `0.0.0.0` (all IPv4), `::`, or `127.0.0.1`. */
  readonly host: string;
  /** TCP port for MQTT; 0 picks a free port (read it back from {@link IocBroker.port}). */
  readonly port: number;
  /** Largest accepted PUBLISH payload, bytes; larger ones are dropped and counted. */
  readonly maxPayloadBytes: number;
  readonly logger: Logger;
  /** Registry the `ioc_broker_*` metrics are registered on while the broker runs. */
  readonly metrics: Registry;
  /**
   * Where device token hashes come from (the embedded store, or ingest's data API in split mode).
   * With `deviceAccessChanges` the broker polls it to disconnect disabled sites and tokens whose
   * rotation grace ended; without it, those changes apply at the next connect only.
   */
  readonly credentials: Pick<RegistryStore, 'getDeviceCredential'> & Partial<Pick<RegistryStore, 'deviceAccessChanges'>>;
  /** Shared secret of the internal services (their MQTT password). */
  readonly serviceToken: string;
  /** Sites whose verified token is remembered to skip scrypt on reconnect; default 50,000. */
  readonly credentialCacheSize?: number;
  /** Open device connections at most (MQTT_MAX_CONNECTIONS); beyond it CONNACK 3. Default 20,000. */
  readonly maxDeviceConnections?: number;
  /** Messages per second one site's devices may sustain (DEVICE_PUBLISH_RATE); default 10. */
  readonly devicePublishRate?: number;
  /** Messages one site may send at once above its rate (DEVICE_PUBLISH_BURST); default 600. */
  readonly devicePublishBurst?: number;
  /**
   * Packets in processing over all connections at which the broker stops reading from publishers
   * until a quarter of them are handled (MQTT_MAX_INFLIGHT_PACKETS); default 20,000. Bounds memory under
   * overload (inflight-read-gate.ts).
   */
  readonly maxInflightPackets?: number;
  /** Time between polls of device access changes, ms; default 1,000. */
  readonly deviceAccessPollMs?: number;
  /** Epoch ms (token grace periods); Date.now by default. */
  readonly clock?: () => number;
}

/** Defaults of the hardening limits, as documented in .env.example. */
export const BROKER_LIMIT_DEFAULTS = {
  maxDeviceConnections: 20_000,
  devicePublishRate: 10,
  devicePublishBurst: 600,
  deviceAccessPollMs: 1_000,
  maxInflightPackets: 20_000,
} as const;

/** TCP sockets accepted beyond the device connection cap (services, CONNECTs in progress), at least. */
const MIN_SOCKET_HEADROOM = 100;

/** Minimum time between two warnings about the same misbehaving client, ms. */
const WARNING_INTERVAL_MS = 10_000;
/** How long stop() waits for Aedes to close its clients before destroying the sockets, ms. */
const CLOSE_TIMEOUT_MS = 5_000;

/** Pending TCP connections the kernel may queue for accept (reconnect storms). */
const LISTEN_BACKLOG = 8192;

/** Listen addresses that clients on this host reach through 127.0.0.1. */
const LOOPBACK_REACHABLE_HOSTS = new Set(['', '0.0.0.0', '::', '::0', '127.0.0.1', 'localhost', '::1']);

export class IocBroker implements Component {
  readonly name = 'broker';
  private readonly logger: Logger;
  private readonly brokerMetrics = new BrokerMetrics();
  private readonly identities = new ClientIdentities();
  private readonly clientIds = new ClientIdGuard();
  private readonly readGate: InflightReadGate;
  private readGateWarned = false;
  private readonly cache: VerifiedTokenCache;
  private readonly acl = new Acl();
  private readonly sessions: DeviceSessions;
  private readonly rateLimiter: PublishRateLimiter;
  private readonly clock: () => number;
  private readonly maxDeviceConnections: number;
  private readonly configuredMaxDeviceConnections: number;
  /** Soft open-file limit of the process, when known. */
  private readonly fileLimit: number | undefined;
  private watcher: DeviceAccessWatcher | undefined;
  private readonly sockets = new Set<net.Socket>();
  /** Clients counted in the connected gauge, so each is uncounted exactly once. */
  private readonly counted = new WeakSet<Client>();
  private aedes: AckAndDropAedes | undefined;
  private server: net.Server | undefined;
  private stopping: Promise<void> | undefined;
  private packetGuardWarned = false;

  constructor(private readonly options: IocBrokerOptions) {
    if (!Number.isInteger(options.maxPayloadBytes) || options.maxPayloadBytes < 1) {
      throw new RangeError(`maxPayloadBytes must be a positive integer, got ${options.maxPayloadBytes}`);
    }
    if (options.serviceToken.length === 0) throw new RangeError('serviceToken must not be empty');
    this.logger = options.logger;
    this.cache = new VerifiedTokenCache(options.credentialCacheSize ?? 50_000);
    this.clock = options.clock ?? Date.now;
    this.configuredMaxDeviceConnections = options.maxDeviceConnections ?? BROKER_LIMIT_DEFAULTS.maxDeviceConnections;
    this.fileLimit = openFileSoftLimit();
    this.maxDeviceConnections = effectiveConnectionCap(this.configuredMaxDeviceConnections, this.fileLimit);
    if (!Number.isInteger(this.maxDeviceConnections) || this.maxDeviceConnections < 1) {
      throw new RangeError(`maxDeviceConnections must be a positive integer, got ${this.maxDeviceConnections}`);
    }
    this.rateLimiter = new PublishRateLimiter({
      ratePerSec: options.devicePublishRate ?? BROKER_LIMIT_DEFAULTS.devicePublishRate,
      burst: options.devicePublishBurst ?? BROKER_LIMIT_DEFAULTS.devicePublishBurst,
    });
    const maxInflight = options.maxInflightPackets ?? BROKER_LIMIT_DEFAULTS.maxInflightPackets;
    this.readGate = new InflightReadGate({ highWater: maxInflight, lowWater: Math.floor((maxInflight * 3) / 4) });
    this.brokerMetrics.observeReadGate(this.readGate);
    this.sessions = new DeviceSessions({
      onDisconnect: (client, siteId, reason) => {
        this.brokerMetrics.disconnected(reason);
        this.logger.info({ clientId: client.id, siteId, reason }, 'device disconnected by the broker');
      },
    });
  }

  /** The bound TCP port (the real one when configured with 0). Throws before start(). */
  get port(): number {
    const address = this.server?.address();
    if (address === null || address === undefined || typeof address === 'string') {
      throw new AppError('unavailable', 'the MQTT broker is not listening; start() it first');
    }
    return address.port;
  }

  /** URL for clients on this host: loopback when listening on a wildcard address, else the address itself. */
  get url(): string {
    const host = this.options.host;
    if (LOOPBACK_REACHABLE_HOSTS.has(host)) return `mqtt://127.0.0.1:${this.port}`;
    return `mqtt://${host.includes(':') ? `[${host}]` : host}:${this.port}`;
  }

  /** Authenticated device (site) connections right now. */
  get connectedDevices(): number {
    return this.brokerMetrics.connectedCount('device');
  }

  /** Authenticated connections right now, devices and services. */
  get connectedClients(): number {
    return this.brokerMetrics.connectedCount('device') + this.brokerMetrics.connectedCount('service');
  }

  /**
   * Reads device access changes now (disabled sites, rotated tokens) instead of at the next poll;
   * resolves when they are applied. A no-op without a credential source that reports changes.
   */
  async pollDeviceAccess(): Promise<void> {
    await this.watcher?.poll();
  }

  async start(): Promise<void> {
    if (this.server || this.aedes) throw new Error('broker already started');
    if (this.stopping) await this.stopping;
    this.brokerMetrics.register(this.options.metrics);
    try {
      const aedes = this.createAedes();
      this.aedes = aedes;
      await aedes.listen();
      // TCP_NODELAY: MQTT packets are small; with Nagle's algorithm a relayed message can wait for
      // the peer's delayed ACK (~40 ms) before it leaves the broker.
      const server = net.createServer({ noDelay: true }, (socket) => this.accept(aedes, socket));
      // Sockets beyond the cap are closed on accept: idle connections cannot exhaust file descriptors.
      const headroom = Math.max(MIN_SOCKET_HEADROOM, Math.ceil(this.maxDeviceConnections / 10));
      const socketCap = this.maxDeviceConnections + headroom;
      server.maxConnections = this.fileLimit === undefined ? socketCap : Math.min(socketCap, this.fileLimit - FILE_DESCRIPTOR_RESERVE / 2);
      if (this.maxDeviceConnections < this.configuredMaxDeviceConnections) {
        this.logger.warn(
          { configured: this.configuredMaxDeviceConnections, effective: this.maxDeviceConnections, openFileLimit: this.fileLimit },
          'MQTT_MAX_CONNECTIONS lowered to stay under the open-file limit; raise `ulimit -n` to hold more devices',
        );
      }
      this.server = server;
      await listen(server, this.options.host, this.options.port);
      this.startWatcher();
      server.on('error', (error) => this.logger.error({ err: error }, 'MQTT listener error'));
      this.logger.info({ host: this.options.host, port: this.port }, 'MQTT broker listening');
    } catch (error) {
      await this.release();
      throw error;
    }
  }

  /** Stops listening, closes every client connection and Aedes. Idempotent; bounded in time. */
  stop(): Promise<void> {
    if (!this.server && !this.aedes) return this.stopping ?? Promise.resolve();
    this.stopping ??= this.release().finally(() => {
      this.stopping = undefined;
    });
    return this.stopping;
  }

  private createAedes(): AckAndDropAedes {
    const { identities, acl, brokerMetrics: metrics, logger } = this;
    const warnings = new ThrottledWarnings(logger, WARNING_INTERVAL_MS);
    const onError = (error: unknown, client: Client | null) => logger.error({ err: error, clientId: client?.id }, 'broker handler failed');
    const aedes: AckAndDropAedes = new AckAndDropAedes({
      // No cap on messages in delivery (Aedes' default is 100). Past the cap mqemitter parks messages
      // in an array it drains with shift(), O(n) per message once the array is large: offered twice
      // what it can relay, Aedes then spends most of its time there and delivery collapses
      // (docs/performance.md, "Overload"). Memory stays bounded without the cap: Aedes reads a
      // client's next chunk only once every message of the previous one has been delivered, and the
      // read gate caps the packets in processing over all clients (inflight-read-gate.ts).
      concurrency: 0,
      authenticate: createAuthenticate({
        credentials: this.options.credentials,
        serviceTokenDigest: sha256(this.options.serviceToken),
        cache: this.cache,
        identities,
        clientIds: this.clientIds,
        metrics,
        logger,
        sessions: this.sessions,
        maxDeviceConnections: this.maxDeviceConnections,
        access: { isDisabled: (siteId) => this.watcher?.isDisabled(siteId) === true },
        clock: this.clock,
      }),
      authorizePublish: createAuthorizePublish({
        acl,
        identities,
        maxPayloadBytes: this.options.maxPayloadBytes,
        rateLimiter: this.rateLimiter,
        metrics,
        warnings,
        drop: (packet) => aedes.drop(packet),
        onError,
      }),
      authorizeSubscribe: createAuthorizeSubscribe({ acl, identities, metrics, warnings, onError }),
    });
    aedes.on('client', (client) => this.onRegistered(client));
    aedes.on('clientDisconnect', (client) => this.onUnregistered(client));
    // Routine for clients (resets, keepalive timeouts, protocol violations): debug, not alarms.
    aedes.on('clientError', (client, error) => logger.debug({ clientId: client.id, err: error }, 'client connection error'));
    aedes.on('connectionError', (_client, error) => logger.debug({ err: error }, 'connection error before CONNECT'));
    // Without a listener an 'error' event (e.g. a persistence failure) would throw and end the
    // process. Aedes' typings omit the event, hence the plain EventEmitter view.
    const emitter: EventEmitter = aedes;
    emitter.on('error', (error: unknown) => logger.error({ err: error }, 'Aedes error'));
    return aedes;
  }

  private startWatcher(): void {
    const source = this.options.credentials;
    const { deviceAccessChanges } = source;
    if (deviceAccessChanges === undefined) return;
    this.watcher = new DeviceAccessWatcher({
      source: { deviceAccessChanges: (sinceMs) => deviceAccessChanges.call(source, sinceMs) },
      sessions: this.sessions,
      cache: this.cache,
      pollMs: this.options.deviceAccessPollMs ?? BROKER_LIMIT_DEFAULTS.deviceAccessPollMs,
      logger: this.logger,
      clock: this.clock,
    });
    this.watcher.start();
  }

  private accept(aedes: AckAndDropAedes, socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    try {
      const client = aedes.handle(socket);
      const limit = maxPacketBytes(this.options.maxPayloadBytes);
      const guarded = guardPacketSize(client, socket, limit, (length) => {
        this.brokerMetrics.disconnected('packet_too_large');
        this.logger.warn(
          { clientId: client.id ?? undefined, remoteAddress: socket.remoteAddress, bytes: length, limit },
          'packet larger than any accepted message: connection closed',
        );
      });
      const gated = this.readGate.attach(client, socket, () => {
        // Publishers only: devices and the simulators. Never the platform's consumers (their
        // acknowledgements keep the pipeline moving) nor a connection still in CONNECT.
        const identity = this.identities.of(client);
        return identity !== undefined && (identity.kind === 'device' || identity.service === 'simulator');
      });
      if (!gated && !this.readGateWarned) {
        this.readGateWarned = true;
        this.logger.error('the Aedes client is not the expected version: the in-flight cap is OFF (see broker/inflight-read-gate.ts)');
      }
      if (!guarded && !this.packetGuardWarned) {
        this.packetGuardWarned = true;
        this.logger.error('the MQTT parser is not the expected version: the packet size cap is OFF (see broker/packet-size-guard.ts)');
      }
    } catch (error) {
      this.logger.error({ err: error }, 'cannot handle MQTT connection');
      socket.destroy();
    }
  }

  private onRegistered(client: Client): void {
    const identity = this.identities.of(client);
    if (identity === undefined || this.counted.has(client)) return;
    this.counted.add(client);
    this.brokerMetrics.clientConnected(identity.kind);
    this.clientIds.registered(client, identity);
    if (identity.kind === 'service') this.logger.info({ clientId: client.id, serviceUser: identity.key }, 'service connected');
  }

  private onUnregistered(client: Client): void {
    this.clientIds.unregistered(client);
    const identity = this.identities.of(client);
    if (identity === undefined || !this.counted.has(client)) return;
    this.counted.delete(client);
    this.brokerMetrics.clientDisconnected(identity.kind);
    if (identity.kind === 'service') this.logger.info({ clientId: client.id, serviceUser: identity.key }, 'service disconnected');
  }

  private async release(): Promise<void> {
    const { server, aedes, watcher } = this;
    this.server = undefined;
    this.aedes = undefined;
    this.watcher = undefined;
    await watcher?.stop();
    const serverClosed = new Promise<void>((resolve) => {
      if (server?.listening) server.close(() => resolve());
      else resolve();
    });
    if (aedes) await closeAedes(aedes, this.logger);
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await serverClosed;
    this.clientIds.clear();
    this.sessions.clear();
    this.rateLimiter.clear();
    this.brokerMetrics.unregister(this.options.metrics);
    if (server) this.logger.info('MQTT broker stopped');
  }
}

function listen(server: net.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(new Error(`MQTT broker cannot listen on ${host}:${port}: ${error.code ?? error.message}`, { cause: error }));
    };
    server.once('error', onError);
    // A reconnect storm (a cell tower or the broker coming back) arrives all at once; Node's default
    // backlog of 511 would make the rest wait for SYN retransmits (1 s, 3 s, 7 s …). The kernel caps
    // it at net.core.somaxconn.
    server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** Closes Aedes (its clients, timers and emitter), giving up after {@link CLOSE_TIMEOUT_MS}. */
function closeAedes(aedes: AckAndDropAedes, logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      logger.warn({ timeoutMs: CLOSE_TIMEOUT_MS }, 'Aedes did not close in time; destroying connections');
      resolve();
    }, CLOSE_TIMEOUT_MS);
    aedes.close(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
