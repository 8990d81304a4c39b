/**
 * The browser benchmark of the IOC map, run by `npm run bench` (stage `browser`) and on its own by
 * bench/browser/main.ts: the whole platform in this process (embedded store, broker, ingest, web)
 * with N synthetic sites registered through `POST /api/sites`, a publisher sending R readings per
 * second over MQTT, and the built app in headless Chromium. For each view (the whole delta, every
 * site on screen; a zoomed-in province) it waits for a warm-up, then measures for a window: long
 * tasks (PerformanceObserver 'longtask': count and longest), animation frames per second, canvas
 * redraws and their longest, live messages received per second, and the JS heap after a forced GC
 * (steady state). Target: no long task over 50 ms in steady state at 20,000 sites and 1,000
 * updates/s.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { PageGlobals } from '../../common/map-automation.js';
import { topics } from '../../common/topics.js';
import { loadConfig } from '../../platform/config/config.js';
import { silentLogger } from '../../platform/logger.js';
import { createPlatform } from '../../platform/platform.js';
import { SERVICE_USERS } from '../../platform/security/service-credentials.js';
import { loadReading, loadSites } from './load-sites.js';
import { longTaskBreakdowns } from './trace-long-tasks.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The target: no long task over this in steady state, ms. */
export const LONG_TASK_TARGET_MS = 50;

/** The page's globals the benchmark reads (no DOM types on the Node side). */
type BenchGlobals = PageGlobals & { document: { querySelector(selector: string): { textContent: string | null } | null } };

export interface BrowserBenchOptions {
  sites: number;
  rate: number;
  warmupSec: number;
  measureSec: number;
  chromium: string;
  /**
   * `direct` (default): readings are published as ingest publishes stored ones
   * (`platform/readings/{id}`), so the web server and the browser get the full rate whatever this
   * machine's ingest can sustain while it also runs Chromium; `ingest`: as devices
   * (`sites/{id}/telemetry`), through validation, the store and the alert engine.
   */
  path: 'direct' | 'ingest';
  /** Record a CPU profile of each measured window (bench/results/browser-profile-*.cpuprofile). */
  profile: boolean;
  /** Record a Chromium trace of each measured window and print what its long tasks spent time on. */
  trace: boolean;
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples?: number[];
  timeDeltas?: number[];
}

/** The functions with the most self time in a CPU profile, as `name (file:line) ms`. */
function topFunctions(profile: CpuProfile, count = 12): string[] {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMs = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const node = byNode.get(samples[i] ?? -1);
    if (!node) continue;
    const frame = node.callFrame;
    const key = `${frame.functionName || '(anonymous)'} (${frame.url.split('/').pop() ?? ''}:${frame.lineNumber})`;
    selfMs.set(key, (selfMs.get(key) ?? 0) + (deltas[i] ?? 0) / 1000);
  }
  return [...selfMs]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([key, ms]) => `${key} ${Math.round(ms)} ms`);
}

/** What one measured view reports. */
export interface ViewResult {
  readonly view: string;
  readonly longTasks: number;
  readonly longestTaskMs: number;
  readonly framesPerSec: number;
  readonly redraws: number;
  readonly longestRedrawMs: number;
  readonly messagesPerSec: number;
  readonly heapMb: number;
  readonly onScreen: { singles: number; clusters: number };
}

const INIT_SCRIPT = `
window.__bench = { longTasks: [], frames: 0 };
try {
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__bench.longTasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: 'longtask', buffered: true });
} catch (error) { window.__bench.observerError = String(error); }
const tick = () => { window.__bench.frames += 1; requestAnimationFrame(tick); };
requestAnimationFrame(tick);
`;

interface Sample {
  now: number;
  frames: number;
  messages: number;
  draws: number;
}

async function sample(page: Page): Promise<Sample> {
  return page.evaluate(() => {
    const bench = (globalThis as unknown as { __bench: { frames: number } }).__bench;
    const map = (globalThis as PageGlobals).__iocMap;
    return { now: performance.now(), frames: bench.frames, messages: map?.messagesReceived() ?? 0, draws: map?.stats().draws ?? 0 };
  });
}

