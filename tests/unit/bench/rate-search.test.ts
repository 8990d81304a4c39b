import { describe, expect, it } from 'vitest';
import {
  judgeStep,
  maxSustained,
  nextRate,
  RELAY_CRITERIA,
  roundRate,
  type SearchPlan,
  type SearchStep,
  type StepOutcome,
} from '../../../bench/stats/rate-search.js';

const plan: SearchPlan = { startRate: 2_500, factor: 2, maxRate: 160_000, minRate: 250, resolution: 0.15, maxSteps: 10 };

/** Runs the search against a target that sustains everything up to `capacity`. */
function search(capacity: number, searchPlan = plan): SearchStep[] {
  const history: SearchStep[] = [];
  for (let rate = nextRate(searchPlan, history); rate !== undefined; rate = nextRate(searchPlan, history)) {
    history.push({ rate, sustained: rate <= capacity });
  }
  return history;
}

function outcome(overrides: Partial<StepOutcome> = {}): StepOutcome {
  return { rate: 10_000, windowSec: 3, offered: 30_000, sent: 30_000, deliveredInWindow: 29_900, backlogAtEnd: 100, lost: 0, ...overrides };
}

describe('judgeStep', () => {
  it('passes a step whose delivery kept up', () => {
    expect(judgeStep(outcome(), RELAY_CRITERIA)).toEqual({ sustained: true, reasons: [] });
  });

  it('fails a step when deliveries fell behind, whatever arrived within the window', () => {
    const verdict = judgeStep(outcome({ deliveredInWindow: 20_000, backlogAtEnd: 10_000 }), RELAY_CRITERIA);
    expect(verdict.sustained).toBe(false);
    expect(verdict.reasons.join()).toContain('backlog of 10000 messages');
  });

  it('fails a step when the generator could not write what was offered (back-pressure)', () => {
    expect(judgeStep(outcome({ sent: 25_000 }), RELAY_CRITERIA).reasons.join()).toContain('could be written');
  });

  it('fails a step whose backlog exceeds its allowance in seconds of traffic', () => {
    expect(judgeStep(outcome({ backlogAtEnd: 1_199 }), RELAY_CRITERIA).sustained).toBe(true);
    expect(judgeStep(outcome({ backlogAtEnd: 1_201 }), RELAY_CRITERIA).sustained).toBe(false);
  });

  it('fails a step whose backlog keeps growing', () => {
    expect(judgeStep(outcome({ backlogGrowthPerSec: 600 }), RELAY_CRITERIA).sustained).toBe(true);
    expect(judgeStep(outcome({ backlogGrowthPerSec: 800 }), RELAY_CRITERIA).reasons.join()).toContain('growing');
  });

  it('fails on loss only when zero loss is required', () => {
    expect(judgeStep(outcome({ lost: 3 }), RELAY_CRITERIA).sustained).toBe(true);
    expect(judgeStep(outcome({ lost: 3 }), { ...RELAY_CRITERIA, zeroLoss: true }).reasons).toEqual(['3 messages lost']);
  });
});

describe('rate search', () => {
  it('rounds rates to two significant digits', () => {
    expect(roundRate(17_499)).toBe(17_000);
    expect(roundRate(17_500)).toBe(18_000);
    expect(roundRate(2_750)).toBe(2_800);
    expect(roundRate(0)).toBe(0);
  });

  it('doubles while steps pass, then bisects to the wanted resolution', () => {
    const history = search(14_300);
    expect(history.map((step) => step.rate)).toEqual([2_500, 5_000, 10_000, 20_000, 15_000, 13_000, 14_000]);
    expect(maxSustained(history)).toBe(14_000);
  });

  it('stops at the maximum rate when everything passes', () => {
    const history = search(1e9, { ...plan, maxRate: 12_000 });
    expect(history.map((step) => step.rate)).toEqual([2_500, 5_000, 10_000, 12_000]);
    expect(maxSustained(history)).toBe(12_000);
  });

  it('searches downwards when the first step fails, and gives up below the minimum rate', () => {
    expect(search(1_000).map((step) => step.rate)).toEqual([2_500, 1_300, 650, 980, 1_100]);
    const none = search(100);
    expect(maxSustained(none)).toBeUndefined();
    expect(none.at(-1)?.rate).toBeGreaterThanOrEqual(plan.minRate);
  });

  it('never exceeds the step budget', () => {
    expect(search(14_300, { ...plan, maxSteps: 3 })).toHaveLength(3);
  });

  it('ignores a lucky pass above a failure', () => {
    expect(
      maxSustained([
        { rate: 10_000, sustained: true },
        { rate: 20_000, sustained: false },
        { rate: 30_000, sustained: true },
      ]),
    ).toBe(10_000);
  });
});
