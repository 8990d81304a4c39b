/**
 * Real parts for the adversarial tests: the platform's IocBroker on an ephemeral port whose device
 * credentials come from a real DuckDB registry in a temp dir, the site directory over it, and real
 * mqtt.js clients. Connections are opened without automatic reconnect, so every refusal and every
 * close the broker decides is observed exactly once.
 */
import path from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { Registry } from 'prom-client';
import { IocBroker, type IocBrokerOptions } from '../../../broker/broker.js';
import type { Site } from '../../../common/sites.js';
import { silentLogger } from '../../../platform/logger.js';
import { issueDeviceToken } from '../../../platform/security/device-tokens.js';
import { SiteDirectory } from '../../../platform/sites/site-directory.js';
import { DuckDbDataStores } from '../../../platform/store/duckdb/duckdb-data-stores.js';
import { makeTempDir } from '../../support/test-config.js';
import { waitFor } from '../../support/wait.js';

export const SERVICE_TOKEN = 'security-test-service-token-0123456789';

/** A water-quality site with the given id. */
export function testSite(id: string): Site {
  return {
    id,
    name: id,
    kind: 'water-quality',
    lat: 10,
    lon: 105,
    province: { former: 'Hậu Giang', current: 'Cần Thơ' },
    reportingIntervalSec: 60,
  };
}

export interface Received {
  readonly topic: string;
  readonly payload: string;
}

/** A connected client, what it received, and whether the broker closed it. */
export interface TestClient {
  readonly mqtt: MqttClient;
  readonly received: Received[];
  /** Resolves when the connection closes. */
  readonly closed: Promise<void>;
}

/** The MQTT return code of a refused CONNECT, as mqtt.js reports it. */
export function refusalCode(error: unknown): number {
  if (error instanceof Error && 'code' in error && typeof error.code === 'number') return error.code;
  throw new Error(`expected a CONNACK refusal, got ${String(error)}`);
}

/** Real mqtt.js connections to a broker, without automatic reconnect; {@link endAll} closes them. */
export class MqttClients {
  private readonly clients: MqttClient[] = [];

  constructor(private readonly url: () => string) {}

  /** Connects and resolves on CONNACK 0; rejects with mqtt.js's error (see {@link refusalCode}) otherwise. */
  connect(options: IClientOptions): Promise<TestClient> {
    const client = mqtt.connect(this.url(), { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 10_000, ...options });
    this.clients.push(client);
    const received: Received[] = [];
    client.on('message', (topic, payload) => received.push({ topic, payload: payload.toString('utf8') }));
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    return new Promise((resolve, reject) => {
      client.once('connect', () => {
        client.on('error', () => {});
        resolve({ mqtt: client, received, closed });
      });
      client.once('error', reject);
      client.once('close', () => reject(new Error('connection closed before CONNACK')));
    });
  }

  /** Connects expecting a refusal; resolves with the CONNACK return code. */
  async connectRefused(options: IClientOptions): Promise<number> {
    const error = await this.connect(options).then(
      () => new Error('connection was accepted'),
      (refusal: unknown) => refusal,
    );
    return refusalCode(error);
  }

  device(siteId: string, token: string, options: IClientOptions = {}): Promise<TestClient> {
    return this.connect({ username: siteId, password: token, clientId: `dev-${siteId}-${this.clients.length}`, ...options });
  }

  service(username: string, options: IClientOptions = {}): Promise<TestClient> {
    return this.connect({ username, password: SERVICE_TOKEN, clientId: `svc-${this.clients.length}`, ...options });
  }

  /** Ends every connection opened here, abruptly. */
  endAll(): void {
    for (const client of this.clients) client.end(true);
    this.clients.length = 0;
  }
}

export interface SecurityFixtureOptions {
  readonly siteIds: readonly string[];
  readonly broker?: Partial<IocBrokerOptions>;
}

export class SecurityFixture {
  readonly metrics = new Registry();
  readonly temp = makeTempDir('mekong-ioc-security-');
  readonly stores: DuckDbDataStores;
  readonly sites: SiteDirectory;
  readonly broker: IocBroker;
  readonly clients = new MqttClients(() => this.broker.url);

  constructor(options: SecurityFixtureOptions) {
    this.stores = new DuckDbDataStores({
      file: path.join(this.temp.dir, 'security.duckdb'),
      logger: silentLogger(),
      metrics: this.metrics,
    });
    this.sites = new SiteDirectory({
      registry: this.stores.registry,
      seeds: options.siteIds.map(testSite),
      applySeeds: true,
      logger: silentLogger(),
    });
    this.broker = new IocBroker({
      host: '127.0.0.1',
      port: 0,
      maxPayloadBytes: 4096,
      logger: silentLogger(),
      metrics: this.metrics,
      credentials: this.stores.registry,
      serviceToken: SERVICE_TOKEN,
      deviceAccessPollMs: 50,
      ...options.broker,
    });
  }

  async start(): Promise<this> {
    await this.stores.start();
    await this.sites.start();
    await this.broker.start();
    return this;
  }

  async stop(): Promise<void> {
    this.clients.endAll();
    await this.broker.stop();
    await this.sites.stop();
    await this.stores.stop();
    this.temp.cleanup();
  }

  /** Issues (or rotates) a site's token through the platform's real issuing; returns the token. */
  async issue(siteId: string, options: { graceMs?: number; nowMs?: number } = {}): Promise<string> {
    const issued = await issueDeviceToken(this.stores.registry, siteId, options.nowMs ?? Date.now(), { graceMs: options.graceMs ?? 0 });
    return issued.token;
  }

  connect(options: IClientOptions): Promise<TestClient> {
    return this.clients.connect(options);
  }

  connectRefused(options: IClientOptions): Promise<number> {
    return this.clients.connectRefused(options);
  }

  device(siteId: string, token: string, options: IClientOptions = {}): Promise<TestClient> {
    return this.clients.device(siteId, token, options);
  }

  service(username: string, options: IClientOptions = {}): Promise<TestClient> {
    return this.clients.service(username, options);
  }

  /** Value of a metric series (0 when absent); sums over series when labels leave some open. */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    const metric = this.metrics.getSingleMetric(name);
    if (!metric) throw new Error(`metric ${name} is not registered`);
    const { values } = await metric.get();
    return values
      .filter((value) => Object.entries(labels).every(([key, expected]) => value.labels[key] === expected))
      .reduce((sum, value) => sum + value.value, 0);
  }
}

/** Waits until `client` received a message on `topic` (with `payload`, when given). */
export function waitForMessage(client: TestClient, topic: string, payload?: string): Promise<Received> {
  return waitFor(() => client.received.find((m) => m.topic === topic && (payload === undefined || m.payload === payload)), {
    timeoutMs: 10_000,
    message: `message on ${topic}`,
  });
}
