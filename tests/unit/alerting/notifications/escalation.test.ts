import { describe, expect, it } from 'vitest';
import {
  type AlertTracking,
  type EscalationSettings,
  nextDueAt,
  type Plan,
  planForChange,
  planForTime,
} from '../../../../alerting/notifications/escalation.js';
import type { AlertChange } from '../../../../common/alerts.js';
import { change, MINUTE, T0 } from './alert-fixtures.js';

const settings: EscalationSettings = { reminderIntervalMs: 15 * MINUTE, escalateAfterMs: 30 * MINUTE };

/** Drives the planner like the notifier does: changes at given times, then due checks on an injected clock. */
class Clocked {
  tracking: AlertTracking | undefined;
  readonly sent: { at: number; kind: string; levels: readonly number[] }[] = [];

  constructor(readonly config: EscalationSettings = settings) {}

  apply(at: number, alertChange: AlertChange): void {
    this.record(at, planForChange(this.tracking, alertChange, at, this.config));
  }

  /** Checks every minute from `from` to `to` (inclusive), as the poll timer would. */
  runUntil(from: number, to: number): void {
    for (let at = from; at <= to; at += MINUTE) {
      if (!this.tracking) return;
      const plan = planForTime(this.tracking, at, this.config);
      if (plan) this.record(at, plan);
    }
  }

  private record(at: number, plan: Plan): void {
    this.tracking = plan.tracking ?? undefined;
    for (const n of plan.notifications) this.sent.push({ at: (at - T0) / MINUTE, kind: n.kind, levels: n.levels });
  }
}

