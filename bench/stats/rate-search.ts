/**
 * Finding the highest sustainable rate: offer a fixed rate for a few seconds (a step), judge
 * whether delivery kept up, and choose the next rate — multiply while steps pass, then bisect
 * between the best pass and the lowest failure until the two are within the wanted resolution.
 */

/** What one step measured, as the judge needs it. */
export interface StepOutcome {
  /** Rate asked for, messages/s. */
  readonly rate: number;
  /** Length of the sending window, s. */
  readonly windowSec: number;
  /** Messages due in the window at `rate`. */
  readonly offered: number;
  /** Messages actually written (the generator skips a publisher whose socket is backed up). */
  readonly sent: number;
  /** Messages delivered to the consumer inside the window (for the report; the backlog is what is judged). */
  readonly deliveredInWindow: number;
  /** Sent but not yet delivered when the window closed. */
  readonly backlogAtEnd: number;
  /** Sent and never delivered, even after draining; undefined when not checked. */
  readonly lost?: number | undefined;
  /** Growth of the backlog over the second half of the window, messages/s (least squares); undefined when not sampled. */
  readonly backlogGrowthPerSec?: number | undefined;
}

export interface StepCriteria {
  /**
   * Fraction of the offered messages the generator must have written (less means TCP back-pressure
   * held it back, or it could not keep up). What was written and not delivered is backlog.
   */
  readonly minSentFraction: number;
  /** Largest backlog at the end of the window, in seconds of traffic at the step's rate. */
  readonly maxBacklogSec: number;
  /** Backlog always tolerated whatever the rate, messages (a batch in flight). */
  readonly backlogAllowance: number;
  /** Largest backlog growth over the second half of the window, as a fraction of the rate per second. */
  readonly maxBacklogGrowthFraction: number;
  /** Whether any loss fails the step (QoS 1 and the end-to-end path). */
  readonly zeroLoss: boolean;
}

export const RELAY_CRITERIA: StepCriteria = {
  minSentFraction: 0.97,
  maxBacklogSec: 0.1,
  backlogAllowance: 200,
  maxBacklogGrowthFraction: 0.05,
  zeroLoss: false,
};

export interface StepVerdict {
  readonly sustained: boolean;
  /** Why a step failed, for the report; empty when sustained. */
  readonly reasons: readonly string[];
}

/**
 * Did delivery keep up with the offered rate? Sustained means: (nearly) everything offered was
 * written, the backlog (sent − delivered) at the end of the window is small — a fraction of a
 * second of traffic, what is normally in flight — and did not grow over the window's second half.
 */
export function judgeStep(step: StepOutcome, criteria: StepCriteria): StepVerdict {
  const reasons: string[] = [];
  if (step.sent < criteria.minSentFraction * step.offered) {
    reasons.push(`only ${pct(step.sent, step.offered)} of the offered messages could be written`);
  }
  const backlogLimit = step.rate * criteria.maxBacklogSec + criteria.backlogAllowance;
  if (step.backlogAtEnd > backlogLimit) {
    reasons.push(`backlog of ${step.backlogAtEnd} messages at the end (limit ${Math.round(backlogLimit)})`);
  }
  const growth = step.backlogGrowthPerSec;
  if (growth !== undefined && growth > criteria.maxBacklogGrowthFraction * step.rate + criteria.backlogAllowance) {
    reasons.push(`backlog growing by ${Math.round(growth)} messages/s`);
  }
  if (criteria.zeroLoss && step.lost !== undefined && step.lost > 0) reasons.push(`${step.lost} messages lost`);
  return { sustained: reasons.length === 0, reasons };
}

function pct(part: number, whole: number): string {
  return whole === 0 ? '0 %' : `${((100 * part) / whole).toFixed(1)} %`;
}

export interface SearchPlan {
  /** First rate tried, messages/s. */
  readonly startRate: number;
  /** Multiplier while every step passes. */
  readonly factor: number;
  /** Never offer more than this (what the load generator can produce), messages/s. */
  readonly maxRate: number;
  /** Give up below this rate, messages/s. */
  readonly minRate: number;
  /** Stop when (lowest failure − best pass) / best pass is at most this. */
  readonly resolution: number;
  /** Hard cap on steps. */
  readonly maxSteps: number;
}

export interface SearchStep {
  readonly rate: number;
  readonly sustained: boolean;
}

/** Two significant digits: rates people can read and compare. */
export function roundRate(rate: number): number {
  if (rate <= 0) return 0;
  const magnitude = 10 ** (Math.floor(Math.log10(rate)) - 1);
  return Math.round(rate / magnitude) * magnitude;
}

/** The next rate to try, or undefined when the search is over. */
export function nextRate(plan: SearchPlan, history: readonly SearchStep[]): number | undefined {
  if (history.length >= plan.maxSteps) return undefined;
  if (history.length === 0) return Math.min(plan.startRate, plan.maxRate);
  const best = maxSustained(history);
  const failures = history.filter((step) => !step.sustained).map((step) => step.rate);
  const lowestFailure = failures.length > 0 ? Math.min(...failures) : undefined;
  const tried = new Set(history.map((step) => step.rate));
  if (lowestFailure === undefined) {
    if (best === undefined || best >= plan.maxRate) return undefined;
    const next = Math.min(plan.maxRate, roundRate(best * plan.factor));
    return tried.has(next) ? undefined : next;
  }
  if (best === undefined) {
    const next = roundRate(lowestFailure / plan.factor);
    return next < plan.minRate || tried.has(next) ? undefined : next;
  }
  if (lowestFailure <= best || (lowestFailure - best) / best <= plan.resolution) return undefined;
  const next = roundRate((best + lowestFailure) / 2);
  return next <= best || next >= lowestFailure || tried.has(next) ? undefined : next;
}

/** Highest sustained rate below the lowest failure (a lucky pass above a failure does not count). */
export function maxSustained(history: readonly SearchStep[]): number | undefined {
  const failures = history.filter((step) => !step.sustained).map((step) => step.rate);
  const ceiling = failures.length > 0 ? Math.min(...failures) : Number.POSITIVE_INFINITY;
  const passes = history.filter((step) => step.sustained && step.rate < ceiling).map((step) => step.rate);
  return passes.length > 0 ? Math.max(...passes) : undefined;
}
