/** Runs a rate search through the load generator: steps chosen by stats/rate-search.ts, each judged as it completes. */
import type { StepArgs, StepResult } from '../load/protocol.js';
import type { ManagedChild } from '../proc/children.js';
import { progress } from '../progress.js';
import { judgeStep, maxSustained, nextRate, type SearchPlan, type SearchStep, type StepCriteria } from '../stats/rate-search.js';
import { slopePerSecond } from '../stats/series.js';

/** A step as reported: its measurement without the timeline, and the verdict. */
export interface JudgedStep extends Omit<StepResult, 'samples'> {
  readonly sustained: boolean;
  readonly reasons: readonly string[];
  /** Measured a second time because the first attempt looked disturbed (see {@link looksDisturbed}). */
  readonly repeated?: boolean;
}

/** CPU below which, for both the target and the generator, a failed step says neither was the limit, % of a core. */
const IDLE_CPU_PERCENT = 60;

/**
 * A failed step in which neither the target nor the load generator was busy: the backlog grew
 * while both had CPU to spare, so something outside the benchmark most likely took the CPU (the
 * machine is shared). Such a step is measured once more.
 */
export function looksDisturbed(step: JudgedStep): boolean {
  return !step.sustained && step.targetCpuPercent < IDLE_CPU_PERCENT && step.loadgenCpuPercent < IDLE_CPU_PERCENT;
}

export interface SearchResult {
  readonly steps: readonly JudgedStep[];
  /** Highest sustained rate, messages/s; undefined when no step passed. */
  readonly maxSustained: number | undefined;
  /** The step at that rate (its latency, CPU and memory). */
  readonly atMax: JudgedStep | undefined;
  /** True when the load generator itself could not keep up at the first failure (the target's limit may be higher). */
  readonly loadgenLimited: boolean;
  /** Messages sent by the warm-up step (not judged, but they went through the target). */
  readonly warmupSent: number;
}

/** Load-generator CPU above which a failed step says more about the generator than the target, % of a core. */
const LOADGEN_SATURATED_PERCENT = 90;

/** Did the load generator fall behind its schedule, or run out of CPU, in this step? */
export function generatorSaturated(step: Omit<StepResult, 'samples'>): boolean {
  return step.unsent > (1 - 0.97) * step.offered || step.loadgenCpuPercent >= LOADGEN_SATURATED_PERCENT;
}

export function withoutSamples(step: StepResult): Omit<StepResult, 'samples'> {
  const { samples: _samples, ...rest } = step;
  return rest;
}

/** Least-squares growth of the backlog (sent − delivered) over the second half of the window, messages/s. */
export function backlogGrowthPerSec(step: StepResult): number | undefined {
  const points = step.samples
    .filter((sample) => sample.t >= step.windowSec / 2 && sample.t <= step.windowSec + 0.02)
    .map((sample) => ({ t: sample.t, value: sample.sent - sample.delivered }));
  return points.length >= 3 ? slopePerSecond(points) : undefined;
}

export function judged(step: StepResult, criteria: StepCriteria): JudgedStep {
  const verdict = judgeStep(
    {
      rate: step.rate,
      windowSec: step.windowSec,
      offered: step.offered,
      sent: step.sent,
      deliveredInWindow: step.deliveredInWindow,
      backlogAtEnd: step.backlogAtEnd,
      lost: step.lost,
      backlogGrowthPerSec: backlogGrowthPerSec(step),
    },
    criteria,
  );
  return { ...withoutSamples(step), sustained: verdict.sustained, reasons: verdict.reasons };
}

export function describeStep(label: string, step: JudgedStep): string {
  const latency = step.latency.count === 0 ? '' : ` p50 ${step.latency.p50.toFixed(1)} ms p99 ${step.latency.p99.toFixed(1)} ms`;
  const saturated = generatorSaturated(step) ? ', load generator saturated' : '';
  const verdict = step.sustained ? 'ok' : `FAIL (${step.reasons.join('; ')}${saturated})`;
  return `${label} ${step.rate.toLocaleString('en-US')}/s: delivered ${Math.round(step.deliveredInWindow / step.windowSec).toLocaleString('en-US')}/s${latency}, target CPU ${step.targetCpuPercent.toFixed(0)} %, loadgen CPU ${step.loadgenCpuPercent.toFixed(0)} % → ${verdict}`;
}

