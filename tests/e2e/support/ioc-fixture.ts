/**
 * The whole platform in one process plus a real Chromium, for the web app's end-to-end tests and
 * the browser benchmark: a temp DATA_DIR, ports 0, the built app (built on demand), and helpers
 * to log in through the form and to feed telemetry over MQTT as the simulator service (which may
 * publish for every site) — live readings and backfilled history at past timestamps.
 */
import fs from 'node:fs';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { type Browser, type BrowserContextOptions, chromium, type Page } from 'playwright-core';
import { topics } from '../../../common/topics.js';
import type { Config } from '../../../platform/config/config.js';
import { silentLogger } from '../../../platform/logger.js';
import { createPlatform, type Platform } from '../../../platform/platform.js';
import { SERVICE_USERS } from '../../../platform/security/service-credentials.js';
import { makeTempDir, testConfig } from '../../support/test-config.js';

export const repoRoot = path.resolve(import.meta.dirname, '../../..');
export const artifactsDir = path.resolve(import.meta.dirname, '../artifacts');
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/** `npm test` builds the app first; a direct `vitest run` of a file builds it when missing. */
export async function ensureAppBuilt(): Promise<void> {
  if (fs.existsSync(path.join(repoRoot, 'dist/app/index.html'))) return;
  const { build } = await import('vite');
  await build({ configFile: path.join(repoRoot, 'web/app/vite.config.ts'), logLevel: 'warn' });
}

export interface IocFixtureOptions {
  readonly chromiumPath: string;
  /** Extra environment for the test config. */
  readonly env?: Record<string, string>;
  /** Extra Chromium flags (the benchmark adds precise memory info). */
  readonly chromiumArgs?: readonly string[];
}

export interface IocFixture {
  readonly platform: Platform;
  readonly config: Config;
  readonly browser: Browser;
  readonly webUrl: string;
  /** An MQTT client authenticated as the simulator service. */
  readonly publisher: MqttClient;
  /** A page in a fresh context (Vietnam locale and time zone), with page errors collected. */
  newPage(options?: BrowserContextOptions): Promise<{ page: Page; errors: string[] }>;
  /** Logs in through the form with the admin account and waits for the operations screen. */
  login(page: Page): Promise<void>;
  /** Publishes one reading per site (QoS 1); `ts` epoch ms. */
  publish(siteId: string, values: Record<string, number>, ts?: number): Promise<void>;
  /** Publishes a backfill batch (array payload) of past readings for one site. */
  backfill(siteId: string, readings: ReadonlyArray<{ ts: number; values: Record<string, number> }>): Promise<void>;
  close(): Promise<void>;
}

export async function startIocFixture(options: IocFixtureOptions): Promise<IocFixture> {
  await ensureAppBuilt();
  const temp = makeTempDir('mekong-ioc-e2e-');
  const config = testConfig(temp.dir, { SIMULATE: 'false', ...options.env });
  const platform = await createPlatform({ config, logger: silentLogger() });
  let browser: Browser | undefined;
  let publisher: MqttClient | undefined;
  try {
    await platform.start();
    browser = await chromium.launch({ executablePath: options.chromiumPath, args: [...CHROMIUM_ARGS, ...(options.chromiumArgs ?? [])] });
    publisher = await mqtt.connectAsync(platform.mqttUrl, {
      username: SERVICE_USERS.simulator,
      password: config.SERVICE_TOKEN ?? '',
      clientId: `e2e-publisher-${process.pid}`,
      reconnectPeriod: 0,
    });
  } catch (error) {
    await publisher?.endAsync();
    await browser?.close();
    await platform.stop();
    temp.cleanup();
    throw error;
  }
  const activeBrowser = browser;
  const client = publisher;
  return {
    platform,
    config,
    browser: activeBrowser,
    webUrl: platform.webUrl,
    publisher: client,
    async newPage(contextOptions = {}) {
      const context = await activeBrowser.newContext({
        viewport: { width: 1680, height: 980 },
        locale: 'vi-VN',
        timezoneId: 'Asia/Ho_Chi_Minh',
        acceptDownloads: true,
        ...contextOptions,
      });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      return { page, errors };
    },
    async login(page) {
      await page.goto(platform.webUrl);
      await page.locator('#login-username').fill(config.ADMIN_USERNAME);
      await page.locator('#login-password').fill(config.ADMIN_PASSWORD ?? '');
      await page.locator('.login-card button[type="submit"]').click();
      await page.locator('.app-shell').waitFor({ timeout: 20_000 });
    },
    async publish(siteId, values, ts = Date.now()) {
      await client.publishAsync(topics.telemetry(siteId), JSON.stringify({ ts, values }), { qos: 1 });
    },
    async backfill(siteId, readings) {
      await client.publishAsync(topics.telemetry(siteId), JSON.stringify(readings), { qos: 1 });
    },
    async close() {
      await client.endAsync().catch(() => undefined);
      await activeBrowser.close().catch(() => undefined);
      await platform.stop();
      temp.cleanup();
    },
  };
}

/** Saves a full-page screenshot under tests/e2e/artifacts/. */
export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(artifactsDir, { recursive: true });
  await page.screenshot({ path: path.join(artifactsDir, `${name}.png`) });
}
