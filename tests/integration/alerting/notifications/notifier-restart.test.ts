/**
 * What survives a restart of the notifier and its database: queued and half-delivered messages
 * (the outbox), and the due times of reminders and escalations.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SubscriptionInput } from '../../../../common/notifications.js';
import { waitFor } from '../../../support/wait.js';
import { change, MINUTE, T0 } from '../../../unit/alerting/notifications/alert-fixtures.js';
import { HttpReceiver, NotifierFixture } from './notification-fixture.js';

const subscription = (overrides: Partial<SubscriptionInput>): SubscriptionInput => ({
  scope: { type: 'sites', siteIds: ['KG-WQ-01'] },
  minSeverity: 'warning',
  channels: [{ type: 'in-app' }],
  quietHours: null,
  language: 'en',
  escalationLevel: 1,
  enabled: true,
  ...overrides,
});

describe('notifier across restarts', () => {
  const receiver = new HttpReceiver();
  let fixture: NotifierFixture;

  beforeAll(() => receiver.start());
  afterEach(async () => {
    await fixture.dispose();
    receiver.requests.length = 0;
    receiver.respond = () => 200;
  });
  afterAll(() => receiver.stop());

  it('keeps the outbox: an interrupted and a failed delivery are both sent after the restart', async () => {
    fixture = await NotifierFixture.start();
    await fixture.notifier.store.createSubscription(
      'operator',
      subscription({
        channels: [
          { type: 'webhook', url: receiver.url('/a') },
          { type: 'webhook', url: receiver.url('/b') },
        ],
      }),
    );
    receiver.respond = (request) => (request.path === '/a' ? 'hold' : 503);

    await fixture.notifier.handle(change('raised', { severity: 'major' }));
    await waitFor(() => receiver.heldCount === 1 && receiver.requests.some((r) => r.path === '/b'), { message: 'both attempts started' });
    await waitFor(async () => (await fixture.notifier.store.listDeliveries({ limit: 10 })).deliveries.some((d) => d.attempts === 1));

    receiver.respond = () => 200;
    await fixture.restart();
    receiver.release(503); // the request the stopped notifier abandoned
    await fixture.notifier.runDue();
    const { deliveries } = await fixture.notifier.store.listDeliveries({ limit: 10 });
    const byPath = (path: string) => deliveries.find((d) => d.target.endsWith(path));
    // The interrupted attempt does not count: one attempt, sent after the restart.
    expect(byPath('/a')).toMatchObject({ status: 'sent', attempts: 1 });
    expect(byPath('/b')).toMatchObject({ status: 'pending', attempts: 1, lastError: 'HTTP 503', nextAttemptAt: T0 + 10_000 });
    expect(receiver.requests.map((r) => r.path).sort()).toEqual(['/a', '/a', '/b']);

    fixture.now = T0 + 10_000;
    await fixture.notifier.runDue();
    expect(receiver.requests.map((r) => r.path).sort()).toEqual(['/a', '/a', '/b', '/b']);
    const after = await fixture.notifier.store.listDeliveries({ limit: 10 });
    expect(after.counts).toEqual({ pending: 0, sent: 2, dead: 0 });
  });

  it('re-notifies an unacknowledged critical alert across a restart, escalates to level 2, and stops on acknowledgement', async () => {
    fixture = await NotifierFixture.start({ escalation: { reminderIntervalMs: 15 * MINUTE, escalateAfterMs: 30 * MINUTE } });
    await fixture.notifier.store.createSubscription('officer', subscription({}));
    await fixture.notifier.store.createSubscription('supervisor', subscription({ escalationLevel: 2 }));
    const kinds = async (user: string) =>
      (await fixture.notifier.store.listFeed(user, 100, false)).notifications.map((n) => n.kind).reverse();

    await fixture.notifier.handle(change('raised'));
    await fixture.notifier.runDue();
    expect(await kinds('officer')).toEqual(['raised']);

    await fixture.restart();
    fixture.now = T0 + 14 * MINUTE;
    await fixture.notifier.runDue();
    expect(await kinds('officer')).toEqual(['raised']);
    fixture.now = T0 + 15 * MINUTE;
    await fixture.notifier.runDue();
    expect(await kinds('officer')).toEqual(['raised', 'reminder']);
    expect(await kinds('supervisor')).toEqual([]);

    fixture.now = T0 + 30 * MINUTE;
    await fixture.notifier.runDue();
    expect(await kinds('officer')).toEqual(['raised', 'reminder', 'reminder']);
    expect(await kinds('supervisor')).toEqual(['escalation']);

    fixture.now = T0 + 40 * MINUTE;
    await fixture.notifier.handle(change('acknowledged', { state: 'ACTIVE_ACK', ackedBy: 'operator1', ackedAt: fixture.now }));
    await fixture.notifier.runDue();
    expect(await kinds('officer')).toEqual(['raised', 'reminder', 'reminder', 'acknowledged']);
    expect(await kinds('supervisor')).toEqual(['escalation', 'acknowledged']);

    await fixture.restart();
    fixture.now = T0 + 180 * MINUTE;
    await fixture.notifier.runDue();
    expect((await kinds('officer')).length).toBe(4);
    expect((await kinds('supervisor')).length).toBe(2);
  });
});
