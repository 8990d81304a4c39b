/**
 * The IOC web app in a real browser (Debian Chromium via playwright-core) against the whole
 * platform in one process — broker, ingest, DuckDB, the alert engine, the web server — with 24 h
 * of telemetry published over MQTT. One path per test, in order (they share the platform):
 * log in, filter, search and jump, open a site from the map, read a chart, export CSV, follow a
 * live reading, acknowledge a real alert, switch language, replay the last 24 hours, and use the
 * alerts panel on a phone. Screenshots land in tests/e2e/artifacts/ (CI keeps them).
 */
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PageGlobals } from '../../../common/map-automation.js';
import type { Site } from '../../../common/sites.js';
import { loadSiteSeeds } from '../../../platform/seeds.js';
import { ApiClient } from '../../support/api-client.js';
import { describeWithExecutable } from '../../support/system-deps.js';
import { demoHistory, demoValues, HISTORY_STEP_MS } from '../support/demo-data.js';
import { type IocFixture, screenshot, startIocFixture } from '../support/ioc-fixture.js';
import { moveMap } from '../support/map-view.js';

/** The list's "shown / total" count, e.g. `22 / 22 trạm` (its rows are virtualised). */
const inViewCount = (page: Page) => page.locator('.in-view h2 .muted').textContent();
const inViewRow = (page: Page, siteId: string) => page.locator(`.in-view .site-row[data-site-id="${siteId}"]`);
const inViewIds = (page: Page) =>
  page.locator('.in-view .site-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-site-id')));

