/**
 * What to tell whom, and when, about one alert — as pure functions of its tracked state, the
 * change or the time, so escalation is tested with an injected clock and its due times can be
 * persisted (they survive a restart).
 *
 * - `raised` goes to level-1 subscribers; a severity that climbs above everything announced so
 *   far goes to them again (`severity_changed`); a severity moving down stays quiet.
 * - While an alert is critical and unacknowledged, level-1 subscribers are reminded every
 *   `reminderIntervalMs`; after `escalateAfterMs` level-2 subscribers (the next level, e.g. the shift
 *   supervisor) are told once and then reminded too. Acknowledging or clearing stops both.
 * - `acknowledged` and `cleared` go to everyone who was told about the alert.
 */
import type { Alert, AlertChange, AlertSeverity } from '../../common/alerts.js';
import { isActiveState, severityRank } from '../../common/alerts.js';
import type { NotificationKind } from '../../common/notifications.js';

/** Escalation timing; 0 turns a step off. */
export interface EscalationSettings {
  /** Reminder period of an unacknowledged critical alert, ms. */
  readonly reminderIntervalMs: number;
  /** Time from becoming critical and unacknowledged to escalation to level 2, ms. */
  readonly escalateAfterMs: number;
}

/** What the notifier remembers about one alert while it is active (persisted in `notification_alerts`). */
export interface AlertTracking {
  readonly alertId: string;
  /** The alert as last seen. */
  readonly alert: Alert;
  /** The highest severity announced to level 1 so far. */
  readonly notifiedSeverity: AlertSeverity;
  /** Epoch ms since when the alert has been critical and unacknowledged, or null. */
  readonly criticalSince: number | null;
  /** Epoch ms of the next reminder, or null. */
  readonly nextReminderAt: number | null;
  /** Epoch ms when level 2 is to be told, or null (not critical, already escalated, or escalation off). */
  readonly escalateAt: number | null;
  readonly escalated: boolean;
  /** Reminders sent so far. */
  readonly reminders: number;
  /** Epoch ms of the last change. */
  readonly updatedAt: number;
}

/** Escalation levels a notification goes to. */
export type EscalationLevel = 1 | 2;

/** One notification to send: its kind, which levels of subscribers, and the severity their minimum is compared with. */
export interface PlannedNotification {
  readonly kind: NotificationKind;
  readonly levels: readonly EscalationLevel[];
  readonly matchSeverity: AlertSeverity;
}

/** The outcome of a change or a tick: the new tracking state (null = forget the alert) and what to send. */
export interface Plan {
  readonly tracking: AlertTracking | null;
  readonly notifications: readonly PlannedNotification[];
}

const higher = (a: AlertSeverity, b: AlertSeverity): AlertSeverity => (severityRank(a) >= severityRank(b) ? a : b);

function fresh(alert: Alert, now: number): AlertTracking {
  return {
    alertId: alert.id,
    alert,
    notifiedSeverity: alert.severity,
    criticalSince: null,
    nextReminderAt: null,
    escalateAt: null,
    escalated: false,
    reminders: 0,
    updatedAt: now,
  };
}

/** Whether reminders and escalation should run for this alert. */
function needsEscalation(alert: Alert): boolean {
  return alert.state === 'ACTIVE_UNACK' && alert.severity === 'critical';
}

/** Starts the timers when the alert has just become critical and unacknowledged; stops them when it no longer is. */
function withTimers(tracking: AlertTracking, now: number, settings: EscalationSettings): AlertTracking {
  if (!needsEscalation(tracking.alert)) {
    return { ...tracking, criticalSince: null, nextReminderAt: null, escalateAt: null };
  }
  if (tracking.criticalSince !== null) return tracking;
  return {
    ...tracking,
    criticalSince: now,
    nextReminderAt: settings.reminderIntervalMs > 0 ? now + settings.reminderIntervalMs : null,
    escalateAt: !tracking.escalated && settings.escalateAfterMs > 0 ? now + settings.escalateAfterMs : null,
  };
}

