/**
 * Broker, ingest and web as three real processes, as docker-compose runs them: free loopback ports,
 * one DATA_DIR, started together (web and broker must cope with ingest coming up last) and stopped
 * with SIGTERM in reverse order.
 */
import { freePorts } from './ports.js';
import { ServiceProcess } from './service-process.js';

export const SPLIT_ADMIN_PASSWORD = 'split-admin-password';

export class SplitDeployment {
  readonly services: ServiceProcess[] = [];
  env: Record<string, string> = {};

  constructor(
    private readonly dataDir: string,
    private readonly extraEnv: Record<string, string> = {},
  ) {}

  /** The web server's base URL. */
  get webUrl(): string {
    return `http://127.0.0.1:${this.env.HTTP_PORT}`;
  }

  /** The broker's URL. */
  get mqttUrl(): string {
    return `mqtt://127.0.0.1:${this.env.MQTT_PORT}`;
  }

  /** Starts the three services and waits until each logs that it is ready. */
  async start(): Promise<void> {
    const [mqttPort, httpPort, ingestPort, brokerPort] = (await freePorts(4)) as [number, number, number, number];
    this.env = {
      DATA_DIR: this.dataDir,
      MQTT_PORT: String(mqttPort),
      HTTP_PORT: String(httpPort),
      INGEST_HTTP_PORT: String(ingestPort),
      BROKER_HTTP_PORT: String(brokerPort),
      SIMULATE: 'false',
      ADMIN_PASSWORD: SPLIT_ADMIN_PASSWORD,
      LOG_LEVEL: 'info',
      ...this.extraEnv,
    };
    const ingest = new ServiceProcess('ingest/main.ts', this.env);
    const broker = new ServiceProcess('broker/main.ts', this.env);
    const web = new ServiceProcess('web/server/main.ts', this.env);
    this.services.push(ingest, broker, web);
    for (const service of this.services) service.start();
    await Promise.all([ingest.waitForLog(/ingest ready/), broker.waitForLog(/broker ready/), web.waitForLog(/web ready/)]);
  }

  /** Stops web, broker and ingest (reverse order); resolves with their exit codes. */
  stop(): Promise<(number | null)[]> {
    return Promise.all([...this.services].reverse().map((service) => service.stop()));
  }
}
