/**
 * The web server end to end on real parts: a DuckDB store in a temp dir, the project's MQTT broker
 * on port 0, HTTP over fetch and socket.io-client. Every API response seen here is checked against
 * the route table at the end, so the OpenAPI document is proven against real answers.
 */
import fs from 'node:fs';
import path from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { Registry } from 'prom-client';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IocBroker } from '../../../broker/broker.js';
import {
  deviceTokenResponseSchema,
  healthSchema,
  historySeriesSchema,
  MAX_SITES_PER_REGISTRATION,
  registerSitesResponseSchema,
  rejectionListResponseSchema,
  removeSitesResponseSchema,
  siteAccessResponseSchema,
  siteEventListResponseSchema,
  siteListResponseSchema,
  siteSummarySchema,
  userInfoSchema,
} from '../../../common/api.js';
import { apiErrorBodySchema } from '../../../common/errors.js';
import type { Reading } from '../../../common/payloads.js';
import type { Site } from '../../../common/sites.js';
import {
  type ClientToServerEvents,
  type LiveReading,
  type LiveSiteStatus,
  SESSION_COOKIE,
  type ServerToClientEvents,
} from '../../../common/socket-events.js';
import { topics } from '../../../common/topics.js';
import { ensureAdminUser } from '../../../platform/bootstrap-admin.js';
import type { Config } from '../../../platform/config/config.js';
import { silentLogger } from '../../../platform/logger.js';
import { hashSecret, PASSWORD_COST, verifySecret } from '../../../platform/security/secret-hash.js';
import { SERVICE_USERS } from '../../../platform/security/service-credentials.js';
import { loadSiteSeeds } from '../../../platform/seeds.js';
import { SiteDirectory } from '../../../platform/sites/site-directory.js';
import { DuckDbDataStores } from '../../../platform/store/duckdb/duckdb-data-stores.js';
import { openApiPath } from '../../../web/server/openapi.js';
import { BASEMAP_FILE } from '../../../web/server/routes/basemap.js';
import { WebServer } from '../../../web/server/web-server.js';
import { makeTempDir, testConfig } from '../../support/test-config.js';
import { waitFor } from '../../support/wait.js';

const ADMIN = { username: 'admin', password: 'test-admin-password' };
const OPERATOR = { username: 'olga', password: 'operator-password-1' };
const SERVICE_TOKEN = 'test-service-token-0123456789abcdef';
const HOUR = 3600 * 1000;

interface Observed {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly body: unknown;
}

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
  readonly text: string;
}

/** Route tags whose every route this file must exercise successfully. */
const CORE_ROUTE_TAGS = new Set(['auth', 'ingest', 'map', 'sites', 'system']);

/** Every API answer of this file, for the route-table check at the end. */
const observed: Observed[] = [];

