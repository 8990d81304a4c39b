import { describe, expect, it } from 'vitest';
import type { PlannedNotification } from '../../../../alerting/notifications/escalation.js';
import { selectRecipients } from '../../../../alerting/notifications/recipients.js';
import { makeSubscription, SITES } from './alert-fixtures.js';

const raisedMajor: PlannedNotification = { kind: 'raised', levels: [1], matchSeverity: 'major' };
const raisedCritical: PlannedNotification = { kind: 'raised', levels: [1], matchSeverity: 'critical' };
/** 02:00 local time (19:00 UTC the day before). */
const NIGHT = Date.UTC(2025, 10, 21, 19, 0);

describe('selectRecipients', () => {
  it('takes every channel of matching level-1 subscriptions', () => {
    const subscription = makeSubscription({
      channels: [{ type: 'in-app' }, { type: 'email', to: 'Officer@Example.vn' }, { type: 'gateway', to: '+84901234567' }],
    });
    const recipients = selectRecipients(raisedMajor, 'KG-WQ-01', SITES.rachGia, [subscription], NIGHT);
    expect(recipients.map((r) => [r.channel, r.target])).toEqual([
      ['in-app', 'officer'],
      ['email', 'officer@example.vn'],
      ['gateway', '+84901234567'],
    ]);
  });

  it('skips other sites, lower severities, disabled subscriptions and the other escalation level', () => {
    const subscriptions = [
      makeSubscription({ id: 'other-site', scope: { type: 'sites', siteIds: ['HG-WQ-01'] } }),
      makeSubscription({ id: 'too-high', minSeverity: 'critical' }),
      makeSubscription({ id: 'disabled', enabled: false }),
      makeSubscription({ id: 'supervisor', escalationLevel: 2 }),
    ];
    expect(selectRecipients(raisedMajor, 'KG-WQ-01', SITES.rachGia, subscriptions, NIGHT)).toEqual([]);
    const escalation: PlannedNotification = { kind: 'escalation', levels: [2], matchSeverity: 'critical' };
    expect(selectRecipients(escalation, 'KG-WQ-01', SITES.rachGia, subscriptions, NIGHT).map((r) => r.subscription.id)).toEqual([
      'supervisor',
    ]);
  });

  it('in quiet hours sends only the in-app entry, unless the alert is critical', () => {
    const subscription = makeSubscription({
      quietHours: { start: '22:00', end: '06:00' },
      channels: [{ type: 'in-app' }, { type: 'email', to: 'officer@example.vn' }],
    });
    expect(selectRecipients(raisedMajor, 'KG-WQ-01', SITES.rachGia, [subscription], NIGHT).map((r) => r.channel)).toEqual(['in-app']);
    expect(selectRecipients(raisedCritical, 'KG-WQ-01', SITES.rachGia, [subscription], NIGHT).map((r) => r.channel)).toEqual([
      'in-app',
      'email',
    ]);
    const afternoon = Date.UTC(2025, 10, 22, 7, 0);
    expect(selectRecipients(raisedMajor, 'KG-WQ-01', SITES.rachGia, [subscription], afternoon)).toHaveLength(2);
  });

  it('sends one message per address when several subscriptions match, in the oldest subscription’s language', () => {
    const subscriptions = [
      makeSubscription({ id: 'first', language: 'en', channels: [{ type: 'email', to: 'ops@example.vn' }] }),
      makeSubscription({
        id: 'second',
        language: 'vi',
        scope: { type: 'province', province: 'Kiên Giang' },
        channels: [{ type: 'email', to: 'OPS@example.vn' }, { type: 'in-app' }],
      }),
    ];
    const recipients = selectRecipients(raisedMajor, 'KG-WQ-01', SITES.rachGia, subscriptions, NIGHT);
    expect(recipients.map((r) => [r.subscription.id, r.channel])).toEqual([
      ['first', 'email'],
      ['second', 'in-app'],
    ]);
    expect(recipients[0]?.subscription.language).toBe('en');
  });
});