async function measureView(
  page: Page,
  view: string,
  options: BrowserBenchOptions,
  browser: Browser,
  log: (message: string) => void,
  resultsDir: string,
): Promise<ViewResult> {
  await page.waitForTimeout(options.warmupSec * 1000);
  await page.evaluate(() => (globalThis as PageGlobals).__iocMap?.resetStats());
  const before = await sample(page);
  const profiler = options.profile ? await page.context().newCDPSession(page) : undefined;
  if (profiler) {
    await profiler.send('Profiler.enable');
    await profiler.send('Profiler.start');
  }
  const traceFile = path.join(resultsDir, `browser-trace-${view.replace(/\W+/g, '-')}.json`);
  if (options.trace) {
    fs.mkdirSync(path.dirname(traceFile), { recursive: true });
    await browser.startTracing(page, {
      path: traceFile,
      categories: ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink', 'cc', 'v8.execute', 'gpu'],
    });
  }
  await page.waitForTimeout(options.measureSec * 1000);
  if (options.trace) {
    await browser.stopTracing();
    const breakdowns = longTaskBreakdowns(JSON.parse(fs.readFileSync(traceFile, 'utf8')));
    for (const task of breakdowns.slice(0, 5))
      log(`long task ${task.durationMs} ms in ${view}: ${task.work.map((w) => `${w.name} ${w.ms} ms`).join(' | ')}`);
  }
  if (profiler) {
    const { profile } = await profiler.send('Profiler.stop');
    const file = path.join(resultsDir, `browser-profile-${view.replace(/\W+/g, '-')}.cpuprofile`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(profile));
    log(`profile ${view}: ${topFunctions(profile).join(' | ')}`);
  }
  const after = await sample(page);
  const tasks = await page.evaluate((since) => {
    const bench = (globalThis as unknown as { __bench: { longTasks: Array<{ start: number; duration: number }> } }).__bench;
    return bench.longTasks.filter((task) => task.start >= since).map((task) => task.duration);
  }, before.now);
  const stats = await page.evaluate(() => (globalThis as PageGlobals).__iocMap?.stats());
  const heap = await page.evaluate(() => {
    (globalThis as unknown as { gc?: () => void }).gc?.();
    return (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0;
  });
  const seconds = (after.now - before.now) / 1000;
  return {
    view,
    longTasks: tasks.length,
    longestTaskMs: Math.round(Math.max(0, ...tasks)),
    framesPerSec: Math.round(((after.frames - before.frames) / seconds) * 10) / 10,
    redraws: after.draws - before.draws,
    longestRedrawMs: Math.round((stats?.maxDrawMs ?? 0) * 10) / 10,
    messagesPerSec: Math.round((after.messages - before.messages) / seconds),
    heapMb: Math.round((heap / 1024 / 1024) * 10) / 10,
    onScreen: { singles: stats?.singles ?? 0, clusters: stats?.clusters ?? 0 },
  };
}

/** What a run reports. */
export interface BrowserBenchResult {
  readonly options: BrowserBenchOptions;
  /** From opening the page to every site drawn, ms. */
  readonly loadMs: number;
  readonly views: readonly ViewResult[];
  /** Whether no view had a long task over {@link LONG_TASK_TARGET_MS}. */
  readonly passed: boolean;
  readonly pageErrors: readonly string[];
  /** A screenshot of the whole map at the end. */
  readonly screenshot: string;
}

/** Runs the benchmark; progress goes to `log`, screenshots (and traces, profiles) to `resultsDir`. */
export async function runBrowserBench(
  options: BrowserBenchOptions,
  log: (message: string) => void,
  resultsDir: string,
): Promise<BrowserBenchResult> {
  const appIndex = path.join(ROOT, 'dist/app/index.html');
  if (!fs.existsSync(appIndex)) throw new Error('the app is not built: run `npm run build:app` first');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mekong-ioc-bench-browser-'));
  const password = 'bench-admin-password';
  const serviceToken = 'bench-service-token-0123456789abcdef';
  const config = loadConfig({
    MQTT_PORT: '0',
    HTTP_PORT: '0',
    INGEST_HTTP_PORT: '0',
    BROKER_HTTP_PORT: '0',
    DATA_DIR: dataDir,
    SEEDS_DIR: path.join(ROOT, 'seeds'),
    SIMULATE: 'false',
    LOG_LEVEL: 'silent',
    LOG_FORMAT: 'json',
    ADMIN_PASSWORD: password,
    SERVICE_TOKEN: serviceToken,
  });
  const platform = await createPlatform({ config, logger: silentLogger(), appDir: path.join(ROOT, 'dist/app') });
  let publisherTimer: ReturnType<typeof setInterval> | undefined;
  const browser = await chromium.launch({
    executablePath: options.chromium,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--enable-precise-memory-info',
      '--js-flags=--expose-gc',
    ],
  });
  const publisher = { client: undefined as mqtt.MqttClient | undefined };
  try {
    await platform.start();
    const base = platform.webUrl;
    log(`platform at ${base}; registering ${options.sites} sites`);
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: config.ADMIN_USERNAME, password }),
    });
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const sites = loadSites(options.sites, `${base}/snapshot-unavailable.jpg`);
    for (let start = 0; start < sites.length; start += 5000) {
      const response = await fetch(`${base}/api/sites`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie },
        body: JSON.stringify({ sites: sites.slice(start, start + 5000) }),
      });
      if (response.status !== 201) throw new Error(`registering sites failed: ${response.status} ${await response.text()}`);
    }

    const direct = options.path === 'direct';
    const client = await mqtt.connectAsync(platform.mqttUrl, {
      username: direct ? SERVICE_USERS.ingest : SERVICE_USERS.simulator,
      password: serviceToken,
      clientId: 'browser-bench-publisher',
    });
    publisher.client = client;
    const TICK_MS = 20;
    const perTick = Math.max(1, Math.round((options.rate * TICK_MS) / 1000));
    let cursor = 0;
    publisherTimer = setInterval(() => {
      const now = Date.now();
      for (let k = 0; k < perTick; k++) {
        const n = cursor % sites.length;
        const site = sites[n];
        cursor += 7919; // a prime stride: updates spread over the whole map
        if (!site) continue;
        const values = loadReading(site, n, now);
        if (direct)
          client.publish(topics.platformReadings(site.id), JSON.stringify({ siteId: site.id, readings: [{ ts: now, values }] }), {
            qos: 0,
          });
        else client.publish(topics.telemetry(site.id), JSON.stringify({ ts: now, values }), { qos: 0 });
      }
    }, TICK_MS);
    log(`publishing ${options.rate} readings/s (${options.path})`);

    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
    await context.addInitScript(INIT_SCRIPT);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const loadStarted = Date.now();
    await page.goto(base);
    await page.locator('#login-username').fill(config.ADMIN_USERNAME);
    await page.locator('#login-password').fill(password);
    await page.locator('.login-card button[type="submit"]').click();
    await page.waitForFunction(
      (count) => {
        const page = globalThis as BenchGlobals;
        const total = Number(page.document.querySelector('.kpi-title strong')?.textContent?.replace(/\D/g, ''));
        return (page.__iocMap?.stats().draws ?? 0) > 0 && total >= count;
      },
      options.sites,
      { timeout: 120_000, polling: 250 },
    );
    const loadMs = Date.now() - loadStarted;
    log(`map loaded with ${options.sites} sites in ${loadMs} ms`);

    await page.evaluate(() => (globalThis as PageGlobals).__iocMap?.fitAll());
    const overview = await measureView(page, 'whole delta (every site on screen)', options, browser, log, resultsDir);
    log(JSON.stringify(overview));
    await page.evaluate(() => (globalThis as PageGlobals).__iocMap?.setView(9.95, 105.35, 11));
    const zoomed = await measureView(page, 'province, zoom 11', options, browser, log, resultsDir);
    log(JSON.stringify(zoomed));
    const views = [overview, zoomed];
    fs.mkdirSync(resultsDir, { recursive: true });
    const screenshot = path.join(resultsDir, `browser-${new Date().toISOString().replace(/[:.]/g, '-')}.png`);
    await page.evaluate(() => (globalThis as PageGlobals).__iocMap?.fitAll());
    await page.waitForTimeout(1500);
    await page.screenshot({ path: screenshot });
    return {
      options,
      loadMs,
      views,
      passed: views.every((view) => view.longestTaskMs <= LONG_TASK_TARGET_MS),
      pageErrors: errors,
      screenshot,
    };
  } finally {
    clearInterval(publisherTimer);
    await publisher.client?.endAsync().catch(() => undefined);
    await browser.close().catch(() => undefined);
    await platform.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
