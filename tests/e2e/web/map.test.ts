/**
 * The map in a real browser (Debian Chromium via playwright-core) against the whole platform in
 * one process: log in through the form (a wrong password first), see a marker for every seeded
 * site over the offline base layer, then publish readings with a real MQTT client using a device
 * token issued over REST and watch the open popup change live. Leaves a screenshot in
 * tests/e2e/artifacts/.
 */
import fs from 'node:fs';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deviceTokenResponseSchema } from '../../../common/api.js';
import { topics } from '../../../common/topics.js';
import type { Config } from '../../../platform/config/config.js';
import { silentLogger } from '../../../platform/logger.js';
import { createPlatform, type Platform } from '../../../platform/platform.js';
import { loadSiteSeeds } from '../../../platform/seeds.js';
import { ApiClient } from '../../support/api-client.js';
import { describeWithExecutable } from '../../support/system-deps.js';
import { makeTempDir, testConfig } from '../../support/test-config.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const artifactsDir = path.resolve(import.meta.dirname, '../artifacts');
/** A site alone on the map (Phú Quốc), so its marker is not fanned out next to another. */
const SITE_ID = 'KG-WQ-03';

/** `npm test` builds the app first; a direct `vitest run` of this file builds it when missing. */
async function ensureAppBuilt(): Promise<void> {
  if (fs.existsSync(path.join(repoRoot, 'dist/app/index.html'))) return;
  const { build } = await import('vite');
  await build({ configFile: path.join(repoRoot, 'web/app/vite.config.ts'), logLevel: 'warn' });
}

/** The open popup's shown value of `metric`, e.g. `4,21` (Vietnamese decimal comma). */
function popupValue(page: Page, metric: string) {
  return page.locator(`.leaflet-popup .site-popup[data-site-id="${SITE_ID}"] tr[data-metric="${metric}"] td.value`);
}

describeWithExecutable('/usr/bin/chromium', 'chromium', 'map in Chromium (e2e)', (chromiumPath) => {
  let temp: ReturnType<typeof makeTempDir> | undefined;
  let config: Config;
  let platform: Platform | undefined;
  let browser: Browser | undefined;
  let device: MqttClient | undefined;

  beforeAll(async () => {
    await ensureAppBuilt();
    temp = makeTempDir('mekong-ioc-e2e-');
    config = testConfig(temp.dir, { SIMULATE: 'false' });
    platform = await createPlatform({ config, logger: silentLogger() });
    await platform.start();
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });

  afterAll(async () => {
    await device?.endAsync();
    await browser?.close();
    await platform?.stop();
    temp?.cleanup();
  });

  it('logs in, shows every seeded site and updates an open popup live', { timeout: 90_000 }, async () => {
    if (!platform || !browser) throw new Error('setup failed');
    const webUrl = platform.webUrl;
    const seeded = await loadSiteSeeds(config.seedsDir);
    const page = await browser.newPage({ viewport: { width: 1600, height: 900 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    // Login: a wrong password is refused with a message, the right one opens the map.
    await page.goto(webUrl);
    await page.getByLabel('Tên đăng nhập').fill(config.ADMIN_USERNAME);
    await page.getByLabel('Mật khẩu').fill('not-the-password');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Sai tên đăng nhập hoặc mật khẩu.');
    await page.getByLabel('Mật khẩu').fill(config.ADMIN_PASSWORD ?? '');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();

    // Every seeded site has exactly one marker, over the bundled offline base layer.
    const markers = page.locator('.leaflet-marker-pane [data-site-id]');
    await expect.poll(() => markers.count(), { timeout: 15_000 }).toBe(seeded.length);
    const shownIds = await markers.evaluateAll((elements) => elements.map((element) => element.getAttribute('data-site-id')));
    expect(shownIds.sort()).toEqual(seeded.map((site) => site.id).sort());
    await expect.poll(() => page.locator('.leaflet-basemap-pane path').count()).toBeGreaterThan(10);
    await expect.poll(() => page.locator('[data-connection]').getAttribute('data-connection')).toBe('live');

    // Nothing has reported yet: the site is unknown and its popup has no values.
    const marker = page.locator(`.leaflet-marker-pane [data-site-id="${SITE_ID}"]`);
    expect(await marker.getAttribute('data-status')).toBe('unknown');
    await marker.click();
    const popup = page.locator(`.leaflet-popup .site-popup[data-site-id="${SITE_ID}"]`);
    await expect.poll(() => popup.count()).toBe(1);
    expect(await popup.locator('tr[data-metric]').count()).toBe(0);

    // A real device: token issued over REST by the admin, readings over MQTT.
    const admin = new ApiClient(webUrl);
    await admin.login(config.ADMIN_USERNAME, config.ADMIN_PASSWORD ?? '');
    const { token } = deviceTokenResponseSchema.parse(await admin.post(`/api/sites/${SITE_ID}/token`));
    device = await mqtt.connectAsync(platform.mqttUrl, { username: SITE_ID, password: token, reconnectPeriod: 0 });
    const publish = (values: Record<string, number>) =>
      device?.publishAsync(topics.telemetry(SITE_ID), JSON.stringify({ ts: Date.now(), values }), { qos: 1 });

    await publish({ do: 4.21, temperature: 29.34 });
    await expect.poll(() => popupValue(page, 'do').textContent(), { timeout: 10_000 }).toBe('4,21');
    expect(await popup.locator('tr[data-metric="do"] th').textContent()).toBe('Oxy hòa tan (DO)');
    expect(await popup.locator('tr[data-metric="do"] td.unit').textContent()).toBe('mg/L');
    expect(await popupValue(page, 'temperature').textContent()).toBe('29,3');
    await expect.poll(() => marker.getAttribute('data-status')).toBe('online');

    // The popup stays open and follows the next reading.
    await publish({ do: 5.37 });
    await expect.poll(() => popupValue(page, 'do').textContent(), { timeout: 10_000 }).toBe('5,37');
    expect(await popup.count()).toBe(1);

    fs.mkdirSync(artifactsDir, { recursive: true });
    await page.screenshot({ path: path.join(artifactsDir, 'map.png') });
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
