import { describe, expect, it } from 'vitest';
import { RING_STEPS, ringSteps } from '../../../../web/app/src/map/cluster.js';

describe('ringSteps', () => {
  it('divides the whole ring in proportion to the health shares', () => {
    expect(ringSteps([16, 8, 8], 32)).toEqual([16, 8, 8]);
    expect(ringSteps([50, 0, 50], 100)).toEqual([16, 0, 16]);
  });

  it('always adds up to the whole ring', () => {
    for (const health of [
      [1, 1, 1],
      [333, 333, 334],
      [7, 0, 0],
      [0, 0, 9],
      [999, 1, 1],
      [5, 2, 1],
    ] as const) {
      const steps = ringSteps(health, health[0] + health[1] + health[2]);
      expect(steps.reduce((sum, n) => sum + n, 0)).toBe(RING_STEPS);
    }
  });

  it('keeps a non-zero share visible however small it is', () => {
    const steps = ringSteps([9998, 1, 1], 10_000);
    expect(steps[1]).toBe(1);
    expect(steps[2]).toBe(1);
    expect(steps[0]).toBe(RING_STEPS - 2);
  });

  it('draws a share of zero as nothing', () => {
    expect(ringSteps([10, 0, 0], 10)).toEqual([RING_STEPS, 0, 0]);
  });
});