const toldLevels = (tracking: AlertTracking): EscalationLevel[] => (tracking.escalated ? [1, 2] : [1]);

/**
 * Plans the notifications for an alert change. `previous` is the tracked state (undefined when the
 * alert is new to the notifier); `now` is epoch ms. A repeated `raised` (a replay) is not announced twice.
 */
export function planForChange(previous: AlertTracking | undefined, change: AlertChange, now: number, settings: EscalationSettings): Plan {
  const { alert } = change;
  const base = previous ? { ...previous, alert, updatedAt: now } : fresh(alert, now);
  const notifications: PlannedNotification[] = [];
  let tracking: AlertTracking = base;

  switch (change.change) {
    case 'raised':
      if (!previous) notifications.push({ kind: 'raised', levels: [1], matchSeverity: alert.severity });
      tracking = { ...base, notifiedSeverity: higher(base.notifiedSeverity, alert.severity) };
      break;
    case 'severity_changed':
      if (!previous || severityRank(alert.severity) > severityRank(previous.notifiedSeverity)) {
        notifications.push({ kind: 'severity_changed', levels: previous ? toldLevels(previous) : [1], matchSeverity: alert.severity });
        tracking = { ...base, notifiedSeverity: higher(base.notifiedSeverity, alert.severity) };
      }
      break;
    case 'acknowledged':
      if (previous) notifications.push({ kind: 'acknowledged', levels: toldLevels(previous), matchSeverity: previous.notifiedSeverity });
      break;
    case 'cleared':
      if (previous) notifications.push({ kind: 'cleared', levels: toldLevels(previous), matchSeverity: previous.notifiedSeverity });
      break;
    case 'updated':
    case 'commented':
      break;
  }

  if (!isActiveState(alert.state)) return { tracking: null, notifications };
  return { tracking: withTimers(tracking, now, settings), notifications };
}

/**
 * Plans what is due at `now` for a tracked alert: a reminder to level 1 (and level 2 once
 * escalated) and, once, the escalation to level 2. Missed periods (the process was down) yield one
 * reminder, and the next one is scheduled on the original cadence. Undefined when nothing is due.
 */
export function planForTime(tracking: AlertTracking, now: number, settings: EscalationSettings): Plan | undefined {
  if (!needsEscalation(tracking.alert)) {
    if (tracking.nextReminderAt === null && tracking.escalateAt === null) return undefined;
    return { tracking: { ...tracking, criticalSince: null, nextReminderAt: null, escalateAt: null }, notifications: [] };
  }
  const notifications: PlannedNotification[] = [];
  let next: AlertTracking = tracking;
  if (tracking.nextReminderAt !== null && tracking.nextReminderAt <= now) {
    notifications.push({ kind: 'reminder', levels: toldLevels(tracking), matchSeverity: 'critical' });
    let due = tracking.nextReminderAt;
    if (settings.reminderIntervalMs > 0) {
      while (due <= now) due += settings.reminderIntervalMs;
    }
    next = { ...next, reminders: next.reminders + 1, nextReminderAt: settings.reminderIntervalMs > 0 ? due : null };
  }
  if (tracking.escalateAt !== null && tracking.escalateAt <= now) {
    notifications.push({ kind: 'escalation', levels: [2], matchSeverity: 'critical' });
    next = { ...next, escalated: true, escalateAt: null };
  }
  if (notifications.length === 0) return undefined;
  return { tracking: { ...next, updatedAt: now }, notifications };
}

/** The earliest due time of a tracked alert, or null when nothing is scheduled. */
export function nextDueAt(tracking: AlertTracking): number | null {
  const times = [tracking.nextReminderAt, tracking.escalateAt].filter((time): time is number => time !== null);
  return times.length === 0 ? null : Math.min(...times);
}
