/**
 * The raise-after / clear-after state machine shared by every condition, pure and clock-free: the
 * caller passes the time (epoch ms) of each observation and decision.
 *
 * Conditions observe a *rank* (0 = normal, 1 = warning … 4 = critical, see `severityRank`); the
 * tracker keeps, for each rank r, when the observation last crossed the boundary between "below r"
 * and "at least r". The alert's level then moves:
 * - up to the highest r whose "at least r" has held for `raiseAfterMs` (raise, or escalate);
 * - down to the lowest L whose "at most L" has held for `clearAfterMs` (de-escalate, or clear at 0).
 * So a value that dips into critical for a moment does not make a warning alert critical, an
 * alert that was raised does not clear while the value keeps crossing back, and the severity of one
 * alert moves up and down as the value crosses bands — never a second alert.
 */

/** Alert levels: 0 = no alert, 1 = warning, 2 = minor, 3 = major, 4 = critical. */
export const MAX_RANK = 4;

export interface TrackerState {
  /** Latest observed rank (0–4). */
  readonly observed: number;
  /**
   * `crossedAt[r - 1]`: epoch ms when the observation last moved across the boundary of rank r
   * (from below r to at least r, or back). Initially the tracker's creation time.
   */
  readonly crossedAt: readonly number[];
  /** Level of the open alert (0 = none). */
  readonly level: number;
}

/** How long worse and better conditions must hold, ms. */
export interface TrackerTiming {
  readonly raiseAfterMs: number;
  readonly clearAfterMs: number;
}

/**
 * A fresh tracker at `at`. With an open alert of `level` (kept when a rule is edited), the condition
 * is assumed to still hold until an observation says otherwise; with none, "normal" since `at`.
 */
export function initialTracker(at: number, level = 0): TrackerState {
  const rank = clampRank(level);
  return { observed: rank, crossedAt: Array.from({ length: MAX_RANK }, () => at), level: rank };
}

/** Records the rank observed at `at`; returns the same object when nothing changed. */
export function observe(state: TrackerState, rank: number, at: number): TrackerState {
  const next = clampRank(rank);
  if (next === state.observed) return state;
  const crossedAt = state.crossedAt.map((time, index) => {
    const r = index + 1;
    return state.observed >= r !== next >= r ? at : time;
  });
  return { ...state, observed: next, crossedAt };
}

/** The level the alert should have at `at`, given how long each condition has held. */
export function decideLevel(state: TrackerState, at: number, timing: TrackerTiming): number {
  const { observed, level } = state;
  if (observed > level) {
    for (let r = observed; r > level; r--) {
      if (at - crossedAtOf(state, r) >= timing.raiseAfterMs) return r;
    }
    return level;
  }
  if (observed < level) {
    // "at most L" is "below L + 1", which has held since the rank-(L + 1) boundary was crossed.
    for (let l = observed; l < level; l++) {
      if (at - crossedAtOf(state, l + 1) >= timing.clearAfterMs) return l;
    }
  }
  return level;
}

/** The tracker with its level set (after the caller has acted on {@link decideLevel}). */
export function withLevel(state: TrackerState, level: number): TrackerState {
  return level === state.level ? state : { ...state, level: clampRank(level) };
}

/**
 * When {@link decideLevel} may next give a different answer without a new observation (epoch ms),
 * or undefined when only a new observation can change it.
 */
export function nextDeadline(state: TrackerState, timing: TrackerTiming): number | undefined {
  const { observed, level } = state;
  let earliest = Number.POSITIVE_INFINITY;
  if (observed > level) {
    for (let r = level + 1; r <= observed; r++) earliest = Math.min(earliest, crossedAtOf(state, r) + timing.raiseAfterMs);
  } else if (observed < level) {
    for (let l = observed; l < level; l++) earliest = Math.min(earliest, crossedAtOf(state, l + 1) + timing.clearAfterMs);
  }
  return Number.isFinite(earliest) ? earliest : undefined;
}

function crossedAtOf(state: TrackerState, rank: number): number {
  return state.crossedAt[rank - 1] ?? Number.POSITIVE_INFINITY;
}

function clampRank(rank: number): number {
  return Math.max(0, Math.min(MAX_RANK, Math.trunc(rank)));
}
