import { describe, expect, it } from 'vitest';
import { tideCurrent, tideLevel } from '../../../simulators/models/tide.js';
import { diurnalWave, drySeasonFactor, localHourOfDay, MS_PER_DAY, MS_PER_HOUR } from '../../../simulators/models/time.js';

/** Local midnight (UTC+7) of 1 March 2026, in epoch ms. */
const LOCAL_MIDNIGHT = Date.UTC(2026, 2, 1) - 7 * MS_PER_HOUR;

/** Times of local maxima of `f` sampled every `stepMs` over [from, to). */
function peaks(f: (t: number) => number, from: number, to: number, stepMs: number): number[] {
  const found: number[] = [];
  for (let t = from + stepMs; t < to - stepMs; t += stepMs) {
    const here = f(t);
    if (here > f(t - stepMs) && here >= f(t + stepMs)) found.push(t);
  }
  return found;
}

describe('local time', () => {
  it('uses UTC+7 whatever the host zone', () => {
    expect(localHourOfDay(Date.UTC(2026, 0, 1, 0, 0))).toBe(7);
    expect(localHourOfDay(Date.UTC(2026, 0, 1, 19, 30))).toBe(2.5);
  });

  it('diurnalWave is 0 at its minimum hour, 1 at its maximum and within [0, 1]', () => {
    expect(diurnalWave(5.5, 5.5, 14.5)).toBeCloseTo(0, 10);
    expect(diurnalWave(14.5, 5.5, 14.5)).toBeCloseTo(1, 10);
    for (let h = 0; h < 24; h += 0.25) {
      const v = diurnalWave(h, 5.5, 14.5);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
    expect(diurnalWave(10, 5.5, 14.5)).toBeGreaterThan(diurnalWave(8, 5.5, 14.5));
    expect(diurnalWave(20, 5.5, 14.5)).toBeLessThan(diurnalWave(17, 5.5, 14.5));
  });

  it('the dry season peaks in early April and bottoms out in October', () => {
    expect(drySeasonFactor(Date.UTC(2026, 3, 8))).toBeGreaterThan(0.99);
    expect(drySeasonFactor(Date.UTC(2026, 9, 8))).toBeLessThan(0.01);
    expect(drySeasonFactor(Date.UTC(2026, 1, 1))).toBeGreaterThan(drySeasonFactor(Date.UTC(2026, 10, 1)));
  });
});

describe('tide', () => {
  const days = 30;
  const to = LOCAL_MIDNIGHT + days * MS_PER_DAY;

  it('West Sea (diurnal): one high water a day, in the early morning', () => {
    const highs = peaks((t) => tideLevel(t, { regime: 'diurnal' }), LOCAL_MIDNIGHT, to, 10 * 60_000);
    expect(highs.length).toBeGreaterThanOrEqual(days - 1);
    expect(highs.length).toBeLessThanOrEqual(days + 1);
    for (const t of highs) {
      const hour = localHourOfDay(t);
      expect(hour).toBeGreaterThanOrEqual(3);
      expect(hour).toBeLessThanOrEqual(7.5);
    }
  });

  it('East Sea (semidiurnal): two high waters a day', () => {
    const highs = peaks((t) => tideLevel(t, { regime: 'semidiurnal' }), LOCAL_MIDNIGHT, to, 10 * 60_000);
    // 30 days / 12.42 h ≈ 58 high waters.
    expect(highs.length).toBeGreaterThanOrEqual(56);
    expect(highs.length).toBeLessThanOrEqual(60);
    for (let day = 0; day < days; day++) {
      const start = LOCAL_MIDNIGHT + day * MS_PER_DAY;
      const count = highs.filter((t) => t >= start && t < start + MS_PER_DAY).length;
      expect(count).toBeGreaterThanOrEqual(1);
      expect(count).toBeLessThanOrEqual(2);
    }
  });

  it('a lag delays every high water by that many hours', () => {
    const t = LOCAL_MIDNIGHT + 3.3 * MS_PER_DAY;
    expect(tideLevel(t + 2 * MS_PER_HOUR, { regime: 'diurnal', lagHours: 2 })).toBeCloseTo(tideLevel(t, { regime: 'diurnal' }), 10);
  });

  it('stays within [-1, 1] and its current is largest between high and low water', () => {
    for (let t = LOCAL_MIDNIGHT; t < to; t += 17 * 60_000) {
      for (const regime of ['diurnal', 'semidiurnal'] as const) {
        expect(Math.abs(tideLevel(t, { regime }))).toBeLessThanOrEqual(1);
        expect(Math.abs(tideCurrent(t, { regime }))).toBeLessThanOrEqual(1);
      }
    }
    const [high] = peaks((t) => tideLevel(t, { regime: 'diurnal' }), LOCAL_MIDNIGHT, to, 10 * 60_000);
    expect(high).toBeDefined();
    const atHigh = Math.abs(tideCurrent(high ?? 0, { regime: 'diurnal' }));
    const sixHoursLater = Math.abs(tideCurrent((high ?? 0) + 6 * MS_PER_HOUR, { regime: 'diurnal' }));
    expect(sixHoursLater).toBeGreaterThan(atHigh + 0.3);
  });
});
