/**
 * The notifier with real channels: a signed webhook reaches a local HTTP receiver, an e-mail a
 * local SMTP server, a gateway message a local HTTP gateway; a failing webhook neither delays the
 * e-mail nor gets lost; deliveries that keep failing end dead and can be retried.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../../../../alerting/notifications/webhook-signature.js';
import type { SubscriptionInput } from '../../../../common/notifications.js';
import { waitFor } from '../../../support/wait.js';
import { change, MINUTE, T0 } from '../../../unit/alerting/notifications/alert-fixtures.js';
import { HttpReceiver, NotifierFixture, PUBLIC_URL, SmtpSink, WEBHOOK_SECRET } from './notification-fixture.js';

const subscription = (overrides: Partial<SubscriptionInput>): SubscriptionInput => ({
  scope: { type: 'sites', siteIds: ['KG-WQ-01'] },
  minSeverity: 'warning',
  channels: [{ type: 'in-app' }],
  quietHours: null,
  language: 'vi',
  escalationLevel: 1,
  enabled: true,
  ...overrides,
});

describe('notifier delivery over real channels', () => {
  const receiver = new HttpReceiver();
  const smtp = new SmtpSink();
  let fixture: NotifierFixture;

  beforeAll(async () => {
    await Promise.all([receiver.start(), smtp.start()]);
  });

  afterEach(async () => {
    await fixture.dispose();
    receiver.requests.length = 0;
    receiver.respond = () => 200;
    smtp.messages.length = 0;
  });

  afterAll(async () => {
    await Promise.all([receiver.stop(), smtp.stop()]);
  });

  it('posts a webhook signed with HMAC-SHA256 that the receiver can verify', async () => {
    fixture = await NotifierFixture.start();
    const url = receiver.url('/hooks/ioc?token=abc');
    await fixture.notifier.store.createSubscription('operator', subscription({ language: 'en', channels: [{ type: 'webhook', url }] }));

    await fixture.notifier.handle(change('raised'));
    await fixture.notifier.runDue();

    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    if (!request) throw new Error('no request');
    expect(request.path).toBe('/hooks/ioc?token=abc');
    expect(request.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(request.headers['x-ioc-event']).toBe('alert.raised');
    const check = verifyWebhookSignature({
      secret: WEBHOOK_SECRET,
      header: request.headers['x-ioc-signature'] as string,
      body: request.body,
      nowMs: fixture.now,
    });
    expect(check).toEqual({ valid: true, timestampSec: Math.floor(T0 / 1000) });
    expect(
      verifyWebhookSignature({
        secret: 'another-secret-of-the-same-length-0123456',
        header: request.headers['x-ioc-signature'] as string,
        body: request.body,
        nowMs: fixture.now,
      }).valid,
    ).toBe(false);
    const payload = JSON.parse(request.body) as Record<string, unknown>;
    expect(payload).toMatchObject({
      id: request.headers['x-ioc-delivery'],
      event: 'alert.raised',
      kind: 'raised',
      alert: { id: 'alert-1', siteId: 'KG-WQ-01', severity: 'critical', lastValue: 2.1, threshold: 3.5, unit: 'mg/L' },
      site: { id: 'KG-WQ-01', name: 'Rạch Giá estuary', province: { former: 'Kiên Giang', current: 'An Giang' } },
      link: `${PUBLIC_URL}/?site=KG-WQ-01`,
      message: { language: 'en' },
    });
    const { deliveries } = await fixture.notifier.store.listDeliveries({ limit: 10 });
    expect(deliveries).toMatchObject([{ channel: 'webhook', status: 'sent', attempts: 1, sentAt: T0, lastError: null }]);
    expect(await fixture.metric('ioc_notifications_sent_total', { channel: 'webhook', outcome: 'sent' })).toBe(1);
  });

  it('e-mails a real SMTP server in the subscriber’s language, with untrusted text escaped in HTML', async () => {
    fixture = await NotifierFixture.start({ smtpUrl: smtp.url });
    await fixture.stores.registry.saveSites([
      {
        site: {
          id: 'XSS-01',
          name: '<b onmouseover=x>Ao tôm</b>',
          kind: 'water-quality',
          lat: 9.8,
          lon: 105.4,
          province: { former: 'Hậu Giang', current: 'Cần Thơ' },
          reportingIntervalSec: 60,
        },
        source: 'api',
        createdAt: T0,
      },
    ]);
    await fixture.sites.refresh();
    await fixture.notifier.store.createSubscription(
      'officer',
      subscription({ scope: { type: 'sites', siteIds: ['XSS-01'] }, channels: [{ type: 'email', to: 'officer@haugiang.test' }] }),
    );

    await fixture.notifier.handle(change('raised', { siteId: 'XSS-01' }));
    await fixture.notifier.runDue();

    expect(smtp.messages).toHaveLength(1);
    const [mail] = smtp.messages;
    expect(smtp.envelopes[0]).toEqual(['officer@haugiang.test']);
    expect(mail?.subject).toBe('[NGHIÊM TRỌNG] Cảnh báo mới: Oxy hòa tan (DO) 2,10 mg/L — <b onmouseover=x>Ao tôm</b> (XSS-01)');
    expect(mail?.from?.value).toEqual([{ name: 'Mekong IOC', address: 'ioc@ioc.test' }]);
    expect(mail?.text).toContain('Giá trị: 2,10 mg/L');
    expect(mail?.text).toContain('Thời gian: 14:05 22/11/2025 (GMT+7)');
    expect(mail?.text).toContain(`${PUBLIC_URL}/?site=XSS-01`);
    expect(mail?.html).not.toContain('<b onmouseover');
    expect(mail?.html).toContain('&#60;b onmouseover=x&#62;Ao tôm&#60;/b&#62;');
    expect(mail?.headers.get('x-ioc-delivery')).toBeTypeOf('string');
  });

  it('sends the one-line message through the HTTP gateway template', async () => {
    fixture = await NotifierFixture.start({
      gatewayUrl: receiver.url('/bot/sendMessage'),
      gatewayBody: '{"chat_id":"{{to}}","text":"{{text}}"}',
    });
    await fixture.notifier.store.createSubscription('officer', subscription({ channels: [{ type: 'gateway', to: '-100123' }] }));

    await fixture.notifier.handle(change('raised'));
    await fixture.notifier.runDue();

    expect(receiver.requests.map((r) => r.path)).toEqual(['/bot/sendMessage']);
    expect(JSON.parse(receiver.requests[0]?.body ?? '')).toEqual({
      chat_id: '-100123',
      text: `[NGHIÊM TRỌNG] Cảnh báo mới: Oxy hòa tan (DO) 2,10 mg/L (ngưỡng 3,50 mg/L) tại Rạch Giá estuary (KG-WQ-01), 14:05 22/11 ${PUBLIC_URL}/?site=KG-WQ-01`,
    });
  });

  it('a failing webhook neither delays the e-mail nor is lost: it is retried with backoff until it succeeds', async () => {
    fixture = await NotifierFixture.start({ smtpUrl: smtp.url });
    await fixture.notifier.store.createSubscription(
      'operator',
      subscription({
        channels: [
          { type: 'webhook', url: receiver.url('/slow') },
          { type: 'email', to: 'ops@ioc.test' },
        ],
      }),
    );
    receiver.respond = () => 'hold';

    await fixture.notifier.handle(change('raised'));
    // The webhook request hangs in the receiver while the e-mail goes out.
    await waitFor(() => smtp.messages.length === 1 && receiver.heldCount === 1, { message: 'e-mail while the webhook hangs' });
    expect(receiver.heldCount).toBe(1);

    receiver.respond = () => 503;
    receiver.release(503);
    const webhook = await waitFor(async () => {
      const { deliveries } = await fixture.notifier.store.listDeliveries({ limit: 10 });
      const found = deliveries.find((d) => d.channel === 'webhook');
      return found && found.attempts === 1 ? found : undefined;
    });
    expect(webhook).toMatchObject({ status: 'pending', lastError: 'HTTP 503', nextAttemptAt: T0 + 10_000 });
    expect(await fixture.metric('ioc_notifications_sent_total', { channel: 'webhook', outcome: 'retry' })).toBe(1);
    expect(await fixture.metric('ioc_notifications_outbox_depth', { status: 'pending' })).toBe(1);

    await fixture.notifier.runDue();
    expect(receiver.requests).toHaveLength(1);

    receiver.respond = () => 204;
    fixture.now = T0 + 10_000;
    await fixture.notifier.runDue();
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests[1]?.headers['x-ioc-delivery']).toBe(receiver.requests[0]?.headers['x-ioc-delivery']);
    const { deliveries, counts } = await fixture.notifier.store.listDeliveries({ limit: 10 });
    expect(deliveries.map((d) => [d.channel, d.status, d.attempts])).toEqual(
      expect.arrayContaining([
        ['webhook', 'sent', 2],
        ['email', 'sent', 1],
      ]),
    );
    expect(counts).toEqual({ pending: 0, sent: 2, dead: 0 });
    expect(smtp.messages).toHaveLength(1);
  });

  it('gives up after the last attempt, shows the delivery as dead, and an admin can send it again', async () => {
    fixture = await NotifierFixture.start({ retry: { maxAttempts: 2 } });
    await fixture.notifier.store.createSubscription(
      'operator',
      subscription({ channels: [{ type: 'webhook', url: receiver.url('/down') }] }),
    );
    receiver.respond = () => 500;

    await fixture.notifier.handle(change('raised', { severity: 'major' }));
    await fixture.notifier.runDue();
    fixture.now += 10_000;
    await fixture.notifier.runDue();

    const { deliveries, counts } = await fixture.notifier.store.listDeliveries({ status: 'dead', limit: 10 });
    expect(deliveries).toMatchObject([{ status: 'dead', attempts: 2, lastError: 'HTTP 500', nextAttemptAt: null }]);
    expect(counts).toEqual({ pending: 0, sent: 0, dead: 1 });
    expect(await fixture.metric('ioc_notifications_sent_total', { channel: 'webhook', outcome: 'dead' })).toBe(1);
    expect(await fixture.metric('ioc_notifications_outbox_depth', { status: 'dead' })).toBe(1);
    fixture.now += 3_600_000;
    await fixture.notifier.runDue();
    expect(receiver.requests).toHaveLength(2);

    receiver.respond = () => 200;
    const id = deliveries[0]?.id ?? '';
    await expect(fixture.notifier.store.retryDelivery(id)).resolves.toMatchObject({ status: 'pending', attempts: 0 });
    await fixture.notifier.runDue();
    expect(receiver.requests).toHaveLength(3);
    await expect(fixture.notifier.store.retryDelivery(id)).rejects.toMatchObject({ code: 'conflict' });
  });

  it('refuses for good what a receiver rejects with 4xx', async () => {
    fixture = await NotifierFixture.start();
    await fixture.notifier.store.createSubscription(
      'operator',
      subscription({ channels: [{ type: 'webhook', url: receiver.url('/gone') }] }),
    );
    receiver.respond = () => 410;
    await fixture.notifier.handle(change('raised'));
    await fixture.notifier.runDue();
    const { deliveries } = await fixture.notifier.store.listDeliveries({ limit: 10 });
    expect(deliveries).toMatchObject([{ status: 'dead', attempts: 1, lastError: 'HTTP 410' }]);
  });

  it('an officer subscribed to Hậu Giang (former name, now Cần Thơ) gets Hậu Giang alerts only', async () => {
    fixture = await NotifierFixture.start();
    const store = fixture.notifier.store;
    await store.createSubscription('officer', subscription({ scope: { type: 'province', province: 'Hậu Giang' } }));

    const sites = ['HG-WQ-01', 'HG-SAL-03', 'ST-WQ-01', 'KG-WQ-01'];
    for (const [index, siteId] of sites.entries()) {
      await fixture.notifier.handle(change('raised', { id: `alert-${index}`, siteId }));
    }
    await fixture.notifier.runDue();

    const feed = await store.listFeed('officer', 50, false);
    expect(feed.notifications.map((n) => n.siteId).sort()).toEqual(['HG-SAL-03', 'HG-WQ-01']);
    expect(feed.unread).toBe(2);
    expect(feed.notifications[0]).toMatchObject({
      kind: 'raised',
      severity: 'critical',
      language: 'vi',
      link: expect.stringContaining('/?site=HG-'),
    });
    expect(await store.markFeedRead('officer', null)).toBe(2);
    expect((await store.listFeed('officer', 50, true)).notifications).toEqual([]);
  });

  it('quiet hours hold back a major alert on e-mail but not a critical one; the feed gets both', async () => {
    fixture = await NotifierFixture.start({ smtpUrl: smtp.url });
    fixture.now = Date.UTC(2025, 10, 21, 19, 0); // 02:00 local
    await fixture.notifier.store.createSubscription(
      'officer',
      subscription({
        quietHours: { start: '22:00', end: '06:00' },
        channels: [{ type: 'in-app' }, { type: 'email', to: 'night@ioc.test' }],
      }),
    );
    await fixture.notifier.handle(change('raised', { id: 'major-1', severity: 'major' }));
    await fixture.notifier.handle(change('raised', { id: 'critical-1', severity: 'critical' }));
    await fixture.notifier.runDue();

    expect(smtp.messages.map((m) => m.subject)).toEqual([expect.stringContaining('[NGHIÊM TRỌNG]')]);
    const feed = await fixture.notifier.store.listFeed('officer', 10, false);
    expect(feed.notifications.map((n) => n.alertId).sort()).toEqual(['critical-1', 'major-1']);
  });

  it('refuses subscriptions to unknown sites and provinces and to channels that are not configured', async () => {
    fixture = await NotifierFixture.start();
    const store = fixture.notifier.store;
    await expect(
      store.createSubscription('officer', subscription({ scope: { type: 'sites', siteIds: ['NOPE-01'] } })),
    ).rejects.toMatchObject({
      code: 'validation_failed',
      details: [{ path: 'scope.siteIds.0', message: 'unknown site NOPE-01' }],
    });
    await expect(
      store.createSubscription('officer', subscription({ scope: { type: 'province', province: 'Hau Gaing' } })),
    ).rejects.toMatchObject({
      code: 'validation_failed',
      details: [{ path: 'scope.province', message: expect.stringContaining('known: An Giang, Cần Thơ, Hậu Giang, Kiên Giang, Sóc Trăng') }],
    });
    await expect(store.createSubscription('officer', subscription({ channels: [{ type: 'email', to: 'a@b.vn' }] }))).rejects.toMatchObject({
      code: 'validation_failed',
      details: [{ path: 'channels.0', message: expect.stringContaining('SMTP_URL') }],
    });
    const created = await store.createSubscription('officer', subscription({ scope: { type: 'province', province: 'hau giang' } }));
    expect(created).toMatchObject({ username: 'officer', scope: { province: 'hau giang' }, createdAt: T0 });
    fixture.now = T0 + MINUTE;
    const updated = await store.updateSubscription(created.id, subscription({ minSeverity: 'major' }));
    expect(updated).toMatchObject({ id: created.id, minSeverity: 'major', createdAt: T0, updatedAt: T0 + MINUTE });
    expect(await store.listSubscriptions('officer')).toEqual([updated]);
    expect(await store.deleteSubscription(created.id)).toBe(true);
    expect(await store.deleteSubscription(created.id)).toBe(false);
  });
});
