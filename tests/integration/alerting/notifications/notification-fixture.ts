/**
 * Real parts for notifier tests: a DuckDB file in a temp dir, the site directory, the notifier
 * with its real channels, a local HTTP receiver (webhooks, gateway) and a local SMTP sink
 * (smtp-server). The notifier's clock is a variable the test moves.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import { Registry } from 'prom-client';
import { SMTPServer } from 'smtp-server';
import { channelsFromConfig } from '../../../../alerting/notifications/channels-from-config.js';
import type { EscalationSettings } from '../../../../alerting/notifications/escalation.js';
import { Notifier } from '../../../../alerting/notifications/notifier.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../../../../alerting/notifications/retry-policy.js';
import type { Site } from '../../../../common/sites.js';
import { loadConfig } from '../../../../platform/config/config.js';
import { silentLogger } from '../../../../platform/logger.js';
import { SiteDirectory } from '../../../../platform/sites/site-directory.js';
import { DuckDbDataStores } from '../../../../platform/store/duckdb/duckdb-data-stores.js';
import { makeTempDir } from '../../../support/test-config.js';
import { SITES, T0 } from '../../../unit/alerting/notifications/alert-fixtures.js';

export const WEBHOOK_SECRET = 'integration-test-webhook-secret-0123456789';
export const PUBLIC_URL = 'http://ioc.test';

/** One request the receiver got. */
export interface ReceivedRequest {
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/**
 * A local HTTP server that records requests and answers each with what `respond` says: a status,
 * or `hold` to keep the request open until {@link HttpReceiver.release}.
 */
export class HttpReceiver {
  readonly requests: ReceivedRequest[] = [];
  respond: (request: ReceivedRequest) => number | 'hold' = () => 200;
  private readonly held: http.ServerResponse[] = [];
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      this.requests.push(request);
      const answer = this.respond(request);
      if (answer === 'hold') this.held.push(res);
      else res.writeHead(answer).end();
    });
  });

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  url(pathname: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${pathname}`;
  }

  /** Requests currently held open. */
  get heldCount(): number {
    return this.held.filter((res) => !res.writableEnded).length;
  }

  /** Answers every held request with `status`. */
  release(status: number): void {
    for (const res of this.held.splice(0)) if (!res.writableEnded) res.writeHead(status).end();
  }

  async stop(): Promise<void> {
    this.release(503);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A local SMTP server (no TLS, no auth) that parses every message it accepts. */
export class SmtpSink {
  readonly messages: ParsedMail[] = [];
  readonly envelopes: string[][] = [];
  private readonly server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData: (stream, session, callback) => {
      simpleParser(stream)
        .then((mail) => {
          this.messages.push(mail);
          this.envelopes.push(session.envelope.rcptTo.map((address) => address.address));
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
  }

  get url(): string {
    return `smtp://127.0.0.1:${(this.server.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export interface NotifierFixtureOptions {
  readonly smtpUrl?: string;
  readonly gatewayUrl?: string;
  readonly gatewayBody?: string;
  readonly webhookSecret?: string;
  readonly escalation?: EscalationSettings;
  readonly retry?: Partial<RetryPolicy>;
  /** Sites of the deployment (default: the seeds plus a former Sóc Trăng site, now Cần Thơ too). */
  readonly seeds?: readonly Site[];
}

/** Seeded sites plus ST-WQ-01 (former Sóc Trăng, now Cần Thơ like Hậu Giang). */
export async function deploymentSites(): Promise<Site[]> {
  const { loadSiteSeeds } = await import('../../../../platform/seeds.js');
  return [...(await loadSiteSeeds(path.resolve('seeds'))), SITES.socTrang];
}

/** The notifier on a real database; `restart()` reopens everything on the same file. */
export class NotifierFixture {
  /** The notifier's clock, epoch ms; tests move it. */
  now = T0;
  metrics = new Registry();
  private parts: { stores: DuckDbDataStores; sites: SiteDirectory; notifier: Notifier } | undefined;
  private readonly temp = makeTempDir('mekong-ioc-notify-');

  constructor(
    private readonly options: NotifierFixtureOptions,
    private readonly seeds: readonly Site[],
  ) {}

  static async start(options: NotifierFixtureOptions = {}): Promise<NotifierFixture> {
    const fixture = new NotifierFixture(options, options.seeds ?? (await deploymentSites()));
    await fixture.open();
    return fixture;
  }

  get stores(): DuckDbDataStores {
    return this.running.stores;
  }

  get sites(): SiteDirectory {
    return this.running.sites;
  }

  get notifier(): Notifier {
    return this.running.notifier;
  }

  private get running(): { stores: DuckDbDataStores; sites: SiteDirectory; notifier: Notifier } {
    if (!this.parts) throw new Error('notifier fixture is not open');
    return this.parts;
  }

  private async open(): Promise<void> {
    const logger = silentLogger();
    this.metrics = new Registry();
    const stores = new DuckDbDataStores({ file: path.join(this.temp.dir, 'ioc.duckdb'), logger, metrics: this.metrics });
    await stores.start();
    const sites = new SiteDirectory({ registry: stores.registry, seeds: this.seeds, applySeeds: true, logger });
    await sites.start();
    const { options } = this;
    const config = loadConfig({
      ...(options.smtpUrl ? { SMTP_URL: options.smtpUrl } : {}),
      SMTP_FROM: 'Mekong IOC <ioc@ioc.test>',
      NOTIFY_WEBHOOK_SECRET: options.webhookSecret ?? WEBHOOK_SECRET,
      ...(options.gatewayUrl ? { NOTIFY_GATEWAY_URL: options.gatewayUrl } : {}),
      ...(options.gatewayBody ? { NOTIFY_GATEWAY_BODY: options.gatewayBody } : {}),
    });
    const notifier = new Notifier({
      database: stores.database,
      sites,
      channels: channelsFromConfig(config, () => this.now),
      publicUrl: PUBLIC_URL,
      escalation: options.escalation ?? { reminderIntervalMs: 15 * 60_000, escalateAfterMs: 30 * 60_000 },
      retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
      logger,
      metrics: this.metrics,
      clock: () => this.now,
      random: () => 0.5,
      pollIntervalMs: 50,
    });
    await notifier.start();
    this.parts = { stores, sites, notifier };
  }

  /** Stops the notifier and the store, then opens both again on the same file. */
  async restart(): Promise<void> {
    await this.close();
    await this.open();
  }

  async close(): Promise<void> {
    const parts = this.parts;
    this.parts = undefined;
    if (!parts) return;
    await parts.notifier.stop();
    await parts.sites.stop();
    await parts.stores.stop();
  }

  async dispose(): Promise<void> {
    await this.close();
    this.temp.cleanup();
  }

  /** A metric sample's value, or 0. */
  async metric(name: string, labels: Record<string, string>): Promise<number> {
    const metric = (await this.metrics.getMetricsAsJSON()).find((entry) => entry.name === name);
    const sample = metric?.values.find((value) => Object.entries(labels).every(([key, wanted]) => value.labels[key] === wanted));
    return sample?.value ?? 0;
  }
}
