/**
 * Load mode against the real platform in one process (createPlatform, SIMULATE=false): load sites
 * are registered through the admin API with their tokens, every device connects with its own
 * credentials and publishes, the sites show up in /api/sites with values, and cleanup removes
 * them. Also: leftovers of an interrupted run, shards in child processes, and the CLI end to end.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SiteListResponse } from '../../../common/api.js';
import { silentLogger } from '../../../platform/logger.js';
import { createPlatform, type Platform } from '../../../platform/platform.js';
import { loadSiteSeeds } from '../../../platform/seeds.js';
import { LoadFleet } from '../../../simulators/load/load-fleet.js';
import { LoadRun, removeLoadSites } from '../../../simulators/load/load-run.js';
import { ShardedLoadFleet } from '../../../simulators/load/load-shards.js';
import { generateLoadSites, isLoadSiteId } from '../../../simulators/load/load-sites.js';
import { PlatformAdminClient } from '../../../simulators/load/platform-admin-client.js';
import { ApiClient } from '../../support/api-client.js';
import { makeTempDir, testConfig } from '../../support/test-config.js';
import { waitFor } from '../../support/wait.js';

const ADMIN = { username: 'admin', password: 'test-admin-password' };
const root = path.resolve(import.meta.dirname, '../../..');
const seeds = await loadSiteSeeds('seeds');
const temp = makeTempDir();
const config = testConfig(temp.dir);
let platform: Platform;
let api: ApiClient;

const admin = () => new PlatformAdminClient({ apiUrl: platform.webUrl, ...ADMIN });
const loadSites = async () => (await api.get<SiteListResponse>('/api/sites')).sites.filter((site) => isLoadSiteId(site.id));

beforeAll(async () => {
  platform = await createPlatform({ config, logger: silentLogger() });
  await platform.start();
  api = new ApiClient(platform.webUrl);
  await api.login(ADMIN.username, ADMIN.password);
});

afterAll(async () => {
  await platform?.stop();
  temp.cleanup();
});

describe('load mode', () => {
  it('registers 50 devices, connects each with its own token, publishes, shows them in /api/sites, and cleans up', async () => {
    // A site left registered by an interrupted run: its token is lost, so it must be re-registered.
    const [leftover] = generateLoadSites({
      count: 1,
      anchors: seeds,
      seed: 1,
      reportingIntervalSec: 1,
      snapshotBaseUrl: 'http://127.0.0.1:1',
    });
    if (!leftover) throw new Error('no load site generated');
    await api.post('/api/sites', { sites: [leftover], issueTokens: true });

    const controller = new AbortController();
    const devicesBefore = platform.broker.connectedDevices;
    const run = new LoadRun({
      devices: 50,
      ratePerSec: 100,
      connectRatePerSec: 200,
      seed: 1,
      anchors: seeds,
      admin: admin(),
      mqttUrl: platform.mqttUrl,
      snapshots: false,
      cleanup: true,
      shards: 1,
      logger: silentLogger(),
    });
    const finished = run.run(controller.signal);
    try {
      const sites = await waitFor(
        async () => {
          const listed = await loadSites();
          return listed.length === 50 && listed.every((site) => Object.keys(site.latest).length > 0 && site.status === 'online')
            ? listed
            : undefined;
        },
        { timeoutMs: 30_000, message: '50 load sites online with values' },
      );
      for (const site of sites) {
        expect(site.province.current.length).toBeGreaterThan(0);
        expect(site.reportingIntervalSec).toBe(1);
      }
      expect(sites.some((site) => site.kind === 'camera') && sites.some((site) => site.kind === 'salinity')).toBe(true);
      // Each device holds its own authenticated device connection (username = site id, its own token).
      expect(platform.broker.connectedDevices - devicesBefore).toBe(50);
      expect(run.stats?.connected).toBe(50);
    } finally {
      controller.abort();
    }
    const summary = await finished;
    expect(summary.interrupted).toBe(true);
    expect(summary.connectedAfterRampUp).toBe(50);
    expect(summary.totals).toMatchObject({ failed: 0, connectFailures: 0, devices: 50 });
    expect(summary.totals.acked).toBeGreaterThan(50);
    expect(summary.removed).toBe(50);
    expect(await loadSites()).toEqual([]);
    await waitFor(() => platform.broker.connectedDevices === devicesBefore, { message: 'devices disconnected' });
  });

  it('spreads devices over child processes and merges their counters', async () => {
    const client = admin();
    await client.login();
    const sites = generateLoadSites({ count: 12, anchors: seeds, seed: 3, reportingIntervalSec: 1, snapshotBaseUrl: 'http://127.0.0.1:1' });
    const tokens = await client.registerSites(sites);
    const fleet = new ShardedLoadFleet({
      shards: 2,
      devices: sites.map((site) => ({ site, token: tokens.get(site.id) ?? '' })),
      mqttUrl: platform.mqttUrl,
      ratePerSec: 24,
      connectRatePerSec: 100,
      seed: 3,
      logger: silentLogger(),
    });
    try {
      await fleet.start();
      await waitFor(() => fleet.stats.connected === 12 && fleet.stats.acked > 24, { timeoutMs: 20_000, message: 'both shards publishing' });
      expect(fleet.stats.devices).toBe(12);
    } finally {
      await fleet.stop();
    }
    expect(fleet.stats.connected).toBe(0);
    expect(fleet.stats.failed).toBe(0);
    expect(await removeLoadSites(client, silentLogger())).toBe(12);
    await client.logout();
  });

  it('a refused token is counted, never thrown, and the device keeps backing off', async () => {
    const [site] = generateLoadSites({ count: 1, anchors: seeds, seed: 9, reportingIntervalSec: 1, snapshotBaseUrl: 'http://127.0.0.1:1' });
    if (!site) throw new Error('no site');
    const fleet = new LoadFleet({
      devices: [{ site, token: 'not-the-token' }],
      mqttUrl: platform.mqttUrl,
      ratePerSec: 10,
      seed: 1,
      logger: silentLogger(),
    });
    await fleet.start();
    try {
      await waitFor(() => fleet.stats.connectFailures >= 1, { message: 'refusal counted' });
      expect(fleet.stats).toMatchObject({ connected: 0, acked: 0 });
    } finally {
      await fleet.stop();
    }
  });

  it('the admin client explains a wrong password and an unreachable platform', async () => {
    await expect(
      new PlatformAdminClient({ apiUrl: platform.webUrl, username: 'admin', password: 'wrong-password' }).login(),
    ).rejects.toThrow(/refused admin "admin": set ADMIN_PASSWORD/);
    await expect(new PlatformAdminClient({ apiUrl: 'http://127.0.0.1:1', ...ADMIN }).login()).rejects.toThrow(/cannot reach the platform/);
  });

  it('npm run sim -- --devices 8 --duration 1 --cleanup prints a summary and exits 0; without a password it exits 1', async () => {
    const run = (args: string[], env: Record<string, string>) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'simulators/main.ts'), ...args], {
          cwd: root,
          env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_FORMAT: 'json', DATA_DIR: temp.dir, ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk) => {
          stdout += String(chunk);
        });
        child.stderr.on('data', (chunk) => {
          stderr += String(chunk);
        });
        const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
        child.once('exit', (code) => {
          clearTimeout(timer);
          resolve({ code, stdout, stderr });
        });
      });
    const common = ['--devices', '8', '--api-url', platform.webUrl, '--mqtt-url', platform.mqttUrl, '--no-snapshots'];
    const ok = await run([...common, '--rate', '16', '--duration', '1', '--cleanup'], { ADMIN_PASSWORD: ADMIN.password });
    expect(ok.code, ok.stderr + ok.stdout).toBe(0);
    expect(ok.stdout).toContain('Load run summary');
    expect(ok.stdout).toMatch(/ramp-up +[\d.]+ s — 8\/8 connected/);
    expect(ok.stdout).toMatch(/load sites removed +8/);
    expect(await loadSites()).toEqual([]);

    const refused = await run(common, {});
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('set ADMIN_PASSWORD');
  });
});
