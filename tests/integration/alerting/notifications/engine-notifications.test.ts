/**
 * Notifications through the real alert engine: a DO crash raises an alert after the raise-after
 * window → a local HTTP receiver gets a correctly signed webhook → an unacknowledged critical alert
 * is re-sent every N minutes and escalated to the supervisor after M → an operator acknowledges it
 * over REST → reminders stop → recovery clears it and the clearing is sent. The engine runs on real
 * time; the notifier's clock is moved by the test for the reminder and escalation steps.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertEngine } from '../../../../alerting/alert-engine.js';
import { channelsFromConfig } from '../../../../alerting/notifications/channels-from-config.js';
import { Notifier } from '../../../../alerting/notifications/notifier.js';
import { verifyWebhookSignature } from '../../../../alerting/notifications/webhook-signature.js';
import { DuckDbAlertStore } from '../../../../alerting/store/duckdb-alert-store.js';
import { ruleDefinitionSchema } from '../../../../common/alert-rules.js';
import type { Alert } from '../../../../common/alerts.js';
import type { FeedResponse } from '../../../../common/notifications.js';
import { ensureAdminUser } from '../../../../platform/bootstrap-admin.js';
import { loadConfig } from '../../../../platform/config/config.js';
import { silentLogger } from '../../../../platform/logger.js';
import { loadSiteSeeds } from '../../../../platform/seeds.js';
import { SiteDirectory } from '../../../../platform/sites/site-directory.js';
import { DuckDbDataStores } from '../../../../platform/store/duckdb/duckdb-data-stores.js';
import { WebServer } from '../../../../web/server/web-server.js';
import { ApiClient } from '../../../support/api-client.js';
import { makeTempDir, testConfig } from '../../../support/test-config.js';
import { waitFor } from '../../../support/wait.js';
import { doRule } from '../alerting-fixture.js';
import { HttpReceiver, WEBHOOK_SECRET } from './notification-fixture.js';

const SITE = 'KG-WQ-01';
const MINUTE = 60_000;
const ADMIN = { username: 'admin', password: 'test-admin-password' };

describe('notifications through the real alert engine', () => {
  const temp = makeTempDir('mekong-ioc-engine-notify-');
  const receiver = new HttpReceiver();
  const logger = silentLogger();
  /** The notifier's clock; starts at real time so it agrees with the engine's timestamps. */
  let now = Date.now();
  let stores: DuckDbDataStores;
  let sites: SiteDirectory;
  let engine: AlertEngine;
  let notifier: Notifier;
  let web: WebServer;
  let operator: ApiClient;
  let supervisor: ApiClient;
  let alert: Alert;

  /** Webhook events received so far, e.g. `alert.raised`. */
  const events = () => receiver.requests.map((request) => request.headers['x-ioc-event']);

  beforeAll(async () => {
    await receiver.start();
    stores = new DuckDbDataStores({ file: path.join(temp.dir, 'ioc.duckdb'), logger, metrics: new Registry() });
    await stores.start();
    await ensureAdminUser({ registry: stores.registry, username: ADMIN.username, password: ADMIN.password, logger });
    sites = new SiteDirectory({ registry: stores.registry, seeds: await loadSiteSeeds(path.resolve('seeds')), applySeeds: true, logger });
    await sites.start();
    engine = new AlertEngine({
      store: new DuckDbAlertStore(stores.database),
      sites,
      seeds: { rules: [ruleDefinitionSchema.parse(doRule('do-low', [SITE], 0.2, 0.3))], presets: [] },
      logger,
      metrics: new Registry(),
      tuning: { flushDelayMs: 10 },
    });
    notifier = new Notifier({
      database: stores.database,
      sites,
      source: engine,
      channels: channelsFromConfig(loadConfig({ NOTIFY_WEBHOOK_SECRET: WEBHOOK_SECRET }), () => now),
      publicUrl: 'http://ioc.test',
      escalation: { reminderIntervalMs: 15 * MINUTE, escalateAfterMs: 30 * MINUTE },
      logger,
      metrics: new Registry(),
      clock: () => now,
      random: () => 0.5,
      pollIntervalMs: 50,
    });
    await engine.start();
    await notifier.start();
    const appDir = path.join(temp.dir, 'app');
    fs.mkdirSync(appDir);
    web = new WebServer({
      config: testConfig(temp.dir, { HTTP_HOST: '127.0.0.1' }),
      logger,
      metrics: new Registry(),
      stores,
      sites,
      mqttUrl: () => 'mqtt://127.0.0.1:1',
      serviceToken: 'test-service-token-0123456789abcdef',
      appDir,
      version: 'test',
      alerts: engine,
      notifications: notifier.store,
    });
    await web.start();
    const admin = new ApiClient(web.url);
    await admin.login(ADMIN.username, ADMIN.password);
    await admin.post('/api/users', { username: 'operator1', password: 'operator-password-1', role: 'operator' });
    await admin.post('/api/users', { username: 'supervisor', password: 'supervisor-password-1', role: 'viewer' });
    operator = new ApiClient(web.url);
    await operator.login('operator1', 'operator-password-1');
    supervisor = new ApiClient(web.url);
    await supervisor.login('supervisor', 'supervisor-password-1');
    await operator.post('/api/subscriptions', {
      scope: { type: 'sites', siteIds: [SITE] },
      channels: [{ type: 'webhook', url: receiver.url('/ioc') }],
      language: 'en',
    });
    await supervisor.post('/api/subscriptions', {
      scope: { type: 'province', province: 'Kiên Giang' },
      channels: [{ type: 'in-app' }],
      escalationLevel: 2,
    });
  });

  afterAll(async () => {
    await web?.stop();
    await notifier?.stop();
    await engine?.stop();
    await sites?.stop();
    await stores?.stop();
    await receiver.stop();
    temp.cleanup();
  });

  it('a DO crash raises an alert after the raise-after window and the receiver gets a correctly signed webhook', async () => {
    const sentAt = Date.now();
    engine.readingsAccepted([{ siteId: SITE, ts: sentAt, values: { do: 2.8 } }]);
    const request = await waitFor(() => receiver.requests[0], { message: 'webhook for the raised alert' });
    const body = JSON.parse(request.body) as { event: string; alert: Alert };
    alert = body.alert;
    expect(alert.raisedAt - sentAt).toBeGreaterThanOrEqual(200);
    expect(body).toMatchObject({
      event: 'alert.raised',
      alert: { siteId: SITE, ruleId: 'do-low', severity: 'critical', lastValue: 2.8, threshold: 3.5 },
    });
    expect(
      verifyWebhookSignature({
        secret: WEBHOOK_SECRET,
        header: request.headers['x-ioc-signature'] as string,
        body: request.body,
        nowMs: now,
      }).valid,
    ).toBe(true);
  });

  it('re-notifies every N minutes while unacknowledged and escalates to the supervisor after M', async () => {
    now += 15 * MINUTE;
    await notifier.runDue();
    expect(events()).toEqual(['alert.raised', 'alert.reminder']);
    now += 15 * MINUTE;
    await notifier.runDue();
    expect(events()).toEqual(['alert.raised', 'alert.reminder', 'alert.reminder']);
    const feed = await supervisor.get<FeedResponse>('/api/notifications');
    expect(feed.notifications.map((entry) => entry.kind)).toEqual(['escalation']);
    expect(feed.notifications[0]?.alertId).toBe(alert.id);
  });

  it('stops reminding once an operator acknowledges over REST', async () => {
    const acknowledged = await operator.post<Alert>(`/api/alerts/${alert.id}/ack`, { comment: 'Aerators started' });
    expect(acknowledged.state).toBe('ACTIVE_ACK');
    await waitFor(() => events().includes('alert.acknowledged'), { message: 'acknowledgement sent' });
    await waitFor(async () => (await supervisor.get<FeedResponse>('/api/notifications')).notifications.length === 2);
    const count = receiver.requests.length;
    for (let step = 0; step < 4; step++) {
      now += 15 * MINUTE;
      await notifier.runDue();
    }
    expect(receiver.requests.length).toBe(count);
    const ackMessage = JSON.parse(receiver.requests.at(-1)?.body ?? '{}') as { message: { text: string } };
    expect(ackMessage.message.text).toContain('Acknowledged by: operator1');
    expect(ackMessage.message.text).toContain('Comment: Aerators started — operator1');
  });

  it('sends the clearing when the recovery clears the alert after the clear-after window', async () => {
    engine.readingsAccepted([{ siteId: SITE, ts: Date.now(), values: { do: 5.5 } }]);
    await waitFor(() => events().includes('alert.cleared'), { message: 'clearing sent' });
    expect(events().filter((event) => event === 'alert.raised')).toHaveLength(1);
    // The in-app feed is its own channel: its entry may land after the webhook's.
    const feed = await waitFor(
      async () => {
        const answer = await supervisor.get<FeedResponse>('/api/notifications');
        return answer.notifications.some((entry) => entry.kind === 'cleared') ? answer : undefined;
      },
      { message: 'the clearing in the in-app feed' },
    );
    expect(feed.notifications.map((entry) => entry.kind).sort()).toEqual(['acknowledged', 'cleared', 'escalation']);
    expect(feed.notifications[0]?.kind).toBe('cleared');
  });
});
