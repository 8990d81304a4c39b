/**
 * A real IocBroker on an ephemeral port with real mqtt.js clients, for the broker's integration
 * tests. The credential source is a tiny in-memory registry holding hashes made by the real
 * issueDeviceToken: the store is not what these tests are about.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { Registry } from 'prom-client';
import { IocBroker, type IocBrokerOptions } from '../../../broker/broker.js';
import { silentLogger } from '../../../platform/logger.js';
import { issueDeviceToken } from '../../../platform/security/device-tokens.js';
import type { DeviceCredential, RegistryStore } from '../../../platform/store/types.js';
import { waitFor } from '../../support/wait.js';

export const SERVICE_TOKEN = 'broker-test-service-token-0123456789';

/** In-memory device credentials; `unavailable` makes every lookup fail like a data service that is down. */
export class InMemoryCredentials implements Pick<RegistryStore, 'getDeviceCredential' | 'saveDeviceCredential'> {
  private readonly credentials = new Map<string, DeviceCredential>();
  unavailable = false;

  async getDeviceCredential(siteId: string): Promise<DeviceCredential | undefined> {
    if (this.unavailable) throw new Error('data service unavailable');
    return this.credentials.get(siteId);
  }

  async saveDeviceCredential(credential: DeviceCredential): Promise<void> {
    this.credentials.set(credential.siteId, credential);
  }

  /** Issues (or rotates) the site's token with the platform's real token issuing; returns the token. */
  async issue(siteId: string): Promise<string> {
    return (await issueDeviceToken(this, siteId, Date.now())).token;
  }
}

export interface ReceivedMessage {
  readonly topic: string;
  readonly payload: string;
  readonly retain: boolean;
}

/** A connected client, every message it received and every error mqtt.js reported after CONNACK. */
export interface TestClient {
  readonly mqtt: MqttClient;
  readonly received: ReceivedMessage[];
  readonly errors: Error[];
}

export class BrokerFixture {
  readonly registry = new Registry();
  readonly credentials = new InMemoryCredentials();
  readonly broker: IocBroker;
  private readonly clients: MqttClient[] = [];

  constructor(overrides: Partial<IocBrokerOptions> = {}) {
    this.broker = new IocBroker({
      host: '127.0.0.1',
      port: 0,
      maxPayloadBytes: 1024,
      logger: silentLogger(),
      metrics: this.registry,
      credentials: this.credentials,
      serviceToken: SERVICE_TOKEN,
      ...overrides,
    });
  }

  async start(): Promise<this> {
    await this.broker.start();
    return this;
  }

  /** Ends every client this fixture opened (abruptly) and stops the broker. */
  async stop(): Promise<void> {
    for (const client of this.clients) client.end(true);
    await this.broker.stop();
  }

  private open(options: IClientOptions): MqttClient {
    const client = mqtt.connect(this.broker.url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5_000, ...options });
    this.clients.push(client);
    return client;
  }

  /** Connects and resolves once CONNACK accepted the connection; rejects with mqtt.js's error otherwise. */
  connect(options: IClientOptions): Promise<TestClient> {
    const client = this.open(options);
    const received: ReceivedMessage[] = [];
    const errors: Error[] = [];
    client.on('message', (topic, payload, packet) => received.push({ topic, payload: payload.toString('utf8'), retain: packet.retain }));
    return new Promise((resolve, reject) => {
      client.once('connect', () => {
        client.on('error', (error) => errors.push(error));
        resolve({ mqtt: client, received, errors });
      });
      client.once('error', reject);
      client.once('close', () => reject(new Error('connection closed before CONNACK')));
    });
  }

  /** Connects expecting a refusal; resolves with the CONNACK return code mqtt.js reports. */
  async connectRefused(options: IClientOptions): Promise<number> {
    const error = await this.connect(options).then(
      () => {
        throw new Error('connection was accepted');
      },
      (refusal: unknown) => refusal,
    );
    if (!(error instanceof Error) || !('code' in error) || typeof error.code !== 'number') {
      throw new Error(`expected a CONNACK refusal, got ${String(error)}`);
    }
    return error.code;
  }

  connectDevice(siteId: string, token: string, options: IClientOptions = {}): Promise<TestClient> {
    return this.connect({ username: siteId, password: token, ...options });
  }

  connectService(username: string, options: IClientOptions = {}): Promise<TestClient> {
    return this.connect({ username, password: SERVICE_TOKEN, ...options });
  }

  /** Value of a broker metric (0 when the labelled series does not exist). */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    const metric = this.registry.getSingleMetric(name);
    if (!metric) throw new Error(`metric ${name} is not registered`);
    const { values } = await metric.get();
    const series = values.find((value) => Object.entries(labels).every(([key, expected]) => value.labels[key] === expected));
    return series?.value ?? 0;
  }
}

/** Subscribes and resolves with the granted QoS per filter from the SUBACK (128 = refused). */
export function subscribe(client: TestClient, filters: string[], qos: 0 | 1 = 1): Promise<number[]> {
  return new Promise((resolve, reject) => {
    client.mqtt.subscribe(filters, { qos }, (error, granted, packet) => {
      const codes = packet?.granted ?? granted?.map((grant) => grant.qos);
      if (codes) resolve(codes.map(Number));
      else reject(error ?? new Error('SUBACK carried no return codes'));
    });
  });
}

/**
 * Publishes and resolves when the broker acknowledged it (PUBACK for QoS 1); rejects at once if the
 * broker closes the connection instead.
 */
export async function publish(
  client: TestClient,
  topic: string,
  payload: string | Buffer,
  options: { qos?: 0 | 1; retain?: boolean } = {},
): Promise<void> {
  let onClose = () => {};
  const closed = new Promise<never>((_resolve, reject) => {
    onClose = () => reject(new Error(`connection closed before ${topic} was acknowledged`));
    client.mqtt.once('close', onClose);
  });
  try {
    await Promise.race([client.mqtt.publishAsync(topic, payload, { qos: options.qos ?? 1, retain: options.retain ?? false }), closed]);
  } finally {
    client.mqtt.off('close', onClose);
  }
}

/** Waits until `client` received a message on `topic` (with `payload`, when given) and returns it. */
export function waitForMessage(client: TestClient, topic: string, payload?: string): Promise<ReceivedMessage> {
  return waitFor(() => client.received.find((m) => m.topic === topic && (payload === undefined || m.payload === payload)), {
    timeoutMs: 5_000,
    message: `message on ${topic}`,
  });
}
