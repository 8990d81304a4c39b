/**
 * The audit log on the whole platform: every administrative action — users, their sessions, sites
 * (single and bulk registration, token, disable, enable, removal), rules, subscriptions of other
 * users, outbox retries — plus alert acknowledgements and comments and logins leaves one entry with
 * who (user and role), what (action, target), when, and from where (client address, user agent,
 * request id); admins read and filter it with `GET /api/audit`; no entry holds a secret.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../../common/alerts.js';
import type { AuditEntry } from '../../../common/audit.js';
import type { Delivery, Subscription } from '../../../common/notifications.js';
import { topics } from '../../../common/topics.js';
import { waitFor } from '../../support/wait.js';
import { HttpReceiver } from '../alerting/notifications/notification-fixture.js';
import { ACCOUNTS, type Answer, call, type OperatorsPlatform, startOperatorsPlatform } from './operators-fixture.js';

const USER_AGENT = 'operators-audit-test/1.0 (Mekong IOC)';

interface Done {
  readonly action: string;
  readonly actor: string;
  readonly target: string | null;
  readonly requestId: string;
}

describe('audit log', () => {
  let ops: OperatorsPlatform;
  const receiver = new HttpReceiver();
  const done: Done[] = [];
  /** Every secret that crossed the API in this file: none may appear in the audit log. */
  const secrets: string[] = [];

  async function act(role: 'admin' | 'operator', method: string, path: string, json: unknown, expected: Omit<Done, 'requestId' | 'actor'>) {
    const answer = await call(ops.base, method, path, {
      cookie: ops.cookies[role],
      json,
      headers: { origin: ops.base, 'user-agent': USER_AGENT },
    });
    expect(answer.status, `${method} ${path}: ${answer.text}`).toBeLessThan(300);
    done.push({ ...expected, actor: ACCOUNTS[role].username, requestId: answer.headers.get('x-request-id') ?? '' });
    return answer;
  }
  const asAdmin = (path: string) => call(ops.base, 'GET', path, { cookie: ops.cookies.admin });
  const entries = async (query = ''): Promise<AuditEntry[]> => {
    const answer: Answer = await asAdmin(`/api/audit?limit=1000${query}`);
    expect(answer.status).toBe(200);
    return (answer.json as { entries: AuditEntry[] }).entries;
  };

  beforeAll(async () => {
    await receiver.start();
    receiver.respond = () => 410;
    ops = await startOperatorsPlatform({
      NOTIFY_WEBHOOK_SECRET: 'operators-audit-webhook-secret-0123456789',
      NOTIFY_MAX_ATTEMPTS: '1',
    });
    secrets.push(ACCOUNTS.admin.password, ACCOUNTS.operator.password, ACCOUNTS.viewer.password);
    for (const cookie of Object.values(ops.cookies)) secrets.push(cookie.split('=')[1] ?? '');
  }, 60_000);

  afterAll(async () => {
    await ops?.stop();
    await receiver.stop();
  });

  it('records every administrative action with who, what, when and from where', { timeout: 60_000 }, async () => {
    const startedAt = Date.now();
    // Users and their sessions.
    secrets.push('auditor-password-1', 'auditor-new-password-2');
    await act(
      'admin',
      'POST',
      '/api/users',
      { username: 'audi.tor', password: 'auditor-password-1', role: 'viewer' },
      { action: 'user.create', target: 'audi.tor' },
    );
    await act(
      'admin',
      'PUT',
      '/api/users/audi.tor',
      { role: 'operator', password: 'auditor-new-password-2' },
      { action: 'user.update', target: 'audi.tor' },
    );
    await act('admin', 'DELETE', '/api/users/audi.tor/sessions', undefined, { action: 'user.sessions_revoke', target: 'audi.tor' });

    // Sites: one, then a bulk registration with tokens; a token rotation; disable, enable, removal.
    const site = (id: string) => ({
      id,
      name: `Audit ${id}`,
      kind: 'water-quality',
      lat: 10.1,
      lon: 105.2,
      province: { former: 'Hậu Giang', current: 'Cần Thơ' },
      reportingIntervalSec: 60,
    });
    await act('admin', 'POST', '/api/sites', site('AU-WQ-01'), { action: 'site.register', target: 'AU-WQ-01' });
    const bulk = await act(
      'admin',
      'POST',
      '/api/sites',
      { sites: [site('AU-WQ-02'), site('AU-WQ-03')], issueTokens: true },
      { action: 'site.register', target: null },
    );
    for (const issued of (bulk.json as { tokens: Array<{ token: string }> }).tokens) secrets.push(issued.token);
    const rotated = await act(
      'admin',
      'POST',
      '/api/sites/AU-WQ-01/token?graceMinutes=0',
      {},
      { action: 'site.token_issue', target: 'AU-WQ-01' },
    );
    secrets.push((rotated.json as { token: string }).token);
    await act('admin', 'POST', '/api/sites/AU-WQ-01/disable', {}, { action: 'site.disable', target: 'AU-WQ-01' });
    await act('admin', 'POST', '/api/sites/AU-WQ-01/enable', {}, { action: 'site.enable', target: 'AU-WQ-01' });
    await act('admin', 'DELETE', '/api/sites/AU-WQ-03', undefined, { action: 'site.remove', target: 'AU-WQ-03' });

    // Rules.
    const rule = {
      id: 'audit-turbidity',
      name: { vi: 'Độ đục (kiểm tra)', en: 'Turbidity (audit)' },
      scope: { sites: ['KG-WQ-06'] },
      condition: 'threshold',
      metric: 'turbidity',
      bands: [{ severity: 'critical', op: '>', value: 100 }],
      raiseAfterSec: 0,
      clearAfterSec: 0,
    };
    await act('admin', 'POST', '/api/rules', rule, { action: 'rule.create', target: 'audit-turbidity' });
    await act(
      'admin',
      'PUT',
      '/api/rules/audit-turbidity',
      { ...rule, name: { vi: 'Độ đục', en: 'Turbidity' } },
      { action: 'rule.update', target: 'audit-turbidity' },
    );

    // A subscription an admin makes for the operator; the operator's own is not an administrative act.
    const own = await call(ops.base, 'POST', '/api/subscriptions', {
      cookie: ops.cookies.operator,
      json: { scope: { type: 'sites', siteIds: ['KG-WQ-01'] }, channels: [{ type: 'in-app' }] },
      headers: { origin: ops.base },
    });
    expect(own.status).toBe(201);
    const forOperator = await call(ops.base, 'POST', '/api/subscriptions', {
      cookie: ops.cookies.admin,
      json: {
        username: ACCOUNTS.operator.username,
        scope: { type: 'sites', siteIds: ['KG-WQ-06'] },
        channels: [{ type: 'webhook', url: receiver.url('/gone') }],
      },
      headers: { origin: ops.base, 'user-agent': USER_AGENT },
    });
    expect(forOperator.status).toBe(201);
    const subscription = forOperator.json as Subscription;
    done.push({
      action: 'subscription.create',
      actor: 'admin',
      target: subscription.id,
      requestId: forOperator.headers.get('x-request-id') ?? '',
    });

    // A real alert from a real reading; its webhook fails for good (410, one attempt), so the delivery is dead.
    await ops.publisher.publishAsync(topics.telemetry('KG-WQ-06'), JSON.stringify({ values: { turbidity: 180 } }), { qos: 1 });
    const alert = await waitFor(
      async () =>
        ((await asAdmin('/api/alerts?site=KG-WQ-06')).json as { alerts: Alert[] }).alerts.find((a) => a.ruleId === 'audit-turbidity'),
      { message: 'no alert raised' },
    );
    const dead = await waitFor(
      async () => {
        await ops.platform.notifier.runDue();
        return ((await asAdmin('/api/notifications/outbox?status=dead')).json as { deliveries: Delivery[] }).deliveries[0];
      },
      { message: 'no dead delivery' },
    );
    await act('admin', 'POST', `/api/notifications/outbox/${dead.id}/retry`, {}, { action: 'outbox.retry', target: dead.id });
    await act(
      'operator',
      'POST',
      `/api/alerts/${alert.id}/ack`,
      { comment: 'Checking the pond' },
      { action: 'alert.acknowledge', target: alert.id },
    );
    await act(
      'operator',
      'POST',
      `/api/alerts/${alert.id}/comment`,
      { text: 'Aerators on' },
      { action: 'alert.comment', target: alert.id },
    );
    const { id: _id, username: _owner, createdAt: _c, updatedAt: _u, ...input } = subscription;
    await act(
      'admin',
      'PUT',
      `/api/subscriptions/${subscription.id}`,
      { ...input, enabled: false },
      { action: 'subscription.update', target: subscription.id },
    );
    await act('admin', 'DELETE', `/api/subscriptions/${subscription.id}`, undefined, {
      action: 'subscription.delete',
      target: subscription.id,
    });
    await act('admin', 'DELETE', '/api/rules/audit-turbidity', undefined, { action: 'rule.delete', target: 'audit-turbidity' });
    await act('admin', 'DELETE', '/api/users/audi.tor', undefined, { action: 'user.delete', target: 'audi.tor' });

    const log = (await entries()).filter((entry) => entry.ts >= startedAt && entry.action !== 'auth.login');
    expect(log.map((entry) => [entry.action, entry.actor, entry.target]).reverse()).toEqual(done.map((d) => [d.action, d.actor, d.target]));
    for (const [index, entry] of [...log].reverse().entries()) {
      const expected = done[index];
      expect(entry).toMatchObject({
        actorRole: expected?.actor === 'admin' ? 'admin' : 'operator',
        userAgent: USER_AGENT,
        requestId: expected?.requestId,
        ip: expect.stringMatching(/^(::ffff:)?127\.0\.0\.1$/),
      });
      expect(entry.ts).toBeGreaterThanOrEqual(startedAt);
    }
    expect(log.find((entry) => entry.action === 'site.register' && entry.target === null)?.detail).toEqual({
      count: 2,
      first: 'AU-WQ-02',
      last: 'AU-WQ-03',
      tokensIssued: true,
    });
    expect(log.find((entry) => entry.action === 'user.update')?.detail).toMatchObject({
      role: 'operator',
      previousRole: 'viewer',
      passwordChanged: true,
    });
    expect(log.find((entry) => entry.action === 'outbox.retry')?.detail).toMatchObject({
      owner: ACCOUNTS.operator.username,
      channel: 'webhook',
    });
  });

  it('records logins with the address and user agent', async () => {
    const answer = await call(ops.base, 'POST', '/api/auth/login', { json: ACCOUNTS.viewer, headers: { 'user-agent': USER_AGENT } });
    expect(answer.status).toBe(200);
    const [latest] = await entries('&action=auth.login');
    expect(latest).toMatchObject({ actor: ACCOUNTS.viewer.username, actorRole: 'viewer', action: 'auth.login', userAgent: USER_AGENT });
  });

  it('filters by actor, action and time, newest first', async () => {
    const byOperator = await entries(`&actor=${ACCOUNTS.operator.username}`);
    expect(new Set(byOperator.map((entry) => entry.action))).toEqual(new Set(['auth.login', 'alert.acknowledge', 'alert.comment']));
    const siteAccess = await entries('&action=site.disable,site.enable');
    expect(siteAccess.map((entry) => entry.action)).toEqual(['site.enable', 'site.disable']);
    const all = await entries();
    expect(all.map((entry) => entry.ts)).toEqual([...all.map((entry) => entry.ts)].sort((a, b) => b - a));
    const pivot = siteAccess[0]?.ts ?? 0;
    const before = await entries(`&to=${pivot}`);
    expect(before.every((entry) => entry.ts < pivot)).toBe(true);
    const after = await entries(`&from=${new Date(pivot).toISOString()}`);
    expect(after.every((entry) => entry.ts >= pivot)).toBe(true);
    expect(before.length + after.length).toBe(all.length);
    expect((await asAdmin('/api/audit?action=site.explode')).status).toBe(400);
  });

  it('is for admins only', async () => {
    for (const role of ['viewer', 'operator'] as const) {
      expect((await call(ops.base, 'GET', '/api/audit', { cookie: ops.cookies[role] })).status).toBe(403);
    }
    expect((await call(ops.base, 'GET', '/api/audit')).status).toBe(401);
  });

  it('never holds a secret: no password, device token or session id', async () => {
    const text = JSON.stringify(await entries());
    expect(secrets.length).toBeGreaterThan(8);
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8);
      expect(text).not.toContain(secret);
    }
  });

  it('keeps entries for the retention only', async () => {
    const { registry } = ops.platform.stores;
    const old = {
      id: 'old-entry',
      ts: 1_000,
      actor: 'x',
      actorRole: 'admin',
      action: 'site.enable' as const,
      target: null,
      ip: '',
      userAgent: '',
      requestId: '',
      detail: {},
    };
    await registry.appendAudit([old]);
    expect((await registry.listAudit({ to: 2_000, limit: 10 })).map((entry) => entry.id)).toEqual(['old-entry']);
    await registry.purgeAuditBefore(Date.now() - ops.config.AUDIT_RETENTION_DAYS * 24 * 3600 * 1000);
    expect(await registry.listAudit({ to: 2_000, limit: 10 })).toEqual([]);
    expect((await registry.listAudit({ limit: 1000 })).length).toBeGreaterThan(20);
  });
});