async function call(base: string, method: string, urlPath: string, options: { cookie?: string; json?: unknown } = {}): Promise<Answer> {
  const response = await fetch(`${base}${urlPath}`, {
    method,
    headers: {
      ...(options.cookie ? { cookie: options.cookie } : {}),
      ...(options.json === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: options.json === undefined ? undefined : JSON.stringify(options.json),
  });
  const text = await response.text();
  const isJson = /json/.test(response.headers.get('content-type') ?? '');
  const body: unknown = isJson && text ? JSON.parse(text) : text;
  const pathname = new URL(urlPath, base).pathname;
  if (pathname.startsWith('/api/') || pathname === '/metrics') observed.push({ method, path: pathname, status: response.status, body });
  return { status: response.status, headers: response.headers, body, text };
}

/** `name=value` of the session cookie set by a response, and its attributes. */
function sessionCookieOf(headers: Headers): { pair: string; attributes: string[] } {
  const header = headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  if (!header) throw new Error('no session cookie set');
  const [pair = '', ...attributes] = header.split(';').map((part) => part.trim());
  return { pair, attributes };
}

function errorCode(answer: Answer): string {
  return apiErrorBodySchema.parse(answer.body).error.code;
}

describe('web server', () => {
  const temp = makeTempDir();
  const seedsDir = path.join(temp.dir, 'seeds');
  const appDir = path.join(temp.dir, 'app');
  let config: Config;
  let sites: SiteDirectory;
  const directory = () => sites;
  let stores: DuckDbDataStores;
  let broker: IocBroker;
  let web: WebServer;
  let base: string;
  let publisher: MqttClient;
  let adminCookie: string;
  let operatorCookie: string;
  const now = Date.now();
  const sockets: Socket[] = [];

  const login = async (who: { username: string; password: string }) => {
    const answer = await call(base, 'POST', '/api/auth/login', { json: who });
    expect(answer.status).toBe(200);
    return sessionCookieOf(answer.headers).pair;
  };

  beforeAll(async () => {
    fs.mkdirSync(seedsDir);
    fs.copyFileSync(path.resolve('seeds/sites.json'), path.join(seedsDir, 'sites.json'));
    fs.mkdirSync(path.join(appDir, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(appDir, 'index.html'), '<!doctype html><title>Mekong IOC</title><div id="root"></div>');
    fs.writeFileSync(path.join(appDir, 'assets', 'index-3f9a1c.js'), 'console.log("app")');
    fs.writeFileSync(path.join(appDir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');

    config = testConfig(temp.dir, {
      SEEDS_DIR: seedsDir,
      SESSION_TTL_HOURS: '2',
      MAP_TILE_URL: 'https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png',
      HTTP_HOST: '127.0.0.1',
    });
    stores = new DuckDbDataStores({ file: path.join(temp.dir, 'web-test.duckdb'), logger: silentLogger(), metrics: new Registry() });
    await stores.start();
    sites = new SiteDirectory({
      registry: stores.registry,
      seeds: await loadSiteSeeds(config.seedsDir),
      applySeeds: true,
      logger: silentLogger(),
    });
    await sites.start();

    await ensureAdminUser({ registry: stores.registry, username: ADMIN.username, password: ADMIN.password, logger: silentLogger() });
    await stores.registry.saveUser({
      username: OPERATOR.username,
      passwordHash: await hashSecret(OPERATOR.password, PASSWORD_COST),
      role: 'operator',
      createdAt: now,
    });

    // 3,000 salinity readings every 10 s over the last ~8.3 h, values cycling 0.0–4.9 ‰.
    const salinity: Reading[] = Array.from({ length: 3000 }, (_, i) => ({
      siteId: 'KG-SAL-01',
      ts: now - 60_000 - (2999 - i) * 10_000,
      values: { salinity: (i % 50) / 10 },
    }));
    await stores.telemetry.writeReadings(salinity);
    await stores.telemetry.writeReadings([{ siteId: 'KG-WQ-01', ts: now - 5_000, values: { do: 5.25, ph: 7.9, temperature: 29.5 } }]);
    await stores.registry.saveSiteStatus({ siteId: 'KG-WQ-01', status: 'online', ts: now - 5_000 });

    broker = new IocBroker({
      host: '127.0.0.1',
      port: 0,
      maxPayloadBytes: 256 * 1024,
      logger: silentLogger(),
      metrics: new Registry(),
      credentials: stores.registry,
      serviceToken: SERVICE_TOKEN,
    });
    await broker.start();

    web = new WebServer({
      config,
      logger: silentLogger(),
      metrics: new Registry(),
      stores,
      sites,
      mqttUrl: () => broker.url,
      serviceToken: SERVICE_TOKEN,
      appDir,
      version: '9.9.9-test',
    });
    await web.start();
    base = web.url;
    publisher = await connectAsync(broker.url, { clientId: 'test-ingest', username: SERVICE_USERS.ingest, password: SERVICE_TOKEN });

    adminCookie = await login(ADMIN);
    operatorCookie = await login(OPERATOR);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await publisher?.endAsync();
    await web?.stop();
    await broker?.stop();
    await stores?.stop();
    temp.cleanup();
  });

  describe('auth', () => {
    it('logs in with the right password and sets a hardened session cookie', async () => {
      const answer = await call(base, 'POST', '/api/auth/login', { json: ADMIN });
      expect(answer.status).toBe(200);
      expect(userInfoSchema.parse(answer.body)).toEqual({ username: 'admin', role: 'admin' });
      const { pair, attributes } = sessionCookieOf(answer.headers);
      expect(pair).toMatch(new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{43}$`));
      const lower = attributes.map((a) => a.toLowerCase());
      expect(lower).toContain('httponly');
      expect(lower).toContain('samesite=strict');
      expect(lower).toContain('path=/');
      expect(lower).toContain(`max-age=${2 * 3600}`);
      expect(lower).not.toContain('secure');
    });

    it('refuses a wrong password and an unknown user alike', async () => {
      const wrong = await call(base, 'POST', '/api/auth/login', { json: { username: 'admin', password: 'not-the-password' } });
      const unknown = await call(base, 'POST', '/api/auth/login', { json: { username: 'mallory', password: 'not-the-password' } });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(wrong.body).toEqual(unknown.body);
      expect(errorCode(wrong)).toBe('invalid_credentials');
      expect(wrong.headers.getSetCookie()).toEqual([]);
    });

    it('validates the login body', async () => {
      const answer = await call(base, 'POST', '/api/auth/login', { json: { username: 'admin' } });
      expect(answer.status).toBe(400);
      expect(apiErrorBodySchema.parse(answer.body).error).toMatchObject({ code: 'validation_failed', details: [{ path: 'password' }] });
    });

    it('tells who is logged in, and logout ends the session at once', async () => {
      const cookie = await login(OPERATOR);
      const me = await call(base, 'GET', '/api/auth/me', { cookie });
      expect(me.status).toBe(200);
      expect(me.body).toEqual({ username: 'olga', role: 'operator' });

      const logout = await call(base, 'POST', '/api/auth/logout', { cookie });
      expect(logout.status).toBe(204);
      const cleared = logout.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`)) ?? '';
      expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970/);

      const after = await call(base, 'GET', '/api/auth/me', { cookie });
      expect(after.status).toBe(401);
      expect(errorCode(after)).toBe('unauthenticated');
    });

    it('answers 401 unauthenticated on every protected route without a session', async () => {
      const protectedRoutes = web.routes.filter((route) => route.access !== 'public');
      expect(protectedRoutes.length).toBeGreaterThanOrEqual(7);
      for (const route of protectedRoutes) {
        const url = route.path.replace(':id', 'KG-WQ-01');
        for (const cookie of [undefined, `${SESSION_COOKIE}=${'x'.repeat(43)}`]) {
          const answer = await call(base, route.method.toUpperCase(), url, cookie ? { cookie } : {});
          expect({ route: `${route.method} ${route.path}`, status: answer.status, code: errorCode(answer) }).toEqual({
            route: `${route.method} ${route.path}`,
            status: 401,
            code: 'unauthenticated',
          });
        }
      }
    });
  });

  describe('REST', () => {
    it('reports health: store and MQTT up', async () => {
      const health = await waitFor(async () => {
        const answer = await call(base, 'GET', '/api/health');
        const parsed = healthSchema.parse(answer.body);
        return answer.status === 200 && parsed.status === 'ok' ? parsed : undefined;
      });
      expect(health).toMatchObject({ version: '9.9.9-test', components: { store: { status: 'ok' }, mqtt: { status: 'ok' } } });
    });

    it('serves the public app config', async () => {
      const answer = await call(base, 'GET', '/api/app-config');
      expect(answer.body).toEqual({
        version: '9.9.9-test',
        mapTileUrl: 'https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png',
        mapTileAttribution: null,
      });
    });

    it('lists every seeded site with status and latest values in catalog units', async () => {
      const answer = await call(base, 'GET', '/api/sites', { cookie: operatorCookie });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('cache-control')).toBe('no-store');
      const { sites: listed } = siteListResponseSchema.parse(answer.body);
      expect(listed.map((s) => s.id)).toEqual(sites.sites.map((s: Site) => s.id));
      const station = listed.find((s) => s.id === 'KG-WQ-01');
      expect(station).toMatchObject({
        kind: 'water-quality',
        status: 'online',
        reportedStatus: 'online',
        latest: { do: { value: 5.25, unit: 'mg/L' }, ph: { value: 7.9, unit: '' }, temperature: { value: 29.5, unit: '°C' } },
      });
      expect(listed.find((s) => s.id === 'KG-SAL-01')?.latest.salinity).toMatchObject({ value: 4.9, unit: '‰' });
      const camera = listed.find((s) => s.kind === 'camera');
      expect(camera?.snapshotUrl).toMatch(/^http/);
      expect(listed.find((s) => s.id === 'HG-WQ-01')).toMatchObject({ status: 'unknown', lastSeen: null, latest: {} });
    });

    it('serves one site, 404 for an unknown one and 400 for a malformed id', async () => {
      const one = await call(base, 'GET', '/api/sites/KG-WQ-01', { cookie: operatorCookie });
      expect(siteSummarySchema.parse(one.body).id).toBe('KG-WQ-01');
      const missing = await call(base, 'GET', '/api/sites/XX-WQ-99', { cookie: operatorCookie });
      expect(missing.status).toBe(404);
      expect(errorCode(missing)).toBe('not_found');
      const malformed = await call(base, 'GET', '/api/sites/kg%2Fwq', { cookie: operatorCookie });
      expect(malformed.status).toBe(400);
      expect(errorCode(malformed)).toBe('validation_failed');
    });

    it('downsamples history to at most maxPoints buckets with min/avg/max', async () => {
      const answer = await call(base, 'GET', '/api/sites/KG-SAL-01/readings?metric=salinity&maxPoints=100', { cookie: operatorCookie });
      expect(answer.status).toBe(200);
      const series = historySeriesSchema.parse(answer.body);
      expect(series).toMatchObject({ siteId: 'KG-SAL-01', metric: 'salinity', unit: '‰' });
      expect(series.to - series.from).toBe(24 * HOUR);
      expect(series.points.length).toBeGreaterThan(10);
      expect(series.points.length).toBeLessThanOrEqual(100);
      for (const point of series.points) {
        expect(point.min).toBeLessThanOrEqual(point.avg);
        expect(point.avg).toBeLessThanOrEqual(point.max);
      }
      expect(series.points.reduce((sum, p) => sum + p.count, 0)).toBe(3000);
      expect(Math.min(...series.points.map((p) => p.min))).toBe(0);
      expect(Math.max(...series.points.map((p) => p.max))).toBe(4.9);
    });

    it('accepts ISO times and limits the range', async () => {
      const from = new Date(now - 2 * HOUR).toISOString();
      const to = new Date(now).toISOString();
      const answer = await call(
        base,
        'GET',
        `/api/sites/KG-SAL-01/readings?metric=salinity&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
        { cookie: operatorCookie },
      );
      const series = historySeriesSchema.parse(answer.body);
      expect(series.points.length).toBeLessThanOrEqual(2000);
      const total = series.points.reduce((sum, p) => sum + p.count, 0);
      expect(total).toBeGreaterThan(700);
      expect(total).toBeLessThan(730);
    });

    it('rejects bad history queries with 400 validation_failed', async () => {
      for (const query of [
        `metric=salinity&from=${now}&to=${now - 1}`,
        'metric=nitrogen',
        'metric=salinity&maxPoints=5000',
        'metric=salinity&from=yesterday',
        '',
      ]) {
        const answer = await call(base, 'GET', `/api/sites/KG-SAL-01/readings?${query}`, { cookie: operatorCookie });
        expect({ query, status: answer.status, code: errorCode(answer) }).toEqual({ query, status: 400, code: 'validation_failed' });
      }
      const unknownSite = await call(base, 'GET', '/api/sites/XX-00/readings?metric=do', { cookie: operatorCookie });
      expect(unknownSite.status).toBe(404);
    });

    it('lists a site’s newest events first', async () => {
      await stores.telemetry.writeEvents([
        { siteId: 'KG-CAM-01', ts: now - 3_000, type: 'vehicle_count', severity: 'info', data: { count: 12 } },
        { siteId: 'KG-CAM-01', ts: now - 2_000, type: 'tamper', severity: 'critical', message: 'lens covered' },
        { siteId: 'KG-CAM-01', ts: now - 1_000, type: 'reboot', severity: 'warning' },
      ]);
      const answer = await call(base, 'GET', '/api/sites/KG-CAM-01/events?limit=2', { cookie: operatorCookie });
      const { events } = siteEventListResponseSchema.parse(answer.body);
      expect(events.map((e) => e.type)).toEqual(['reboot', 'tamper']);
      expect(events[1]).toMatchObject({ severity: 'critical', message: 'lens covered' });
      const tooMany = await call(base, 'GET', '/api/sites/KG-CAM-01/events?limit=100000', { cookie: operatorCookie });
      expect(tooMany.status).toBe(400);
    });

    it('issues device tokens to admins only, storing only a hash that verifies', async () => {
      const denied = await call(base, 'POST', '/api/sites/KG-WQ-02/token', { cookie: operatorCookie });
      expect(denied.status).toBe(403);
      expect(errorCode(denied)).toBe('forbidden');
      expect(await stores.registry.getDeviceCredential('KG-WQ-02')).toBeUndefined();

      const answer = await call(base, 'POST', '/api/sites/KG-WQ-02/token', { cookie: adminCookie });
      expect(answer.status).toBe(201);
      expect(answer.headers.get('cache-control')).toBe('no-store');
      const issued = deviceTokenResponseSchema.parse(answer.body);
      expect(issued.siteId).toBe('KG-WQ-02');
      const stored = await stores.registry.getDeviceCredential('KG-WQ-02');
      expect(stored?.tokenHash).not.toContain(issued.token);
      expect(await verifySecret(issued.token, stored?.tokenHash ?? '')).toBe(true);

      const device = await connectAsync(broker.url, {
        clientId: 'KG-WQ-02-dev',
        username: 'KG-WQ-02',
        password: issued.token,
        reconnectPeriod: 0,
      });
      await device.endAsync();

      const unknown = await call(base, 'POST', '/api/sites/XX-WQ-99/token', { cookie: adminCookie });
      expect(unknown.status).toBe(404);
    });

    it('disables and re-enables a site for admins only (device side: tests/integration/security/site-disable.test.ts)', async () => {
      const denied = await call(base, 'POST', '/api/sites/KG-WQ-02/disable', { cookie: operatorCookie });
      expect(denied.status).toBe(403);
      const disabled = await call(base, 'POST', '/api/sites/KG-WQ-02/disable', { cookie: adminCookie });
      expect(disabled.status).toBe(200);
      expect(siteAccessResponseSchema.parse(disabled.body)).toMatchObject({ siteId: 'KG-WQ-02', enabled: false });
      expect(sites.isDisabled('KG-WQ-02')).toBe(true);
      const enabled = await call(base, 'POST', '/api/sites/KG-WQ-02/enable', { cookie: adminCookie });
      expect(enabled.body).toEqual({ siteId: 'KG-WQ-02', enabled: true, disabledAt: null });
      expect(sites.isDisabled('KG-WQ-02')).toBe(false);
    });

    it('registers and removes sites for admins only, with tokens on request', async () => {
      const site = {
        id: 'LOAD-00042',
        name: 'Load probe 42',
        kind: 'water-quality',
        lat: 9.8,
        lon: 105.3,
        province: { former: 'Hậu Giang', current: 'Cần Thơ' },
        reportingIntervalSec: 30,
      };
      const denied = await call(base, 'POST', '/api/sites', { cookie: operatorCookie, json: site });
      expect(denied.status).toBe(403);
      const invalid = await call(base, 'POST', '/api/sites', { cookie: adminCookie, json: { ...site, lat: 123 } });
      expect(invalid.status).toBe(400);
      expect(errorCode(invalid)).toBe('validation_failed');

      const single = await call(base, 'POST', '/api/sites', { cookie: adminCookie, json: site });
      expect(single.status).toBe(201);
      expect(registerSitesResponseSchema.parse(single.body)).toEqual({ registered: ['LOAD-00042'] });
      const again = await call(base, 'POST', '/api/sites', { cookie: adminCookie, json: site });
      expect(again.status).toBe(409);
      expect(errorCode(again)).toBe('conflict');

      const batch = await call(base, 'POST', '/api/sites', {
        cookie: adminCookie,
        json: {
          sites: [
            { ...site, id: 'LOAD-00043' },
            { ...site, id: 'LOAD-00044' },
          ],
          issueTokens: true,
        },
      });
      expect(batch.status).toBe(201);
      const { tokens } = registerSitesResponseSchema.parse(batch.body);
      expect(tokens?.map((t) => t.siteId)).toEqual(['LOAD-00043', 'LOAD-00044']);
      const stored = await stores.registry.getDeviceCredential('LOAD-00044');
      expect(await verifySecret(tokens?.[1]?.token ?? '', stored?.tokenHash ?? '')).toBe(true);
      const listed = siteListResponseSchema.parse((await call(base, 'GET', '/api/sites', { cookie: operatorCookie })).body);
      expect(listed.sites.map((s) => s.id)).toEqual(expect.arrayContaining(['LOAD-00042', 'LOAD-00043', 'LOAD-00044']));

      expect((await call(base, 'DELETE', '/api/sites/LOAD-00043', { cookie: operatorCookie })).status).toBe(403);
      const seeded = await call(base, 'DELETE', '/api/sites/KG-WQ-01', { cookie: adminCookie });
      expect(seeded.status).toBe(409);
      const removed = await call(base, 'DELETE', '/api/sites/LOAD-00043', { cookie: adminCookie });
      expect(removed.status).toBe(204);
      expect((await call(base, 'GET', '/api/sites/LOAD-00043', { cookie: operatorCookie })).status).toBe(404);
      expect(await stores.registry.getDeviceCredential('LOAD-00043')).toBeUndefined();
      for (const id of ['LOAD-00042', 'LOAD-00044']) await call(base, 'DELETE', `/api/sites/${id}`, { cookie: adminCookie });
    });

    it('registers the largest allowed batch in one request', async () => {
      const sites = Array.from({ length: MAX_SITES_PER_REGISTRATION }, (_, i) => ({
        id: `BULK-${String(i).padStart(5, '0')}`,
        name: `Bulk site ${i} — Cái Lớn`,
        kind: 'salinity',
        lat: 9 + (i % 100) / 100,
        lon: 105 + Math.floor(i / 100) / 100,
        province: { former: 'Kiên Giang', current: 'An Giang' },
        reportingIntervalSec: 60,
      }));
      const answer = await call(base, 'POST', '/api/sites', { cookie: adminCookie, json: { sites } });
      expect(answer.status).toBe(201);
      expect(registerSitesResponseSchema.parse(answer.body).registered).toHaveLength(MAX_SITES_PER_REGISTRATION);
      const tooMany = await call(base, 'POST', '/api/sites', { cookie: adminCookie, json: { sites: [...sites, sites[0]] } });
      expect(tooMany.status).toBe(400);

      // Removed in one request too: never by an operator, never with a seeded id among them.
      const ids = sites.map((site) => site.id);
      expect((await call(base, 'POST', '/api/sites/remove', { cookie: operatorCookie, json: { siteIds: ids } })).status).toBe(403);
      const withSeeded = await call(base, 'POST', '/api/sites/remove', {
        cookie: adminCookie,
        json: { siteIds: [...ids.slice(1), 'KG-WQ-01'] },
      });
      expect(withSeeded.status).toBe(409);
      expect(directory().get('BULK-00001')).toBeDefined();
      const removed = await call(base, 'POST', '/api/sites/remove', {
        cookie: adminCookie,
        json: { siteIds: [...ids, 'NEVER-00001'].slice(1) },
      });
      expect(removed.status).toBe(200);
      expect(removeSitesResponseSchema.parse(removed.body)).toEqual({ removed: ids.slice(1), notFound: ['NEVER-00001'] });
      expect(directory().get('BULK-00001')).toBeUndefined();
      expect(await stores.registry.getDeviceCredential('BULK-04999')).toBeUndefined();
      await directory().remove([ids[0] ?? '']);
    });

    it('lists ingest rejections with totals per reason', async () => {
      await stores.registry.addRejections([
        {
          ts: now - 2_000,
          reason: 'out_of_range',
          topic: topics.telemetry('KG-WQ-03'),
          siteId: 'KG-WQ-03',
          detail: 'ph = 15 is outside 0–14',
          payloadExcerpt: '{"values":{"ph":15}}',
        },
        {
          ts: now - 1_000,
          reason: 'malformed_json',
          topic: topics.telemetry('KG-WQ-04'),
          siteId: 'KG-WQ-04',
          detail: 'Unexpected token',
          payloadExcerpt: '{"values":',
        },
      ]);
      const answer = await call(base, 'GET', '/api/ingest/rejections?limit=10', { cookie: operatorCookie });
      const list = rejectionListResponseSchema.parse(answer.body);
      expect(list.rejections.map((r) => r.reason)).toEqual(['malformed_json', 'out_of_range']);
      expect(list.totals).toMatchObject({ out_of_range: 1, malformed_json: 1 });
    });

    it('serves the offline basemap publicly, or a 404 JSON error when it is missing', async () => {
      const missing = await call(base, 'GET', '/api/basemap');
      expect(missing.status).toBe(404);
      expect(errorCode(missing)).toBe('not_found');
      expect(missing.headers.get('cache-control')).toBe('no-store');

      const file = path.join(seedsDir, BASEMAP_FILE);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(
        file,
        JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', geometry: null, properties: {} }] }),
      );
      const answer = await call(base, 'GET', '/api/basemap');
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toMatch(/^application\/geo\+json/);
      expect(answer.headers.get('cache-control')).toMatch(/^public, max-age=\d+/);
      expect(answer.body).toMatchObject({ type: 'FeatureCollection' });
    });

    it('answers unknown API paths and malformed JSON in the error shape', async () => {
      const unknown = await call(base, 'GET', '/api/nothing-here', { cookie: operatorCookie });
      expect(unknown.status).toBe(404);
      expect(errorCode(unknown)).toBe('not_found');
      const response = await fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"user',
      });
      expect(response.status).toBe(400);
      expect(apiErrorBodySchema.parse(await response.json()).error.code).toBe('bad_request');
    });

    it('sends security headers with a CSP allowing the tile server and camera snapshots', async () => {
      const answer = await call(base, 'GET', '/api/app-config');
      const csp = answer.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self' 'unsafe-inline'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).toMatch(/img-src 'self' data: blob: https:\/\/\*\.tile\.openstreetmap\.org http:\/\/127\.0\.0\.1:8083/);
      expect(csp).not.toContain('upgrade-insecure-requests');
      expect(answer.headers.get('x-powered-by')).toBeNull();
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    });
  });

  describe('browser app', () => {
    it('serves index.html uncached, hashed assets immutable, and falls back to index.html for app routes', async () => {
      const index = await call(base, 'GET', '/');
      expect(index.status).toBe(200);
      expect(index.text).toContain('Mekong IOC');
      expect(index.headers.get('cache-control')).toBe('no-cache');
      const asset = await call(base, 'GET', '/assets/index-3f9a1c.js');
      expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(asset.text).toContain('console.log');
      const icon = await call(base, 'GET', '/favicon.svg');
      expect(icon.headers.get('cache-control')).toBe('no-cache');
      const deepLink = await call(base, 'GET', '/sites/KG-WQ-01');
      expect(deepLink.status).toBe(200);
      expect(deepLink.text).toContain('Mekong IOC');
      const missingAsset = await call(base, 'GET', '/assets/gone-000000.js');
      expect(missingAsset.status).toBe(404);
    });
  });

  describe('live stream', () => {
    const connect = (cookie?: string) => {
      const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(base, {
        transports: ['websocket'],
        reconnection: false,
        ...(cookie ? { extraHeaders: { cookie } } : {}),
      });
      sockets.push(socket);
      return socket;
    };

    it('refuses a handshake without a valid session cookie', async () => {
      for (const cookie of [undefined, `${SESSION_COOKIE}=${'y'.repeat(43)}`]) {
        const socket = connect(cookie);
        const outcome = await new Promise<string>((resolve) => {
          socket.once('connect_error', (error) => resolve(error.message));
          socket.once('connect', () => resolve('connected'));
        });
        expect(outcome).toBe('unauthenticated');
        expect(socket.connected).toBe(false);
      }
    });

    it('pushes readings and status changes published on the platform topics, and updates REST', async () => {
      const cookie = await login(OPERATOR);
      const socket = connect(cookie);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      const readings: LiveReading[] = [];
      const statuses: LiveSiteStatus[] = [];
      socket.on('reading', (reading) => readings.push(reading));
      socket.on('site-status', (status) => statuses.push(status));

      const ts = Date.now();
      const message = { siteId: 'KG-WQ-03', readings: [{ ts, values: { do: 7.77, ph: 8.01 } }] };
      await waitFor(
        async () => {
          await publisher.publishAsync(topics.platformReadings('KG-WQ-03'), JSON.stringify(message), { qos: 1 });
          return readings.length > 0;
        },
        { intervalMs: 100, message: 'no reading event' },
      );
      expect(readings[0]).toEqual({ siteId: 'KG-WQ-03', ts, values: { do: 7.77, ph: 8.01 } });

      const site = siteSummarySchema.parse((await call(base, 'GET', '/api/sites/KG-WQ-03', { cookie })).body);
      expect(site).toMatchObject({ status: 'online', lastSeen: ts, latest: { do: { value: 7.77, unit: 'mg/L', ts } } });

      await publisher.publishAsync(
        topics.platformSiteStatus('KG-WQ-03'),
        JSON.stringify({ siteId: 'KG-WQ-03', status: 'maintenance', ts: ts + 1 }),
        { qos: 1 },
      );
      await waitFor(() => statuses.length > 0, { message: 'no site-status event' });
      expect(statuses[0]).toEqual({ siteId: 'KG-WQ-03', status: 'maintenance', lastSeen: ts + 1 });

      const metrics = await call(base, 'GET', '/metrics');
      expect(metrics.text).toMatch(/^ioc_web_socket_clients 1$/m);

      const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));
      await call(base, 'POST', '/api/auth/logout', { cookie });
      expect(await disconnected).toBe('io server disconnect');
    });
  });

  describe('operations and the OpenAPI document', () => {
    it('exposes Prometheus metrics labelled by route pattern', async () => {
      const answer = await call(base, 'GET', '/metrics');
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(answer.text).toMatch(/ioc_web_http_requests_total\{route="\/api\/sites\/:id",method="GET",status="200"\} \d+/);
      expect(answer.text).toContain('ioc_web_http_request_duration_seconds_bucket');
      expect(answer.text).not.toMatch(/route="\/api\/sites\/KG-/);
      expect(answer.text).toMatch(/ioc_web_mqtt_connected 1/);
    });

    it('documents every route of the express router, and nothing else', async () => {
      const answer = await call(base, 'GET', '/api/openapi.json');
      expect(answer.status).toBe(200);
      const doc = answer.body as { openapi: string; paths: Record<string, Record<string, unknown>> };
      expect(doc.openapi).toBe('3.1.0');
      const served = web.app.router.stack
        .flatMap((layer) =>
          layer.route ? layer.route.stack.map((handler) => `${handler.method} ${openApiPath(layer.route?.path ?? '')}`) : [],
        )
        .filter((entry, index, all) => all.indexOf(entry) === index)
        .sort();
      const documented = Object.entries(doc.paths)
        .flatMap(([docPath, operations]) => Object.keys(operations).map((method) => `${method} ${docPath}`))
        .sort();
      expect(served.length).toBeGreaterThanOrEqual(13);
      expect(documented).toEqual(served);
    });

    it('every answer seen in this file is documented for its route and matches the schema it cites', () => {
      const matchers = web.routes.map((route) => ({
        route,
        pattern: new RegExp(`^${route.path.replace(/:[A-Za-z0-9_]+/g, '[^/]+')}$`),
      }));
      const problems: string[] = [];
      const seenSuccess = new Set<string>();
      for (const answer of observed) {
        const match = matchers.find((m) => m.route.method.toUpperCase() === answer.method && m.pattern.test(answer.path));
        if (!match) continue;
        const spec = match.route.responses[answer.status];
        const label = `${answer.method} ${answer.path} → ${answer.status}`;
        if (!spec) {
          problems.push(`${label}: status not documented`);
          continue;
        }
        if (answer.status < 300) seenSuccess.add(match.route.operationId);
        if (spec.schema) {
          const result = spec.schema.safeParse(answer.body);
          if (!result.success) problems.push(`${label}: ${result.error.message}`);
        }
      }
      expect(problems).toEqual([]);
      // Feature routes (alerts, rules, notifications, users, replay) are exercised by their own
      // integration suites; this file covers the core ones.
      const coreRoutes = web.routes.filter((route) => CORE_ROUTE_TAGS.has(route.tag));
      expect([...seenSuccess].filter((id) => coreRoutes.some((r) => r.operationId === id)).sort()).toEqual(
        coreRoutes.map((r) => r.operationId).sort(),
      );
    });
  });
});

describe('web server without broker or built app', () => {
  const temp = makeTempDir();
  let stores: DuckDbDataStores;
  let web: WebServer;
  let base: string;

  beforeAll(async () => {
    const config = testConfig(temp.dir, { HTTP_HOST: '127.0.0.1', COOKIE_SECURE: 'true', PUBLIC_URL: 'https://ioc.example.org' });
    stores = new DuckDbDataStores({ file: path.join(temp.dir, 'web-test-2.duckdb'), logger: silentLogger(), metrics: new Registry() });
    await stores.start();
    await ensureAdminUser({ registry: stores.registry, username: ADMIN.username, password: ADMIN.password, logger: silentLogger() });
    const emptyAppDir = path.join(temp.dir, 'no-app');
    fs.mkdirSync(emptyAppDir);
    web = new WebServer({
      config,
      logger: silentLogger(),
      metrics: new Registry(),
      stores,
      sites: new SiteDirectory({
        registry: stores.registry,
        seeds: await loadSiteSeeds(config.seedsDir),
        applySeeds: false,
        logger: silentLogger(),
      }),
      mqttUrl: () => 'mqtt://127.0.0.1:1',
      serviceToken: SERVICE_TOKEN,
      appDir: emptyAppDir,
      version: '9.9.9-test',
      loginRateLimit: { limit: 3, windowMs: 60_000 },
    });
    await web.start();
    base = web.url;
  });

  afterAll(async () => {
    await web?.stop();
    await stores?.stop();
    temp.cleanup();
  });

  it('starts and reports degraded health while the broker is unreachable', async () => {
    const answer = await call(base, 'GET', '/api/health');
    expect(answer.status).toBe(200);
    expect(healthSchema.parse(answer.body)).toMatchObject({
      status: 'degraded',
      components: { store: { status: 'ok' }, mqtt: { status: 'down' } },
    });
  });

  it('explains how to build the app instead of serving nothing', async () => {
    const answer = await call(base, 'GET', '/');
    expect(answer.status).toBe(503);
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
    expect(answer.text).toContain('npm run build:app');
  });

  it('marks the cookie Secure and sends HSTS behind HTTPS', async () => {
    const answer = await call(base, 'POST', '/api/auth/login', { json: ADMIN });
    expect(answer.status).toBe(200);
    expect(sessionCookieOf(answer.headers).attributes.map((a) => a.toLowerCase())).toContain('secure');
    expect(answer.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(answer.headers.get('content-security-policy')).toContain('upgrade-insecure-requests');
  });

  it('rate-limits failed logins per IP with 429 rate_limited', async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const answer = await call(base, 'POST', '/api/auth/login', { json: { username: 'admin', password: `guess-${attempt}` } });
      expect(answer.status).toBe(401);
    }
    const limited = await call(base, 'POST', '/api/auth/login', { json: ADMIN });
    expect(limited.status).toBe(429);
    expect(errorCode(limited)).toBe('rate_limited');
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('stops idempotently and releases its port', async () => {
    const port = web.port;
    await web.stop();
    await web.stop();
    await expect(fetch(`http://127.0.0.1:${port}/api/health`)).rejects.toThrow();
  });
});
