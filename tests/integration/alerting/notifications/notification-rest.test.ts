/**
 * Subscriptions, the in-app feed, the outbox and user management over REST, in split mode: the web
 * server reaches the notifier through ingest's internal data API (`notifications` target), as with
 * `npm run web` + `npm run ingest`. Every answer is checked against the route table's schemas.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelsFromConfig } from '../../../../alerting/notifications/channels-from-config.js';
import { Notifier } from '../../../../alerting/notifications/notifier.js';
import type { Delivery, FeedResponse, Subscription } from '../../../../common/notifications.js';
import { ensureAdminUser } from '../../../../platform/bootstrap-admin.js';
import { loadConfig } from '../../../../platform/config/config.js';
import { InternalHttpServer } from '../../../../platform/http/internal-server.js';
import { silentLogger } from '../../../../platform/logger.js';
import { SiteDirectory } from '../../../../platform/sites/site-directory.js';
import { DuckDbDataStores } from '../../../../platform/store/duckdb/duckdb-data-stores.js';
import { createDataApiRouter } from '../../../../platform/store/remote/data-api-router.js';
import { RemoteDataStores } from '../../../../platform/store/remote/remote-data-stores.js';
import type { ApiRoute } from '../../../../web/server/routes/route-spec.js';
import { WebServer } from '../../../../web/server/web-server.js';
import { ApiClient } from '../../../support/api-client.js';
import { makeTempDir, testConfig } from '../../../support/test-config.js';
import { change, T0 } from '../../../unit/alerting/notifications/alert-fixtures.js';
import { deploymentSites, HttpReceiver } from './notification-fixture.js';

const SERVICE_TOKEN = 'test-service-token-0123456789abcdef';
const ADMIN = { username: 'admin', password: 'test-admin-password' };
const OFFICER = { username: 'officer.hg', password: 'officer-password-1', role: 'viewer' } as const;
const OPERATOR = { username: 'operator1', password: 'operator-password-1', role: 'operator' } as const;
// `/api/users` itself (list, create); the account lifecycle under `/api/users/{username}` is covered by tests/integration/security/operators-sessions.test.ts.
const MY_ROUTES = /^\/api\/(users$|subscriptions|notifications)/;

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly body: unknown;
}

describe('notification REST API (split mode)', () => {
  const temp = makeTempDir('mekong-ioc-notify-rest-');
  const receiver = new HttpReceiver();
  const seen: Seen[] = [];
  /** Everything the web server logs, at trace level. */
  const webLog: string[] = [];
  let now = T0;
  let stores: DuckDbDataStores;
  let ownerSites: SiteDirectory;
  let notifier: Notifier;
  let dataApi: InternalHttpServer;
  let remote: RemoteDataStores;
  let web: WebServer;
  let admin: ApiClient;
  let officer: ApiClient;
  let operator: ApiClient;

  /** A REST call that records its answer for the schema check. */
  const call = async (client: ApiClient, method: string, urlPath: string, body?: unknown) => {
    const answer = await client.request(method, urlPath, body);
    seen.push({ method, path: new URL(urlPath, 'http://x').pathname, status: answer.status, body: answer.json });
    return answer;
  };
  const errorCode = (json: unknown) => (json as { error: { code: string } }).error.code;

  beforeAll(async () => {
    await receiver.start();
    const logger = silentLogger();
    stores = new DuckDbDataStores({ file: path.join(temp.dir, 'ioc.duckdb'), logger, metrics: new Registry() });
    await stores.start();
    await ensureAdminUser({ registry: stores.registry, username: ADMIN.username, password: ADMIN.password, logger });
    ownerSites = new SiteDirectory({ registry: stores.registry, seeds: await deploymentSites(), applySeeds: true, logger });
    await ownerSites.start();
    notifier = new Notifier({
      database: stores.database,
      sites: ownerSites,
      channels: channelsFromConfig(loadConfig({ NOTIFY_WEBHOOK_SECRET: 'rest-test-webhook-secret-0123456789abcdef' }), () => now),
      publicUrl: 'http://ioc.test',
      escalation: { reminderIntervalMs: 0, escalateAfterMs: 0 },
      logger,
      metrics: new Registry(),
      clock: () => now,
      random: () => 0.5,
      pollIntervalMs: 50,
    });
    await notifier.start();
    dataApi = new InternalHttpServer({
      name: 'ingest-http',
      host: '127.0.0.1',
      port: 0,
      logger,
      metrics: new Registry(),
      health: async () => ({ status: 'ok', version: 'test', uptimeSec: 0, components: {} }),
      routers: [
        {
          path: '/internal/data',
          router: createDataApiRouter({ stores, serviceToken: SERVICE_TOKEN, logger, notifications: notifier.store }),
        },
      ],
    });
    await dataApi.start();
    remote = new RemoteDataStores({ baseUrl: dataApi.url, serviceToken: SERVICE_TOKEN, logger });
    await remote.start();
    const config = testConfig(temp.dir, { HTTP_HOST: '127.0.0.1' });
    const appDir = path.join(temp.dir, 'app');
    fs.mkdirSync(appDir);
    const webSites = new SiteDirectory({ registry: remote.registry, seeds: await deploymentSites(), applySeeds: false, logger });
    await webSites.start();
    web = new WebServer({
      config,
      logger: pino({ level: 'trace' }, { write: (line: string) => webLog.push(line) }),
      metrics: new Registry(),
      stores: remote,
      sites: webSites,
      mqttUrl: () => 'mqtt://127.0.0.1:1',
      serviceToken: SERVICE_TOKEN,
      appDir,
      version: 'test',
      sessionCacheMs: 0,
    });
    await web.start();
    admin = new ApiClient(web.url);
    await admin.login(ADMIN.username, ADMIN.password);
  });

  afterAll(async () => {
    await web?.stop();
    await remote?.stop();
    await dataApi?.stop();
    await notifier?.stop();
    await ownerSites?.stop();
    await stores?.stop();
    await receiver.stop();
    temp.cleanup();
  });

  it('lets an admin create users, with hashed passwords, and nobody else', async () => {
    for (const user of [OFFICER, OPERATOR]) {
      const created = await call(admin, 'POST', '/api/users', user);
      expect(created.status).toBe(201);
      expect(created.json).toEqual({ username: user.username, role: user.role, createdAt: expect.any(Number) });
    }
    const again = await call(admin, 'POST', '/api/users', OFFICER);
    expect([again.status, errorCode(again.json)]).toEqual([409, 'conflict']);
    const weak = await call(admin, 'POST', '/api/users', { username: 'x1y', password: 'short', role: 'viewer' });
    expect([weak.status, errorCode(weak.json)]).toEqual([400, 'validation_failed']);
    const badRole = await call(admin, 'POST', '/api/users', { username: 'x1y', password: 'long-enough-pw', role: 'root' });
    expect(badRole.status).toBe(400);

    expect(webLog.some((line) => line.includes('"msg":"user created"'))).toBe(true);
    expect(webLog.filter((line) => line.includes(OFFICER.password) || line.includes(OPERATOR.password))).toEqual([]);
    const stored = await stores.registry.findUser(OFFICER.username);
    expect(stored?.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(stored?.passwordHash).not.toContain(OFFICER.password);

    officer = new ApiClient(web.url);
    await officer.login(OFFICER.username, OFFICER.password);
    operator = new ApiClient(web.url);
    await operator.login(OPERATOR.username, OPERATOR.password);

    const list = await call(admin, 'GET', '/api/users');
    expect(list.status).toBe(200);
    expect((list.json as { users: { username: string }[] }).users.map((u) => u.username)).toEqual(['admin', 'officer.hg', 'operator1']);
    expect(JSON.stringify(list.json)).not.toContain('scrypt');
    expect((await call(officer, 'GET', '/api/users')).status).toBe(403);
    expect((await call(operator, 'POST', '/api/users', { username: 'sneaky', password: 'long-enough-pw', role: 'admin' })).status).toBe(
      403,
    );
  });

  it('reports the configured channels', async () => {
    const answer = await call(officer, 'GET', '/api/notifications/channels');
    expect(answer.status).toBe(200);
    const channels = (answer.json as { channels: { channel: string; configured: boolean }[] }).channels;
    expect(Object.fromEntries(channels.map((c) => [c.channel, c.configured]))).toEqual({
      'in-app': true,
      webhook: true,
      email: false,
      gateway: false,
    });
  });

  let officerSubscription: Subscription;

  it('lets an officer subscribe to a province by its former name, and validates', async () => {
    const created = await call(officer, 'POST', '/api/subscriptions', {
      name: 'Hậu Giang farms',
      scope: { type: 'province', province: 'Hậu Giang' },
      minSeverity: 'major',
      channels: [{ type: 'in-app' }],
      quietHours: { start: '22:00', end: '06:00' },
    });
    expect(created.status).toBe(201);
    officerSubscription = created.json as Subscription;
    expect(officerSubscription).toMatchObject({
      username: OFFICER.username,
      language: 'vi',
      escalationLevel: 1,
      enabled: true,
      scope: { type: 'province', province: 'Hậu Giang' },
    });

    const email = await call(officer, 'POST', '/api/subscriptions', {
      scope: { type: 'sites', siteIds: ['HG-WQ-01'] },
      channels: [{ type: 'email', to: 'a@b.vn' }],
    });
    expect(email.status).toBe(400);
    expect((email.json as { error: { details: { path: string }[] } }).error.details).toEqual([
      { path: 'channels.0', message: expect.stringContaining('SMTP_URL') },
    ]);
    const province = await call(officer, 'POST', '/api/subscriptions', {
      scope: { type: 'province', province: 'Atlantis' },
      channels: [{ type: 'in-app' }],
    });
    expect([province.status, errorCode(province.json)]).toEqual([400, 'validation_failed']);
    const malformed = await call(officer, 'POST', '/api/subscriptions', {
      scope: { type: 'rectangle', south: 10, west: 105, north: 9, east: 106 },
      channels: [{ type: 'in-app' }],
      quietHours: { start: '25:00', end: '06:00' },
    });
    expect(malformed.status).toBe(400);
    const webhook = await call(officer, 'POST', '/api/subscriptions', {
      scope: { type: 'sites', siteIds: ['HG-WQ-01'] },
      channels: [{ type: 'webhook', url: receiver.url('/x') }],
    });
    expect([webhook.status, errorCode(webhook.json)]).toEqual([403, 'forbidden']);
    const forOthers = await call(officer, 'POST', '/api/subscriptions', {
      username: OPERATOR.username,
      scope: { type: 'sites', siteIds: ['HG-WQ-01'] },
      channels: [{ type: 'in-app' }],
    });
    expect(forOthers.status).toBe(403);

    const mine = await call(officer, 'GET', '/api/subscriptions');
    expect(mine.json).toEqual({ subscriptions: [officerSubscription] });
  });

  it('keeps subscriptions private to their owner and admins', async () => {
    const url = `/api/subscriptions/${officerSubscription.id}`;
    expect((await call(operator, 'GET', url)).status).toBe(404);
    expect(
      (await call(operator, 'PUT', url, { scope: { type: 'sites', siteIds: ['KG-WQ-01'] }, channels: [{ type: 'in-app' }] })).status,
    ).toBe(404);
    expect((await call(operator, 'DELETE', url)).status).toBe(404);
    expect((await call(officer, 'GET', `/api/subscriptions?user=${ADMIN.username}`)).status).toBe(403);
    expect((await call(officer, 'GET', url)).json).toEqual(officerSubscription);

    const byAdmin = await call(admin, 'GET', `/api/subscriptions?user=${OFFICER.username}`);
    expect(byAdmin.json).toEqual({ subscriptions: [officerSubscription] });
    const forOperator = await call(admin, 'POST', '/api/subscriptions', {
      username: OPERATOR.username,
      scope: { type: 'rectangle', south: 9.5, west: 104.9, north: 10.1, east: 105.2 },
      channels: [{ type: 'in-app' }],
      language: 'en',
    });
    expect(forOperator.status).toBe(201);
    expect((forOperator.json as Subscription).username).toBe(OPERATOR.username);
    const unknownOwner = await call(admin, 'POST', '/api/subscriptions', {
      username: 'ghost',
      scope: { type: 'sites', siteIds: ['HG-WQ-01'] },
      channels: [{ type: 'in-app' }],
    });
    expect(unknownOwner.status).toBe(400);
    const everyone = await call(admin, 'GET', '/api/subscriptions?user=*');
    expect((everyone.json as { subscriptions: Subscription[] }).subscriptions.map((s) => s.username).sort()).toEqual([
      OFFICER.username,
      OPERATOR.username,
    ]);
  });

  it('feeds the officer Hậu Giang alerts only, and marks them read', async () => {
    await notifier.handle(change('raised', { id: 'a-hg', siteId: 'HG-WQ-02', severity: 'major' }));
    await notifier.handle(change('raised', { id: 'a-st', siteId: 'ST-WQ-01', severity: 'critical' }));
    await notifier.handle(change('raised', { id: 'a-kg', siteId: 'KG-WQ-01', severity: 'critical' }));
    await notifier.handle(change('raised', { id: 'a-hg-minor', siteId: 'HG-WQ-01', severity: 'minor' }));
    await notifier.runDue();

    const feed = await call(officer, 'GET', '/api/notifications');
    expect(feed.status).toBe(200);
    const entries = (feed.json as FeedResponse).notifications;
    expect(entries.map((entry) => entry.alertId)).toEqual(['a-hg']);
    expect(entries[0]).toMatchObject({ siteId: 'HG-WQ-02', language: 'vi', readAt: null, link: 'http://ioc.test/?site=HG-WQ-02' });
    expect((feed.json as FeedResponse).unread).toBe(1);
    const operatorFeed = (await call(operator, 'GET', '/api/notifications?unread=true')).json as FeedResponse;
    expect(operatorFeed.notifications.map((entry) => entry.alertId)).toEqual(['a-kg']);

    const marked = await call(officer, 'POST', '/api/notifications/read', { ids: [entries[0]?.id ?? ''] });
    expect(marked.json).toEqual({ marked: 1 });
    expect(((await call(officer, 'GET', '/api/notifications?unread=true')).json as FeedResponse).notifications).toEqual([]);
    expect((await call(officer, 'POST', '/api/notifications/read', { all: true })).json).toEqual({ marked: 0 });
  });

  it('updates and deletes a subscription', async () => {
    const url = `/api/subscriptions/${officerSubscription.id}`;
    now = T0 + 60_000;
    const updated = await call(officer, 'PUT', url, {
      scope: { type: 'province', province: 'Hậu Giang' },
      minSeverity: 'warning',
      channels: [{ type: 'in-app' }],
      enabled: false,
    });
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({
      id: officerSubscription.id,
      minSeverity: 'warning',
      enabled: false,
      quietHours: null,
      updatedAt: T0 + 60_000,
    });
    expect((await call(officer, 'DELETE', url)).status).toBe(204);
    expect((await call(officer, 'GET', url)).status).toBe(404);
    expect((await call(officer, 'GET', '/api/subscriptions/not-a-uuid')).status).toBe(400);
  });

  it('shows admins the outbox with dead deliveries, and retries them', async () => {
    receiver.respond = () => 410;
    const created = await call(operator, 'POST', '/api/subscriptions', {
      scope: { type: 'sites', siteIds: ['KG-WQ-02'] },
      channels: [{ type: 'webhook', url: receiver.url('/gone') }],
    });
    expect(created.status).toBe(201);
    await notifier.handle(change('raised', { id: 'a-kg2', siteId: 'KG-WQ-02', severity: 'warning' }));
    await notifier.runDue();

    const outbox = await call(admin, 'GET', '/api/notifications/outbox?status=dead');
    expect(outbox.status).toBe(200);
    const { deliveries, counts } = outbox.json as { deliveries: Delivery[]; counts: { dead: number } };
    expect(deliveries).toMatchObject([{ channel: 'webhook', status: 'dead', lastError: 'HTTP 410', username: OPERATOR.username }]);
    expect(counts.dead).toBe(1);
    expect((await call(officer, 'GET', '/api/notifications/outbox')).status).toBe(403);

    receiver.respond = () => 200;
    const retried = await call(admin, 'POST', `/api/notifications/outbox/${deliveries[0]?.id}/retry`);
    expect(retried.status).toBe(200);
    expect(retried.json).toMatchObject({ status: 'pending', attempts: 0 });
    await notifier.runDue();
    const again = await call(admin, 'POST', `/api/notifications/outbox/${deliveries[0]?.id}/retry`);
    expect([again.status, errorCode(again.json)]).toEqual([409, 'conflict']);
    const sent = await call(admin, 'GET', `/api/notifications/outbox?user=${OPERATOR.username}&limit=5`);
    expect((sent.json as { deliveries: Delivery[] }).deliveries.find((d) => d.channel === 'webhook')?.status).toBe('sent');
  });

  it('every answer matches the status and schema its route documents, and every route was exercised', () => {
    const routes: readonly ApiRoute[] = web.routes.filter((route) => MY_ROUTES.test(route.path));
    const problems: string[] = [];
    const succeeded = new Set<string>();
    for (const answer of seen) {
      const route = routes.find(
        (r) => r.method.toUpperCase() === answer.method && new RegExp(`^${r.path.replace(/:[A-Za-z0-9_]+/g, '[^/]+')}$`).test(answer.path),
      );
      if (!route) {
        problems.push(`${answer.method} ${answer.path}: no route`);
        continue;
      }
      const spec = route.responses[answer.status];
      if (!spec) {
        problems.push(`${answer.method} ${answer.path} → ${answer.status}: not documented`);
        continue;
      }
      if (answer.status < 300) succeeded.add(route.operationId);
      const result = spec.schema?.safeParse(answer.body);
      if (result && !result.success) problems.push(`${answer.method} ${answer.path} → ${answer.status}: ${result.error.message}`);
    }
    expect(problems).toEqual([]);
    expect([...succeeded].sort()).toEqual(routes.map((route) => route.operationId).sort());
  });
});