/** Longest wait for an overloaded target to work off its backlog between steps, ms. */
const SETTLE_TIMEOUT_MS = 30_000;
/** The same when the target can be restarted instead (a collapsed broker drains its backlog for minutes), ms. */
const SETTLE_BEFORE_RESTART_MS = 10_000;

/**
 * Waits until the target has delivered what a failed step left queued (see step-runner.ts
 * settle). A target still busy with it after the wait is restarted when `restart` is given, so the
 * next step does not measure the previous one's backlog.
 */
async function settleAfter(
  loadgen: ManagedChild,
  stepMethod: string,
  label: string,
  restart: (() => Promise<void>) | undefined,
): Promise<void> {
  const prefix = stepMethod.slice(0, stepMethod.lastIndexOf('.'));
  const timeoutMs = restart ? SETTLE_BEFORE_RESTART_MS : SETTLE_TIMEOUT_MS;
  const result = await loadgen.call<{ waitedMs: number; settled: boolean }>(
    `${prefix}.settle`,
    { quietMs: 1_000, timeoutMs },
    timeoutMs + 10_000,
  );
  if (result.settled) return;
  if (restart) {
    progress(`${label}: still delivering the previous step's backlog after ${timeoutMs / 1000} s; restarting the target`);
    await restart();
  } else {
    progress(`${label}: still delivering the previous step's backlog after ${timeoutMs / 1000} s; measuring on`);
  }
}

export async function searchMaxRate(options: {
  readonly label: string;
  readonly loadgen: ManagedChild;
  /** Load-generator method of a step, e.g. `relay.step`; `<prefix>.settle` must exist too. */
  readonly method: string;
  readonly plan: SearchPlan;
  readonly criteria: StepCriteria;
  readonly step: Omit<StepArgs, 'rate'>;
  /** A step run first and not judged, so JIT compilation and caches warm up before the first measurement. */
  readonly warmup?: { readonly rate: number; readonly durationMs: number };
  /** Replaces a target stuck with a failed step's backlog by a fresh one (see {@link settleAfter}). */
  readonly restart?: () => Promise<void>;
}): Promise<SearchResult> {
  let warmupSent = 0;
  if (options.warmup) {
    const { rate, durationMs } = options.warmup;
    const warmup = await options.loadgen.call<StepResult>(
      options.method,
      { ...options.step, rate, durationMs },
      durationMs + options.step.drainMs + 60_000,
    );
    warmupSent = warmup.sent;
  }
  const history: SearchStep[] = [];
  const steps: JudgedStep[] = [];
  const measure = async (rate: number) => {
    const result = await options.loadgen.call<StepResult>(
      options.method,
      { ...options.step, rate },
      options.step.durationMs + options.step.drainMs + 60_000,
    );
    const step = judged(result, options.criteria);
    progress(describeStep(options.label, step));
    if (step.delivered < step.sent) await settleAfter(options.loadgen, options.method, options.label, options.restart);
    return step;
  };
  for (let rate = nextRate(options.plan, history); rate !== undefined; rate = nextRate(options.plan, history)) {
    let step = await measure(rate);
    if (looksDisturbed(step)) {
      progress(
        `${options.label}: neither the target nor the load generator was busy in that failed step (another process took the CPU?); repeating it once`,
      );
      step = { ...(await measure(rate)), repeated: true };
    }
    steps.push(step);
    history.push({ rate, sustained: step.sustained });
  }
  const best = maxSustained(history);
  const failures = steps.filter((step) => !step.sustained);
  const firstFailure = failures.sort((a, b) => a.rate - b.rate)[0];
  return {
    steps,
    maxSustained: best,
    atMax: steps.find((step) => step.rate === best && step.sustained),
    loadgenLimited: firstFailure !== undefined && generatorSaturated(firstFailure),
    warmupSent,
  };
}
