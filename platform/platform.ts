/**
 * The whole platform in one process (`npm start`): the stores (STORE), the broker, ingest with its
 * internal data API, the web server and — with SIMULATE=true — the demo simulators. The parts talk
 * over MQTT exactly as they do when run as separate processes, so both modes run the same code.
 */
import path from 'node:path';
import type { AlertEngine } from '../alerting/alert-engine.js';
import { createAlertEngine } from '../alerting/alerting-from-config.js';
import type { Notifier } from '../alerting/notifications/notifier.js';
import { createNotifier } from '../alerting/notifications/notifier-from-config.js';
import { loadRuleSeeds, NO_RULE_SEEDS, type RuleSeeds } from '../alerting/rules/rule-seeds.js';
import { IocBroker } from '../broker/broker.js';
import type { Health } from '../common/api.js';
import type { Site } from '../common/sites.js';
import { ingestHealth } from '../ingest/ingest-health.js';
import { IngestService } from '../ingest/ingest-service.js';
import { spoolSettings } from '../ingest/spool/spool-settings.js';
import { DemoSimulator } from '../simulators/demo-simulator.js';
import { WebServer } from '../web/server/web-server.js';
import { AdminBootstrap } from './admin-bootstrap.js';
import type { Config } from './config/config.js';
import { InternalHttpServer } from './http/internal-server.js';
import { type Component, startAll, stopAll } from './lifecycle.js';
import type { Logger } from './logger.js';
import { createMetricsRegistry, type Registry } from './observability.js';
import { resolveServiceToken } from './security/service-credentials.js';
import { loadSiteSeeds } from './seeds.js';
import { SiteDirectory } from './sites/site-directory.js';
import type { DuckDbDataStores } from './store/duckdb/duckdb-data-stores.js';
import type { InfluxDataStores } from './store/influx/influx-data-stores.js';
import { createDataApiRouter } from './store/remote/data-api-router.js';
import { selectDataStores } from './store/select-data-stores.js';
import { PLATFORM_VERSION } from './version.js';

export interface PlatformOptions {
  readonly config: Config;
  readonly logger: Logger;
  /** Built browser app; default dist/app next to the sources. */
  readonly appDir?: string;
  /** Metrics registry; a fresh one by default. */
  readonly metrics?: Registry;
}

/** All parts of the platform as one component; `webUrl` and `mqttUrl` are valid after start(). */
export class Platform implements Component {
  readonly name = 'platform';
  /** STORE=embedded: everything in DuckDB; STORE=influx: readings on InfluxDB, the rest in DuckDB. */
  readonly stores: DuckDbDataStores | InfluxDataStores;
  readonly sites: SiteDirectory;
  readonly broker: IocBroker;
  readonly ingest: IngestService;
  readonly web: WebServer;
  /** Rules, alerts and their lifecycle (alerting/); its changes feed the notifier and MQTT `alerts/{siteId}`. */
  readonly alerting: AlertEngine;
  /** Subscriptions, the notification outbox and escalation (alerting/notifications). */
  readonly notifier: Notifier;
  readonly simulator: DemoSimulator | undefined;
  private readonly components: readonly Component[];
  private started: readonly Component[] = [];

