/**
 * VN_WQI (common/wqi.ts) against hand-computed cases: sub-indexes at and between breakpoints, DO
 * saturation, the combined index and its bands.
 */
import { describe, expect, it } from 'vitest';
import { computeVnWqi, doSaturationMgL, subIndex, VN_WQI_CURVES, wqiBandOf } from '../../../common/wqi.js';

describe('sub-indexes', () => {
  it.each([
    // pH: < 5.5 → 10; 5.5 → 50; 6–8.5 → 100; 9 → 50; > 9 → 10, linear between.
    ['ph', 5.4, 10],
    ['ph', 5.5, 50],
    ['ph', 5.75, 75],
    ['ph', 7.2, 100],
    ['ph', 8.75, 75],
    ['ph', 9, 50],
    ['ph', 9.01, 10],
    // COD 10/15/30/50/150 mg/L → 100/75/50/25/10.
    ['cod', 8, 100],
    ['cod', 12.5, 87.5],
    ['cod', 20, 75 - 25 / 3],
    ['cod', 100, 25 - 7.5],
    ['cod', 200, 10],
    // N-NH4: ≤ 0.3 → 100, then 0.3/0.6/0.9/5 → 75/50/25/10.
    ['nh4', 0.3, 100],
    ['nh4', 0.45, 62.5],
    ['nh4', 0.9, 25],
    ['nh4', 2.95, 17.5],
    ['nh4', 6, 10],
    // P-PO4 0.1/0.2/0.3/0.5/4 → 100/75/50/25/10.
    ['po4', 0.15, 87.5],
    ['po4', 0.4, 37.5],
    // DO % saturation: 20/50/75/88 → 25/50/75/100; 88–112 → 100; 125/150/200 → 75/50/25; outside → 10.
    ['do', 19.9, 10],
    ['do', 20, 25],
    ['do', 62.5, 62.5],
    ['do', 100, 100],
    ['do', 118.5, 87.5],
    ['do', 175, 37.5],
    ['do', 200.1, 10],
  ] as const)('%s %d → %d', (parameter, value, q) => {
    expect(subIndex(VN_WQI_CURVES[parameter], value)).toBeCloseTo(q, 6);
  });

  it('uses the Decision’s DO saturation polynomial', () => {
    // 14.652 − 0.41022·28 + 0.0079910·784 − 0.000077774·21952 = 7.723489…
    expect(doSaturationMgL(28)).toBeCloseTo(7.723489, 5);
    expect(doSaturationMgL(0)).toBeCloseTo(14.652, 6);
  });
});

describe('computeVnWqi', () => {
  const at = 1_760_000_000_000;
  const v = (value: number, ts = at) => ({ value, ts });
  // DO 6 mg/L at 28 °C → 77.685 % saturation → q = 75 + 25·(77.685 − 75)/13 = 80.164.
  // COD 20 → 66.667; N-NH4 0.45 → 62.5. Group IV = (80.164 + 66.667 + 62.5)/3 = 69.777.
  const base = { do: v(6), temperature: v(28), cod: v(20), nh4: v(0.45) };

  it('pH in range: WQI = group IV average → 70, medium (yellow)', () => {
    const result = computeVnWqi({ ...base, ph: v(7.5) });
    expect(result).toMatchObject({
      value: 70,
      band: 'medium',
      color: '#FFFF00',
      label: { vi: 'Trung bình', en: 'Medium' },
      indicative: true,
      ts: at,
      oldestTs: at,
    });
    expect(result?.subIndexes).toEqual({ ph: 100, do: 80.2, cod: 66.7, nh4: 62.5 });
  });

  it('pH 8.75 (q = 75): 0.75 × 69.777 = 52.3 → 52, medium', () => {
    expect(computeVnWqi({ ...base, ph: v(8.75) })).toMatchObject({ value: 52, band: 'medium' });
  });

  it('pH 9.2 (q = 10): 0.1 × 69.777 = 7.0 → 7, heavily polluted (brown)', () => {
    expect(computeVnWqi({ ...base, ph: v(9.2) })).toMatchObject({ value: 7, band: 'heavily-polluted', color: '#7E0023' });
  });

  it('clean water: pH 7.2, DO at saturation, COD 8, NH4 0.1 → 100, very good (blue)', () => {
    const result = computeVnWqi({ ph: v(7.2), do: v(7.72), temperature: v(28), cod: v(8), nh4: v(0.1) });
    expect(result).toMatchObject({ value: 100, band: 'very-good', color: '#3333FF' });
  });

  it('needs pH and one group IV parameter; DO needs the temperature', () => {
    expect(computeVnWqi({})).toBeNull();
    expect(computeVnWqi({ cod: v(20), nh4: v(0.45) })).toBeNull();
    expect(computeVnWqi({ ph: v(7.5), do: v(6) })).toBeNull();
    expect(computeVnWqi({ ph: v(7.5), do: v(6), salinity: v(12) })).toBeNull();
    expect(computeVnWqi({ ph: v(7.5), cod: v(20) })).toMatchObject({ value: 67, subIndexes: { ph: 100, cod: 66.7 } });
  });

  it('leaves out values more than 6 h older than the newest', () => {
    const result = computeVnWqi({ ph: v(7.5), cod: v(20), nh4: v(5, at - 7 * 3600_000) });
    expect(result?.subIndexes).toEqual({ ph: 100, cod: 66.7 });
    expect(result?.oldestTs).toBe(at);
  });
});

describe('bands', () => {
  it.each([
    [100, 'very-good'],
    [91, 'very-good'],
    [90, 'good'],
    [76, 'good'],
    [75, 'medium'],
    [51, 'medium'],
    [50, 'poor'],
    [26, 'poor'],
    [25, 'bad'],
    [10, 'bad'],
    [9, 'heavily-polluted'],
    [0, 'heavily-polluted'],
  ] as const)('%d is %s', (value, band) => {
    expect(wqiBandOf(value).band).toBe(band);
  });
});
