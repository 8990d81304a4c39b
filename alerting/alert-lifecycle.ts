/**
 * The alert lifecycle as pure functions over {@link Alert} records: raise, move severity, update
 * values, clear, acknowledge, comment. States: ACTIVE_UNACK → ACTIVE_ACK → CLEARED, or
 * ACTIVE_UNACK → CLEARED_UNACK (cleared before anyone acknowledged) → CLEARED on acknowledgement.
 * Invalid moves throw {@link AppError}s with `conflict`, which REST reports as 409.
 */
import { type Alert, type AlertSeverity, isAcknowledgedState, isActiveState, MAX_ALERT_COMMENTS } from '../common/alerts.js';
import { AppError } from '../platform/errors.js';
import type { AlertReading } from './evaluation/rule-evaluator.js';
import type { EffectiveRule } from './rules/rule-set.js';

export interface RaiseInput {
  readonly id: string;
  readonly siteId: string;
  readonly rule: EffectiveRule;
  readonly severity: AlertSeverity;
  readonly reading: AlertReading;
  /** Epoch ms. */
  readonly at: number;
}

export function raiseAlert({ id, siteId, rule, severity, reading, at }: RaiseInput): Alert {
  return {
    id,
    siteId,
    ruleId: rule.id,
    ruleName: { vi: rule.name.vi, en: rule.name.en },
    condition: rule.spec.condition,
    metric: 'metric' in rule.spec ? rule.spec.metric : null,
    unit: reading.unit,
    severity,
    state: 'ACTIVE_UNACK',
    threshold: reading.threshold,
    peakValue: reading.value,
    lastValue: reading.value,
    raisedAt: at,
    updatedAt: at,
    clearedAt: null,
    ackedAt: null,
    ackedBy: null,
    comments: [],
  };
}

/** The worse of two values in the reading's direction (without a direction, the first value seen). */
function peakOf(previous: number | null, value: number | null, worse: AlertReading['worse']): number | null {
  if (value === null || (previous !== null && worse === null)) return previous;
  if (previous === null || worse === null) return value;
  return worse === 'above' ? Math.max(previous, value) : Math.min(previous, value);
}

/** New values while active: last value, peak, and the threshold of the current severity. */
export function updateValues(alert: Alert, reading: AlertReading, at: number): Alert {
  const peakValue = peakOf(alert.peakValue, reading.value, reading.worse);
  if (alert.lastValue === reading.value && alert.peakValue === peakValue && alert.threshold === reading.threshold) return alert;
  return { ...alert, lastValue: reading.value, peakValue, threshold: reading.threshold, unit: reading.unit, updatedAt: at };
}

/** The severity moved up or down (the condition crossed a band, and held). */
export function changeSeverity(alert: Alert, severity: AlertSeverity, reading: AlertReading, at: number): Alert {
  return { ...updateValues(alert, reading, at), severity, updatedAt: at };
}

/** The condition is over (or its rule no longer applies). */
export function clearAlert(alert: Alert, at: number): Alert {
  if (!isActiveState(alert.state)) return alert;
  return { ...alert, state: alert.state === 'ACTIVE_ACK' ? 'CLEARED' : 'CLEARED_UNACK', clearedAt: at, updatedAt: at };
}

/** Records who acknowledged and when (with an optional comment); `conflict` when already acknowledged. */
export function acknowledgeAlert(alert: Alert, by: string, at: number, comment?: string): Alert {
  if (isAcknowledgedState(alert.state)) {
    throw new AppError('conflict', `alert ${alert.id} was already acknowledged by ${alert.ackedBy ?? 'someone'}`);
  }
  const acknowledged: Alert = {
    ...alert,
    state: alert.state === 'ACTIVE_UNACK' ? 'ACTIVE_ACK' : 'CLEARED',
    ackedAt: at,
    ackedBy: by,
    updatedAt: at,
  };
  return comment === undefined ? acknowledged : addComment(acknowledged, by, at, comment);
}

/** Appends a comment; `conflict` past {@link MAX_ALERT_COMMENTS}. */
export function addComment(alert: Alert, by: string, at: number, text: string): Alert {
  if (alert.comments.length >= MAX_ALERT_COMMENTS) {
    throw new AppError('conflict', `alert ${alert.id} already has ${MAX_ALERT_COMMENTS} comments`);
  }
  return { ...alert, comments: [...alert.comments, { by, at, text }], updatedAt: at };
}
