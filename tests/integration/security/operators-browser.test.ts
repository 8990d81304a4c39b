/**
 * The built app in real Chromium against the whole platform: it runs under the server's
 * Content-Security-Policy without a single violation (log in, map, a camera drawer with its
 * snapshot and events, an alert with a comment), and hostile strings — in a site name (admin API),
 * a device event's message and data (MQTT), an alert comment (operator API) — are shown as text:
 * no element is created from them, no script runs, no dialog opens. A deliberate inline script at
 * the end proves the violation watch itself works.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Alert } from '../../../common/alerts.js';
import { topics } from '../../../common/topics.js';
import { type IocFixture, startIocFixture } from '../../e2e/support/ioc-fixture.js';
import { describeWithExecutable } from '../../support/system-deps.js';
import { waitFor } from '../../support/wait.js';
import { call, login } from './operators-fixture.js';

const SITE = 'XS-CAM-01';
const NAME = `<img src=x onerror="window.__xss='name'"><script>window.__xss='name-script'</script>`;
const EVENT = `<img src=x onerror="window.__xss='event'"><svg onload="window.__xss='svg'"></svg>`;
const EVENT_KEY = '<b onmouseover="window.__xss=1">zone</b>';
const EVENT_VALUE = `<iframe srcdoc="<script>parent.__xss='data'</script>"></iframe>`;
const COMMENT = `<img src=x onerror="window.__xss='comment'"><a href="javascript:window.__xss='href'">open</a>`;

/** The little of the page's DOM the scripts below use (the Node-side tsconfig has no DOM types). */
interface PageDom {
  readonly document: {
    addEventListener(
      type: 'securitypolicyviolation',
      listener: (event: { violatedDirective: string; blockedURI: string; sourceFile: string; lineNumber: number }) => void,
    ): void;
    createElement(tag: 'script'): { textContent: string };
    readonly body: { appendChild(node: unknown): void };
  };
  readonly __reportViolation: (text: string) => void;
  readonly __xss?: unknown;
}

interface Watched {
  readonly violations: string[];
  readonly consoleProblems: string[];
  readonly dialogs: string[];
}