describeWithExecutable('/usr/bin/chromium', 'chromium', 'IOC web app in Chromium (e2e)', (chromiumPath) => {
  let fixture: IocFixture | undefined;
  let sites: Site[] = [];
  let page: Page;
  let pageErrors: string[] = [];
  const now = Date.now();

  beforeAll(async () => {
    fixture = await startIocFixture({ chromiumPath });
    sites = await loadSiteSeeds(fixture.config.seedsDir);
    for (const site of sites) await fixture.backfill(site.id, demoHistory(site, now));
    for (const site of sites) await fixture.publish(site.id, demoValues(site, now), now);
    const opened = await fixture.newPage();
    page = opened.page;
    pageErrors = opened.errors;
  }, 120_000);

  afterAll(async () => {
    await fixture?.close();
  });

  const f = () => {
    if (!fixture) throw new Error('setup failed');
    return fixture;
  };

  it('logs in through the form (a wrong password is refused with a message)', { timeout: 60_000 }, async () => {
    await page.goto(f().webUrl);
    await page.locator('#login-username').fill(f().config.ADMIN_USERNAME);
    await page.locator('#login-password').fill('not-the-password');
    await page.locator('.login-card button[type="submit"]').click();
    await expect.poll(() => page.locator('.login-error').textContent()).toBe('Sai tên đăng nhập hoặc mật khẩu.');
    await screenshot(page, '01-login-vi');
    await page.locator('#login-password').fill(f().config.ADMIN_PASSWORD ?? '');
    await page.locator('.login-card button[type="submit"]').click();
    await expect.poll(() => page.locator('[data-connection]').getAttribute('data-connection'), { timeout: 15_000 }).toBe('live');
    // Every seeded site is counted and listed; the canvas has drawn them over the offline base layer.
    await expect.poll(() => page.locator('.kpi-title strong').textContent()).toBe(String(sites.length));
    await expect.poll(() => page.locator('.leaflet-basemap-pane path').count()).toBeGreaterThan(10);
    await expect.poll(() => page.evaluate(() => (globalThis as PageGlobals).__iocMap?.stats().draws ?? 0)).toBeGreaterThan(0);
    await expect.poll(() => inViewCount(page)).toBe(`${sites.length} / ${sites.length} trạm`);
    await expect.poll(() => page.locator('[data-kpi="readings-per-minute"]').textContent(), { timeout: 15_000 }).not.toBe('—');
    await screenshot(page, '02-map-vi');
  });

  it('filters by layer, former province, status and alert severity', { timeout: 60_000 }, async () => {
    await page.locator('input[data-kind="camera"]').uncheck();
    const withoutCameras = sites.filter((site) => site.kind !== 'camera').length;
    await expect.poll(() => inViewCount(page)).toBe(`${withoutCameras} / ${sites.length} trạm`);
    expect((await inViewIds(page)).every((id) => !id?.includes('-CAM-'))).toBe(true);
    await page.locator('#filter-province').selectOption('former:Hậu Giang');
    await expect
      .poll(() => inViewIds(page).then((ids) => ids.sort()))
      .toEqual(
        sites
          .filter((site) => site.province.former === 'Hậu Giang' && site.kind !== 'camera')
          .map((site) => site.id)
          .sort(),
      );
    await screenshot(page, '03-filtered-vi');
    await page.locator('.filter-panel .chip[data-status="offline"]').click();
    await expect.poll(() => inViewIds(page)).toEqual([]);
    await page.getByRole('button', { name: 'Xóa bộ lọc' }).click();
    await expect.poll(() => inViewCount(page)).toBe(`${sites.length} / ${sites.length} trạm`);
  });

  it('searches by name without diacritics and jumps to the site', { timeout: 60_000 }, async () => {
    await page.locator('.search input').fill('xeo ro');
    await expect.poll(() => page.locator('.search-results [role="option"]').first().getAttribute('data-site-id')).toBe('KG-SAL-02');
    await page.keyboard.press('Enter');
    const drawer = page.locator('.site-drawer[data-site-id="KG-SAL-02"]');
    await expect.poll(() => drawer.count()).toBe(1);
    expect(await drawer.locator('#drawer-title').textContent()).toBe('Xẻo Rô, lower Cái Lớn');
    expect(await drawer.locator('.drawer-meta').textContent()).toContain('Kiên Giang');
    // Live values with units and freshness.
    const salinity = drawer.locator('.values-table tr[data-metric="salinity"]');
    expect(await salinity.locator('.unit').textContent()).toBe('‰');
    expect(await salinity.locator('.value').textContent()).toMatch(/^\d+,\d{2}$/);
    expect(await salinity.locator('.age').textContent()).toMatch(/trước|vừa xong/);
  });

  it('reads a history chart with presets and threshold lines', { timeout: 60_000 }, async () => {
    const drawer = page.locator('.site-drawer[data-site-id="KG-SAL-02"]');
    const chart = drawer.locator('.history-chart[data-metric="salinity"]');
    await expect.poll(() => chart.getAttribute('data-points'), { timeout: 15_000 }).not.toBeNull();
    // 24 h at a 10-minute step: about 144 buckets.
    expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThan(120);
    expect(await chart.locator('canvas').count()).toBeGreaterThan(0);
    await drawer.locator('button[data-range="6h"]').click();
    await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 15_000 }).toBeLessThan(40);
    await drawer.locator('button[data-range="24h"]').click();
    await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 15_000 }).toBeGreaterThan(120);
    await screenshot(page, '04-drawer-chart-vi');
  });

  it('exports what the charts show as CSV', { timeout: 60_000 }, async () => {
    const drawer = page.locator('.site-drawer[data-site-id="KG-SAL-02"]');
    const [download] = await Promise.all([page.waitForEvent('download'), drawer.locator('.export-csv').click()]);
    expect(download.suggestedFilename()).toMatch(/^KG-SAL-02_\d{12}_24h\.csv$/);
    const file = await download.path();
    const text = fs.readFileSync(file, 'utf8');
    const lines = text.replace('\uFEFF', '').trim().split('\r\n');
    expect(lines[0]).toBe('site_id,metric,unit,time_ict,epoch_ms,min,avg,max,count');
    const salinityRows = lines.filter((line) => line.startsWith('KG-SAL-02,salinity,‰,'));
    expect(salinityRows.length).toBeGreaterThan(120);
    // A known history point: the bucket holding it averages exactly what the device sent then.
    const site = sites.find((s) => s.id === 'KG-SAL-02') as Site;
    const sample = demoHistory(site, now)[10];
    const row = salinityRows
      .filter((line) => Number(line.split(',')[4]) <= (sample?.ts ?? 0))
      .at(-1)
      ?.split(',');
    expect(row?.[8]).toBe('1');
    expect(row?.[6]).toBe(String(sample?.values.salinity));
    expect(row?.[3]).toMatch(/\+07:00$/);
  });

  it('opens a site from its marker on the map and follows a live reading', { timeout: 60_000 }, async () => {
    await page.locator('.drawer-head button[aria-label="Đóng"]').click();
    await moveMap(page, { lat: 10.217, lon: 103.96, zoom: 13 });
    const point = await page.evaluate(() => (globalThis as PageGlobals).__iocMap?.pointOf('KG-WQ-03'));
    if (!point) throw new Error('no marker position');
    await page.mouse.click(point.x, point.y);
    const drawer = page.locator('.site-drawer[data-site-id="KG-WQ-03"]');
    await expect.poll(() => drawer.count()).toBe(1);
    await f().publish('KG-WQ-03', { do: 4.21, temperature: 29.34 });
    await expect.poll(() => drawer.locator('tr[data-metric="do"] .value').textContent(), { timeout: 10_000 }).toBe('4,21');
    expect(await drawer.locator('tr[data-metric="temperature"] .value').textContent()).toBe('29,3');
    expect(await drawer.locator('.wqi-badge').textContent()).toMatch(/VN_WQI \d+/);
    await screenshot(page, '05-site-from-map-vi');
  });

  it('shows a real alert live, with the critical count in the header, and acknowledges it with a comment', {
    timeout: 90_000,
  }, async () => {
    const admin = new ApiClient(f().webUrl);
    await admin.login(f().config.ADMIN_USERNAME, f().config.ADMIN_PASSWORD ?? '');
    await admin.post('/api/rules', {
      id: 'e2e-turbidity',
      name: { vi: 'Độ đục quá cao', en: 'Turbidity too high' },
      scope: { sites: ['KG-WQ-06'] },
      condition: 'threshold',
      metric: 'turbidity',
      bands: [{ severity: 'critical', op: '>', value: 100 }],
      raiseAfterSec: 0,
      clearAfterSec: 0,
    });
    await f().publish('KG-WQ-06', { turbidity: 180 });
    const card = page.locator('.alerts-panel .alert-card[data-site-id="KG-WQ-06"]', { hasText: 'Độ đục quá cao' });
    await expect.poll(() => card.count(), { timeout: 20_000 }).toBe(1);
    expect(await card.getAttribute('data-severity')).toBe('critical');
    expect(await card.getAttribute('data-state')).toBe('ACTIVE_UNACK');
    expect(await card.locator('.alert-rule').textContent()).toBe('Độ đục quá cao');
    expect(await card.locator('.alert-value').textContent()).toContain('180,0 NTU');
    expect(Number(await page.locator('.kpi-sev[data-severity="critical"] .kpi-value').textContent())).toBeGreaterThanOrEqual(1);
    await screenshot(page, '06-alert-raised-vi');
    await card.getByRole('button', { name: 'Xác nhận' }).click();
    await card.locator('textarea').fill('Đã cử cán bộ kiểm tra');
    await card.getByRole('button', { name: 'Xác nhận cảnh báo' }).click();
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 10_000 }).toBe('ACTIVE_ACK');
    expect(await card.locator('.alert-comment').textContent()).toContain('Đã cử cán bộ kiểm tra');
    const stored = await admin.get<{ alerts: Array<{ ruleId: string; state: string; ackedBy: string }> }>('/api/alerts?site=KG-WQ-06');
    expect(stored.alerts.find((a) => a.ruleId === 'e2e-turbidity')).toMatchObject({
      state: 'ACTIVE_ACK',
      ackedBy: f().config.ADMIN_USERNAME,
    });
    // Jump to the site from the alert.
    await card.getByRole('button', { name: 'Xem trên bản đồ' }).click();
    await expect.poll(() => page.locator('.site-drawer[data-site-id="KG-WQ-06"]').count()).toBe(1);
    await screenshot(page, '07-alert-acknowledged-vi');
  });

  it('switches to English: labels, numbers and dates follow', { timeout: 60_000 }, async () => {
    await page.locator('.app-header .lang-switch').click();
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.locator('.alerts-head h2').textContent()).toContain('Active alerts');
    // The critical banner (shown for 8 s after the alert) follows the switch too while it is up.
    const banner = page.locator('.map-banner-critical');
    if ((await banner.count()) === 1) expect(await banner.textContent()).toBe('Critical: KG-WQ-06 — Turbidity too high');
    const drawer = page.locator('.site-drawer[data-site-id="KG-WQ-06"]');
    expect(await drawer.locator('tr[data-metric="turbidity"] th').textContent()).toBe('Turbidity');
    expect(await drawer.locator('tr[data-metric="turbidity"] .value').textContent()).toBe('180.0');
    expect(await page.locator('.alerts-panel .alert-card[data-site-id="KG-WQ-06"]', { hasText: 'Turbidity too high' }).count()).toBe(1);
    await page.locator('.drawer-head button[aria-label="Close"]').click();
    await moveMap(page, 'all');
    await screenshot(page, '08-map-en');
  });

  it('replays the whole map at a past moment and returns to live', { timeout: 90_000 }, async () => {
    // Salinity sites only, so every row of the list is rendered.
    await page.locator('input[data-kind="water-quality"]').uncheck();
    await page.locator('input[data-kind="camera"]').uncheck();
    const slider = page.locator('.timeline-slider');
    const max = Number(await slider.getAttribute('max'));
    const at = max - 12 * 3600_000;
    await slider.fill(String(at));
    await expect.poll(() => page.locator('.timeline').getAttribute('data-replay-at')).toBe(String(at));
    await expect.poll(() => page.locator('.live-replay').count()).toBe(1);
    // KG-SAL-03 shows the salinity it had then: the newest reading at or before `at`.
    const site = sites.find((s) => s.id === 'KG-SAL-03') as Site;
    const then = Math.floor(at / HISTORY_STEP_MS) * HISTORY_STEP_MS;
    const expected = demoValues(site, then).salinity ?? 0;
    const shown = `${expected.toFixed(1)} ‰`;
    await expect.poll(() => inViewRow(page, 'KG-SAL-03').locator('.site-row-value').textContent(), { timeout: 20_000 }).toBe(shown);
    await screenshot(page, '09-replay-en');
    await page.getByRole('button', { name: 'Back to live' }).click();
    await expect.poll(() => page.locator('.live-replay').count()).toBe(0);
    const live = demoValues(site, now).salinity ?? 0;
    await expect.poll(() => inViewRow(page, 'KG-SAL-03').locator('.site-row-value').textContent()).toBe(`${live.toFixed(1)} ‰`);
    await page.locator('input[data-kind="water-quality"]').check();
    await page.locator('input[data-kind="camera"]').check();
  });

  it('opens the alert history with filters', { timeout: 60_000 }, async () => {
    await page.getByRole('button', { name: 'Alert history' }).click();
    const dialog = page.locator('.alert-history');
    await expect.poll(() => dialog.locator('tr[data-alert-id]').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await dialog.locator('select[name="severity"]').selectOption('critical');
    await dialog.locator('input[name="site"]').fill('KG-WQ-06');
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => dialog.locator('tr[data-alert-id]').count()).toBe(1);
    await screenshot(page, '10-alert-history-en');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it('makes the alerts panel usable on a phone', { timeout: 60_000 }, async () => {
    const { page: phone, errors } = await f().newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await f().login(phone);
    await phone.locator('.phone-tabs button', { hasText: 'Cảnh báo' }).click();
    const card = phone.locator('.alerts-panel .alert-card[data-site-id="KG-WQ-06"]', { hasText: 'Độ đục quá cao' });
    await expect.poll(() => card.isVisible(), { timeout: 15_000 }).toBe(true);
    const box = await card.getByRole('button', { name: 'Thêm ghi chú' }).boundingBox();
    expect(box?.height ?? 0).toBeGreaterThanOrEqual(40);
    expect(box && box.x + box.width).toBeLessThanOrEqual(390);
    await screenshot(phone, '11-phone-alerts-vi');
    await phone.locator('.phone-tabs button', { hasText: 'Bản đồ' }).click();
    await expect.poll(() => phone.locator('.leaflet-container').isVisible()).toBe(true);
    await screenshot(phone, '12-phone-map-vi');
    expect(errors).toEqual([]);
    await phone.context().close();
  });
});
