/**
 * What each kind of condition observes, pure: given a rule, its state, the site's facts and an
 * input (a sample of a metric, a change of the site's facts, or a timer tick) at time `at` (epoch
 * ms), returns the new state — with the observed rank fed to the severity tracker — and, when time
 * alone can change the observation (device inactivity), when to look again.
 *
 * Samples: `inOrder` is false for a sample older than the newest value already known for its
 * metric (backfill after live data, a replay); such samples feed rate and swing windows, which
 * place them by their own timestamps, but cannot change a threshold, stale or stuck observation —
 * an old value is not the current state of the water.
 */

import type { ConditionSpec } from '../../common/alert-rules.js';
import { severityRank } from '../../common/alerts.js';
import { METRICS } from '../../common/metrics.js';
import { observeBands, thresholdFor } from './bands.js';
import type { RuleState, SiteFacts } from './rule-state.js';
import { addSample, emptyWindow, ratePerHour, swingOf } from './sample-window.js';
import { observe } from './severity-tracker.js';

export type EvaluationInput =
  | { readonly type: 'sample'; readonly metric: string; readonly ts: number; readonly value: number; readonly inOrder: boolean }
  | { readonly type: 'facts' }
  | { readonly type: 'tick' };

export interface EvaluationResult {
  readonly state: RuleState;
  /** Epoch ms when the observation itself may change with no new input (offline by inactivity). */
  readonly recheckAt?: number | undefined;
}

export function evaluate(spec: ConditionSpec, state: RuleState, facts: SiteFacts, input: EvaluationInput, at: number): EvaluationResult {
  switch (spec.condition) {
    case 'threshold': {
      if (input.type !== 'sample' || !input.inOrder || input.metric !== spec.metric) return { state };
      const bands = observeBands(spec.bands, spec.hysteresis, input.value, state.bandsOn);
      return {
        state: {
          ...state,
          bandsOn: bands.on,
          direction: bands.direction ?? state.direction,
          value: input.value,
          tracker: observe(state.tracker, bands.rank, at),
        },
      };
    }
    case 'rate':
    case 'swing': {
      if (input.type !== 'sample' || input.metric !== spec.metric) return { state };
      const base = state.window && state.window.windowMs === spec.windowSec * 1000 ? state.window : emptyWindow(spec.windowSec * 1000);
      const window = addSample(base, input.ts, input.value);
      const quantity = spec.condition === 'rate' ? ratePerHour(window) : swingOf(window);
      if (quantity === undefined) return { state: { ...state, window } };
      const bands = observeBands(spec.bands, spec.hysteresis, quantity, state.bandsOn);
      return {
        state: {
          ...state,
          window,
          bandsOn: bands.on,
          direction: bands.direction ?? state.direction,
          value: quantity,
          tracker: observe(state.tracker, bands.rank, at),
        },
      };
    }
    case 'stuck': {
      if (input.type !== 'sample' || !input.inOrder || input.metric !== spec.metric) return { state };
      const run = state.stuck;
      const stuck =
        run && Math.abs(input.value - run.value) <= spec.tolerance
          ? { value: run.value, repeats: run.repeats + 1 }
          : { value: input.value, repeats: 1 };
      const rank = stuck.repeats >= spec.count ? severityRank(spec.severity) : 0;
      return { state: { ...state, stuck, value: input.value, tracker: observe(state.tracker, rank, at) } };
    }
    case 'stale': {
      if (input.type === 'sample') return { state };
      const latest = facts.latest.get(spec.metric);
      const silentFor = latest && facts.lastReadingTs !== undefined ? facts.lastReadingTs - latest.ts : 0;
      const rank = silentFor > spec.afterIntervals * facts.reportingIntervalMs ? severityRank(spec.severity) : 0;
      return { state: withObservation(state, rank, at) };
    }
    case 'offline': {
      if (input.type === 'sample') return { state };
      const { offline, recheckAt } = offlineAt(facts, spec.afterIntervals, at);
      return { state: withObservation(state, offline ? severityRank(spec.severity) : 0, at), recheckAt };
    }
  }
}

/** The state with `rank` observed at `at`; the same object when that changes nothing. */
function withObservation(state: RuleState, rank: number, at: number): RuleState {
  const tracker = observe(state.tracker, rank, at);
  return tracker === state.tracker ? state : { ...state, tracker };
}

/**
 * A device is offline when it said so (a retained `offline` status, e.g. its Last Will, with no
 * reading since) or has been silent for `afterIntervals` reporting intervals. `maintenance` is never
 * offline: the outage is expected. A site never heard from is not offline (nothing is known yet).
 */
export function offlineAt(facts: SiteFacts, afterIntervals: number, at: number): { offline: boolean; recheckAt?: number } {
  if (facts.status === 'maintenance') return { offline: false };
  if (facts.status === 'offline' && (facts.statusTs ?? 0) >= (facts.lastReadingTs ?? 0)) return { offline: true };
  if (facts.lastSeen === undefined) return { offline: false };
  const silentAfter = facts.lastSeen + afterIntervals * facts.reportingIntervalMs;
  return at > silentAfter ? { offline: true } : { offline: false, recheckAt: silentAfter + 1 };
}

/** The numbers an alert of this rule reports at `level`: value, threshold and unit. */
export interface AlertReading {
  readonly value: number | null;
  readonly threshold: number | null;
  readonly unit: string;
  /** Which way is worse, for the peak value: `above` keeps the maximum, `below` the minimum. */
  readonly worse: 'above' | 'below' | null;
}

export function alertReading(spec: ConditionSpec, state: RuleState, level: number): AlertReading {
  const unit = 'metric' in spec ? METRICS[spec.metric].unit : '';
  switch (spec.condition) {
    case 'threshold':
      return { value: state.value, threshold: thresholdFor(spec.bands, level, state.direction), unit, worse: state.direction };
    case 'rate':
      return { value: state.value, threshold: thresholdFor(spec.bands, level, state.direction), unit: `${unit}/h`, worse: state.direction };
    case 'swing':
      return { value: state.value, threshold: thresholdFor(spec.bands, level, 'above'), unit, worse: 'above' };
    case 'stuck':
      return { value: state.stuck?.value ?? state.value, threshold: null, unit, worse: null };
    case 'stale':
    case 'offline':
      return { value: null, threshold: null, unit, worse: null };
  }
}