/** Records CSP violations (DOM event and console), and dialogs, from the first script on. */
async function watch(page: Page): Promise<Watched> {
  const watched: Watched = { violations: [], consoleProblems: [], dialogs: [] };
  await page.exposeFunction('__reportViolation', (text: string) => watched.violations.push(text));
  await page.addInitScript(() => {
    const page = globalThis as unknown as PageDom;
    page.document.addEventListener('securitypolicyviolation', (event) => {
      page.__reportViolation(`${event.violatedDirective} blocked ${event.blockedURI} (${event.sourceFile}:${event.lineNumber})`);
    });
  });
  page.on('console', (message) => {
    if (/content security policy|refused to/i.test(message.text())) watched.consoleProblems.push(message.text());
  });
  page.on('dialog', (dialog) => {
    watched.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return watched;
}

describeWithExecutable(
  '/usr/bin/chromium',
  'chromium',
  'the app in Chromium: CSP without violations, hostile strings as text',
  (chromiumPath) => {
    let fixture: IocFixture | undefined;
    let page: Page;
    let watched: Watched;
    let alertId = '';

    const f = () => {
      if (!fixture) throw new Error('setup failed');
      return fixture;
    };

    beforeAll(async () => {
      fixture = await startIocFixture({ chromiumPath });
      const base = fixture.webUrl;
      const admin = await login(base, { username: fixture.config.ADMIN_USERNAME, password: fixture.config.ADMIN_PASSWORD ?? '' });
      const write = async (method: string, path: string, json: unknown) => {
        const answer = await call(base, method, path, { cookie: admin, json, headers: { origin: base } });
        if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${answer.text}`);
        return answer.json;
      };
      // A camera registered by an admin with a hostile name; its snapshot host is not in the seeds (the CSP must follow).
      await write('POST', '/api/sites', {
        id: SITE,
        name: NAME,
        kind: 'camera',
        lat: 10.03,
        lon: 105.78,
        province: { former: 'Cần Thơ', current: 'Cần Thơ' },
        reportingIntervalSec: 60,
        snapshotUrl: 'http://127.0.0.1:9/snapshots/XS-CAM-01.svg',
      });
      await write('POST', '/api/rules', {
        id: 'xss-crowd',
        name: { vi: 'Đông người', en: 'Crowded' },
        scope: { sites: [SITE] },
        condition: 'threshold',
        metric: 'crowd_level',
        bands: [{ severity: 'critical', op: '>', value: 50 }],
        raiseAfterSec: 0,
        clearAfterSec: 0,
      });
      // A device event with hostile text and data, and a reading that raises the alert, both over MQTT.
      await fixture.publisher.publishAsync(
        topics.events(SITE),
        JSON.stringify({ type: 'tamper', severity: 'warning', message: EVENT, data: { [EVENT_KEY]: EVENT_VALUE } }),
        { qos: 1 },
      );
      await fixture.publish(SITE, { crowd_level: 90 });
      const alert = await waitFor(
        async () => ((await call(base, 'GET', `/api/alerts?site=${SITE}`, { cookie: admin })).json as { alerts: Alert[] }).alerts[0],
        { message: 'no alert raised' },
      );
      alertId = alert.id;
      await write('POST', `/api/alerts/${alertId}/comment`, { text: COMMENT });
      await waitFor(
        async () =>
          ((await call(base, 'GET', `/api/sites/${SITE}/events`, { cookie: admin })).json as { events: unknown[] }).events.length > 0,
      );

      const opened = await fixture.newPage({ locale: 'en-US' });
      page = opened.page;
      watched = await watch(page);
    }, 120_000);

    afterAll(async () => {
      await fixture?.close();
    });

    it('serves the app under a strict Content-Security-Policy', async () => {
      const response = await page.goto(f().webUrl);
      const csp = response?.headers()['content-security-policy'] ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain('http://127.0.0.1:9');
      expect(csp).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
    });

    it('logs in and shows the map, a camera drawer and an alert with no CSP violation', { timeout: 60_000 }, async () => {
      await f().login(page);
      await expect.poll(() => page.locator('[data-connection]').getAttribute('data-connection'), { timeout: 15_000 }).toBe('live');
      await page.locator('.search input').fill(SITE);
      await expect.poll(() => page.locator('.search-results [role="option"]').first().getAttribute('data-site-id')).toBe(SITE);
      await page.keyboard.press('Enter');
      const drawer = page.locator(`.site-drawer[data-site-id="${SITE}"]`);
      await expect.poll(() => drawer.count()).toBe(1);
      await expect.poll(() => drawer.locator('.event-message').count(), { timeout: 15_000 }).toBe(1);
      await expect
        .poll(() => page.locator(`.alerts-panel .alert-card[data-site-id="${SITE}"] .alert-comment`).count(), { timeout: 15_000 })
        .toBe(1);
      expect(watched.violations).toEqual([]);
      expect(watched.consoleProblems).toEqual([]);
    });

    it('lets the app’s own cookie-authenticated writes through the cross-site check', async () => {
      const status = await page.evaluate(async () => {
        const response = await fetch('/api/notifications/read', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ all: true }),
        });
        return response.status;
      });
      expect(status).toBe(200);
    });

    it('shows a hostile site name, event message, event data and alert comment as text only', async () => {
      const drawer = page.locator(`.site-drawer[data-site-id="${SITE}"]`);
      expect(await drawer.locator('#drawer-title').textContent()).toBe(NAME);
      expect(await drawer.locator('.event-message').textContent()).toBe(EVENT);
      expect(await drawer.locator('.event-list li').first().textContent()).toContain(`${EVENT_KEY}: ${EVENT_VALUE}`);
      expect(await page.locator(`.alerts-panel .alert-card[data-site-id="${SITE}"] .alert-comment`).textContent()).toContain(COMMENT);
      // Nothing was parsed out of the strings: no such elements, no script ran, no dialog opened.
      expect(
        await page.locator('img[src="x"], svg[onload], iframe, a[href^="javascript:"], b[onmouseover], script:not([src])').count(),
      ).toBe(0);
      expect(await page.evaluate(() => (globalThis as unknown as PageDom).__xss)).toBeUndefined();
      expect(watched.dialogs).toEqual([]);
      expect(watched.violations).toEqual([]);
    });

    it('would notice a violation: an injected inline script is blocked and reported', async () => {
      await page.evaluate(() => {
        const { document } = globalThis as unknown as PageDom;
        const script = document.createElement('script');
        script.textContent = "window.__xss = 'inline'";
        document.body.appendChild(script);
      });
      await expect.poll(() => watched.violations.length).toBe(1);
      expect(watched.violations[0]).toMatch(/^script-src/);
      expect(await page.evaluate(() => (globalThis as unknown as PageDom).__xss)).toBeUndefined();
    });
  },
);