describe('escalation of an unacknowledged critical alert', () => {
  it('re-notifies level 1 every N minutes and adds level 2 after M minutes, until acknowledged', () => {
    const run = new Clocked();
    run.apply(T0, change('raised'));
    run.runUntil(T0, T0 + 50 * MINUTE);
    expect(run.sent).toEqual([
      { at: 0, kind: 'raised', levels: [1] },
      { at: 15, kind: 'reminder', levels: [1] },
      { at: 30, kind: 'reminder', levels: [1] },
      { at: 30, kind: 'escalation', levels: [2] },
      { at: 45, kind: 'reminder', levels: [1, 2] },
    ]);
    run.apply(T0 + 50 * MINUTE, change('acknowledged', { state: 'ACTIVE_ACK', ackedBy: 'op', ackedAt: T0 + 50 * MINUTE }));
    expect(run.sent.at(-1)).toEqual({ at: 50, kind: 'acknowledged', levels: [1, 2] });
    expect(run.tracking?.nextReminderAt).toBeNull();
    run.runUntil(T0 + 51 * MINUTE, T0 + 180 * MINUTE);
    expect(run.sent).toHaveLength(6);
  });

  it('stops when the alert clears unacknowledged and forgets it', () => {
    const run = new Clocked();
    run.apply(T0, change('raised'));
    run.runUntil(T0, T0 + 20 * MINUTE);
    run.apply(T0 + 20 * MINUTE, change('cleared', { state: 'CLEARED_UNACK', clearedAt: T0 + 20 * MINUTE }));
    expect(run.tracking).toBeUndefined();
    expect(run.sent.map((s) => s.kind)).toEqual(['raised', 'reminder', 'cleared']);
    expect(run.sent.at(-1)?.levels).toEqual([1]);
  });

  it('does not remind about a non-critical alert, and starts when it turns critical', () => {
    const run = new Clocked();
    run.apply(T0, change('raised', { severity: 'major' }));
    run.runUntil(T0, T0 + 40 * MINUTE);
    expect(run.sent.map((s) => s.kind)).toEqual(['raised']);
    run.apply(T0 + 40 * MINUTE, change('severity_changed', { severity: 'critical' }));
    run.runUntil(T0 + 41 * MINUTE, T0 + 70 * MINUTE);
    expect(run.sent).toEqual([
      { at: 0, kind: 'raised', levels: [1] },
      { at: 40, kind: 'severity_changed', levels: [1] },
      { at: 55, kind: 'reminder', levels: [1] },
      { at: 70, kind: 'reminder', levels: [1] },
      { at: 70, kind: 'escalation', levels: [2] },
    ]);
  });

  it('stops reminding while the severity is below critical and does not announce the drop', () => {
    const run = new Clocked();
    run.apply(T0, change('raised'));
    run.apply(T0 + 5 * MINUTE, change('severity_changed', { severity: 'major' }));
    run.runUntil(T0 + 5 * MINUTE, T0 + 60 * MINUTE);
    expect(run.sent.map((s) => s.kind)).toEqual(['raised']);
    expect(run.tracking && nextDueAt(run.tracking)).toBeNull();
  });

  it('announces a severity only when it climbs above everything announced before', () => {
    const run = new Clocked({ reminderIntervalMs: 0, escalateAfterMs: 0 });
    run.apply(T0, change('raised', { severity: 'minor' }));
    run.apply(T0 + MINUTE, change('severity_changed', { severity: 'major' }));
    run.apply(T0 + 2 * MINUTE, change('severity_changed', { severity: 'minor' }));
    run.apply(T0 + 3 * MINUTE, change('severity_changed', { severity: 'major' }));
    run.apply(T0 + 4 * MINUTE, change('updated', { severity: 'major', lastValue: 1.9 }));
    expect(run.sent.map((s) => s.kind)).toEqual(['raised', 'severity_changed']);
    expect(run.tracking?.notifiedSeverity).toBe('major');
  });

  it('does not announce a replayed raise twice', () => {
    const run = new Clocked();
    run.apply(T0, change('raised'));
    run.apply(T0 + MINUTE, change('raised'));
    expect(run.sent.map((s) => s.kind)).toEqual(['raised']);
    expect(run.tracking?.criticalSince).toBe(T0);
  });

  it('after downtime sends one reminder and keeps the original cadence', () => {
    const run = new Clocked();
    run.apply(T0, change('raised'));
    const tracking = run.tracking as AlertTracking;
    const plan = planForTime(tracking, T0 + 47 * MINUTE, settings);
    expect(plan?.notifications.map((n) => n.kind)).toEqual(['reminder', 'escalation']);
    expect(plan?.tracking?.nextReminderAt).toBe(T0 + 60 * MINUTE);
    expect(plan?.tracking?.reminders).toBe(1);
  });

  it('with escalation off never involves level 2; with reminders off only escalates', () => {
    const noEscalation = new Clocked({ reminderIntervalMs: 10 * MINUTE, escalateAfterMs: 0 });
    noEscalation.apply(T0, change('raised'));
    noEscalation.runUntil(T0, T0 + 30 * MINUTE);
    expect(noEscalation.sent.flatMap((s) => s.levels)).not.toContain(2);
    const noReminders = new Clocked({ reminderIntervalMs: 0, escalateAfterMs: 20 * MINUTE });
    noReminders.apply(T0, change('raised'));
    noReminders.runUntil(T0, T0 + 60 * MINUTE);
    expect(noReminders.sent.map((s) => `${s.at}:${s.kind}`)).toEqual(['0:raised', '20:escalation']);
  });

  it('ignores acknowledgement and clearing of an alert it never announced', () => {
    const ack = planForChange(undefined, change('acknowledged', { state: 'CLEARED' }), T0, settings);
    expect(ack).toEqual({ tracking: null, notifications: [] });
    const cleared = planForChange(undefined, change('cleared', { state: 'CLEARED_UNACK' }), T0, settings);
    expect(cleared.notifications).toEqual([]);
  });

  it('sends acknowledgement and clearing to those told, matched against the highest severity told', () => {
    const run = new Clocked();
    run.apply(T0, change('raised', { severity: 'critical' }));
    run.apply(T0 + MINUTE, change('severity_changed', { severity: 'warning' }));
    const beforeClear = run.tracking;
    run.apply(T0 + 2 * MINUTE, change('cleared', { severity: 'warning', state: 'CLEARED_UNACK' }));
    expect(beforeClear?.notifiedSeverity).toBe('critical');
    expect(run.sent.at(-1)?.kind).toBe('cleared');
    const plan = planForChange(beforeClear, change('cleared', { severity: 'warning', state: 'CLEARED_UNACK' }), T0, settings);
    expect(plan.notifications).toEqual([{ kind: 'cleared', levels: [1], matchSeverity: 'critical' }]);
  });
});
