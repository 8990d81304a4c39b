/**
 * Severity bands with hysteresis (Schmitt triggers), pure. Each band of a rule is on or off; an off
 * band turns on when the value crosses its raise threshold, an on band turns off only once the value
 * is back past its clear threshold. A value oscillating between the two thresholds therefore keeps
 * the band as it was — the first defence against flapping (raise-after/clear-after is the second).
 */

import { type BandDirection, bandDirection, type SeverityBand } from '../../common/alert-rules.js';
import { ALERT_SEVERITIES, severityRank } from '../../common/alerts.js';

const bandKeys = new WeakMap<SeverityBand, string>();

/** Identifies a band within its rule: direction and severity (unique per rule). */
export function bandKey(band: SeverityBand): string {
  let key = bandKeys.get(band);
  if (key === undefined) {
    key = `${bandDirection(band.op)}:${band.severity}`;
    bandKeys.set(band, key);
  }
  return key;
}

/** The clear threshold of a band: its own `clear`, else `value` moved back by the rule's hysteresis. */
export function clearThreshold(band: SeverityBand, hysteresis: number | undefined): number {
  if (band.clear !== undefined) return band.clear;
  const margin = hysteresis ?? 0;
  return bandDirection(band.op) === 'above' ? band.value - margin : band.value + margin;
}

/** Does `value` cross the band's raise threshold? */
export function crossesRaise(band: SeverityBand, value: number): boolean {
  switch (band.op) {
    case '>':
      return value > band.value;
    case '>=':
      return value >= band.value;
    case '<':
      return value < band.value;
    case '<=':
      return value <= band.value;
  }
}

/** Is `value` back past the band's clear threshold (so an on band turns off)? */
export function crossesClear(band: SeverityBand, hysteresis: number | undefined, value: number): boolean {
  const clear = clearThreshold(band, hysteresis);
  return bandDirection(band.op) === 'above' ? value < clear : value > clear;
}

/** What the bands say about one value. */
export interface BandObservation {
  /** Keys of the bands that are on. */
  readonly on: readonly string[];
  /** Rank of the most severe band on (0 when none). */
  readonly rank: number;
  /** Direction of that band, null when none is on. */
  readonly direction: BandDirection | null;
}

/** Applies `value` to every band, given which were on before. */
export function observeBands(
  bands: readonly SeverityBand[],
  hysteresis: number | undefined,
  value: number,
  previouslyOn: readonly string[],
): BandObservation {
  const on: string[] = [];
  let top: SeverityBand | undefined;
  for (const band of bands) {
    const key = bandKey(band);
    const isOn = previouslyOn.includes(key) ? !crossesClear(band, hysteresis, value) : crossesRaise(band, value);
    if (!isOn) continue;
    on.push(key);
    if (!top || severityRank(band.severity) > severityRank(top.severity)) top = band;
  }
  return { on, rank: top ? severityRank(top.severity) : 0, direction: top ? bandDirection(top.op) : null };
}

/**
 * The threshold to report for an alert at `rank` watching `direction`: that band's raise value, or
 * the nearest milder band's in the same direction, or null.
 */
export function thresholdFor(bands: readonly SeverityBand[], rank: number, direction: BandDirection | null): number | null {
  if (direction === null || rank === 0) return null;
  let best: SeverityBand | undefined;
  for (const band of bands) {
    if (bandDirection(band.op) !== direction) continue;
    const bandRank = severityRank(band.severity);
    if (bandRank > rank) continue;
    if (!best || bandRank > severityRank(best.severity)) best = band;
  }
  return best ? best.value : null;
}

/** The severity of a rank 1–4. */
export function severityOfRank(rank: number): (typeof ALERT_SEVERITIES)[number] {
  const severity = ALERT_SEVERITIES[ALERT_SEVERITIES.length - rank];
  if (severity === undefined) throw new Error(`no severity has rank ${rank}`);
  return severity;
}
