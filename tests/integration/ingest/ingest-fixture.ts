/**
 * Real parts for ingest's integration tests: the platform's IocBroker on an ephemeral port, a
 * DuckDB store in a temp directory, an IngestService, and real mqtt.js clients (devices, the
 * simulator service to publish for arbitrary sites, a web-like observer of the platform topics).
 */
import path from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { Registry } from 'prom-client';
import { IocBroker } from '../../../broker/broker.js';
import type { Site } from '../../../common/sites.js';
import { topicFilters } from '../../../common/topics.js';
import { IngestService, type IngestServiceOptions } from '../../../ingest/ingest-service.js';
import { silentLogger } from '../../../platform/logger.js';
import { issueDeviceToken } from '../../../platform/security/device-tokens.js';
import { SERVICE_USERS } from '../../../platform/security/service-credentials.js';
import { SiteCatalog } from '../../../platform/seeds.js';
import { DuckDbDataStores } from '../../../platform/store/duckdb/duckdb-data-stores.js';
import type { DataStores } from '../../../platform/store/types.js';
import { makeTempDir } from '../../support/test-config.js';
import { waitFor } from '../../support/wait.js';

export const SERVICE_TOKEN = 'ingest-test-service-token-0123456789';
/** Ingest's payload limit in these tests; the broker allows more so ingest's own check is reached. */
export const INGEST_MAX_PAYLOAD = 4096;

const site = (id: string, kind: Site['kind']): Site => ({
  id,
  name: id,
  kind,
  lat: 10,
  lon: 105,
  province: { former: 'Kiên Giang', current: 'An Giang' },
  reportingIntervalSec: 60,
  ...(kind === 'camera' ? { snapshotUrl: `http://127.0.0.1/${id}.jpg` } : {}),
});

export const SITES = [site('KG-WQ-01', 'water-quality'), site('KG-SAL-01', 'salinity'), site('KG-CAM-01', 'camera')];

export interface Received {
  readonly topic: string;
  readonly payload: string;
}

/** A connected mqtt.js client and everything it received. */
export interface Client {
  readonly mqtt: MqttClient;
  readonly received: Received[];
}

export class IngestFixture {
  readonly metrics = new Registry();
  readonly temp = makeTempDir('mekong-ioc-ingest-');
  readonly stores: DuckDbDataStores;
  readonly broker: IocBroker;
  readonly sites = new SiteCatalog(SITES);
  readonly ingests: IngestService[] = [];
  private readonly clients: MqttClient[] = [];

  constructor() {
    this.stores = new DuckDbDataStores({ file: path.join(this.temp.dir, 'ingest.duckdb'), logger: silentLogger(), metrics: this.metrics });
    this.broker = new IocBroker({
      host: '127.0.0.1',
      port: 0,
      maxPayloadBytes: 1024 * 1024,
      logger: silentLogger(),
      metrics: this.metrics,
      credentials: this.stores.registry,
      serviceToken: SERVICE_TOKEN,
    });
  }

  async start(): Promise<this> {
    await this.stores.start();
    await this.broker.start();
    return this;
  }

  /** A new (not started) ingest on this broker and store. */
  createIngest(overrides: Partial<IngestServiceOptions> = {}): IngestService {
    const ingest = new IngestService({
      mqttUrl: () => this.broker.url,
      serviceToken: SERVICE_TOKEN,
      stores: this.stores,
      sites: this.sites,
      logger: silentLogger(),
      metrics: this.metrics,
      maxPayloadBytes: INGEST_MAX_PAYLOAD,
      retentionDays: 90,
      spool: { dir: path.join(this.temp.dir, 'spool') },
      ...overrides,
      tuning: { batchIntervalMs: 20, retryInitialMs: 20, retryMaxMs: 200, ...overrides.tuning },
    });
    this.ingests.push(ingest);
    return ingest;
  }

  async startIngest(overrides: Partial<IngestServiceOptions> = {}): Promise<IngestService> {
    const ingest = this.createIngest(overrides);
    await ingest.start();
    return ingest;
  }

  async stop(): Promise<void> {
    for (const client of this.clients) client.end(true);
    for (const ingest of this.ingests) await ingest.stop();
    await this.broker.stop();
    await this.stores.stop();
    this.temp.cleanup();
  }

  private async connect(options: IClientOptions): Promise<Client> {
    const client = mqtt.connect(this.broker.url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, ...options });
    this.clients.push(client);
    const received: Received[] = [];
    client.on('message', (topic, payload) => received.push({ topic, payload: payload.toString('utf8') }));
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    return { mqtt: client, received };
  }

  /** A device of a registered site, with a freshly issued token. */
  async device(siteId: string): Promise<Client> {
    const { token } = await issueDeviceToken(this.stores.registry, siteId, Date.now());
    return this.connect({ username: siteId, password: token, clientId: `dev-${siteId}-${this.clients.length}` });
  }

  /** The simulator service: may publish device topics of any site, registered or not. */
  simulator(): Promise<Client> {
    return this.connect({ username: SERVICE_USERS.simulator, password: SERVICE_TOKEN, clientId: `sim-${this.clients.length}` });
  }

  /** A web-like observer subscribed to everything ingest fans out. */
  async observer(): Promise<Client> {
    const client = await this.connect({ username: SERVICE_USERS.web, password: SERVICE_TOKEN, clientId: `web-${this.clients.length}` });
    await client.mqtt.subscribeAsync([topicFilters.allPlatformReadings, topicFilters.allPlatformSiteStatus], { qos: 0 });
    return client;
  }

  /** Current value of a metric series (0 when absent). */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    const metric = this.metrics.getSingleMetric(name);
    if (!metric) throw new Error(`metric ${name} is not registered`);
    const { values } = await metric.get();
    return values
      .filter((value) => Object.entries(labels).every(([key, expected]) => value.labels[key] === expected))
      .reduce((sum, value) => sum + value.value, 0);
  }

  /** Readings stored for one metric in [from, to): count and average, from the real store. */
  async storedIn(siteId: string, metric: 'do' | 'ph' | 'salinity' | 'temperature' | 'battery', from: number, to: number) {
    const series = await this.stores.telemetry.queryHistory({ siteId, metric, from, to, maxPoints: 1 });
    const count = series.points.reduce((sum, point) => sum + point.count, 0);
    const avg = series.points[0]?.avg;
    return { count, avg };
  }
}

/** Waits for a message on `topic` whose JSON satisfies `match`, and returns the parsed JSON. */
export function waitForJson<T>(client: Client, topic: string, match: (json: T) => boolean = () => true): Promise<T> {
  return waitFor(
    () => {
      for (const message of client.received) {
        if (message.topic !== topic) continue;
        const json = JSON.parse(message.payload) as T;
        if (match(json)) return json;
      }
      return undefined;
    },
    { timeoutMs: 5000, message: `message on ${topic}` },
  );
}

export type { DataStores };