  constructor(
    private readonly options: PlatformOptions & {
      readonly seeds: readonly Site[];
      /** Validated seeds/rules; none by default. */
      readonly ruleSeeds?: RuleSeeds;
      readonly serviceToken: string;
      readonly metrics: Registry;
    },
  ) {
    const { config, logger, metrics, seeds, serviceToken } = options;
    const child = (module: string) => logger.child({ module });
    this.stores = selectDataStores({ config, sites: () => this.sites, logger: child('store'), metrics });
    this.sites = new SiteDirectory({ registry: this.stores.registry, seeds, applySeeds: true, logger: child('sites') });
    const sites = this.sites;
    this.broker = new IocBroker({
      host: config.MQTT_HOST,
      port: config.MQTT_PORT,
      maxPayloadBytes: config.MAX_PAYLOAD_BYTES,
      maxDeviceConnections: config.MQTT_MAX_CONNECTIONS,
      maxInflightPackets: config.MQTT_MAX_INFLIGHT_PACKETS,
      devicePublishRate: config.DEVICE_PUBLISH_RATE,
      devicePublishBurst: config.DEVICE_PUBLISH_BURST,
      logger: child('broker'),
      metrics,
      credentials: this.stores.registry,
      serviceToken,
    });
    const mqttUrl = () => this.broker.url;
    const database = 'embedded' in this.stores ? this.stores.embedded.database : this.stores.database;
    this.alerting = createAlertEngine({
      database,
      stores: this.stores,
      sites,
      seeds: options.ruleSeeds ?? NO_RULE_SEEDS,
      mqttUrl,
      serviceToken,
      logger: child('alerting'),
      metrics,
    });
    this.notifier = createNotifier({
      config,
      database,
      sites,
      logger: child('notifier'),
      metrics,
      source: this.alerting,
    });
    this.ingest = new IngestService({
      mqttUrl,
      serviceToken,
      stores: this.stores,
      sites,
      logger: child('ingest'),
      metrics,
      maxPayloadBytes: config.MAX_PAYLOAD_BYTES,
      retentionDays: config.RETENTION_DAYS,
      spool: spoolSettings(config),
      observer: this.alerting,
    });
    const dataApi = new InternalHttpServer({
      name: 'ingest-http',
      host: config.INGEST_HTTP_HOST,
      port: config.INGEST_HTTP_PORT,
      logger: child('ingest-http'),
      metrics,
      health: () => this.health(),
      routers: [
        {
          path: '/internal/data',
          router: createDataApiRouter({
            stores: this.stores,
            serviceToken,
            logger: child('data-api'),
            notifications: this.notifier.store,
            alerts: this.alerting,
          }),
        },
      ],
    });
    this.web = new WebServer({
      config,
      logger: child('web'),
      metrics,
      stores: this.stores,
      sites,
      mqttUrl,
      serviceToken,
      appDir: options.appDir ?? path.resolve('dist/app'),
      version: PLATFORM_VERSION,
      notifications: this.notifier.store,
      alerts: this.alerting,
    });
    this.simulator = config.SIMULATE
      ? new DemoSimulator({
          sites: sites.sites,
          mqttUrl,
          serviceToken,
          logger: child('simulators'),
          snapshotServer: { host: config.SIM_SNAPSHOT_HOST, port: config.SIM_SNAPSHOT_PORT },
        })
      : undefined;
    this.components = [
      this.stores,
      this.sites,
      new AdminBootstrap({ registry: this.stores.registry, config, logger: child('bootstrap') }),
      this.alerting,
      this.notifier,
      this.broker,
      this.ingest,
      dataApi,
      this.web,
      ...(this.simulator ? [this.simulator] : []),
    ];
  }

  /** The web server's base URL (the map), e.g. http://127.0.0.1:8080. */
  get webUrl(): string {
    return this.web.url;
  }

  /** The broker's URL for MQTT clients, e.g. mqtt://127.0.0.1:1883. */
  get mqttUrl(): string {
    return this.broker.url;
  }

  async start(): Promise<void> {
    await startAll(this.components, this.options.logger);
    this.started = this.components;
  }

  async stop(): Promise<void> {
    const started = this.started;
    this.started = [];
    await stopAll(started, this.options.logger);
  }

  private async health(): Promise<Health> {
    return ingestHealth(this.ingest, this.stores);
  }
}

/**
 * Prepares the platform: validates the seeds — sites and rules — (throws SeedError listing every problem) and
 * resolves the internal service token (generated into DATA_DIR on first start when unset).
 */
export async function createPlatform(options: PlatformOptions): Promise<Platform> {
  const seeds = await loadSiteSeeds(options.config.seedsDir);
  const ruleSeeds = await loadRuleSeeds(options.config.seedsDir);
  const serviceToken = await resolveServiceToken(options.config);
  return new Platform({ ...options, seeds, ruleSeeds, serviceToken, metrics: options.metrics ?? createMetricsRegistry('platform') });
}
